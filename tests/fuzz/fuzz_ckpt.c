/* libFuzzer target for the TensorFlow checkpoint reader (ckpt/): `make fuzz-ckpt`, then
 * `FUZZ_SECONDS=600 make fuzz-ckpt-run`.
 *
 * Each input is a checkpoint's .index file. It is opened as it is, then once more with the
 * checksums of the blocks its footer and index block point at rewritten to match: random
 * mutations almost never keep a CRC-32C right, and without the repair the fuzzer would not get
 * past the checksums to the block, entry and protobuf parsing. An index that opens is listed
 * and matched against tiny PRiSM SampleRNN configurations (GRU or LSTM, with or without skip
 * connections, picked by the last byte), which runs the name mapping and the mismatch report;
 * there are no data shards, so an import stops at its first tensor read. Besides the
 * sanitizers, the target aborts when the library breaks its API's promises (check_* below).
 *
 * The seeds (tests/fuzz/ckpt_seeds) are the .index files of tiny models (D 2, F 2, BF 4,
 * linear Q 4) written by tests/reference/prism_ckpt.py: GRU in Keras' layout with Adam's
 * state; LSTM with skip connections in the older "model/" layout, 256-byte blocks; two GRU
 * layers, Snappy-compressed, no optimizer. test_ckpt_bundle checks that they open.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "prism_import.h"
#include "proto_wire.h"
#include "tf_bundle.h"
#include "tf_table.h"

/* A failure leaves one terminated line of text. */
static void check_error(srnn_status status, const char *error) {
    if (status == SRNN_OK) return;
    const char *end = memchr(error, '\0', CKPT_ERROR_MAX);
    if (status > SRNN_ERR_VALUE || !end || end == error) abort();
    for (const char *c = error; c < end; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) abort();
}

/* Every entry is consistent with what tf_bundle.h promises. */
static void check_entries(const tf_bundle *bundle) {
    uint32_t shards = tf_bundle_num_shards(bundle);
    if (shards < 1 || shards > TF_BUNDLE_MAX_SHARDS) abort();
    for (size_t i = 0; i < tf_bundle_count(bundle); i++) {
        const tf_bundle_entry *e = tf_bundle_entry_at(bundle, i);
        if (!e || !e->name || !e->name[0] || e->ndim < 0 || e->ndim > TF_BUNDLE_MAX_DIMS ||
            e->shard >= shards || tf_bundle_find(bundle, e->name) != e)
            abort();
        uint64_t elements = 1;
        for (int d = 0; d < e->ndim; d++) elements *= (uint64_t)e->shape[d];
        size_t element_size = tf_dtype_size(e->dtype);
        if (elements != e->elements ||
            (element_size && !e->num_slices && e->size != e->elements * element_size))
            abort();
        if (i > 0 && strcmp(tf_bundle_entry_at(bundle, i - 1)->name, e->name) >= 0) abort();
    }
}

static void match_configs(const tf_bundle *bundle, uint8_t knob) {
    srnn_config config = {.sample_rate = 16000, .frame_size = 2, .big_frame_size = 4,
                          .dim = 2, .num_rnn_layers = 1 + knob % 2,
                          .rnn_type = knob & 2 ? SRNN_RNN_LSTM : SRNN_RNN_GRU,
                          .q_type = SRNN_Q_LINEAR, .q_levels = 4, .skip_conn = (knob >> 2) & 1,
                          .seq_len = 4, .emb_size = 0};
    prism_weights weights;
    char error[CKPT_ERROR_MAX];
    memset(error, 0x55, sizeof error);
    srnn_status status = prism_import(bundle, &config, &weights, error);
    if (status == SRNN_OK) abort(); /* there are no shards to read the weights from */
    check_error(status, error);
    if (weights.tensors || weights.metadata) abort();
}

static void open_and_check(const uint8_t *data, size_t size, uint8_t knob) {
    tf_bundle *bundle = (tf_bundle *)1;
    char error[CKPT_ERROR_MAX];
    memset(error, 0x55, sizeof error);
    srnn_status status = tf_bundle_open_index(data, size, &bundle, error);
    check_error(status, error);
    if ((status == SRNN_OK) != (bundle != NULL)) abort();
    if (!bundle) return;
    check_entries(bundle);
    match_configs(bundle, knob);
    tf_bundle_close(bundle);
}

/* Rewrites the trailer CRC of the block at offset (size bytes) when it lies inside data. */
static void repair_block(uint8_t *data, size_t size, uint64_t offset, uint64_t length) {
    if (offset > size || length > size - offset || size - offset - length < 5) return;
    uint8_t *trailer = data + offset + length;
    uint32_t crc = crc32c_mask(crc32c_extend(0, data + offset, (size_t)length + 1));
    for (int k = 0; k < 4; k++) trailer[1 + k] = (uint8_t)(crc >> (8 * k));
}

/* The blocks the footer names, and the data blocks a plain index block lists. */
static void repair(uint8_t *data, size_t size) {
    if (size < TF_TABLE_FOOTER_SIZE) return;
    const uint8_t *p = data + size - TF_TABLE_FOOTER_SIZE, *end = p + 40;
    uint64_t handles[4];
    for (int i = 0; i < 4; i++)
        if (pb_read_varint(&p, end, &handles[i]) < 0) return;
    repair_block(data, size, handles[0], handles[1]);
    repair_block(data, size, handles[2], handles[3]);
    if (handles[2] > size || handles[3] > size - handles[2] || handles[3] < 4) return;
    const uint8_t *block = data + handles[2], *entries_end = block + handles[3] - 4;
    if (block + handles[3] < data + size && block[handles[3]] != TF_TABLE_PLAIN) return;
    for (p = block; p < entries_end;) {
        uint64_t shared, key, value, offset, length;
        if (pb_read_varint(&p, entries_end, &shared) < 0 ||
            pb_read_varint(&p, entries_end, &key) < 0 ||
            pb_read_varint(&p, entries_end, &value) < 0 ||
            key > (uint64_t)(entries_end - p) || value > (uint64_t)(entries_end - p) - key)
            return;
        const uint8_t *handle = p + key;
        p = handle + value;
        if (pb_read_varint(&handle, p, &offset) == 0 && pb_read_varint(&handle, p, &length) == 0)
            repair_block(data, size, offset, length);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t knob = size ? data[size - 1] : 0;
    open_and_check(data, size, knob);
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) return 0;
    memcpy(copy, data, size);
    repair(copy, size);
    if (size && memcmp(copy, data, size) != 0) open_and_check(copy, size, knob);
    free(copy);
    return 0;
}
