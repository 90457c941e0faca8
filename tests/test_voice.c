/* Voice behaviour: reproducible random numbers, one model shared by interleaved voices, reset
 * and prime semantics, predict idempotence, and generation's sample range. Voice groups
 * (srnn_voices): each voice of a group gives exactly the samples of a voice alone with the
 * same seed, temperature and history, also when voices are restarted, primed or stopped on
 * their own mid-way (a restarted voice is silent until the next big frame boundary, then
 * begins; with no other voice playing it begins at once). A voice of a group fed a history
 * (srnn_voices_feed, teacher forcing) while the others generate has the logits of a voice
 * alone fed the same (srnn eval's loop), plays the fed samples, then generates as that voice
 * alone does; the others are unchanged. */
#include <math.h>
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

enum { VOICES = 3, SPLIT = 1000 }; /* SPLIT: not a multiple of any golden big frame */

/* count samples of a voice alone: seed, temperature, and a history when prime is not NULL. */
static void alone(const srnn_model *model, uint64_t seed, float temperature, const int32_t *prime,
                  size_t primed, int32_t *out, size_t count)
{
    srnn_voice *v;
    if (srnn_voice_create(model, seed, &v) != SRNN_OK) {
        for (size_t i = 0; i < count; i++) out[i] = -1;
        return;
    }
    if (prime) srnn_voice_prime(v, prime, primed);
    srnn_voice_generate(v, temperature, NULL, out, count);
    srnn_voice_free(v);
}

/* Generates count samples of the group into out[v] + offset, in uneven blocks. */
static void generate_group(srnn_voices *group, int32_t (*out)[N], size_t offset, size_t count)
{
    for (size_t done = 0, block = 1; done < count; done += block, block = block * 5 % 89 + 1) {
        if (block > count - done) block = count - done;
        int32_t *outputs[VOICES];
        for (int v = 0; v < VOICES; v++) outputs[v] = out[v] + offset + done;
        srnn_voices_generate(group, NULL, outputs, block);
    }
}

static size_t silent_run(const int32_t *samples, size_t n, int32_t silent)
{
    size_t i = 0;
    while (i < n && samples[i] == silent) i++;
    return i;
}

