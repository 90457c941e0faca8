/* Writing tensor bundles (tf_bundle.h) as TensorFlow's BundleWriter does with one shard: the
 * tensors back to back in PREFIX.data-00000-of-00001, then PREFIX.index with the header under
 * "" and one BundleEntryProto per tensor, in key order. Fields equal to proto3's defaults
 * (zero) are left out, as protobuf does. */
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "crc32c.h"
#include "proto_wire.h"
#include "tf_bundle.h"
#include "tf_table.h"

#define BLOCK_SIZE 4096 /* small blocks: the index is read whole anyway */
#define RESTART_INTERVAL 16

static int by_name(const void *a, const void *b) {
    return strcmp((*(const tf_bundle_tensor *const *)a)->name,
                  (*(const tf_bundle_tensor *const *)b)->name);
}

/* Writes one tensor to the data file; returns its TensorFlow checksum (unmasked) and fills
 * *size with the bytes written. A string is a scalar: its length as a varint, the masked
 * CRC-32C of that length as a u32, the bytes. */
static uint32_t write_tensor(srnn_atomic_file *data, const tf_bundle_tensor *t, uint64_t *size) {
    if (t->dtype != TF_STRING) {
        srnn_atomic_file_write(data, t->data, (size_t)t->size);
        *size = t->size;
        return crc32c_extend(0, t->data, (size_t)t->size);
    }
    byte_buffer lengths = {0};
    buffer_put_varint(&lengths, t->size);
    uint8_t length32[4];
    for (int k = 0; k < 4; k++) length32[k] = (uint8_t)(t->size >> (8 * k));
    uint32_t crc = crc32c_extend(0, length32, 4);
    buffer_put_u32(&lengths, crc32c_mask(crc));
    crc = crc32c_extend(crc, lengths.data + lengths.size - 4, 4);
    srnn_atomic_file_write(data, lengths.data, lengths.size);
    srnn_atomic_file_write(data, t->data, (size_t)t->size);
    if (lengths.failed) data->failed = 1;
    *size = lengths.size + t->size;
    buffer_free(&lengths);
    return crc32c_extend(crc, t->data, (size_t)t->size);
}

static void encode_entry(byte_buffer *out, const tf_bundle_tensor *t, uint64_t offset,
                         uint64_t size, uint32_t crc) {
    byte_buffer shape = {0}, dim = {0};
    for (int i = 0; i < t->ndim; i++) {
        dim.size = 0;
        if (t->shape[i]) pb_put_varint_field(&dim, 1, (uint64_t)t->shape[i]);
        pb_put_bytes_field(&shape, 2, dim.data, dim.size);
    }
    pb_put_varint_field(out, 1, (uint64_t)t->dtype);
    pb_put_bytes_field(out, 2, shape.data, shape.size);
    if (offset) pb_put_varint_field(out, 4, offset);
    if (size) pb_put_varint_field(out, 5, size);
    uint32_t masked = crc32c_mask(crc);
    if (masked) pb_put_fixed32_field(out, 6, masked);
    if (shape.failed || dim.failed) out->failed = 1;
    buffer_free(&shape);
    buffer_free(&dim);
}

static char *shard_path(const char *prefix, const char *suffix) {
    char *path = malloc(strlen(prefix) + strlen(suffix) + 1);
    if (path) strcat(strcpy(path, prefix), suffix);
    return path;
}

srnn_status tf_bundle_write(const char *prefix, const tf_bundle_tensor *tensors, size_t count,
                            char error[CKPT_ERROR_MAX]) {
    const tf_bundle_tensor **order = malloc((count ? count : 1) * sizeof *order);
    byte_buffer *values = calloc(count + 1, sizeof *values); /* [0]: the header */
    tf_table_entry *entries = calloc(count + 1, sizeof *entries);
    char *data_path = shard_path(prefix, ".data-00000-of-00001");
    char *index_path = shard_path(prefix, ".index");
    srnn_status status = SRNN_OK;
    if (!order || !values || !entries || !data_path || !index_path)
        status = ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; status == SRNN_OK && i < count; i++) {
        order[i] = &tensors[i];
        if (!tensors[i].name[0])
            status = ckpt_fail(error, SRNN_ERR_ARGUMENT, "a tensor without a name");
    }
    if (status == SRNN_OK) qsort(order, count, sizeof *order, by_name);
    for (size_t i = 1; status == SRNN_OK && i < count; i++)
        if (strcmp(order[i - 1]->name, order[i]->name) == 0)
            status = ckpt_fail(error, SRNN_ERR_ARGUMENT, "tensor '%s' given twice",
                               order[i]->name);

    srnn_atomic_file data = {0};
    if (status == SRNN_OK) status = srnn_atomic_file_open(&data, data_path, error, CKPT_ERROR_MAX);
    if (status == SRNN_OK) {
        byte_buffer version = {0};
        pb_put_varint_field(&version, 1, 1); /* producer: bundle version 1 */
        pb_put_varint_field(&values[0], 1, 1); /* num_shards */
        pb_put_bytes_field(&values[0], 3, version.data, version.size);
        values[0].failed |= version.failed;
        buffer_free(&version);
        entries[0] = (tf_table_entry){"", 0, values[0].data, values[0].size};
        uint64_t offset = 0;
        for (size_t i = 0; i < count; i++) {
            const tf_bundle_tensor *t = order[i];
            uint64_t size;
            uint32_t crc = write_tensor(&data, t, &size);
            encode_entry(&values[i + 1], t, offset, size, crc);
            offset += size;
        }
        for (size_t i = 0; i <= count; i++) {
            if (values[i].failed) status = ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
            if (i > 0)
                entries[i] = (tf_table_entry){order[i - 1]->name, strlen(order[i - 1]->name),
                                              values[i].data, values[i].size};
        }
        if (status == SRNN_OK)
            status = srnn_atomic_file_commit(&data, error, CKPT_ERROR_MAX);
        else
            srnn_atomic_file_abort(&data);
    }
    byte_buffer index = {0};
    if (status == SRNN_OK)
        status = tf_table_build(entries, count + 1, BLOCK_SIZE, RESTART_INTERVAL, &index, error);
    if (status == SRNN_OK)
        status = srnn_atomic_file_put(index_path, index.data, index.size, error, CKPT_ERROR_MAX);
    buffer_free(&index);
    for (size_t i = 0; values && i <= count; i++) buffer_free(&values[i]);
    free(values);
    free(entries);
    free(order);
    free(data_path);
    free(index_path);
    return status;
}
