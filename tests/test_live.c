/* The instruments' shared parts (live/): the output's limiter and the model's primer.
 *
 * Limiter: leaves signals within full scale untouched; keeps a signal at twice full scale
 * within it, reaching it; recovers with its release time constant; gives both channels one
 * gain. Primer: convert's encoding keeps the loudest second, quantised; a model written with
 * it reads it back sample for sample; malformed values are refused with one line; the silence
 * watcher calls for a restart after exactly its hold time of silence and never while the
 * voice sounds; priming from the primer changes what a voice plays, and restarts choose other
 * frames. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "limiter.h"
#include "primer.h"
#include "srnn.h"

#define RATE 16000

static void test_limiter(void)
{
    live_limiter limiter;
    live_limiter_init(&limiter, RATE);
    static float x[RATE], y[RATE];
    for (size_t i = 0; i < RATE; i++) x[i] = y[i] = 0.99f * sinf(0.05f * (float)i);
    float *channel = y;
    live_limiter_process(&limiter, &channel, 1, RATE);
    CHECK_SHOW(max_abs_diff(x, y, RATE, NULL) == 0.0,
               "limiter: a sine at 0.99 passes unchanged (max diff %g)",
               max_abs_diff(x, y, RATE, NULL));

    /* 0.25 s at amplitude 2, then 0.75 s at 0.5 */
    size_t loud = RATE / 4;
    for (size_t i = 0; i < RATE; i++) y[i] = (i < loud ? 2.0f : 0.5f) * sinf(0.05f * (float)i);
    live_limiter_process(&limiter, &channel, 1, RATE);
    float peak = 0.0f;
    for (size_t i = 0; i < loud; i++) peak = fmaxf(peak, fabsf(y[i]));
    int within = 1;
    for (size_t i = 0; i < RATE; i++) within &= fabsf(y[i]) <= LIVE_LIMIT;
    CHECK_SHOW(within && peak >= 0.99f, "limiter: a sine at 2.0 stays within full scale, peak %.4f",
               peak);
    /* five time constants after the loud part, the gain is back within 1% of 1 */
    size_t settled = loud + (size_t)(5 * LIVE_LIMITER_RELEASE_SECONDS * RATE);
    double worst = 0.0;
    for (size_t i = settled; i < RATE; i++) {
        float want = 0.5f * sinf(0.05f * (float)i);
        worst = fmax(worst, fabs(y[i] - want));
    }
    CHECK_SHOW(worst <= 0.005 && limiter.gain > 0.99f,
               "limiter: recovers over its %.0f ms release (off by %.4f after five of them, gain "
               "%.4f)",
               1000.0 * LIVE_LIMITER_RELEASE_SECONDS, worst, limiter.gain);

    /* stereo: a loud left lowers the right by the same gain */
    live_limiter_init(&limiter, RATE);
    static float left[RATE], right[RATE];
    for (size_t i = 0; i < RATE; i++) {
        left[i] = 1.5f * sinf(0.05f * (float)i);
        right[i] = 0.25f;
    }
    float *stereo[2] = {left, right};
    live_limiter_process(&limiter, stereo, 2, RATE);
    double image = 0.0;
    for (size_t i = 0; i < RATE; i++)
        if (fabsf(left[i]) > 0.1f)
            image = fmax(image, fabs(right[i] / 0.25 - left[i] / (1.5 * sinf(0.05f * (float)i))));
    CHECK_SHOW(image < 1e-5, "limiter: both channels get one gain (gains differ by %g)", image);
}

/* A small model with primer as its metadata value (NULL: none), loaded; NULL on failure. */
static srnn_model *model_with_primer(const char *primer, char error[SRNN_ERROR_MAX])
{
    srnn_config config = {.sample_rate = RATE, .frame_size = 4, .big_frame_size = 16, .dim = 16,
                          .num_rnn_layers = 1, .rnn_type = SRNN_RNN_GRU, .q_type = SRNN_Q_MULAW,
                          .q_levels = 256, .seq_len = 64, .emb_size = 256};
    size_t count = srnn_config_tensor_count(&config);
    float **tensors = calloc(count, sizeof *tensors);
    srand(1);
    for (size_t i = 0; i < count; i++) {
        srnn_tensor_info info;
        srnn_config_tensor(&config, i, &info);
        size_t n = 1;
        for (size_t d = 0; d < info.ndim; d++) n *= info.shape[d];
        tensors[i] = malloc(n * sizeof **tensors);
        for (size_t k = 0; k < n; k++) tensors[i][k] = 0.5f * ((float)rand() / RAND_MAX - 0.5f);
    }
    size_t size = primer ? strlen(primer) + 32 : 32;
    char *metadata = malloc(size);
    snprintf(metadata, size, "name=primed\n%s%s%s", primer ? "primer=" : "", primer ? primer : "",
             primer ? "\n" : "");
    const char *path = "/tmp/srnn-test-live.srnn";
    srnn_model *model = NULL;
    if (srnn_model_write(path, &config, (const float *const *)tensors, metadata, error) == SRNN_OK)
        srnn_model_load(path, &model, error);
    remove(path);
    for (size_t i = 0; i < count; i++) free(tensors[i]);
    free(tensors);
    free(metadata);
    return model;
}

