/* Reading TensorFlow's tables (tf_table.h). Everything is checked before it is used, so a
 * hostile file ends in one error line: block handles inside the file, checksums, entry
 * lengths inside their block, restart points on entry boundaries, keys in strict order. */
#include <stdlib.h>
#include <string.h>

#include <snappy-c.h>

#include "crc32c.h"
#include "proto_wire.h"
#include "tf_table.h"

typedef struct {
    uint64_t offset, size; /* size excludes the trailer */
} block_handle;

typedef struct {
    const uint8_t *contents;
    size_t size;
    uint8_t *owned; /* the decompressed copy, or NULL */
} block;

static uint32_t read_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A block handle: offset and size, two varints. */
static int read_handle(const uint8_t **p, const uint8_t *end, block_handle *handle) {
    if (pb_read_varint(p, end, &handle->offset) < 0) return -1;
    return pb_read_varint(p, end, &handle->size);
}

/* Snappy can expand about 21 times at most; a larger claim is a corrupt or hostile block. */
static srnn_status uncompress(block *b, const char *what, uint64_t offset, char *error) {
    size_t size;
    if (snappy_uncompressed_length((const char *)b->contents, b->size, &size) != SNAPPY_OK ||
        size / 32 > b->size)
        return ckpt_fail(error, SRNN_ERR_FORMAT,
                         "%s at byte %llu: corrupt Snappy-compressed block", what,
                         (unsigned long long)offset);
    uint8_t *out = malloc(size ? size : 1);
    if (!out) return ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory for a %zu-byte block", size);
    if (snappy_uncompress((const char *)b->contents, b->size, (char *)out, &size) != SNAPPY_OK) {
        free(out);
        return ckpt_fail(error, SRNN_ERR_FORMAT,
                         "%s at byte %llu: corrupt Snappy-compressed block", what,
                         (unsigned long long)offset);
    }
    b->contents = out;
    b->size = size;
    b->owned = out;
    return SRNN_OK;
}

/* The block a handle points at, inside file[0..limit), checksum verified, decompressed. */
static srnn_status read_block(const uint8_t *file, size_t limit, block_handle handle,
                              const char *what, block *b, char *error) {
    *b = (block){0};
    if (handle.offset > limit || handle.size > limit - handle.offset ||
        limit - handle.offset - handle.size < TF_TABLE_TRAILER_SIZE)
        return ckpt_fail(error, SRNN_ERR_TRUNCATED,
                         "%s (bytes %llu..+%llu) lies outside the index file's %zu bytes", what,
                         (unsigned long long)handle.offset, (unsigned long long)handle.size,
                         limit + TF_TABLE_FOOTER_SIZE);
    const uint8_t *contents = file + handle.offset;
    size_t size = (size_t)handle.size;
    uint8_t type = contents[size];
    uint32_t actual = crc32c_extend(crc32c_extend(0, contents, size), &type, 1);
    if (crc32c_unmask(read_u32(contents + size + 1)) != actual)
        return ckpt_fail(error, SRNN_ERR_CHECKSUM, "%s at byte %llu: CRC-32C mismatch", what,
                         (unsigned long long)handle.offset);
    b->contents = contents;
    b->size = size;
    if (type == TF_TABLE_SNAPPY) return uncompress(b, what, handle.offset, error);
    if (type != TF_TABLE_PLAIN)
        return ckpt_fail(error, SRNN_ERR_FORMAT,
                         "%s at byte %llu: compression type %u is not supported (only none "
                         "and Snappy are)",
                         what, (unsigned long long)handle.offset, type);
    return SRNN_OK;
}

/* Walking one block's entries: shared key bytes, unshared bytes and value length as varints,
 * then the unshared key bytes and the value; after the entries, the restart offsets (u32) and
 * their count. */
