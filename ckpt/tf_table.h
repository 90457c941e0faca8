/* The sorted key-value table of TensorFlow's checkpoint .index files (LevelDB's table format
 * as tensorflow/core/lib/io keeps it): data blocks of prefix-compressed keys with restart
 * points, an index block pointing at them, a meta-index block, and a 48-byte footer ending in
 * the magic number 0xdb4775248b80fb57. Every block carries a type byte (0 plain, 1 Snappy) and
 * the masked CRC-32C of its bytes and type. */
#ifndef CKPT_TF_TABLE_H
#define CKPT_TF_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "byte_buffer.h"
#include "ckpt_error.h"

#define TF_TABLE_MAGIC 0xdb4775248b80fb57ull
#define TF_TABLE_FOOTER_SIZE 48  /* two block handles padded to 40 bytes, then the magic */
#define TF_TABLE_TRAILER_SIZE 5  /* after each block: type byte, masked CRC-32C */
#define TF_TABLE_PLAIN 0
#define TF_TABLE_SNAPPY 1

/* Called for every entry in key order; a status other than SRNN_OK (with error filled) stops
 * the walk and is returned by tf_table_each. */
typedef srnn_status (*tf_table_visit)(const uint8_t *key, size_t key_size, const uint8_t *value,
                                      size_t value_size, void *user, char *error);

/* Walks the table held in file[0..size), verifying every block's checksum, the block
 * structure, and that keys strictly increase. */
srnn_status tf_table_each(const uint8_t *file, size_t size, tf_table_visit visit, void *user,
                          char error[CKPT_ERROR_MAX]);

typedef struct {
    const void *key;
    size_t key_size;
    const void *value;
    size_t value_size;
} tf_table_entry;

/* Appends a table of entries (keys strictly increasing) to out, uncompressed, closing a data
 * block once it holds block_size bytes, with a restart point every restart_interval keys. */
srnn_status tf_table_build(const tf_table_entry *entries, size_t count, size_t block_size,
                           unsigned restart_interval, byte_buffer *out,
                           char error[CKPT_ERROR_MAX]);

#endif
