/* Loading and validating .srnn model files (models/FORMAT.md). Every check names what is
 * wrong in one line, so a user with a broken file knows which part to look at. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "dtype.h"
#include "model.h"
#include "format.h"
#include "tensor_specs.h"

#define FORMAT_VERSION 4 /* versions 1 (float32 only), 2 (dtypes), 3 (int4, per tier) and 4 (block-sparse) are read */
#define NAME_SIZE 56
#define MAX_NDIM 4

typedef struct {
    const uint8_t *bytes;
    size_t size;
    char *error;
    uint32_t version;
} file_view;

static uint32_t read_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t read_u64(const uint8_t *p) { return read_u32(p) | (uint64_t)read_u32(p + 4) << 32; }

srnn_status srnn_config_check(const srnn_config *c, char error[SRNN_ERROR_MAX])
{
    if (c->sample_rate < 1000 || c->sample_rate > 768000)
        return srnn_fail(error, SRNN_ERR_CONFIG, "sample_rate %" PRIu32 " is outside 1000..768000",
                    c->sample_rate);
    if (c->frame_size < 1 || c->frame_size > 1024)
        return srnn_fail(error, SRNN_ERR_CONFIG, "frame_size %" PRIu32 " is outside 1..1024",
                    c->frame_size);
    if (c->big_frame_size < c->frame_size || c->big_frame_size % c->frame_size != 0 ||
        c->big_frame_size / c->frame_size > SRNN_MAX_FRAME_RATIO)
        return srnn_fail(error, SRNN_ERR_CONFIG,
                    "big_frame_size %" PRIu32 " is not a multiple (1..%d times) of frame_size %" PRIu32,
                    c->big_frame_size, SRNN_MAX_FRAME_RATIO, c->frame_size);
    if (c->dim < 1 || c->dim > 8192)
        return srnn_fail(error, SRNN_ERR_CONFIG, "dim %" PRIu32 " is outside 1..8192", c->dim);
    if (c->num_rnn_layers < 1 || c->num_rnn_layers > SRNN_MAX_LAYERS)
        return srnn_fail(error, SRNN_ERR_CONFIG, "num_rnn_layers %" PRIu32 " is outside 1..%d",
                    c->num_rnn_layers, SRNN_MAX_LAYERS);
    if (c->rnn_type != SRNN_RNN_GRU && c->rnn_type != SRNN_RNN_LSTM)
        return srnn_fail(error, SRNN_ERR_CONFIG, "rnn_type %u is neither 0 (GRU) nor 1 (LSTM)",
                    (unsigned)c->rnn_type);
    if (c->q_type != SRNN_Q_MULAW && c->q_type != SRNN_Q_LINEAR)
        return srnn_fail(error, SRNN_ERR_CONFIG, "q_type %u is neither 0 (mu-law) nor 1 (linear)",
                    (unsigned)c->q_type);
    if (c->q_type == SRNN_Q_MULAW && c->q_levels != 256)
        return srnn_fail(error, SRNN_ERR_CONFIG, "q_levels %" PRIu32 " must be 256 for mu-law",
                    c->q_levels);
    if (c->q_levels < 2 || c->q_levels > 65536)
        return srnn_fail(error, SRNN_ERR_CONFIG, "q_levels %" PRIu32 " is outside 2..65536",
                    c->q_levels);
    if (c->skip_conn > 1)
        return srnn_fail(error, SRNN_ERR_CONFIG, "skip_conn %" PRIu32 " is neither 0 nor 1",
                    c->skip_conn);
    if (c->seq_len % c->big_frame_size != 0)
        return srnn_fail(error, SRNN_ERR_CONFIG,
                    "seq_len %" PRIu32 " is not a multiple of big_frame_size %" PRIu32,
                    c->seq_len, c->big_frame_size);
    return SRNN_OK;
}

static void format_shape(char *out, size_t size, uint32_t ndim, const uint32_t *shape)
{
    int used = snprintf(out, size, "[");
    for (uint32_t i = 0; i < ndim && used > 0 && (size_t)used < size; i++)
        used += snprintf(out + used, size - (size_t)used, i ? ", %" PRIu32 : "%" PRIu32, shape[i]);
    if (used > 0 && (size_t)used < size) snprintf(out + used, size - (size_t)used, "]");
}

