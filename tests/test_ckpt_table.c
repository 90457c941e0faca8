/* The building blocks of TensorFlow checkpoints (ckpt/): CRC-32C against the published iSCSI
 * test vectors (RFC 3720 B.4), varints and protobuf fields at their edges, and the LevelDB
 * table: written and read back over many block sizes and restart intervals, then every bit
 * flip and every truncation of a table, which must fail with one line or (where no checksum
 * covers the byte: the footer's padding) read the very same entries. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crc32c.h"
#include "proto_wire.h"
#include "tf_table.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t next_random(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

/* ---- CRC-32C ------------------------------------------------------------------------------ */

static void test_crc32c(void) {
    uint8_t zeros[32] = {0}, ones[32], up[32], down[32];
    for (int i = 0; i < 32; i++) {
        ones[i] = 0xff;
        up[i] = (uint8_t)i;
        down[i] = (uint8_t)(31 - i);
    }
    CHECK(crc32c_extend(0, zeros, 32) == 0x8a9136aa, "zeros: %08x", crc32c_extend(0, zeros, 32));
    CHECK(crc32c_extend(0, ones, 32) == 0x62a8ab43, "ones: %08x", crc32c_extend(0, ones, 32));
    CHECK(crc32c_extend(0, up, 32) == 0x46dd794e, "ascending: %08x", crc32c_extend(0, up, 32));
    CHECK(crc32c_extend(0, down, 32) == 0x113fdb5c, "descending: %08x",
          crc32c_extend(0, down, 32));
    CHECK(crc32c_extend(0, "123456789", 9) == 0xe3069283, "check value: %08x",
          crc32c_extend(0, "123456789", 9));
    CHECK(crc32c_extend(crc32c_extend(0, "12345", 5), "6789", 4) == 0xe3069283,
          "extending in pieces differs");
    uint32_t values[] = {0, 1, 0xe3069283, 0xffffffff, 0x80000000};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        CHECK(crc32c_unmask(crc32c_mask(values[i])) == values[i], "unmask(mask(%08x))",
              values[i]);
        CHECK(crc32c_mask(values[i]) != values[i], "mask(%08x) is the identity", values[i]);
    }
}

/* ---- Varints and protobuf fields -------------------------------------------------------- */

