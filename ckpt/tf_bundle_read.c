/* Reading tensor bundles (tf_bundle.h): the index is read whole and every entry checked when
 * the bundle is opened; tensor data are read on demand, shard by shard, and their CRC-32C
 * checked before anyone sees them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"
#include "proto_wire.h"
#include "tf_bundle.h"
#include "tf_table.h"

#define MAX_INDEX_SIZE (1u << 30)
#define MAX_DTYPE 1000 /* codes above are TensorFlow's reference types, never saved */

struct tf_bundle {
    char *prefix; /* NULL when only an index was given */
    uint32_t num_shards;
    int has_header;
    tf_bundle_entry *entries;
    size_t count, capacity;
};

static const char *const dtype_names[] = {
    [1] = "float32", [2] = "float64", [3] = "int32", [4] = "uint8", [5] = "int16",
    [6] = "int8", [7] = "string", [8] = "complex64", [9] = "int64", [10] = "bool",
    [11] = "qint8", [12] = "quint8", [13] = "qint32", [14] = "bfloat16", [15] = "qint16",
    [16] = "quint16", [17] = "uint16", [18] = "complex128", [19] = "float16",
    [20] = "resource", [21] = "variant", [22] = "uint32", [23] = "uint64",
};
static const unsigned char dtype_sizes[] = {
    [1] = 4, [2] = 8, [3] = 4, [4] = 1, [5] = 2, [6] = 1, [8] = 8, [9] = 8, [10] = 1,
    [11] = 1, [12] = 1, [13] = 4, [14] = 2, [15] = 2, [16] = 2, [17] = 2, [18] = 16,
    [19] = 2, [22] = 4, [23] = 8,
};
enum { NUM_DTYPES = sizeof dtype_names / sizeof *dtype_names };

const char *tf_dtype_name(int dtype, char buffer[16]) {
    if (dtype > 0 && dtype < NUM_DTYPES && dtype_names[dtype]) return dtype_names[dtype];
    snprintf(buffer, 16, "dtype_%d", dtype);
    return buffer;
}

size_t tf_dtype_size(int dtype) {
    return dtype > 0 && dtype < NUM_DTYPES ? dtype_sizes[dtype] : 0;
}

/* ---- The index ------------------------------------------------------------------------- */

/* A varint field holding a non-negative int32/int64 (negative ones are 10-byte varints). */
static int non_negative(const pb_field *f, uint64_t max, uint64_t *value) {
    if (f->wire_type != PB_VARINT || f->value > max) return -1;
    *value = f->value;
    return 0;
}

static srnn_status parse_header(tf_bundle *b, const uint8_t *value, size_t size, char *error) {
    pb_reader r = pb_reader_of(value, size);
    pb_field f;
    int more;
    uint64_t num_shards = 0, endianness = 0;
    while ((more = pb_next(&r, &f)) > 0) {
        if (f.number == 1 && non_negative(&f, INT32_MAX, &num_shards) < 0) more = -1;
        if (f.number == 2 && non_negative(&f, INT32_MAX, &endianness) < 0) more = -1;
        if (f.number == 3) { /* VersionDef: producer 1, min_consumer 2, bad_consumers 3 */
            if (f.wire_type != PB_BYTES) break;
            pb_reader v = pb_reader_of(f.bytes, f.size);
            pb_field g;
            int in;
            while ((in = pb_next(&v, &g)) > 0)
                if ((g.number == 2 && g.value > 1) || (g.number == 3 && g.value == 1))
                    return ckpt_fail(error, SRNN_ERR_VERSION,
                                     "the checkpoint needs a newer reader (tensor bundle "
                                     "version 1 is read)");
            if (in < 0) break;
        }
        if (more < 0) break;
    }
    if (more != 0)
        return ckpt_fail(error, SRNN_ERR_FORMAT, "the bundle header is malformed");
    if (endianness != 0)
        return ckpt_fail(error, SRNN_ERR_FORMAT, "big-endian checkpoints are not supported");
    if (num_shards < 1 || num_shards > TF_BUNDLE_MAX_SHARDS)
        return ckpt_fail(error, SRNN_ERR_FORMAT, "the bundle header says %llu data shards",
                         (unsigned long long)num_shards);
    b->num_shards = (uint32_t)num_shards;
    b->has_header = 1;
    return SRNN_OK;
}

