/* The protocol-buffer wire format, as much as checkpoints need: walking the fields of a
 * message (varint, fixed32/64 and length-delimited ones) and writing them. The few messages
 * involved (BundleHeaderProto, BundleEntryProto, TensorShapeProto, TrackableObjectGraph) are
 * decoded field by field by their users; no generated code, no descriptors. */
#ifndef CKPT_PROTO_WIRE_H
#define CKPT_PROTO_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "byte_buffer.h"

enum { PB_VARINT = 0, PB_FIXED64 = 1, PB_BYTES = 2, PB_FIXED32 = 5 };

/* Decodes a varint of at most 10 bytes at *p (< end) and advances *p; -1 when it runs past
 * end or is longer than 64 bits. */
int pb_read_varint(const uint8_t **p, const uint8_t *end, uint64_t *value);

typedef struct {
    const uint8_t *p, *end;
} pb_reader;

typedef struct {
    uint32_t number;
    int wire_type;
    uint64_t value;       /* PB_VARINT, PB_FIXED32, PB_FIXED64 */
    const uint8_t *bytes; /* PB_BYTES: the contents */
    size_t size;
} pb_field;

pb_reader pb_reader_of(const uint8_t *data, size_t size);

/* The next field: 1, 0 at the end of the message, -1 when it is malformed (a truncated field,
 * field number 0, or a group, which no checkpoint message holds). */
int pb_next(pb_reader *reader, pb_field *field);

void pb_put_varint_field(byte_buffer *out, uint32_t number, uint64_t value);
void pb_put_fixed32_field(byte_buffer *out, uint32_t number, uint32_t value);
void pb_put_bytes_field(byte_buffer *out, uint32_t number, const void *data, size_t size);

#endif
