#include "proto_wire.h"

int pb_read_varint(const uint8_t **p, const uint8_t *end, uint64_t *value) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t byte = *(*p)++;
        /* the tenth byte may only carry the top bit of 64 */
        if (shift == 63 && byte > 1) return -1;
        result |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *value = result;
            return 0;
        }
    }
    return -1;
}

pb_reader pb_reader_of(const uint8_t *data, size_t size) {
    return (pb_reader){data, data + size};
}

static uint64_t read_le(const uint8_t *p, int bytes) {
    uint64_t value = 0;
    for (int i = 0; i < bytes; i++) value |= (uint64_t)p[i] << (8 * i);
    return value;
}

int pb_next(pb_reader *reader, pb_field *field) {
    if (reader->p == reader->end) return 0;
    uint64_t tag;
    if (pb_read_varint(&reader->p, reader->end, &tag) < 0) return -1;
    if (tag >> 3 == 0 || tag >> 3 > UINT32_MAX) return -1;
    field->number = (uint32_t)(tag >> 3);
    field->wire_type = (int)(tag & 7);
    field->bytes = NULL;
    field->size = 0;
    size_t left = (size_t)(reader->end - reader->p);
    switch (field->wire_type) {
    case PB_VARINT:
        return pb_read_varint(&reader->p, reader->end, &field->value) < 0 ? -1 : 1;
    case PB_FIXED64:
    case PB_FIXED32: {
        int bytes = field->wire_type == PB_FIXED64 ? 8 : 4;
        if (left < (size_t)bytes) return -1;
        field->value = read_le(reader->p, bytes);
        reader->p += bytes;
        return 1;
    }
    case PB_BYTES: {
        uint64_t size;
        if (pb_read_varint(&reader->p, reader->end, &size) < 0) return -1;
        if (size > (uint64_t)(reader->end - reader->p)) return -1;
        field->bytes = reader->p;
        field->size = (size_t)size;
        reader->p += size;
        return 1;
    }
    default:
        return -1;
    }
}

static void put_tag(byte_buffer *out, uint32_t number, int wire_type) {
    buffer_put_varint(out, (uint64_t)number << 3 | (uint64_t)wire_type);
}

void pb_put_varint_field(byte_buffer *out, uint32_t number, uint64_t value) {
    put_tag(out, number, PB_VARINT);
    buffer_put_varint(out, value);
}

void pb_put_fixed32_field(byte_buffer *out, uint32_t number, uint32_t value) {
    put_tag(out, number, PB_FIXED32);
    buffer_put_u32(out, value);
}

void pb_put_bytes_field(byte_buffer *out, uint32_t number, const void *data, size_t size) {
    put_tag(out, number, PB_BYTES);
    buffer_put_varint(out, size);
    buffer_append(out, data, size);
}