/* TensorShapeProto: dim (2) = {size (1), name (2)}, unknown_rank (3). */
static int parse_shape(tf_bundle_entry *e, const uint8_t *data, size_t size) {
    pb_reader r = pb_reader_of(data, size);
    pb_field f;
    int more;
    e->elements = 1;
    while ((more = pb_next(&r, &f)) > 0) {
        if (f.number == 3 && f.value != 0) return -1; /* unknown rank */
        if (f.number != 2) continue;
        if (f.wire_type != PB_BYTES || e->ndim == TF_BUNDLE_MAX_DIMS) return -1;
        pb_reader d = pb_reader_of(f.bytes, f.size);
        pb_field g;
        uint64_t dim = 0;
        int in;
        while ((in = pb_next(&d, &g)) > 0)
            if (g.number == 1 && non_negative(&g, INT64_MAX, &dim) < 0) return -1;
        if (in < 0) return -1;
        if (dim != 0 && e->elements > UINT64_MAX / dim) return -1;
        e->elements *= dim;
        e->shape[e->ndim++] = (int64_t)dim;
    }
    return more;
}

/* BundleEntryProto: dtype (1), shape (2), shard_id (3), offset (4), size (5), crc32c (6,
 * fixed32), slices (7). */
static srnn_status parse_entry(tf_bundle *b, tf_bundle_entry *e, const uint8_t *value,
                               size_t size, char *error) {
    pb_reader r = pb_reader_of(value, size);
    pb_field f;
    int more;
    uint64_t dtype = 0, shard = 0;
    e->elements = 1;
    while ((more = pb_next(&r, &f)) > 0) {
        int bad = 0;
        switch (f.number) {
        case 1: bad = non_negative(&f, MAX_DTYPE, &dtype); break;
        case 2: bad = f.wire_type != PB_BYTES || parse_shape(e, f.bytes, f.size) < 0; break;
        case 3: bad = non_negative(&f, INT32_MAX, &shard); break;
        case 4: bad = non_negative(&f, INT64_MAX, &e->offset); break;
        case 5: bad = non_negative(&f, INT64_MAX, &e->size); break;
        case 6:
            bad = f.wire_type != PB_FIXED32;
            e->crc32c = crc32c_unmask((uint32_t)f.value);
            break;
        case 7: bad = f.wire_type != PB_BYTES || e->num_slices++ == UINT32_MAX; break;
        default: break; /* fields of later versions */
        }
        if (bad) more = -1;
        if (more < 0) break;
    }
    if (more < 0)
        return ckpt_fail(error, SRNN_ERR_FORMAT, "tensor '%s': malformed entry", e->name);
    e->dtype = (int)dtype;
    e->shard = (uint32_t)shard;
    char name[16];
    if (dtype == 0)
        return ckpt_fail(error, SRNN_ERR_FORMAT, "tensor '%s': no dtype", e->name);
    if (shard >= b->num_shards)
        return ckpt_fail(error, SRNN_ERR_FORMAT, "tensor '%s': shard %llu of %u", e->name,
                         (unsigned long long)shard, b->num_shards);
    if (e->offset > INT64_MAX - e->size)
        return ckpt_fail(error, SRNN_ERR_FORMAT, "tensor '%s': offset past 2^63", e->name);
    size_t element_size = tf_dtype_size(e->dtype);
    if (e->num_slices == 0 && element_size &&
        (e->elements > UINT64_MAX / element_size || e->size != e->elements * element_size))
        return ckpt_fail(error, SRNN_ERR_FORMAT,
                         "tensor '%s': %llu bytes for %llu elements of %s", e->name,
                         (unsigned long long)e->size, (unsigned long long)e->elements,
                         tf_dtype_name(e->dtype, name));
    return SRNN_OK;
}

