/* The helper thread (engine/helper.h): shared products equal products computed alone, bit for
 * bit, in every dtype and for every range of blocks, however the blocks fall between the
 * threads; and the helper does take part (some of its results are used). Many products in a
 * row, with inputs changing between them, as a voice does. Then whole voices: a random model
 * wide enough for its products to be shared (D = 512) generates the same samples with a
 * helper thread as without, at every precision. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "dtype.h"
#include "helper.h"
#include "srnn.h"

/* large enough to be shared in every dtype (helper.c shares from 512 KiB of weights) */
enum { IN = 1000, OUT = 900, PRODUCTS = 1500, SAMPLES = 1500 };

static uint64_t state = 7;
static float uniform(void)
{
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((state >> 40) / 16777216.0) * 2.0f - 1.0f;
}

/* A random GRU model of width 512 written to path (uniform weights of variance 1/fan-in). */
static int write_random_model(const char *path)
{
    srnn_config c = {.sample_rate = 16000, .frame_size = 16, .big_frame_size = 64, .dim = 512,
                     .num_rnn_layers = 2, .rnn_type = SRNN_RNN_GRU, .q_type = SRNN_Q_MULAW,
                     .q_levels = 256, .seq_len = 1024, .emb_size = 256};
    size_t count = srnn_config_tensor_count(&c);
    float **tensors = calloc(count, sizeof *tensors);
    char error[SRNN_ERROR_MAX];
    int ok = tensors != NULL;
    for (size_t i = 0; ok && i < count; i++) {
        srnn_tensor_info info;
        srnn_config_tensor(&c, i, &info);
        uint32_t fan_in = info.ndim == 3 ? info.shape[2] : info.shape[0];
        float range = sqrtf(3.0f / (float)fan_in);
        ok = (tensors[i] = malloc(info.count * sizeof(float))) != NULL;
        for (uint64_t k = 0; ok && k < info.count; k++) tensors[i][k] = range * uniform();
    }
    ok = ok && srnn_model_write(path, &c, (const float *const *)tensors, NULL, error) == SRNN_OK;
    for (size_t i = 0; tensors && i < count; i++) free(tensors[i]);
    free(tensors);
    return ok;
}

static void check_voices(void)
{
    char path[] = "/tmp/srnn-test-helper-XXXXXX";
    int fd = mkstemp(path);
    if (!CHECK(fd >= 0 && write_random_model(path), "cannot write a random model")) return;
    close(fd);
    static int32_t alone[SAMPLES], shared[SAMPLES];
    for (srnn_precision p = SRNN_PRECISION_F32; p <= SRNN_PRECISION_I4; p++) {
        srnn_load_options options = {.precision = p};
        srnn_model *model;
        srnn_voice *one, *two;
        char error[SRNN_ERROR_MAX];
        if (!CHECK(srnn_model_load_with(path, &options, &model, error) == SRNN_OK &&
                       srnn_voice_create_threads(model, 11, 1, &one) == SRNN_OK &&
                       srnn_voice_create_threads(model, 11, 2, &two) == SRNN_OK,
                   "cannot load %s or create its voices", path))
            break;
        srnn_voice_generate(one, 1.0f, NULL, alone, SAMPLES);
        for (size_t done = 0, block = 1; done < SAMPLES; done += block, block = block * 7 % 61 + 1)
            srnn_voice_generate(two, 1.0f, NULL, shared + done, block < SAMPLES - done ? block : SAMPLES - done);
        int same = memcmp(alone, shared, sizeof alone) == 0;
        CHECK_SHOW(same, "voice 512x2 %-8s: %d samples with a helper thread %s",
                   srnn_precision_name(p), SAMPLES, same ? "equal the samples without" : "DIFFER");
        srnn_voice_free(one);
        srnn_voice_free(two);
        srnn_model_free(model);
    }
    unlink(path);
}

int main(void)
{
    const srnn_kernels *k = srnn_kernels_get(SRNN_CPU_AUTO);
    uint32_t blocks = (OUT + SRNN_BLOCK - 1) / SRNN_BLOCK;
    srnn_helper *helper = srnn_helper_start(k, IN, blocks);
    if (!CHECK(helper, "cannot start the helper")) return check_summary();
    srnn_exec shared = {k, helper};
    static float x[IN], y1[16 * SRNN_BLOCK], y2[16 * SRNN_BLOCK];
    /* the matrices outlive the helper, as a model outlives its voices: a late helper may
     * still read a block the audio thread took back */
    enum { DTYPES = SRNN_DTYPE_I4 + 1 };
    uint8_t *data[DTYPES];
    /* enough scales for I4's groups (I8 reads the first blocks · 64) */
    size_t scales = (IN + SRNN_I4_GROUP - 1) / SRNN_I4_GROUP * blocks * SRNN_BLOCK;
    float *scale = malloc(scales * sizeof *scale);
    for (size_t i = 0; i < scales; i++) scale[i] = 0.01f;
    for (int dtype = 0; dtype < DTYPES; dtype++) {
        srnn_matrix w = {IN, OUT, blocks, (srnn_dtype)dtype, NULL, NULL, NULL, NULL};
        size_t size = srnn_matrix_rows(&w) * blocks * SRNN_BLOCK * srnn_dtype_bits(dtype) / 8;
        data[dtype] = malloc(size);
        for (size_t i = 0; i < size; i++) data[dtype][i] = (uint8_t)(uniform() * 100); /* finite in every dtype */
        w.data = data[dtype];
        w.scale = srnn_dtype_integer(w.dtype) ? scale : NULL;
        int same = 1;
        for (int n = 0; n < PRODUCTS; n++) {
            for (int i = 0; i < IN; i++) x[i] = uniform();
            for (int o = 0; o < 16 * SRNN_BLOCK; o++) y1[o] = y2[o] = uniform();
            uint32_t begin = (uint32_t)(n % 3), end = blocks - (uint32_t)(n % 2);
            k->gemv(&w, x, y1, begin, end);
            srnn_exec_gemv(&shared, &w, x, y2, begin, end);
            same &= memcmp(y1, y2, sizeof y1) == 0;
        }
        CHECK_SHOW(same, "dtype %d: %d shared products %s", dtype, PRODUCTS,
                   same ? "equal the products alone bit for bit" : "DIFFER");
    }
    uint64_t taken, stolen;
    srnn_helper_counts(helper, &taken, &stolen);
    CHECK_SHOW(taken > 0, "blocks taken from the helper: %llu, stolen back: %llu%s",
               (unsigned long long)taken, (unsigned long long)stolen,
               taken > 0 ? "" : " (the helper never helped)");
    srnn_helper_stop(helper);
    for (int dtype = 0; dtype < DTYPES; dtype++) free(data[dtype]);
    free(scale);
    check_voices();
    return check_summary();
}
