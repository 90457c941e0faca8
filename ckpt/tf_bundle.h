/* TensorFlow's checkpoint format (the "tensor bundle" of tensorflow/core/util/tensor_bundle):
 * PREFIX.index, a table (tf_table.h) whose key "" holds a BundleHeaderProto and every other
 * key a tensor's name with its BundleEntryProto (dtype, shape, shard, offset, size, masked
 * CRC-32C); and PREFIX.data-SSSSS-of-NNNNN, the shards holding the raw little-endian tensors.
 * String tensors hold varint lengths, a masked CRC-32C of the lengths, then the bytes. */
#ifndef CKPT_TF_BUNDLE_H
#define CKPT_TF_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "ckpt_error.h"

/* TensorFlow's DataType codes (types.proto) of plain numbers and strings. */
enum {
    TF_FLOAT = 1, TF_DOUBLE = 2, TF_INT32 = 3, TF_UINT8 = 4, TF_INT16 = 5, TF_INT8 = 6,
    TF_STRING = 7, TF_INT64 = 9, TF_BOOL = 10, TF_UINT16 = 17, TF_UINT32 = 22, TF_UINT64 = 23
};

#define TF_BUNDLE_MAX_DIMS 32
#define TF_BUNDLE_MAX_SHARDS 99999 /* shard file names have five digits */

typedef struct {
    const char *name; /* the key, NUL-terminated */
    int dtype;
    int ndim;
    int64_t shape[TF_BUNDLE_MAX_DIMS];
    uint64_t elements;
    uint32_t shard;
    uint64_t offset, size; /* bytes in the shard */
    uint32_t crc32c;       /* unmasked */
    uint32_t num_slices;   /* > 0: a partitioned variable, whose data lie in slices */
} tf_bundle_entry;

typedef struct tf_bundle tf_bundle;

/* Reads and checks PREFIX.index completely (every block checksum, every entry); the data
 * shards are only opened by tf_bundle_read. */
srnn_status tf_bundle_open(const char *prefix, tf_bundle **bundle, char error[CKPT_ERROR_MAX]);

/* The same from an index held in memory (copied), with no data shards: for tests, fuzzing. */
srnn_status tf_bundle_open_index(const void *index, size_t size, tf_bundle **bundle,
                                 char error[CKPT_ERROR_MAX]);

void tf_bundle_close(tf_bundle *bundle); /* NULL is a no-op */

uint32_t tf_bundle_num_shards(const tf_bundle *bundle);

/* The tensors in key order (slices of partitioned variables are not listed). */
size_t tf_bundle_count(const tf_bundle *bundle);
const tf_bundle_entry *tf_bundle_entry_at(const tf_bundle *bundle, size_t index);
const tf_bundle_entry *tf_bundle_find(const tf_bundle *bundle, const char *name);

/* Reads a tensor's entry->size bytes into out and verifies its CRC-32C. */
srnn_status tf_bundle_read(const tf_bundle *bundle, const tf_bundle_entry *entry, void *out,
                           char error[CKPT_ERROR_MAX]);

/* A scalar string tensor's bytes, checksum verified, NUL-terminated in a new allocation. */
srnn_status tf_bundle_read_string(const tf_bundle *bundle, const tf_bundle_entry *entry,
                                  char **text, size_t *size, char error[CKPT_ERROR_MAX]);

/* "float32", "int64", "string", ...; "dtype_N" for codes this code does not know. */
const char *tf_dtype_name(int dtype, char buffer[16]);

/* Bytes per element; 0 for strings and types without a fixed size. */
size_t tf_dtype_size(int dtype);

/* A tensor to write: data holds size bytes (for TF_STRING, one scalar string of size bytes). */
typedef struct {
    const char *name;
    int dtype;
    int ndim;
    const int64_t *shape;
    const void *data;
    uint64_t size;
} tf_bundle_tensor;

/* Writes PREFIX.data-00000-of-00001 and PREFIX.index holding the tensors (any order; names
 * unique and not empty), each file atomically (temporary file, fsync, rename). */
srnn_status tf_bundle_write(const char *prefix, const tf_bundle_tensor *tensors, size_t count,
                            char error[CKPT_ERROR_MAX]);

#endif