static void test_varints(void) {
    uint64_t values[] = {0, 1, 127, 128, 300, 16383, 16384, 1ull << 32, 1ull << 63, UINT64_MAX};
    size_t lengths[] = {1, 1, 1, 2, 2, 2, 3, 5, 10, 10};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        byte_buffer b = {0};
        buffer_put_varint(&b, values[i]);
        const uint8_t *p = b.data;
        uint64_t got = 0;
        CHECK(b.size == lengths[i], "varint %llu: %zu bytes", (unsigned long long)values[i],
              b.size);
        CHECK(pb_read_varint(&p, b.data + b.size, &got) == 0 && got == values[i] &&
                  p == b.data + b.size,
              "varint %llu read back as %llu", (unsigned long long)values[i],
              (unsigned long long)got);
        p = b.data;
        CHECK(b.size < 2 || pb_read_varint(&p, b.data + b.size - 1, &got) < 0,
              "truncated varint %llu accepted", (unsigned long long)values[i]);
        buffer_free(&b);
    }
    /* 2^64 and longer do not fit: a tenth byte above 1, or an eleventh byte */
    const uint8_t too_big[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    const uint8_t too_long[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    const uint8_t *p = too_big;
    uint64_t got;
    CHECK(pb_read_varint(&p, too_big + sizeof too_big, &got) < 0, "2^64 accepted");
    p = too_long;
    CHECK(pb_read_varint(&p, too_long + sizeof too_long, &got) < 0, "11-byte varint accepted");
}

static void test_fields(void) {
    byte_buffer m = {0};
    pb_put_varint_field(&m, 1, 7);
    pb_put_fixed32_field(&m, 6, 0xdeadbeef);
    pb_put_bytes_field(&m, 2, "abc", 3);
    pb_put_varint_field(&m, 536870911, 1); /* the largest field number */
    pb_reader r = pb_reader_of(m.data, m.size);
    pb_field f;
    CHECK(pb_next(&r, &f) == 1 && f.number == 1 && f.wire_type == PB_VARINT && f.value == 7,
          "varint field");
    CHECK(pb_next(&r, &f) == 1 && f.number == 6 && f.wire_type == PB_FIXED32 &&
              f.value == 0xdeadbeef,
          "fixed32 field");
    CHECK(pb_next(&r, &f) == 1 && f.number == 2 && f.size == 3 && memcmp(f.bytes, "abc", 3) == 0,
          "bytes field");
    CHECK(pb_next(&r, &f) == 1 && f.number == 536870911, "largest field number");
    CHECK(pb_next(&r, &f) == 0, "end of message");
    for (size_t cut = 1; cut < m.size; cut++) {
        /* every cut inside a field is malformed; cuts between fields are shorter messages */
        pb_reader t = pb_reader_of(m.data, cut);
        int status;
        size_t fields = 0;
        while ((status = pb_next(&t, &f)) > 0) fields++;
        int boundary = cut == 2 || cut == 7 || cut == 12;
        CHECK(boundary ? status == 0 : status < 0, "message cut at %zu: status %d after %zu",
              cut, status, fields);
    }
    const uint8_t group[] = {0x0b}, zero[] = {0x00, 0x01}, long_bytes[] = {0x12, 0x05, 'a'};
    pb_reader t = pb_reader_of(group, sizeof group);
    CHECK(pb_next(&t, &f) < 0, "group accepted");
    t = pb_reader_of(zero, sizeof zero);
    CHECK(pb_next(&t, &f) < 0, "field number 0 accepted");
    t = pb_reader_of(long_bytes, sizeof long_bytes);
    CHECK(pb_next(&t, &f) < 0, "bytes field past the end accepted");
    buffer_free(&m);
}

/* ---- Tables ------------------------------------------------------------------------------ */

typedef struct {
    tf_table_entry *entries;
    size_t count;
    size_t seen;
    int mismatch;
} expectation;

static srnn_status compare_entry(const uint8_t *key, size_t key_size, const uint8_t *value,
                                 size_t value_size, void *user, char *error) {
    (void)error;
    expectation *e = user;
    if (e->seen >= e->count) {
        e->mismatch = 1;
        return SRNN_OK;
    }
    const tf_table_entry *want = &e->entries[e->seen++];
    if (key_size != want->key_size || memcmp(key, want->key, key_size) != 0 ||
        value_size != want->value_size || (value_size && memcmp(value, want->value, value_size)))
        e->mismatch = 1;
    return SRNN_OK;
}

/* count strictly increasing keys sharing prefixes, with values of 0..max_value bytes */
static tf_table_entry *make_entries(size_t count, size_t max_value) {
    tf_table_entry *entries = calloc(count, sizeof *entries);
    for (size_t i = 0; i < count; i++) {
        char *key = malloc(96);
        snprintf(key, 96, "%s/layer_%04zu/%s/.ATTRIBUTES/VARIABLE_VALUE",
                 i < count / 3 ? "big_frame_rnn" : "frame_rnn", i, i % 2 ? "kernel" : "bias");
        size_t size = max_value ? next_random() % (max_value + 1) : 0;
        uint8_t *value = malloc(size + 1);
        for (size_t k = 0; k < size; k++) value[k] = (uint8_t)next_random();
        entries[i] = (tf_table_entry){key, strlen(key), value, size};
    }
    /* the bundle header's key "" comes first */
    ((char *)entries[0].key)[0] = '\0';
    entries[0].key_size = 0;
    return entries;
}

static void free_entries(tf_table_entry *entries, size_t count) {
    for (size_t i = 0; i < count; i++) {
        free((void *)entries[i].key);
        free((void *)entries[i].value);
    }
    free(entries);
}

/* The table reads back as exactly its entries; -1 when reading fails (error filled). */
static int reads_back(const byte_buffer *table, tf_table_entry *entries, size_t count,
                      char *error) {
    expectation e = {entries, count, 0, 0};
    error[0] = '\0';
    if (tf_table_each(table->data, table->size, compare_entry, &e, error) != SRNN_OK) return -1;
    return !e.mismatch && e.seen == count;
}

static void test_round_trips(void) {
    const size_t block_sizes[] = {1, 64, 4096, 1u << 20};
    const unsigned intervals[] = {1, 2, 16, 1000};
    const size_t counts[] = {1, 2, 17, 500};
    char error[CKPT_ERROR_MAX];
    for (size_t c = 0; c < 4; c++) {
        tf_table_entry *entries = make_entries(counts[c], 300);
        for (size_t b = 0; b < 4; b++)
            for (size_t r = 0; r < 4; r++) {
                byte_buffer table = {0};
                srnn_status status = tf_table_build(entries, counts[c], block_sizes[b],
                                                    intervals[r], &table, error);
                CHECK(status == SRNN_OK && reads_back(&table, entries, counts[c], error) == 1,
                      "%zu entries, blocks of %zu, restarts every %u: %s", counts[c],
                      block_sizes[b], intervals[r], error);
                buffer_free(&table);
            }
        free_entries(entries, counts[c]);
    }
    tf_table_entry unordered[] = {{"b", 1, "", 0}, {"a", 1, "", 0}};
    byte_buffer table = {0};
    CHECK(tf_table_build(unordered, 2, 4096, 16, &table, error) == SRNN_ERR_ARGUMENT,
          "unordered keys accepted");
    buffer_free(&table);
}

/* Every single-bit flip of a table with several blocks either fails with one line or, when
 * the byte is in the footer's unchecked padding, reads the same entries. */
static void test_bit_flips(void) {
    enum { COUNT = 40 };
    tf_table_entry *entries = make_entries(COUNT, 20);
    byte_buffer table = {0};
    char error[CKPT_ERROR_MAX];
    tf_table_build(entries, COUNT, 256, 4, &table, error);
    size_t failed = 0, unchanged = 0;
    for (size_t i = 0; i < table.size; i++)
        for (int bit = 0; bit < 8; bit += 3) {
            table.data[i] ^= (uint8_t)(1u << bit);
            int result = reads_back(&table, entries, COUNT, error);
            table.data[i] ^= (uint8_t)(1u << bit);
            int in_padding = i >= table.size - TF_TABLE_FOOTER_SIZE && i < table.size - 8;
            if (result < 0) {
                failed++;
                CHECK(one_line(error), "flip at %zu: error '%s'", i, error);
            } else {
                unchanged++;
                CHECK(result == 1 && in_padding, "flip of bit %d at byte %zu of %zu read as %s",
                      bit, i, table.size, result ? "the same entries" : "other entries");
            }
        }
    printf("bit flips: %zu bytes x 3 bits, %zu refused, %zu in the footer's padding\n",
           table.size, failed, unchanged);
    for (size_t cut = 0; cut < table.size; cut++) {
        byte_buffer prefix = {table.data, cut, cut, 0};
        CHECK(reads_back(&prefix, entries, COUNT, error) < 0 && one_line(error),
              "table cut to %zu bytes accepted or error '%s'", cut, error);
    }
    buffer_free(&table);
    free_entries(entries, COUNT);
}

/* The first data block's offset and size, from the footer and the index block's first entry
 * (whose key the table writer does not share with anything). */
static void first_block(const byte_buffer *table, uint64_t *offset, uint64_t *size) {
    const uint8_t *p = table->data + table->size - TF_TABLE_FOOTER_SIZE, *end = p + 40;
    uint64_t meta_offset, meta_size, index_offset, index_size, shared, key, value;
    pb_read_varint(&p, end, &meta_offset);
    pb_read_varint(&p, end, &meta_size);
    pb_read_varint(&p, end, &index_offset);
    pb_read_varint(&p, end, &index_size);
    p = table->data + index_offset;
    end = p + index_size;
    pb_read_varint(&p, end, &shared);
    pb_read_varint(&p, end, &key);
    pb_read_varint(&p, end, &value);
    p += key;
    pb_read_varint(&p, end, offset);
    pb_read_varint(&p, end, size);
}

static void set_block_type(byte_buffer *table, uint64_t offset, uint64_t size, uint8_t type) {
    uint8_t *trailer = table->data + offset + size;
    trailer[0] = type;
    uint32_t crc = crc32c_mask(crc32c_extend(0, table->data + offset, (size_t)size + 1));
    for (int k = 0; k < 4; k++) trailer[1 + k] = (uint8_t)(crc >> (8 * k));
}

/* A block whose type byte says an unknown compression (with a right checksum) is refused by
 * name; one that says Snappy but holds none is refused as corrupt. */
static void test_compression(void) {
    tf_table_entry *entries = make_entries(10, 30);
    byte_buffer table = {0};
    char error[CKPT_ERROR_MAX];
    tf_table_build(entries, 10, 1u << 20, 16, &table, error);
    uint64_t offset, size;
    first_block(&table, &offset, &size);
    CHECK(offset == 0 && size > 0 && size < table.size, "first block at %llu size %llu",
          (unsigned long long)offset, (unsigned long long)size);
    set_block_type(&table, offset, size, 2);
    CHECK(reads_back(&table, entries, 10, error) < 0 &&
              strstr(error, "compression type 2 is not supported"),
          "compression type 2: '%s'", error);
    set_block_type(&table, offset, size, TF_TABLE_SNAPPY);
    CHECK(reads_back(&table, entries, 10, error) < 0 && one_line(error),
          "plain bytes taken for Snappy: '%s'", error);
    set_block_type(&table, offset, size, TF_TABLE_PLAIN);
    CHECK(reads_back(&table, entries, 10, error) == 1, "restored block: '%s'", error);
    buffer_free(&table);
    free_entries(entries, 10);
}

int main(void) {
    test_crc32c();
    test_varints();
    test_fields();
    test_round_trips();
    test_bit_flips();
    test_compression();
    return check_summary();
}
