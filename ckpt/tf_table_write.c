/* Writing TensorFlow's tables (tf_table.h) the way TensorFlow's checkpoint writer does:
 * uncompressed data blocks, an index block with a restart point at every key, an empty
 * meta-index block and the footer. An index entry's key is its block's last key, a valid
 * separator (TensorFlow shortens it; readers only compare). */
#include <string.h>

#include "crc32c.h"
#include "tf_table.h"

typedef struct {
    byte_buffer data;
    byte_buffer restarts; /* u32 offsets, little-endian, as they will be written */
    byte_buffer last_key;
    unsigned since_restart; /* entries since the last restart point */
    unsigned interval;
    size_t entries;
} block_builder;

static void block_add(block_builder *b, const void *key, size_t key_size, const void *value,
                      size_t value_size) {
    size_t shared = 0;
    if (b->since_restart < b->interval && b->entries > 0) {
        size_t n = key_size < b->last_key.size ? key_size : b->last_key.size;
        while (shared < n && ((const uint8_t *)key)[shared] == b->last_key.data[shared]) shared++;
    } else {
        buffer_put_u32(&b->restarts, (uint32_t)b->data.size);
        b->since_restart = 0;
    }
    buffer_put_varint(&b->data, shared);
    buffer_put_varint(&b->data, key_size - shared);
    buffer_put_varint(&b->data, value_size);
    buffer_append(&b->data, (const uint8_t *)key + shared, key_size - shared);
    buffer_append(&b->data, value, value_size);
    b->last_key.size = 0;
    buffer_append(&b->last_key, key, key_size);
    b->since_restart++;
    b->entries++;
}

/* Writes the block with its restart array and trailer to out, stores where in handle (two
 * varints) and empties the block. */
static void block_flush(block_builder *b, byte_buffer *out, byte_buffer *handle) {
    if (b->entries == 0) buffer_put_u32(&b->restarts, 0); /* an empty block has one restart */
    buffer_append(&b->data, b->restarts.data, b->restarts.size);
    buffer_put_u32(&b->data, (uint32_t)(b->restarts.size / 4));
    buffer_put_varint(handle, out->size);
    buffer_put_varint(handle, b->data.size);
    uint8_t type = TF_TABLE_PLAIN;
    uint32_t crc = crc32c_extend(crc32c_extend(0, b->data.data, b->data.size), &type, 1);
    buffer_append(out, b->data.data, b->data.size);
    buffer_put_u8(out, type);
    buffer_put_u32(out, crc32c_mask(crc));
    int failed = b->data.failed || b->restarts.failed || b->last_key.failed;
    b->data.size = b->restarts.size = 0;
    b->data.failed |= failed;
    b->entries = 0;
}

static void block_free(block_builder *b) {
    buffer_free(&b->data);
    buffer_free(&b->restarts);
    buffer_free(&b->last_key);
}

static int key_less(const tf_table_entry *a, const tf_table_entry *b) {
    size_t n = a->key_size < b->key_size ? a->key_size : b->key_size;
    int c = n ? memcmp(a->key, b->key, n) : 0;
    return c < 0 || (c == 0 && a->key_size < b->key_size);
}

srnn_status tf_table_build(const tf_table_entry *entries, size_t count, size_t block_size,
                           unsigned restart_interval, byte_buffer *out,
                           char error[CKPT_ERROR_MAX]) {
    for (size_t i = 1; i < count; i++)
        if (!key_less(&entries[i - 1], &entries[i]))
            return ckpt_fail(error, SRNN_ERR_ARGUMENT, "table keys are not strictly increasing");
    if (restart_interval == 0) restart_interval = 1;
    size_t start = out->size;
    block_builder data = {.interval = restart_interval}, index = {.interval = 1};
    byte_buffer handle = {0};
    for (size_t i = 0; i < count; i++) {
        block_add(&data, entries[i].key, entries[i].key_size, entries[i].value,
                  entries[i].value_size);
        if (data.data.size >= block_size || i + 1 == count) {
            handle.size = 0;
            byte_buffer last_key = data.last_key;
            block_flush(&data, out, &handle);
            block_add(&index, last_key.data, last_key.size, handle.data, handle.size);
        }
    }
    byte_buffer footer = {0};
    block_builder empty = {.interval = 1};
    block_flush(&empty, out, &footer);
    block_flush(&index, out, &footer);
    while (footer.size < 40) buffer_put_u8(&footer, 0);
    buffer_put_u64(&footer, TF_TABLE_MAGIC);
    buffer_append(out, footer.data, footer.size);
    int failed = out->failed || data.data.failed || index.data.failed || handle.failed ||
                 footer.failed || empty.data.failed;
    block_free(&data);
    block_free(&index);
    block_free(&empty);
    buffer_free(&handle);
    buffer_free(&footer);
    if (failed) {
        out->size = start;
        return ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory while writing a table");
    }
    return SRNN_OK;
}
