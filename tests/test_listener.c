/* A voice that listens (live/listener.h), with the default model and a held-out recording
 * (tests/heldout.h) at the model's rate, against the engine driven by hand:
 *
 * - while it listens, the logits of the group voice it feeds (srnn_voices_feed) before each
 *   input sample equal those `srnn eval` computes teacher-forced on the same samples (its loop,
 *   ui/cli/score.c: a voice alone from silence, predict then feed each quantised sample),
 *   exactly (the same engine on the same history);
 * - it listens from the first loud sample, the hold time late, switches to continuing after
 *   exactly the hold time below the threshold, and the output from there is the engine's
 *   generation from the history up to the last loud sample, for the voice's seed, exactly;
 *   while listening it plays silence;
 * - the input returning makes it listen again from silence, the hold time late, the
 *   continuation decaying to 0 within the fade time;
 * - the trigger continues at once (rising over the fade time), and it listens again only after
 *   the input fell silent for the hold time;
 * - resampled (voices of live/voices.h at 44.1 and 48 kHz, every block size from 1 to 4096):
 *   the input queue never runs dry, and the voice listens, then continues. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "heldout.h"
#include "listener.h"
#include "voices.h"

#define MODEL "models/default.srnn"
/* The resampled runs play a quarter of the recording where memory is checked (ASan's engine is
 * several times slower). */
#if defined(__SANITIZE_ADDRESS__)
#define SHORTER 4
#else
#define SHORTER 1
#endif
#define SEED 7u
#define TEMPERATURE 0.9f

static float *recording;
static srnn_voices *group; /* of one voice, as the plugin's (live/voices.c) */
static size_t recording_count;
static uint32_t rate;

/* One step of the listener's voice, as live/voices.c takes it: x in, the sample played out. */
static float step(live_listener *l, float x)
{
    live_listener_push(l, &x, 1);
    live_listener_prepare(l, group, 0, SEED);
    float generated;
    float *audio = &generated;
    srnn_voices_generate(group, &audio, NULL, 1);
    return live_listener_played(l, generated);
}

/* A listener with its voice stopped, as live_voices_restart leaves it; NULL on failure. */
static live_listener *listener_of(const srnn_model *model)
{
    uint64_t seed = SEED;
    if (srnn_voices_create(model, 1, &seed, 1, &group) != SRNN_OK) return NULL;
    srnn_voices_set_temperature(group, 0, TEMPERATURE);
    srnn_voices_stop(group, 0);
    return live_listener_create(model, rate);
}

static void listener_free(live_listener *l)
{
    live_listener_free(l);
    srnn_voices_free(group);
    group = NULL;
}

/* The recording, then silence: count samples. */
static float *input_of(size_t count)
{
    float *x = calloc(count, sizeof *x);
    memcpy(x, recording, (count < recording_count ? count : recording_count) * sizeof *x);
    return x;
}