typedef struct {
    const uint8_t *data;
    size_t entries_end; /* where the restart array starts */
    uint32_t num_restarts;
    uint32_t next_restart; /* index of the next restart point expected */
    size_t pos;
    byte_buffer key;
    const uint8_t *value;
    size_t value_size;
    const char *what;
} block_iterator;

static srnn_status iterator_start(block_iterator *it, const block *b, const char *what,
                                  char *error) {
    *it = (block_iterator){.data = b->contents, .what = what};
    if (b->size < 4) return ckpt_fail(error, SRNN_ERR_FORMAT, "%s is too short", what);
    it->num_restarts = read_u32(b->contents + b->size - 4);
    if (it->num_restarts == 0 || it->num_restarts > (b->size - 4) / 4)
        return ckpt_fail(error, SRNN_ERR_FORMAT, "%s has a bad restart count (%u)", what,
                         it->num_restarts);
    it->entries_end = b->size - 4 - 4 * (size_t)it->num_restarts;
    return SRNN_OK;
}

static uint32_t restart_offset(const block_iterator *it, uint32_t index) {
    return read_u32(it->data + it->entries_end + 4 * (size_t)index);
}

/* The next entry into it->key and it->value; *has_entry is 0 after the last one. */
static srnn_status iterator_next(block_iterator *it, int *has_entry, char *error) {
    *has_entry = 0;
    int expected = it->next_restart < it->num_restarts;
    uint32_t restart = expected ? restart_offset(it, it->next_restart) : 0;
    if (it->pos == it->entries_end) {
        /* an empty block has a single restart point, at 0 */
        if (expected && !(it->pos == 0 && restart == 0 && it->num_restarts == 1))
            return ckpt_fail(error, SRNN_ERR_FORMAT, "%s: restart point %u is not an entry's start",
                             it->what, it->next_restart);
        return SRNN_OK;
    }
    if (expected && restart < it->pos)
        return ckpt_fail(error, SRNN_ERR_FORMAT, "%s: restart point %u is not an entry's start",
                         it->what, it->next_restart);
    int at_restart = expected && restart == it->pos;
    const uint8_t *p = it->data + it->pos, *end = it->data + it->entries_end;
    uint64_t shared, unshared, value_size;
    if (pb_read_varint(&p, end, &shared) < 0 || pb_read_varint(&p, end, &unshared) < 0 ||
        pb_read_varint(&p, end, &value_size) < 0 || unshared > (uint64_t)(end - p) ||
        value_size > (uint64_t)(end - p) - unshared || shared > it->key.size ||
        (at_restart && shared != 0) || (it->pos == 0 && !at_restart))
        return ckpt_fail(error, SRNN_ERR_FORMAT, "%s: entry at byte %zu is malformed", it->what,
                         it->pos);
    it->key.size = (size_t)shared;
    buffer_append(&it->key, p, (size_t)unshared);
    if (it->key.failed) return ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory for a key");
    it->value = p + unshared;
    it->value_size = (size_t)value_size;
    it->pos = (size_t)(it->value + value_size - it->data);
    if (at_restart) it->next_restart++;
    *has_entry = 1;
    return SRNN_OK;
}

static int compare_keys(const byte_buffer *a, const byte_buffer *b) {
    size_t n = a->size < b->size ? a->size : b->size;
    int c = n ? memcmp(a->data, b->data, n) : 0;
    return c ? c : (a->size > b->size) - (a->size < b->size);
}

/* Errors show a key only as far as it is plain text. */
static int printable_length(const byte_buffer *key) {
    size_t n = 0;
    while (n < key->size && n < 200 && key->data[n] >= 0x20 && key->data[n] < 0x7f) n++;
    return (int)n;
}

static const char *key_text(const byte_buffer *key) {
    return key->data ? (const char *)key->data : "";
}

typedef struct {
    const uint8_t *file;
    size_t limit; /* where the footer starts: no block lies beyond */
    byte_buffer previous_key;
    int has_previous;
    tf_table_visit visit;
    void *user;
} table_walk;