/* The precision of a header's dtype number (version 2 has dtypes 0 to 3, version 3 0 to 4). */
static srnn_status header_precision(const file_view *file, const char *field, uint32_t dtype,
                                    srnn_precision *precision)
{
    static const srnn_precision of_dtype[] = {SRNN_PRECISION_F32, SRNN_PRECISION_F16,
                                              SRNN_PRECISION_BF16, SRNN_PRECISION_I8,
                                              SRNN_PRECISION_I4};
    uint32_t last = file->version >= 3 ? SRNN_DTYPE_I4 : SRNN_DTYPE_I8;
    if (dtype > last)
        return srnn_fail(file->error, SRNN_ERR_FORMAT, "%s %" PRIu32 " is not a dtype (0 to %" PRIu32 ")",
                         field, dtype, last);
    *precision = of_dtype[dtype];
    return SRNN_OK;
}

static srnn_status read_header(file_view *file, srnn_config *c, uint32_t *num_tensors,
                               uint64_t *metadata_offset, uint64_t *metadata_size,
                               srnn_precision *precision, srnn_precision *sample_precision)
{
    const uint8_t *h = file->bytes;
    char *error = file->error;
    if (file->size < 8 || memcmp(h, SRNN_FORMAT_MAGIC, 8) != 0)
        return srnn_fail(error, SRNN_ERR_FORMAT, "not an srnn model file (bad magic)");
    if (file->size < SRNN_FORMAT_HEADER_SIZE)
        return srnn_fail(error, SRNN_ERR_TRUNCATED, "truncated: %zu bytes, the header alone is %d",
                    file->size, SRNN_FORMAT_HEADER_SIZE);
    uint32_t version = read_u32(h + 8);
    if (version < 1 || version > FORMAT_VERSION)
        return srnn_fail(error, SRNN_ERR_VERSION,
                    "format version %" PRIu32 " is not supported (this build reads versions 1 to 4)",
                    version);
    if (read_u32(h + 12) != SRNN_FORMAT_HEADER_SIZE)
        return srnn_fail(error, SRNN_ERR_FORMAT, "header_size %" PRIu32 " is not %d", read_u32(h + 12),
                    SRNN_FORMAT_HEADER_SIZE);
    uint64_t file_size = read_u64(h + 16);
    if (file_size > file->size)
        return srnn_fail(error, SRNN_ERR_TRUNCATED,
                    "truncated: the file has %zu bytes, its header says %" PRIu64, file->size,
                    file_size);
    if (file_size < file->size)
        return srnn_fail(error, SRNN_ERR_FORMAT,
                    "%" PRIu64 " trailing bytes after the %" PRIu64 " the header declares",
                    (uint64_t)file->size - file_size, file_size);

    static const uint8_t zero[4];
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32_z(crc, h, 24);
    crc = crc32_z(crc, zero, 4);
    crc = crc32_z(crc, h + 28, file->size - 28);
    if ((uint32_t)crc != read_u32(h + 24))
        return srnn_fail(error, SRNN_ERR_CHECKSUM,
                    "checksum mismatch (stored %08" PRIx32 ", computed %08" PRIx32
                    "): the file is damaged",
                    read_u32(h + 24), (uint32_t)crc);

    *num_tensors = read_u32(h + 28);
    if (read_u64(h + 32) != SRNN_FORMAT_HEADER_SIZE)
        return srnn_fail(error, SRNN_ERR_FORMAT, "tensor_table_offset %" PRIu64 " is not %d",
                    read_u64(h + 32), SRNN_FORMAT_HEADER_SIZE);
    *metadata_offset = read_u64(h + 40);
    *metadata_size = read_u64(h + 48);
    c->sample_rate = read_u32(h + 56);
    c->frame_size = read_u32(h + 60);
    c->big_frame_size = read_u32(h + 64);
    c->dim = read_u32(h + 68);
    c->num_rnn_layers = read_u32(h + 72);
    c->rnn_type = (srnn_rnn_type)read_u32(h + 76);
    c->q_type = (srnn_q_type)read_u32(h + 80);
    c->q_levels = read_u32(h + 84);
    c->skip_conn = read_u32(h + 88);
    c->seq_len = read_u32(h + 92);
    c->emb_size = read_u32(h + 96);
    file->version = version;
    *precision = SRNN_PRECISION_F32;
    int reserved = 100;
    if (version >= 2) { /* the precision the model runs at by default: a dtype's number */
        srnn_status status = header_precision(file, "precision", read_u32(h + 100), precision);
        if (status != SRNN_OK) return status;
        reserved = 104;
    }
    *sample_precision = *precision;
    if (version >= 3) { /* the sample MLP's own */
        srnn_status status = header_precision(file, "sample_precision", read_u32(h + 104), sample_precision);
        if (status != SRNN_OK) return status;
        reserved = 108;
    }
    for (int i = reserved; i < SRNN_FORMAT_HEADER_SIZE; i++)
        if (h[i] != 0)
            return srnn_fail(error, SRNN_ERR_FORMAT, "reserved header byte %d is not zero", i);
    return srnn_config_check(c, error);
}