static void test_listening_and_continuing(const srnn_model *model)
{
    live_listener *l = listener_of(model);
    srnn_voice *eval;
    if (!CHECK(l && srnn_voice_create(model, 0, &eval) == SRNN_OK, "listener and voices created"))
        return;
    const srnn_config *config = srnn_model_config(model);
    float threshold = powf(10.0f, LIVE_LISTENER_THRESHOLD_DB_DEFAULT / 20.0f);
    uint32_t hold = (uint32_t)lround(LIVE_LISTENER_HOLD_DEFAULT * rate);
    size_t continued = 4000, total = recording_count + hold + continued;
    float *x = input_of(total), *out = calloc(total, sizeof *out);
    size_t onset, last;
    if (!CHECK(heldout_gate(x, total, threshold, hold, &onset, &last) == 0 &&
                   last + continued < total,
               "the recording opens and closes the gate"))
        return;

    /* listening: the voice's logits against srnn eval's loop on x[onset..] */
    double worst = 0.0;
    size_t compared = 0, state_errors = 0, first_continuing = 0;
    size_t start = onset + hold; /* the step that feeds the onset */
    for (size_t i = 0; i < total; i++) {
        live_listener_push(l, x + i, 1);
        live_listener_prepare(l, group, 0, SEED);
        if (i >= start && i <= last) { /* fed x[onset .. i - hold) so far, x[i - hold] next */
            const float *got = srnn_voices_predict(group, 0);
            const float *want = srnn_voice_predict(eval); /* eval's loop: predict, then feed */
            double d = got ? max_abs_diff(got, want, config->q_levels, NULL) : INFINITY;
            worst = d > worst ? d : worst;
            compared++;
            srnn_voice_feed(eval, srnn_quantise(config, x[i - hold]));
        }
        float generated, *audio = &generated;
        srnn_voices_generate(group, &audio, NULL, 1);
        out[i] = live_listener_played(l, generated);
        live_listening_state want = i < start  ? LIVE_WAITING
                                    : i < last ? LIVE_LISTENING
                                               : LIVE_CONTINUING; /* switched after feeding */
        state_errors += live_listener_state(l) != want;
        if (!first_continuing && live_listener_state(l) == LIVE_CONTINUING) first_continuing = i;
    }
    CHECK_SHOW(compared > 10000 && worst == 0.0,
               "listening: the group voice's logits at %zu positions equal srnn eval's teacher-forced "
               "logits on the same samples (max difference %.3g, tolerance 0)", compared, worst);
    CHECK_SHOW(state_errors == 0 && first_continuing == last,
               "the gate: opens at sample %zu, listens from %zu (the hold late), continues after "
               "%zu (the last of %u samples below %.0f dBFS, %.2f s; %zu wrong states)", onset,
               start, last, hold,
               (double)LIVE_LISTENER_THRESHOLD_DB_DEFAULT, (double)LIVE_LISTENER_HOLD_DEFAULT,
               state_errors);
    double listening_peak = 0.0;
    for (size_t i = 0; i <= last; i++) listening_peak = fmax(listening_peak, fabsf(out[i]));
    CHECK(listening_peak == 0.0, "silent while listening (peak %g)", listening_peak);

    float *want = calloc(continued, sizeof *want);
    heldout_continuation(model, SEED, x + onset, last - hold + 1 - onset, TEMPERATURE, want,
                         continued);
    check_max_diff("continuing: the engine's generation from the history up to the last loud "
                   "sample (seed 7, temperature 0.9), tolerance 0",
                   out + last + 1, want, continued, 0.0);

    /* the input returns: listening again from silence, the hold time late, the continuation
     * decaying */
    uint32_t fade = (uint32_t)ceil(LIVE_LISTENER_FADE_SECONDS * rate);
    size_t steps = hold + fade + 10;
    float *again = calloc(steps, sizeof *again);
    for (size_t i = 0; i < steps; i++) again[i] = step(l, recording[onset + i]);
    double went_on = 0.0, after = 0.0;
    for (size_t i = 0; i < hold; i++) went_on = fmax(went_on, fabsf(again[i]));
    for (size_t i = hold + fade - 1; i < steps; i++) after = fmax(after, fabsf(again[i]));
    float last_generated = again[hold - 1];
    CHECK_SHOW(live_listener_state(l) == LIVE_LISTENING && live_listener_phrases(l) == 2 &&
                   went_on > 0.0 && fabsf(again[hold]) <= fabsf(last_generated) &&
                   after == 0.0,
               "the input returns: the continuation goes on for the hold (peak %.4f), then "
               "listening again (phrase %u), its last sample %.4f decaying (%.4f, then 0 after "
               "%u samples: peak %g)", went_on, live_listener_phrases(l),
               (double)last_generated, (double)again[hold], fade, after);
    free(again);

    free(want);
    free(x);
    free(out);
    srnn_voice_free(eval);
    listener_free(l);
}

static void test_trigger(const srnn_model *model)
{
    live_listener *l = listener_of(model);
    if (!CHECK(l, "listener created")) return;
    float threshold = powf(10.0f, LIVE_LISTENER_THRESHOLD_DB_DEFAULT / 20.0f);
    uint32_t hold = (uint32_t)lround(LIVE_LISTENER_HOLD_DEFAULT * rate);
    size_t at = recording_count / 2, continued = 2000;
    size_t onset, last;
    heldout_gate(recording, recording_count, threshold, hold, &onset, &last);
    float out[2000];
    for (size_t i = 0; i < at; i++) step(l, recording[i]);
    live_listener_trigger(l);
    size_t relistened = 0;
    for (size_t i = 0; i < continued; i++) { /* the recording goes on: no listening */
        out[i] = step(l, recording[at + i]);
        relistened += live_listener_state(l) != LIVE_CONTINUING;
    }
    float *want = calloc(continued, sizeof *want);
    heldout_continuation(model, SEED, recording + onset, at - hold - onset, TEMPERATURE, want,
                         continued);
    uint32_t fade = (uint32_t)ceil(LIVE_LISTENER_FADE_SECONDS * rate);
    for (uint32_t i = 0; i < fade; i++) want[i] = want[i] * (float)(i + 1) / (float)fade;
    check_max_diff("trigger: at once the engine's generation from what was heard (up to the "
                   "hold ago), rising over the fade, while the input goes on (tolerance 0)",
                   out, want, continued, 0.0);
    CHECK(relistened == 0, "trigger: %zu samples listened while the input stayed loud",
          relistened);
    float zero = 0.0f, loud = 0.5f;
    for (uint32_t i = 0; i < hold; i++) step(l, zero);
    for (uint32_t i = 0; i <= hold; i++) step(l, loud); /* its first sample heard the hold late */
    CHECK_SHOW(live_listener_state(l) == LIVE_LISTENING && live_listener_phrases(l) == 2,
               "trigger: listening again after %.2f s of silence and a loud sample",
               (double)LIVE_LISTENER_HOLD_DEFAULT);
    free(want);
    listener_free(l);
}

