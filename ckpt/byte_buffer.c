#include "byte_buffer.h"

#include <stdlib.h>
#include <string.h>

void buffer_append(byte_buffer *buffer, const void *data, size_t size) {
    if (buffer->failed || size == 0) return;
    if (size > buffer->capacity - buffer->size) {
        size_t capacity = buffer->capacity ? buffer->capacity : 256;
        while (capacity - buffer->size < size) {
            if (capacity > SIZE_MAX / 2) {
                buffer->failed = 1;
                return;
            }
            capacity *= 2;
        }
        uint8_t *grown = realloc(buffer->data, capacity);
        if (!grown) {
            buffer->failed = 1;
            return;
        }
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->size, data, size);
    buffer->size += size;
}

void buffer_put_u8(byte_buffer *buffer, uint8_t value) { buffer_append(buffer, &value, 1); }

void buffer_put_u32(byte_buffer *buffer, uint32_t value) {
    uint8_t bytes[4];
    for (int i = 0; i < 4; i++) bytes[i] = (uint8_t)(value >> (8 * i));
    buffer_append(buffer, bytes, sizeof bytes);
}

void buffer_put_u64(byte_buffer *buffer, uint64_t value) {
    buffer_put_u32(buffer, (uint32_t)value);
    buffer_put_u32(buffer, (uint32_t)(value >> 32));
}

void buffer_put_varint(byte_buffer *buffer, uint64_t value) {
    uint8_t bytes[10];
    size_t n = 0;
    while (value >= 0x80) {
        bytes[n++] = (uint8_t)(value | 0x80);
        value >>= 7;
    }
    bytes[n++] = (uint8_t)value;
    buffer_append(buffer, bytes, n);
}

void buffer_free(byte_buffer *buffer) {
    free(buffer->data);
    *buffer = (byte_buffer){0};
}