/* A name from the file, safe to show in a one-line message: other bytes become '?'. */
static const char *printable(const char *name, char shown[NAME_SIZE])
{
    size_t i = 0;
    for (; i + 1 < NAME_SIZE && name[i]; i++)
        shown[i] = name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?';
    shown[i] = '\0';
    return shown;
}

static float read_f32(const uint8_t *p)
{
    uint32_t bits = read_u32(p);
    float x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* The elements of a tensor stored as dtype in a file of version (little-endian; int8: the
 * float32 scales of its rows, then the values row by row; int4: the scales of its groups
 * (format.h), then the values two to a byte, low nibble first) as float32. With a mask
 * (block-sparse, after the scales) only the kept pieces' elements are stored; the others are
 * zero. */
static void to_float32(float *out, const uint8_t *p, srnn_dtype dtype, uint32_t version,
                       const srnn_tensor_info *info, const uint8_t *mask)
{
    uint64_t row_length = info->shape[info->ndim - 1];
    const uint8_t *values = p + srnn_format_scale_bytes(info, dtype, version) + (mask ? srnn_format_mask_bytes(info) : 0);
    uint64_t at = 0; /* the stored element */
    for (uint64_t i = 0; i < info->count; i++) {
        if (mask && !srnn_format_kept(info, mask, i)) {
            out[i] = 0.0f;
            continue;
        }
        switch (dtype) {
        case SRNN_DTYPE_F32: memcpy(&out[i], values + 4 * at, 4); break; /* block-sparse only: dense is mapped in place */
        case SRNN_DTYPE_F16: out[i] = srnn_f16_to_f32((uint16_t)(values[2 * at] | values[2 * at + 1] << 8)); break;
        case SRNN_DTYPE_BF16: out[i] = srnn_bf16_to_f32((uint16_t)(values[2 * at] | values[2 * at + 1] << 8)); break;
        case SRNN_DTYPE_I8: out[i] = (float)(int8_t)values[at] * read_f32(p + 4 * (i / row_length)); break;
        case SRNN_DTYPE_I4: {
            uint64_t group = srnn_format_i4_scale_index(info, version, i);
            int nibble = (values[at / 2] >> (at % 2 * 4)) & 15;
            out[i] = (float)((nibble ^ 8) - 8) * read_f32(p + 4 * group);
            break;
        }
        }
        at++;
    }
}

/* The mask of a block-sparse tensor at offset, checked: inside the file, no bit past its
 * pieces; sets *size to the tensor's bytes it implies. */
static srnn_status sparse_mask(const file_view *file, const char *name, const srnn_tensor_info *want,
                               srnn_dtype dtype, uint64_t offset, const uint8_t **mask, uint64_t *size)
{
    uint64_t at = offset + srnn_format_scale_bytes(want, dtype, file->version), bytes = srnn_format_mask_bytes(want);
    if (offset > file->size || at > file->size || bytes > file->size - at)
        return srnn_fail(file->error, SRNN_ERR_TRUNCATED, "truncated: tensor '%s''s block mask ends past the file", name);
    *mask = file->bytes + at;
    uint64_t pieces = srnn_format_pieces(want);
    if (pieces % 8 && (*mask)[bytes - 1] >> (pieces % 8))
        return srnn_fail(file->error, SRNN_ERR_TENSOR, "tensor '%s''s block mask has bits set past its %" PRIu64 " pieces",
                         name, pieces);
    *size = srnn_format_scale_bytes(want, dtype, file->version) + bytes +
            srnn_format_element_bytes(srnn_format_kept_elements(want, *mask), dtype);
    return SRNN_OK;
}

/* Checks one tensor table entry against the specs and points the model at its data: in the
 * file for float32, else at a float32 copy it adds to converted. */
static srnn_status read_entry(const file_view *file, const uint8_t *entry, uint32_t index,
                              const srnn_tensor_spec *specs, size_t spec_count, bool *seen,
                              uint64_t *previous_end, float **converted, size_t *converted_count)
{
    char *error = file->error;
    const char *name = (const char *)entry;
    char shown[NAME_SIZE];
    const char *terminator = memchr(entry, '\0', NAME_SIZE);
    if (!terminator)
        return srnn_fail(error, SRNN_ERR_TENSOR, "tensor %" PRIu32 " has an unterminated name", index);
    for (const char *p = terminator; p < name + NAME_SIZE; p++)
        if (*p) return srnn_fail(error, SRNN_ERR_TENSOR, "tensor %" PRIu32 "'s name is not NUL-padded", index);
    size_t s = 0;
    while (s < spec_count && strcmp(specs[s].info.name, name) != 0) s++;
    if (s == spec_count)
        return srnn_fail(error, SRNN_ERR_TENSOR, "unknown tensor '%s' for this configuration",
                    printable(name, shown));
    if (seen[s]) return srnn_fail(error, SRNN_ERR_TENSOR, "tensor '%s' appears twice", name);
    seen[s] = true;
    const srnn_tensor_info *want = &specs[s].info;

    uint32_t stored = read_u32(entry + 56), ndim = read_u32(entry + 60);
    uint32_t dtype = stored & ~SRNN_FORMAT_SPARSE;
    bool sparse = (stored & SRNN_FORMAT_SPARSE) != 0;
    uint32_t shape[MAX_NDIM];
    for (int i = 0; i < MAX_NDIM; i++) shape[i] = read_u32(entry + 64 + 4 * i);
    uint64_t offset = read_u64(entry + 80), size = read_u64(entry + 88);
    if (file->version == 1 && stored != SRNN_DTYPE_F32)
        return srnn_fail(error, SRNN_ERR_TENSOR,
                    "tensor '%s' has dtype %" PRIu32 ", version 1 has only 0 (float32)", name, stored);
    if (sparse && file->version < 4)
        return srnn_fail(error, SRNN_ERR_TENSOR,
                         "tensor '%s' has dtype %" PRIu32 " (block-sparse), which needs version 4", name, stored);
    uint32_t last = file->version >= 3 ? SRNN_DTYPE_I4 : SRNN_DTYPE_I8;
    if (dtype > last)
        return srnn_fail(error, SRNN_ERR_TENSOR, "tensor '%s' has dtype %" PRIu32 ", not 0 to %" PRIu32,
                         name, dtype, last);
    if (ndim != want->ndim || memcmp(shape, want->shape, sizeof shape) != 0) {
        char got[96], expected[96];
        format_shape(got, sizeof got, ndim <= MAX_NDIM ? ndim : MAX_NDIM, shape);
        format_shape(expected, sizeof expected, want->ndim, want->shape);
        return srnn_fail(error, SRNN_ERR_TENSOR, "tensor '%s' has shape %s%s, expected %s", name, got,
                    ndim > MAX_NDIM ? "..." : "", expected);
    }
    /* the shape equals the config's, whose limits keep these far below 2^64 */
    if (sparse && ndim != 2)
        return srnn_fail(error, SRNN_ERR_TENSOR, "tensor '%s' is stored block-sparse but is not a matrix", name);
    uint64_t need = srnn_format_tensor_bytes(want, (srnn_dtype)dtype, file->version);
    const uint8_t *mask = NULL;
    if (sparse) {
        srnn_status status = sparse_mask(file, name, want, (srnn_dtype)dtype, offset, &mask, &need);
        if (status != SRNN_OK) return status;
    }
    if (size != need)
        return srnn_fail(error, SRNN_ERR_TENSOR, "tensor '%s' has %" PRIu64 " bytes, its %s needs %" PRIu64,
                    name, size, sparse ? "block mask" : "shape", need);
    if (offset % SRNN_FORMAT_ALIGNMENT != 0)
        return srnn_fail(error, SRNN_ERR_TENSOR, "tensor '%s' offset %" PRIu64 " is not %d-byte aligned",
                    name, offset, SRNN_FORMAT_ALIGNMENT);
    if (offset < *previous_end)
        return srnn_fail(error, SRNN_ERR_TENSOR,
                    "tensor '%s' at offset %" PRIu64 " overlaps the table or the previous tensor",
                    name, offset);
    if (offset > file->size || size > file->size - offset)
        return srnn_fail(error, SRNN_ERR_TRUNCATED,
                    "truncated: tensor '%s' (%" PRIu64 " bytes at %" PRIu64 ") ends past the file",
                    name, size, offset);
    const float *data = (const float *)(file->bytes + offset);
    if (dtype != SRNN_DTYPE_F32 || sparse) {
        float *copy = malloc(want->count * sizeof *copy);
        if (!copy) return srnn_fail(error, SRNN_ERR_NOMEM, "out of memory for tensor '%s'", name);
        converted[(*converted_count)++] = copy;
        to_float32(copy, file->bytes + offset, (srnn_dtype)dtype, file->version, want, mask);
        data = copy;
    }
    for (uint64_t i = 0; i < want->count; i++)
        if (!isfinite(data[i]))
            return srnn_fail(error, SRNN_ERR_VALUE, "tensor '%s' element %" PRIu64 " is not finite", name, i);
    *specs[s].target = data;
    *previous_end = offset + size;
    return SRNN_OK;
}

static srnn_status read_tensors(const file_view *file, srnn_model *m, uint32_t num_tensors)
{
    char *error = file->error;
    srnn_tensor_spec *specs = calloc(SRNN_MAX_TENSORS, sizeof *specs);
    bool *seen = calloc(SRNN_MAX_TENSORS, sizeof *seen);
    srnn_status status = SRNN_OK;
    if (!specs || !seen) status = srnn_fail(error, SRNN_ERR_NOMEM, "out of memory");
    size_t spec_count = status == SRNN_OK ? srnn_tensor_specs(m, specs) : 0;
    uint64_t table_end = SRNN_FORMAT_HEADER_SIZE + (uint64_t)num_tensors * SRNN_FORMAT_ENTRY_SIZE;
    if (status == SRNN_OK && num_tensors != spec_count)
        status = srnn_fail(error, SRNN_ERR_TENSOR,
                      "the file has %" PRIu32 " tensors, this configuration needs %zu",
                      num_tensors, spec_count);
    if (status == SRNN_OK && table_end > file->size)
        status = srnn_fail(error, SRNN_ERR_TRUNCATED, "truncated: the tensor table ends past the file");

    uint64_t previous_end = table_end;
    m->parameter_count = 0;
    if (status == SRNN_OK && !(m->converted = calloc(spec_count, sizeof *m->converted)))
        status = srnn_fail(error, SRNN_ERR_NOMEM, "out of memory");
    for (uint32_t t = 0; status == SRNN_OK && t < num_tensors; t++) {
        const uint8_t *entry = file->bytes + SRNN_FORMAT_HEADER_SIZE + (size_t)t * SRNN_FORMAT_ENTRY_SIZE;
        status = read_entry(file, entry, t, specs, spec_count, seen, &previous_end, m->converted,
                            &m->converted_count);
    }
    for (size_t i = 0; status == SRNN_OK && i < spec_count; i++)
        m->parameter_count += specs[i].info.count;
    free(specs);
    free(seen);
    return status;
}

/* Splits "key=value\n" lines in place into NUL-terminated pairs. */
static srnn_status read_metadata(const file_view *file, srnn_model *m, uint64_t offset,
                                 uint64_t size)
{
    char *error = file->error;
    if (size == 0) return SRNN_OK;
    if (size > SRNN_FORMAT_MAX_METADATA)
        return srnn_fail(error, SRNN_ERR_FORMAT, "metadata of %" PRIu64 " bytes exceeds 1 MiB", size);
    if (offset < SRNN_FORMAT_HEADER_SIZE || offset > file->size || size > file->size - offset)
        return srnn_fail(error, SRNN_ERR_TRUNCATED, "truncated: metadata ends past the file");
    const char *text = (const char *)file->bytes + offset;
    if (memchr(text, '\0', size))
        return srnn_fail(error, SRNN_ERR_FORMAT, "metadata contains a NUL byte");
    if (text[size - 1] != '\n')
        return srnn_fail(error, SRNN_ERR_FORMAT, "metadata does not end with a newline");

    size_t lines = 0;
    for (uint64_t i = 0; i < size; i++) lines += text[i] == '\n';
    m->metadata_text = malloc(size);
    m->metadata_keys = calloc(lines, sizeof *m->metadata_keys);
    m->metadata_values = calloc(lines, sizeof *m->metadata_values);
    if (!m->metadata_text || !m->metadata_keys || !m->metadata_values)
        return srnn_fail(error, SRNN_ERR_NOMEM, "out of memory for the metadata");
    memcpy(m->metadata_text, text, size);
    char *line = m->metadata_text;
    for (size_t i = 0; i < lines; i++) {
        char *end = strchr(line, '\n');
        *end = '\0';
        char *equals = strchr(line, '=');
        if (!equals || equals == line)
            return srnn_fail(error, SRNN_ERR_FORMAT, "metadata line %zu is not key=value", i + 1);
        *equals = '\0';
        m->metadata_keys[i] = line;
        m->metadata_values[i] = equals + 1;
        line = end + 1;
    }
    m->metadata_count = lines;
    return SRNN_OK;
}

/* The level the options ask for, capped by the environment variable SRNN_CPU. */
static srnn_status choose_kernels(srnn_cpu requested, const srnn_kernels **kernels, char *error)
{
    static const srnn_cpu named[] = {SRNN_CPU_GENERIC, SRNN_CPU_AVX2, SRNN_CPU_AVX512,
                                     SRNN_CPU_NEON};
    srnn_cpu level = requested == SRNN_CPU_AUTO ? srnn_cpu_detect() : requested;
    const char *cap = getenv("SRNN_CPU");
    if (cap && *cap) {
        size_t i = 0;
        while (i < sizeof named / sizeof *named && strcmp(cap, srnn_cpu_name(named[i])) != 0) i++;
        if (i == sizeof named / sizeof *named)
            return srnn_fail(error, SRNN_ERR_ARGUMENT,
                        "SRNN_CPU='%.40s' is not one of generic, avx2, avx512, neon", cap);
        if (named[i] == SRNN_CPU_GENERIC || (named[i] < level && level != SRNN_CPU_NEON))
            level = named[i];
    }
    /* a level this CPU lacks falls back to the next lower one it has */
    while (!srnn_kernels_get(level))
        level = level == SRNN_CPU_AVX512 ? SRNN_CPU_AVX2 : SRNN_CPU_GENERIC;
    *kernels = srnn_kernels_get(level);
    return SRNN_OK;
}

static srnn_status parse(srnn_model *m, const uint8_t *bytes, size_t size,
                         const srnn_load_options *options, char *error)
{
    static const srnn_load_options defaults;
    if (!options) options = &defaults;
    const srnn_kernels *kernels = NULL;
    srnn_precision precision = options->precision, sample_precision = options->sample_precision;
    if (precision < SRNN_PRECISION_AUTO || precision > SRNN_PRECISION_I4)
        return srnn_fail(error, SRNN_ERR_ARGUMENT, "unknown precision %d", (int)options->precision);
    if (sample_precision < SRNN_PRECISION_AUTO || sample_precision > SRNN_PRECISION_I4)
        return srnn_fail(error, SRNN_ERR_ARGUMENT, "unknown sample precision %d",
                         (int)options->sample_precision);
    if (options->cpu < SRNN_CPU_AUTO || options->cpu > SRNN_CPU_NEON)
        return srnn_fail(error, SRNN_ERR_ARGUMENT, "unknown cpu level %d", (int)options->cpu);
    srnn_status chosen = choose_kernels(options->cpu, &kernels, error);
    if (chosen != SRNN_OK) return chosen;
    file_view file = {bytes, size, error, 0};
    uint32_t num_tensors = 0;
    uint64_t metadata_offset = 0, metadata_size = 0;
    srnn_status status = read_header(&file, &m->config, &num_tensors, &metadata_offset,
                                     &metadata_size, &m->file_precision, &m->file_sample_precision);
    if (sample_precision == SRNN_PRECISION_AUTO)
        sample_precision = precision != SRNN_PRECISION_AUTO ? precision : m->file_sample_precision;
    if (precision == SRNN_PRECISION_AUTO) precision = m->file_precision;
    if (status == SRNN_OK) status = read_tensors(&file, m, num_tensors);
    if (status == SRNN_OK) {
        uint64_t table_end = SRNN_FORMAT_HEADER_SIZE + (uint64_t)num_tensors * SRNN_FORMAT_ENTRY_SIZE;
        if (metadata_size > 0 && metadata_offset < table_end)
            status = srnn_fail(error, SRNN_ERR_FORMAT, "metadata offset %" PRIu64 " lies inside the header or tensor table",
                          metadata_offset);
    }
    if (status == SRNN_OK)
        status = read_metadata(&file, m, metadata_offset, metadata_size);
    if (status == SRNN_OK) status = srnn_prepare(m, kernels, precision, sample_precision, error);
    return status;
}

srnn_status srnn_model_load_memory_with(const void *data, size_t size,
                                        const srnn_load_options *options, srnn_model **model,
                                        char error[SRNN_ERROR_MAX])
{
    *model = NULL;
    if (!data && size > 0) return srnn_fail(error, SRNN_ERR_ARGUMENT, "no data");
    srnn_model *m = calloc(1, sizeof *m);
    if (!m) return srnn_fail(error, SRNN_ERR_NOMEM, "out of memory");
    /* a 64-aligned copy, so tensors are aligned whatever the caller's buffer */
    m->owned = aligned_alloc(64, (size + 64) / 64 * 64);
    if (!m->owned) {
        free(m);
        return srnn_fail(error, SRNN_ERR_NOMEM, "out of memory for %zu bytes", size);
    }
    if (size) memcpy(m->owned, data, size);
    srnn_status status = parse(m, m->owned, size, options, error);
    if (status != SRNN_OK) {
        srnn_model_free(m);
        return status;
    }
    *model = m;
    return SRNN_OK;
}

srnn_status srnn_model_load_memory(const void *data, size_t size, srnn_model **model,
                                   char error[SRNN_ERROR_MAX])
{
    return srnn_model_load_memory_with(data, size, NULL, model, error);
}

srnn_status srnn_model_load_with(const char *path, const srnn_load_options *options,
                                 srnn_model **model, char error[SRNN_ERROR_MAX])
{
    *model = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return srnn_fail(error, SRNN_ERR_IO, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return srnn_fail(error, SRNN_ERR_IO, "cannot stat: %s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return srnn_fail(error, SRNN_ERR_IO, "not a regular file");
    }
    if (st.st_size < SRNN_FORMAT_HEADER_SIZE) {
        uint8_t head[8] = {0};
        ssize_t got = read(fd, head, sizeof head);
        close(fd);
        if (got < 8 || memcmp(head, SRNN_FORMAT_MAGIC, 8) != 0)
            return srnn_fail(error, SRNN_ERR_FORMAT, "not an srnn model file (bad magic)");
        return srnn_fail(error, SRNN_ERR_TRUNCATED, "truncated: %lld bytes, the header alone is %d",
                    (long long)st.st_size, SRNN_FORMAT_HEADER_SIZE);
    }
    size_t size = (size_t)st.st_size;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    int map_errno = errno;
    close(fd);
    if (map == MAP_FAILED) return srnn_fail(error, SRNN_ERR_IO, "cannot map: %s", strerror(map_errno));

    srnn_model *m = calloc(1, sizeof *m);
    if (!m) {
        munmap(map, size);
        return srnn_fail(error, SRNN_ERR_NOMEM, "out of memory");
    }
    m->mapped = map;
    m->mapped_size = size;
    srnn_status status = parse(m, map, size, options, error);
    if (status != SRNN_OK) {
        srnn_model_free(m);
        return status;
    }
    *model = m;
    return SRNN_OK;
}

srnn_status srnn_model_load(const char *path, srnn_model **model, char error[SRNN_ERROR_MAX])
{
    return srnn_model_load_with(path, NULL, model, error);
}

void srnn_model_free(srnn_model *m)
{
    if (!m) return;
    srnn_free_runtime(&m->run);
    for (size_t i = 0; i < m->converted_count; i++) free(m->converted[i]);
    free(m->converted);
    if (m->mapped_size) munmap(m->mapped, m->mapped_size);
    free(m->owned);
    free(m->metadata_text);
    free(m->metadata_keys);
    free(m->metadata_values);
    free(m);
}

const srnn_config *srnn_model_config(const srnn_model *m) { return &m->config; }

srnn_cpu srnn_model_cpu(const srnn_model *m) { return m->run.kernels->level; }

srnn_precision srnn_model_precision(const srnn_model *m) { return m->run.precision; }

srnn_precision srnn_model_sample_precision(const srnn_model *m) { return m->run.sample_precision; }

const char *srnn_model_metadata(const srnn_model *m, const char *key)
{
    for (size_t i = 0; i < m->metadata_count; i++)
        if (strcmp(m->metadata_keys[i], key) == 0) return m->metadata_values[i];
    return NULL;
}

void srnn_model_metadata_each(const srnn_model *m,
                              void (*fn)(const char *key, const char *value, void *user), void *user)
{
    for (size_t i = 0; i < m->metadata_count; i++) fn(m->metadata_keys[i], m->metadata_values[i], user);
}

uint64_t srnn_model_parameter_count(const srnn_model *m) { return m->parameter_count; }

/* Per-step cost of a frame tier with the folds of model.h: the folded input, the RNN stack
 * (layer 0's input half is the folded input), its skip outputs, and for the big frame tier the
 * conditioning of its R frames (the frame tier's upsampling is counted in the MLP). */
static uint64_t tier_macs(const srnn_model *m, const srnn_tier *tier, bool conditions_frames)
{
    const srnn_config *c = &m->config;
    uint64_t d = c->dim, gd = srnn_gates(c->rnn_type) * d, layers = c->num_rnn_layers;
    uint64_t macs = tier->frame * gd + (2 * layers - 1) * d * gd;
    if (c->skip_conn) macs += layers * d * d;
    if (conditions_frames) macs += tier->ratio * d * gd;
    return macs;
}

uint64_t srnn_model_macs_per_sample(const srnn_model *m)
{
    const srnn_config *c = &m->config;
    uint64_t d = c->dim, q = c->q_levels;
    /* F table rows, the frame tier's upsampling folded into hidden1, hidden2, the output */
    uint64_t mlp = c->frame_size * d + 2 * d * d + d * q;
    return mlp + tier_macs(m, &m->frame, false) / c->frame_size +
           tier_macs(m, &m->big_frame, true) / c->big_frame_size;
}
