/* Voice behaviour: reproducible random numbers, one model shared by interleaved voices, reset
 * and prime semantics, predict idempotence, and generation's sample range. */
#include <stdint.h>

#include "check.h"
#include "golden.h"
#include "srnn.h"

#define N 3000

static size_t differing(const int32_t *a, const int32_t *b, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) count += a[i] != b[i];
    return count;
}

static int run_case(const char *dir, const char *name)
{
    srnn_model *model = golden_load_model(dir, name);
    if (!CHECK(model, "%s: cannot load", name)) return 1;
    const srnn_config *c = srnn_model_config(model);
    static int32_t a[N], b[N], d[N];
    static float audio[N];
    srnn_voice *v1, *v2;
    srnn_voice *other;
    if (!CHECK(srnn_voice_create(model, 42, &v1) == SRNN_OK &&
                   srnn_voice_create(model, 42, &v2) == SRNN_OK &&
                   srnn_voice_create(model, 7, &other) == SRNN_OK,
               "%s: cannot create voices", name))
        return 1;
    printf("[%s]\n", name);

    srnn_voice_generate(v1, 1.0f, audio, a, N);
    /* the same seed in a second voice, generated in uneven blocks interleaved with another */
    for (size_t done = 0, block = 1; done < N; done += block, block = block * 3 % 97 + 1) {
        if (block > N - done) block = N - done;
        srnn_voice_generate(v2, 1.0f, NULL, b + done, block);
        srnn_voice_generate(other, 1.0f, NULL, d, block < N ? block : N);
    }
    CHECK_SHOW(differing(a, b, N) == 0, "same seed, same samples (blocks, shared model)");
    size_t range_ok = 1, audio_ok = 1;
    for (size_t i = 0; i < N; i++) {
        range_ok &= a[i] >= 0 && a[i] < (int32_t)c->q_levels;
        audio_ok &= audio[i] >= -1.0f && audio[i] <= 1.0f && audio[i] == srnn_dequantise(c, a[i]);
    }
    CHECK_SHOW(range_ok && audio_ok, "samples in [0, Q), audio is their dequantised value");

    srnn_voice_reset(v2, 43);
    srnn_voice_generate(v2, 1.0f, NULL, b, N);
    CHECK_SHOW(differing(a, b, N) > N / 10, "another seed, other samples");
    srnn_voice_reset(v2, 42);
    srnn_voice_generate(v2, 1.0f, NULL, b, N);
    CHECK_SHOW(differing(a, b, N) == 0, "reset to the same seed repeats the samples");

    /* generate = predict, sample, feed; predicting twice changes nothing */
    srnn_voice_reset(v2, 42);
    for (size_t i = 0; i < N; i++) {
        const float *first = srnn_voice_predict(v2);
        const float *again = srnn_voice_predict(v2);
        b[i] = srnn_voice_sample(v2, again, 1.0f);
        if (first != again) b[i] = -1;
        srnn_voice_feed(v2, b[i]);
    }
    CHECK_SHOW(differing(a, b, N) == 0, "predict/sample/feed equals generate");

    /* priming with silence is the fresh state; priming with the last BF generated samples
     * equals continuing from a voice fed them after a reset */
    srnn_voice_prime(v2, NULL, 0);
    srnn_voice_reset(v1, 42);
    const float *fresh = srnn_voice_predict(v1), *primed = srnn_voice_predict(v2);
    int same = 1;
    for (uint32_t i = 0; i < c->q_levels; i++) same &= fresh[i] == primed[i];
    CHECK_SHOW(same, "prime with nothing is the silent start");
    srnn_voice_reset(v1, 5);
    srnn_voice_reset(v2, 5);
    srnn_voice_prime(v1, a, N);
    srnn_voice_prime(v2, a + N - c->big_frame_size, c->big_frame_size);
    srnn_voice_generate(v1, 0.9f, NULL, b, N / 4);
    srnn_voice_generate(v2, 0.9f, NULL, d, N / 4);
    CHECK_SHOW(differing(b, d, N / 4) == 0, "prime uses the last BF samples only");

    /* greedy decoding is deterministic whatever the seed */
    srnn_voice_reset(v1, 1);
    srnn_voice_reset(v2, 2);
    srnn_voice_generate(v1, 0.0f, NULL, b, N / 4);
    srnn_voice_generate(v2, SRNN_ARGMAX_TEMPERATURE, NULL, d, N / 4);
    CHECK_SHOW(differing(b, d, N / 4) == 0,
               "temperatures 0 and SRNN_ARGMAX_TEMPERATURE are greedy and seed-independent");

    srnn_voice_free(v1);
    srnn_voice_free(v2);
    srnn_voice_free(other);
    srnn_model_free(model);
    return 0;
}

int main(void)
{
    CHECK(golden_each_case(golden_dir(), run_case) == 0, "the golden cases (%s)", golden_dir());
    return check_summary();
}