/* The data block an index entry points at: its entries in order, after the previous block's,
 * and none beyond the index entry's key (which separates it from the next block). */
static srnn_status walk_data_block(table_walk *walk, block_handle handle,
                                   const byte_buffer *index_key, char *error) {
    block b;
    srnn_status status = read_block(walk->file, walk->limit, handle, "data block", &b, error);
    if (status != SRNN_OK) return status;
    block_iterator it;
    status = iterator_start(&it, &b, "data block", error);
    int has_entry = 1;
    while (status == SRNN_OK && (status = iterator_next(&it, &has_entry, error)) == SRNN_OK &&
           has_entry) {
        if (walk->has_previous && compare_keys(&walk->previous_key, &it.key) >= 0)
            status = ckpt_fail(error, SRNN_ERR_FORMAT, "keys out of order at '%.*s'",
                               printable_length(&it.key), key_text(&it.key));
        else if (compare_keys(&it.key, index_key) > 0)
            status = ckpt_fail(error, SRNN_ERR_FORMAT, "key '%.*s' lies beyond its index entry",
                               printable_length(&it.key), key_text(&it.key));
        else
            status = walk->visit((const uint8_t *)key_text(&it.key), it.key.size, it.value,
                                 it.value_size, walk->user, error);
        walk->previous_key.size = 0;
        buffer_append(&walk->previous_key, it.key.data, it.key.size);
        walk->has_previous = 1;
        if (status == SRNN_OK && walk->previous_key.failed)
            status = ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory for a key");
    }
    buffer_free(&it.key);
    free(b.owned);
    return status;
}

srnn_status tf_table_each(const uint8_t *file, size_t size, tf_table_visit visit, void *user,
                          char error[CKPT_ERROR_MAX]) {
    if (size < TF_TABLE_FOOTER_SIZE)
        return ckpt_fail(error, SRNN_ERR_TRUNCATED,
                         "index file of %zu bytes is shorter than a table's footer (48 bytes)",
                         size);
    const uint8_t *footer = file + size - TF_TABLE_FOOTER_SIZE;
    uint64_t magic = read_u32(footer + 40) | (uint64_t)read_u32(footer + 44) << 32;
    if (magic != TF_TABLE_MAGIC)
        return ckpt_fail(error, SRNN_ERR_FORMAT,
                         "not a TensorFlow checkpoint index (no table magic number at the end; "
                         "truncated?)");
    const uint8_t *p = footer;
    block_handle meta_handle, index_handle;
    if (read_handle(&p, footer + 40, &meta_handle) < 0 ||
        read_handle(&p, footer + 40, &index_handle) < 0)
        return ckpt_fail(error, SRNN_ERR_FORMAT, "the table's footer is malformed");

    table_walk walk = {.file = file, .limit = size - TF_TABLE_FOOTER_SIZE, .visit = visit,
                       .user = user};
    block meta, index;
    srnn_status status = read_block(file, walk.limit, meta_handle, "meta-index block", &meta,
                                    error);
    free(meta.owned);
    if (status != SRNN_OK) return status;
    status = read_block(file, walk.limit, index_handle, "index block", &index, error);
    if (status != SRNN_OK) return status;
    block_iterator it;
    status = iterator_start(&it, &index, "index block", error);
    int has_entry = 1;
    while (status == SRNN_OK && (status = iterator_next(&it, &has_entry, error)) == SRNN_OK &&
           has_entry) {
        const uint8_t *q = it.value;
        block_handle handle;
        if (read_handle(&q, it.value + it.value_size, &handle) < 0 ||
            q != it.value + it.value_size)
            status = ckpt_fail(error, SRNN_ERR_FORMAT, "index block: malformed block handle");
        else
            status = walk_data_block(&walk, handle, &it.key, error);
    }
    buffer_free(&it.key);
    buffer_free(&walk.previous_key);
    free(index.owned);
    return status;
}