static srnn_status visit_entry(const uint8_t *key, size_t key_size, const uint8_t *value,
                               size_t value_size, void *user, char *error) {
    tf_bundle *b = user;
    if (key_size == 0) return parse_header(b, value, value_size, error);
    if (!b->has_header)
        return ckpt_fail(error, SRNN_ERR_FORMAT, "the index has no bundle header");
    if (key[0] == 0) return SRNN_OK; /* a slice of a partitioned variable (encoded key) */
    /* names go into messages of one line: no NUL, no control characters */
    for (size_t i = 0; i < key_size; i++)
        if (key[i] < 0x20 || key[i] == 0x7f)
            return ckpt_fail(error, SRNN_ERR_FORMAT, "a tensor name holds control character %u",
                             key[i]);
    if (b->count == b->capacity) {
        size_t capacity = b->capacity ? 2 * b->capacity : 64;
        tf_bundle_entry *grown = realloc(b->entries, capacity * sizeof *grown);
        if (!grown) return ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory for the index");
        b->entries = grown;
        b->capacity = capacity;
    }
    tf_bundle_entry *e = &b->entries[b->count];
    *e = (tf_bundle_entry){0};
    char *name = malloc(key_size + 1);
    if (!name) return ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory for the index");
    memcpy(name, key, key_size);
    name[key_size] = '\0';
    e->name = name;
    b->count++; /* owned from here on, freed with the bundle */
    return parse_entry(b, e, value, value_size, error);
}

static srnn_status open_index(const uint8_t *index, size_t size, char *prefix,
                              tf_bundle **bundle, char *error) {
    *bundle = NULL;
    tf_bundle *b = calloc(1, sizeof *b);
    if (!b) {
        free(prefix);
        return ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
    }
    b->prefix = prefix;
    srnn_status status = tf_table_each(index, size, visit_entry, b, error);
    if (status == SRNN_OK && !b->has_header)
        status = ckpt_fail(error, SRNN_ERR_FORMAT, "the index has no bundle header");
    if (status != SRNN_OK) {
        tf_bundle_close(b);
        return status;
    }
    *bundle = b;
    return SRNN_OK;
}

srnn_status tf_bundle_open_index(const void *index, size_t size, tf_bundle **bundle,
                                 char error[CKPT_ERROR_MAX]) {
    return open_index(index, size, NULL, bundle, error);
}

srnn_status tf_bundle_open(const char *prefix, tf_bundle **bundle, char error[CKPT_ERROR_MAX]) {
    *bundle = NULL;
    size_t length = strlen(prefix);
    char *path = malloc(length + sizeof ".index"), *copy = strdup(prefix);
    if (!path || !copy) {
        free(path);
        free(copy);
        return ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
    }
    memcpy(path, prefix, length);
    memcpy(path + length, ".index", sizeof ".index");
    srnn_status status = SRNN_OK;
    uint8_t *index = NULL;
    struct stat st;
    FILE *file = fopen(path, "rb");
    if (!file || fstat(fileno(file), &st) != 0)
        status = ckpt_fail(error, SRNN_ERR_IO, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode) || st.st_size > MAX_INDEX_SIZE)
        status = ckpt_fail(error, SRNN_ERR_IO, "%s: not a regular file of at most 1 GiB", path);
    else if (!(index = malloc(st.st_size ? (size_t)st.st_size : 1)))
        status = ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory for %s", path);
    else if (fread(index, 1, (size_t)st.st_size, file) != (size_t)st.st_size)
        status = ckpt_fail(error, SRNN_ERR_IO, "%s: read error", path);
    if (file) fclose(file);
    if (status == SRNN_OK) {
        status = open_index(index, (size_t)st.st_size, copy, bundle, error);
        copy = NULL;
        if (status != SRNN_OK) {
            /* name the file: "ckpt.index: CRC-32C mismatch" */
            char detail[CKPT_ERROR_MAX];
            snprintf(detail, sizeof detail, "%s", error);
            ckpt_fail(error, status, "%s: %s", path, detail);
        }
    }
    free(copy);
    free(index);
    free(path);
    return status;
}