static void test_primer(void)
{
    char error[SRNN_ERROR_MAX] = "";
    srnn_model *plain = model_with_primer(NULL, error);
    if (!CHECK_SHOW(plain != NULL, "a small model without a primer: %s", error)) return;
    const srnn_config *config = srnn_model_config(plain);

    /* three seconds, silent but for a loud second from 1.3 s */
    size_t count = 3 * RATE, start = 13 * RATE / 10;
    float *audio = calloc(count, sizeof *audio);
    for (size_t i = start; i < start + RATE; i++) audio[i] = 0.8f * sinf(0.01f * (float)i);
    char *text = live_primer_encode(config, audio, count);
    srnn_model *primed = text ? model_with_primer(text, error) : NULL;
    live_primer primer = {0};
    int read = primed ? live_primer_read(primed, &primer, error) : -1;
    int same = read == 0 && primer.count == RATE;
    for (size_t i = 0; same && i < primer.count; i++)
        same = primer.samples[i] == srnn_quantise(config, audio[start + i]);
    CHECK_SHOW(same, "primer: the loudest second, quantised, written and read back (%zu samples)",
               primer.count);

    live_primer none;
    CHECK_SHOW(live_primer_read(plain, &none, error) == 0 && !none.samples,
               "primer: a model without one has none");
    CHECK(live_primer_encode(config, audio, config->big_frame_size - 1) == NULL,
          "primer: shorter than a big frame is refused");

    static const char *const malformed[] = {"0080008", "00800080zz80", "0100"};
    for (size_t k = 0; k < 3; k++) {
        /* as many samples as a big frame needs, then the malformed part */
        char value[256] = "";
        for (uint32_t i = 0; i < config->big_frame_size; i++) strcat(value, "0080");
        strcat(value, malformed[k]);
        srnn_model *bad = model_with_primer(value, error);
        live_primer ignored;
        error[0] = '\0';
        int refused = bad && live_primer_read(bad, &ignored, error) != 0;
        CHECK_SHOW(refused && one_line(error), "primer: ...%s refused: %s", malformed[k], error);
        srnn_model_free(bad);
    }

    /* the silence watcher */
    live_silence silence;
    live_silence_init(&silence, RATE);
    size_t due = 0;
    for (size_t i = 0; i < 2 * RATE && !due; i++)
        if (live_silence_update(&silence, 0.0f)) due = i + 1;
    size_t hold = (size_t)ceil(LIVE_SILENCE_HOLD_SECONDS * RATE);
    CHECK_SHOW(due == hold, "silence: a restart after %zu silent samples (hold %zu)", due, hold);
    int never = 1;
    for (size_t i = 0; i < 4 * RATE; i++)
        never &= !live_silence_update(&silence, 0.02f * sinf(0.05f * (float)i)); /* -37 dBFS */
    CHECK_SHOW(never, "silence: no restart while the voice plays at -37 dBFS");

    /* priming: the primer's frame changes the voice's output; other restarts, other frames */
    srnn_voices *voice;
    float a[256], b[256], c[256];
    uint64_t seed = 7;
    if (read == 0 && srnn_voices_create(primed, 1, &seed, 1, &voice) == SRNN_OK) {
        float *outs[3] = {a, b, c};
        for (uint32_t restarts = 0; restarts < 3; restarts++) {
            srnn_voices_reset(voice, 0, seed);
            if (restarts > 0) live_primer_prime(&primer, voice, 0, seed, restarts - 1);
            srnn_voices_set_temperature(voice, 0, 1.0f);
            srnn_voices_generate(voice, &outs[restarts], NULL, 256);
        }
        CHECK_SHOW(max_abs_diff(a, b, 256, NULL) > 0.0 && max_abs_diff(b, c, 256, NULL) > 0.0,
                   "priming from the primer changes the voice, and a restart takes another frame");
        srnn_voices_free(voice);
    }
    live_primer_free(&primer);
    srnn_model_free(primed);
    srnn_model_free(plain);
    free(text);
    free(audio);
}

int main(void)
{
    test_limiter();
    test_primer();
    return check_summary();
}