static int group_case(const char *dir, const char *name)
{
    srnn_model *model = golden_load_model(dir, name);
    if (!CHECK(model, "%s: cannot load", name)) return 1;
    const srnn_config *c = srnn_model_config(model);
    size_t bf = c->big_frame_size, wait = (bf - SPLIT % bf) % bf;
    int32_t silent = (int32_t)(c->q_levels / 2);
    static int32_t group[VOICES][N], expected[VOICES][N];
    static const uint64_t seeds[VOICES] = {42, 7, 1234567};
    static const float temperatures[VOICES] = {1.0f, 0.7f, SRNN_DEFAULT_TEMPERATURE};
    srnn_voices *voices;
    if (!CHECK(srnn_voices_create(model, VOICES, seeds, 1, &voices) == SRNN_OK, "%s: cannot create a group", name))
        return 1;
    printf("[%s group of %d]\n", name, VOICES);
    CHECK_SHOW(srnn_voices_count(voices) == VOICES, "the group has %d voices", VOICES);
    for (int v = 0; v < 2; v++) srnn_voices_set_temperature(voices, (unsigned)v, temperatures[v]);
    generate_group(voices, group, 0, N);
    int same = 1;
    for (int v = 0; v < VOICES; v++) {
        alone(model, seeds[v], temperatures[v], NULL, 0, expected[v], N);
        same &= differing(group[v], expected[v], N) == 0;
    }
    CHECK_SHOW(same, "%d voices (seeds 42, 7, 1234567; temperatures 1, 0.7, default) each equal a voice alone", VOICES);

    /* mid-way, after SPLIT samples: voice 0 restarted with seed 5, voice 1 primed with voice
     * 2's last big frame, voice 2 going on; then voice 2 stopped for the last TAIL samples */
    enum { TAIL = N / 4 };
    srnn_voices_reset(voices, 0, 42);
    srnn_voices_reset(voices, 1, 7);
    srnn_voices_reset(voices, 2, 1234567); /* the group's position goes back with none playing */
    generate_group(voices, group, 0, SPLIT);
    srnn_voices_reset(voices, 0, 5);
    srnn_voices_prime(voices, 1, group[2] + SPLIT - bf, bf);
    size_t starts_in[VOICES];
    for (unsigned k = 0; k < VOICES; k++) starts_in[k] = srnn_voices_starts_in(voices, k);
    CHECK_SHOW(starts_in[0] == wait && starts_in[1] == wait && starts_in[2] == 0,
               "srnn_voices_starts_in: the restarted voices begin in %zu and %zu samples (the "
               "boundary's %zu), the playing one %zu",
               starts_in[0], starts_in[1], wait, starts_in[2]);
    generate_group(voices, group, SPLIT, N - SPLIT - TAIL);
    srnn_voices_stop(voices, 2);
    CHECK_SHOW(srnn_voices_stopped(voices, 2) && !srnn_voices_stopped(voices, 0) &&
                   srnn_voices_stopped(voices, VOICES),
               "stopped: voice 2 and voices past the group's");
    generate_group(voices, group, N - TAIL, TAIL);
    size_t later = N - SPLIT - wait; /* samples of the restarted voices */
    CHECK_SHOW(differing(group[2], expected[2], N - TAIL) == 0 &&
                   silent_run(group[2] + N - TAIL, TAIL, silent) == TAIL,
               "the voice going on is unchanged by the others' restarts, then silent when stopped");
    int32_t *fresh = expected[0], *primed = expected[1];
    alone(model, 5, temperatures[0], NULL, 0, fresh, later);
    /* the primed voice's random numbers went on: a voice alone seeded 7 that drew SPLIT */
    srnn_voice *v;
    if (!CHECK(srnn_voice_create(model, 7, &v) == SRNN_OK, "cannot create a voice")) return 1;
    srnn_voice_generate(v, temperatures[1], NULL, primed, SPLIT);
    srnn_voice_prime(v, group[2] + SPLIT - bf, bf);
    srnn_voice_generate(v, temperatures[1], NULL, primed, later);
    srnn_voice_free(v);
    CHECK_SHOW(silent_run(group[0] + SPLIT, wait, silent) == wait &&
                   differing(group[0] + SPLIT + wait, fresh, later) == 0,
               "a voice reset after %d samples is silent %zu samples (to the big frame "
               "boundary), then equals a fresh voice alone, also after another voice stops",
               SPLIT, wait);
    CHECK_SHOW(silent_run(group[1] + SPLIT, wait, silent) == wait &&
                   differing(group[1] + SPLIT + wait, primed, later) == 0,
               "a voice primed mid-way begins at the boundary as a voice alone primed alike");

    /* all stopped, then one reset: it begins at once */
    for (unsigned k = 0; k < VOICES; k++) srnn_voices_stop(voices, k);
    generate_group(voices, group, 0, 77);
    srnn_voices_reset(voices, 1, 99);
    CHECK_SHOW(srnn_voices_starts_in(voices, 1) == 0 && srnn_voices_starts_in(voices, 0) == 0,
               "srnn_voices_starts_in: with none playing a reset voice begins with the next "
               "sample (a stopped one: 0)");
    generate_group(voices, group, 0, N / 2);
    alone(model, 99, temperatures[1], NULL, 0, expected[1], N / 2);
    CHECK_SHOW(differing(group[1], expected[1], N / 2) == 0 &&
                   silent_run(group[0], N / 2, silent) == N / 2,
               "with no voice playing, a reset voice begins at once and equals a voice alone");

    /* teacher forcing: voice 1 fed FED samples (voice 2's, from expected[2]) while the others
     * generate, then generating from that history */
    enum { FED = 700, LENGTH = N / 2 };
    const int32_t *history = expected[2];
    srnn_voice *fed;
    if (!CHECK(srnn_voice_create(model, seeds[1], &fed) == SRNN_OK, "cannot create a voice"))
        return 1;
    for (unsigned k = 0; k < VOICES; k++) srnn_voices_reset(voices, k, seeds[k]);
    double worst = 0.0;
    for (size_t i = 0; i < FED; i++) {
        srnn_voices_feed(voices, 1, history[i]);
        const float *got = srnn_voices_predict(voices, 1), *want = srnn_voice_predict(fed);
        double d = got ? max_abs_diff(got, want, c->q_levels, NULL) : INFINITY;
        worst = d > worst ? d : worst;
        srnn_voice_feed(fed, history[i]);
        generate_group(voices, group, i, 1);
    }
    generate_group(voices, group, FED, LENGTH - FED);
    srnn_voice_generate(fed, temperatures[1], NULL, expected[1], LENGTH - FED);
    srnn_voice_free(fed);
    alone(model, seeds[0], temperatures[0], NULL, 0, expected[0], LENGTH);
    CHECK_SHOW(worst == 0.0 && differing(group[1], history, FED) == 0,
               "a voice fed %d samples in a group of %d: its logits equal a voice alone's fed "
               "the same (max difference %g, tolerance 0), and it plays the fed samples", FED,
               VOICES, worst);
    CHECK_SHOW(differing(group[1] + FED, expected[1], LENGTH - FED) == 0,
               "then it generates as that voice alone does (its random numbers untouched)");
    CHECK_SHOW(differing(group[0], expected[0], LENGTH) == 0 &&
                   differing(group[2], expected[2], LENGTH) == 0,
               "the voices generating beside it equal voices alone");
    srnn_voices_free(voices);

    uint64_t one_seed = 3;
    CHECK_SHOW(srnn_voices_create(model, 0, &one_seed, 1, &voices) == SRNN_ERR_ARGUMENT &&
                   srnn_voices_create(model, SRNN_MAX_VOICES + 1, seeds, 1, &voices) == SRNN_ERR_ARGUMENT &&
                   voices == NULL,
               "groups of 0 and %d voices are refused", SRNN_MAX_VOICES + 1);
    srnn_model_free(model);
    return 0;
}

int main(void)
{
    CHECK(golden_each_case(golden_dir(), run_case) == 0, "the golden cases (%s)", golden_dir());
    CHECK(golden_each_case(golden_dir(), group_case) == 0, "the golden cases in groups (%s)", golden_dir());
    return check_summary();
}
