/* libFuzzer target for the model loader: `make fuzz`, then `FUZZ_SECONDS=600 make fuzz-run`.
 *
 * Each input is loaded as it is, then once more with file_size and the checksum rewritten to
 * match: random mutations almost never keep the CRC right, so without the second load the
 * fuzzer would not get past the checksum to the config, tensor, metadata and weight checks.
 * A model that loads is played for a few hundred samples. Besides the sanitizers, the target
 * aborts when the library breaks its API's promises (see check_load and play).
 */
#include "srnn.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SAMPLES 300
#define CHECKSUM_OFFSET 24
#define FILE_SIZE_OFFSET 16

static void put_le(uint8_t *p, uint64_t value, int bytes) {
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(value >> (8 * i));
}

static void count_pair(const char *key, const char *value, void *user) {
    if (!key || !value || !*key)
        abort();
    ++*(size_t *)user;
}

/* A failed load gives no model and an error of one terminated line free of control characters
 * (the srnn tool prints it as it is); a good one, a model. */
static srnn_model *check_load(const uint8_t *data, size_t size) {
    char error[SRNN_ERROR_MAX];
    memset(error, 0x55, sizeof error);
    srnn_model *model = (srnn_model *)1;
    srnn_status status = srnn_model_load_memory(data, size, &model, error);
    if (status == SRNN_OK) {
        if (!model)
            abort();
        return model;
    }
    const char *end = memchr(error, '\0', sizeof error);
    if (model || status > SRNN_ERR_VALUE || !end || end == error)
        abort();
    for (const char *c = error; c < end; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            abort();
    return NULL;
}

/* Generation, and the step-by-step calls, must stay in range whatever the weights. */
static void play(const srnn_model *model, uint8_t knob) {
    static const float temperatures[] = {0.95f, 1.0f, 0.0f, 1e-7f, 1.5f, 1e6f, NAN, -1.0f};
    const srnn_config *config = srnn_model_config(model);
    int32_t q = (int32_t)config->q_levels;
    size_t pairs = 0;
    srnn_model_metadata_each(model, count_pair, &pairs);
    (void)srnn_model_metadata(model, "name");
    if (srnn_model_parameter_count(model) == 0 || srnn_model_macs_per_sample(model) == 0)
        abort();

    srnn_voice *voice;
    if (srnn_voice_create(model, knob, &voice) != SRNN_OK)
        return; /* out of memory is allowed */
    static float audio[SAMPLES];
    static int32_t quantised[SAMPLES];
    srnn_voice_generate(voice, temperatures[knob % 8], audio, quantised, SAMPLES);
    for (size_t i = 0; i < SAMPLES; i++)
        if (quantised[i] < 0 || quantised[i] >= q || !(fabsf(audio[i]) <= 1.0f))
            abort();

    /* out-of-range history is clamped, and a NaN logit must not push a draw out of range */
    const int32_t history[] = {-1, q, INT32_MAX, INT32_MIN, q / 2, q - 1};
    srnn_voice_prime(voice, history, sizeof history / sizeof *history);
    for (int i = 0; i < 8; i++) {
        int32_t s = srnn_voice_sample(voice, srnn_voice_predict(voice), temperatures[i]);
        if (s < 0 || s >= q)
            abort();
        srnn_voice_feed(voice, i % 2 ? s : -s - 1);
    }
    srnn_voice_reset(voice, knob);
    srnn_voice_generate(voice, 0.95f, NULL, NULL, SAMPLES / 10);
    srnn_voice_free(voice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t knob = size ? data[size - 1] : 0;
    srnn_model *model = check_load(data, size);
    if (model) {
        play(model, knob);
        srnn_model_free(model);
    }
    if (size < CHECKSUM_OFFSET + 4)
        return 0;

    uint8_t *copy = malloc(size);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    put_le(copy + FILE_SIZE_OFFSET, size, 8);
    put_le(copy + CHECKSUM_OFFSET, 0, 4);
    put_le(copy + CHECKSUM_OFFSET, crc32_z(0L, copy, size), 4);
    if (memcmp(copy, data, size) != 0 && (model = check_load(copy, size))) {
        play(model, knob);
        srnn_model_free(model);
    }
    free(copy);
    return 0;
}