void tf_bundle_close(tf_bundle *bundle) {
    if (!bundle) return;
    for (size_t i = 0; i < bundle->count; i++) free((char *)bundle->entries[i].name);
    free(bundle->entries);
    free(bundle->prefix);
    free(bundle);
}

uint32_t tf_bundle_num_shards(const tf_bundle *bundle) { return bundle->num_shards; }

size_t tf_bundle_count(const tf_bundle *bundle) { return bundle->count; }

const tf_bundle_entry *tf_bundle_entry_at(const tf_bundle *bundle, size_t index) {
    return index < bundle->count ? &bundle->entries[index] : NULL;
}

const tf_bundle_entry *tf_bundle_find(const tf_bundle *bundle, const char *name) {
    size_t low = 0, high = bundle->count; /* keys are in strcmp order: the table's */
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        int c = strcmp(bundle->entries[middle].name, name);
        if (c == 0) return &bundle->entries[middle];
        if (c < 0)
            low = middle + 1;
        else
            high = middle;
    }
    return NULL;
}

/* ---- Tensor data ----------------------------------------------------------------------- */

static srnn_status read_shard(const tf_bundle *b, const tf_bundle_entry *e, uint8_t *out,
                              char *error) {
    if (!b->prefix)
        return ckpt_fail(error, SRNN_ERR_ARGUMENT, "tensor '%s': no data shards to read",
                         e->name);
    char *path = malloc(strlen(b->prefix) + 32);
    if (!path) return ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
    sprintf(path, "%s.data-%05u-of-%05u", b->prefix, e->shard, b->num_shards);
    srnn_status status = SRNN_OK;
    struct stat st;
    int fd = open(path, O_RDONLY);
    if (fd < 0 && errno == ENOENT)
        status = ckpt_fail(error, SRNN_ERR_IO, "missing data shard %s (holds tensor '%s')",
                           path, e->name);
    else if (fd < 0 || fstat(fd, &st) != 0)
        status = ckpt_fail(error, SRNN_ERR_IO, "%s: %s", path, strerror(errno));
    else if ((uint64_t)st.st_size < e->offset + e->size)
        status = ckpt_fail(error, SRNN_ERR_TRUNCATED,
                           "%s is truncated: %lld bytes, tensor '%s' lies at %llu..%llu", path,
                           (long long)st.st_size, e->name, (unsigned long long)e->offset,
                           (unsigned long long)(e->offset + e->size));
    for (uint64_t done = 0; status == SRNN_OK && done < e->size;) {
        size_t chunk = e->size - done > (1u << 30) ? (1u << 30) : (size_t)(e->size - done);
        ssize_t n = pread(fd, out + done, chunk, (off_t)(e->offset + done));
        if (n <= 0)
            status = ckpt_fail(error, SRNN_ERR_IO, "%s: %s", path,
                               n < 0 ? strerror(errno) : "ends early");
        else
            done += (uint64_t)n;
    }
    if (fd >= 0) close(fd);
    free(path);
    return status;
}

/* A string tensor of `elements` strings: their lengths as varints, the masked CRC-32C of the
 * lengths, then the bytes. Its checksum, as TensorFlow computes it, covers each length as a
 * 4-byte (8 above 2^32) little-endian number, the stored length CRC, and the bytes. */
