/* A growable byte array for the writers. Running out of memory is sticky: later appends do
 * nothing and the writer checks `failed` once at the end instead of after every call. */
#ifndef CKPT_BYTE_BUFFER_H
#define CKPT_BYTE_BUFFER_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *data;
    size_t size;
    size_t capacity;
    int failed; /* an allocation failed: the contents are incomplete */
} byte_buffer;

void buffer_append(byte_buffer *buffer, const void *data, size_t size);
void buffer_put_u8(byte_buffer *buffer, uint8_t value);
void buffer_put_u32(byte_buffer *buffer, uint32_t value); /* little-endian */
void buffer_put_u64(byte_buffer *buffer, uint64_t value); /* little-endian */
void buffer_put_varint(byte_buffer *buffer, uint64_t value); /* LEB128, as protobuf */

/* Frees the data and leaves an empty buffer. */
void buffer_free(byte_buffer *buffer);

#endif