/* Voices that listen at host_rate: the recording, then half a second of silence, in blocks of
 * every size. */
static void test_resampled(double host_rate)
{
    live_options options = {
        .host_rate = host_rate,
        .voices = 1,
        .threads = 1,
        .speed_seconds = 0.01,
        .smoothing_seconds = 0.02f,
        .listen = true,
    };
    uint64_t seed = SEED;
    live_voices *v;
    char error[LIVE_ERROR_MAX];
    if (!CHECK(live_voices_create(MODEL, &options, &seed, NAN, &v, error) == 0, "%s", error))
        return;
    static const uint32_t blocks[] = {1, 7, 64, 256, 333, 1024, 4096, 16, 2};
    size_t recording_host = (size_t)(recording_count / SHORTER * host_rate / rate);
    size_t total = recording_host + (size_t)host_rate / 2; /* then half a second of silence */
    float *in = calloc(4096, sizeof *in), *out = calloc(4096, sizeof *out);
    size_t done = 0, b = 0;
    double listening_peak = 0.0, continuing_squares = 0.0;
    size_t continuing = 0;
    bool listened = false;
    while (done < total) {
        uint32_t count = blocks[b++ % (sizeof blocks / sizeof *blocks)];
        if (count > total - done) count = (uint32_t)(total - done);
        for (uint32_t i = 0; i < count; i++) { /* the recording, held sample by sample */
            size_t k = (size_t)((double)(done + i) * rate / host_rate);
            in[i] = done + i < recording_host ? recording[k] : 0.0f;
        }
        live_voices_listen(v, 0, in, count);
        live_voices_render(v, TEMPERATURE, &out, count);
        live_listening_state state = live_listener_state(live_voices_listener(v, 0));
        for (uint32_t i = 0; i < count; i++) {
            if (state == LIVE_LISTENING) listening_peak = fmax(listening_peak, fabsf(out[i]));
            if (state == LIVE_CONTINUING) continuing_squares += (double)out[i] * out[i];
        }
        listened |= state == LIVE_LISTENING;
        continuing += state == LIVE_CONTINUING ? count : 0;
        done += count;
    }
    const live_listener *l = live_voices_listener(v, 0);
    double continuing_dbfs = 10.0 * log10(continuing_squares / (double)(continuing + 1) + 1e-30);
    CHECK_SHOW(live_listener_underruns(l) == 0 && listened && continuing > 0 &&
                   continuing_dbfs > -70.0,
               "at %.0f Hz: the input queue never ran dry (%u times) over blocks of 1 to 4096; "
               "listened, then continued (%zu samples at %.1f dBFS)", host_rate,
               live_listener_underruns(l), continuing, continuing_dbfs);
    free(in);
    free(out);
    live_voices_free(v);
}

int main(void)
{
    recording = heldout_read(&recording_count, &rate);
    srnn_model *model;
    char error[SRNN_ERROR_MAX];
    if (!recording || srnn_model_load(MODEL, &model, error) != SRNN_OK) {
        fprintf(stderr, "%s: cannot load (%s)\n", MODEL, recording ? error : "no recording");
        return 1;
    }
    if (!CHECK(rate == srnn_model_config(model)->sample_rate, "the recording is at the model's "
               "rate (%u Hz)", rate))
        return check_summary();
    test_listening_and_continuing(model);
    test_trigger(model);
    srnn_model_free(model);
    test_resampled(48000.0);
    test_resampled(44100.0);
    free(recording);
    return check_summary();
}