static srnn_status check_strings(const tf_bundle_entry *e, const uint8_t *raw,
                                 const uint8_t **strings, char *error) {
    const uint8_t *p = raw, *end = raw + e->size;
    uint32_t crc = 0;
    uint64_t total = 0;
    for (uint64_t i = 0; i < e->elements; i++) {
        uint64_t length;
        if (pb_read_varint(&p, end, &length) < 0 || length > e->size)
            return ckpt_fail(error, SRNN_ERR_FORMAT, "tensor '%s': malformed string lengths",
                             e->name);
        uint8_t bytes[8];
        for (int k = 0; k < 8; k++) bytes[k] = (uint8_t)(length >> (8 * k));
        crc = crc32c_extend(crc, bytes, length <= UINT32_MAX ? 4 : 8);
        total += length;
        if (total > e->size)
            return ckpt_fail(error, SRNN_ERR_FORMAT, "tensor '%s': string lengths do not add up",
                             e->name);
    }
    if (end - p < 4 || crc32c_unmask((uint32_t)p[0] | (uint32_t)p[1] << 8 |
                                     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24) != crc)
        return ckpt_fail(error, SRNN_ERR_CHECKSUM, "tensor '%s': string lengths CRC mismatch",
                         e->name);
    crc = crc32c_extend(crc, p, 4);
    p += 4;
    if (total != (uint64_t)(end - p))
        return ckpt_fail(error, SRNN_ERR_FORMAT, "tensor '%s': string lengths do not add up",
                         e->name);
    if (crc32c_extend(crc, p, (size_t)total) != e->crc32c)
        return ckpt_fail(error, SRNN_ERR_CHECKSUM, "tensor '%s': CRC-32C mismatch", e->name);
    *strings = p;
    return SRNN_OK;
}

srnn_status tf_bundle_read(const tf_bundle *bundle, const tf_bundle_entry *entry, void *out,
                           char error[CKPT_ERROR_MAX]) {
    char name[16];
    if (entry->num_slices)
        return ckpt_fail(error, SRNN_ERR_FORMAT,
                         "tensor '%s' is partitioned (saved in slices), which is not supported",
                         entry->name);
    if (entry->dtype != TF_STRING && !tf_dtype_size(entry->dtype))
        return ckpt_fail(error, SRNN_ERR_FORMAT, "tensor '%s': cannot read dtype %s",
                         entry->name, tf_dtype_name(entry->dtype, name));
    if (entry->size > SIZE_MAX)
        return ckpt_fail(error, SRNN_ERR_NOMEM, "tensor '%s' is too large", entry->name);
    srnn_status status = read_shard(bundle, entry, out, error);
    if (status != SRNN_OK) return status;
    if (entry->dtype == TF_STRING) {
        const uint8_t *strings;
        return check_strings(entry, out, &strings, error);
    }
    if (crc32c_extend(0, out, (size_t)entry->size) != entry->crc32c)
        return ckpt_fail(error, SRNN_ERR_CHECKSUM, "tensor '%s': CRC-32C mismatch",
                         entry->name);
    return SRNN_OK;
}

srnn_status tf_bundle_read_string(const tf_bundle *bundle, const tf_bundle_entry *entry,
                                  char **text, size_t *size, char error[CKPT_ERROR_MAX]) {
    *text = NULL;
    if (entry->dtype != TF_STRING || entry->ndim != 0)
        return ckpt_fail(error, SRNN_ERR_TENSOR, "tensor '%s' is not a scalar string",
                         entry->name);
    uint8_t *raw = malloc(entry->size ? (size_t)entry->size : 1);
    if (!raw) return ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
    srnn_status status = tf_bundle_read(bundle, entry, raw, error);
    const uint8_t *strings = NULL;
    if (status == SRNN_OK) status = check_strings(entry, raw, &strings, error);
    if (status == SRNN_OK) {
        *size = (size_t)(raw + entry->size - strings);
        memmove(raw, strings, *size);
        raw[*size] = '\0'; /* the lengths and CRC took at least 5 bytes: there is room */
        *text = (char *)raw;
        return SRNN_OK;
    }
    free(raw);
    return status;
}
