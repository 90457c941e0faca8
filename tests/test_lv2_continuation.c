/* The continuation effect (urn:srnn:lv2:continuation, plugin/continuation.c) in a lilv host
 * that plays it a held-out recording (tests/heldout.h), against the engine driven by hand.
 *
 * At the model's rate (no resampling), the default model, temperature and gate: wet alone
 * (mix 1), the output is exactly silent while the model listens, and after the input stops it
 * is the engine's generation from the recording up to its last loud sample for the effect's
 * seed, exactly (limiter and 0 dB gain pass it unchanged), whatever the host's block size;
 * the Continue trigger goes on at once from what was heard (rising over the fade); dry alone
 * (mix 0) is the input exactly, and mix 0.5 half of each. Resampled (48 kHz): silent while
 * listening, sounding after. The ttl's ports agree with plugin/params.h and live/listener.h.
 * The presets sound. (test_listener proves the logits while listening equal srnn eval's.)
 *
 * Usage: test_lv2_continuation [--quick] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heldout.h"
#include "listener.h"
#include "params.h"
#include "take.h"

enum { BLOCK = 64 };

static float *recording;
static size_t recording_count;
static uint32_t rate;

/* The effect at host rate with mix, fed input (count samples, then silence) in blocks, the
 * Continue trigger pressed for the block that starts at sample trigger_at (none if beyond);
 * total samples of its output, NULL when it cannot be instantiated. */
static float *effect(double host_rate, float mix, const float *input, size_t count, size_t total,
                     uint32_t block, size_t trigger_at)
{
    take t;
    if (take_open(&t, SRNN_LV2_CONTINUATION_URI, host_rate, WORKER_SYNC, block) != 0) return NULL;
    host_set_control(t.h, SRNN_PORT_MIX, mix);
    while (t.length < total) {
        uint32_t n = total - t.length < block ? (uint32_t)(total - t.length) : block;
        uint32_t given = t.length >= count ? 0 : count - t.length < n ? (uint32_t)(count - t.length)
                                                                        : n;
        host_set_input(t.h, input + (t.length < count ? t.length : 0), given);
        host_set_control(t.h, SRNN_PORT_CONTINUE, t.length == trigger_at ? 1.0f : 0.0f);
        take_run_block(&t, n);
    }
    static int told;
    if (!told++) printf("    the effect's speed line: %s\n", host_notified_speed(t.h));
    return take_close_keeping_left(&t);
}

static void test_description(void)
{
    const LilvPlugin *plugin = host_find_plugin(SRNN_LV2_CONTINUATION_URI);
    if (!CHECK_SHOW(plugin != NULL, "the bundle describes %s", SRNN_LV2_CONTINUATION_URI)) return;
    float minimum[SRNN_PORT_COUNT_MAX], maximum[SRNN_PORT_COUNT_MAX],
        defaults[SRNN_PORT_COUNT_MAX];
    int ports = (int)lilv_plugin_get_num_ports(plugin);
    if (!CHECK(ports == SRNN_PORT_COUNT_MAX, "the effect has %d ports", ports)) return;
    lilv_plugin_get_port_ranges_float(plugin, minimum, maximum, defaults);
    LilvWorld *world = host_world();
    LilvNode *input = lilv_new_uri(world, LILV_URI_INPUT_PORT);
    LilvNode *audio = lilv_new_uri(world, LILV_URI_AUDIO_PORT);
    const LilvPort *in = lilv_plugin_get_port_by_index(plugin, SRNN_PORT_IN);
    bool audio_in = lilv_port_is_a(plugin, in, input) && lilv_port_is_a(plugin, in, audio);
    CHECK_SHOW(audio_in && minimum[SRNN_PORT_MIX] == 0.0f && maximum[SRNN_PORT_MIX] == 1.0f &&
                   defaults[SRNN_PORT_MIX] == SRNN_LV2_MIX_DEFAULT &&
                   minimum[SRNN_PORT_THRESHOLD] == LIVE_LISTENER_THRESHOLD_DB_MIN &&
                   maximum[SRNN_PORT_THRESHOLD] == LIVE_LISTENER_THRESHOLD_DB_MAX &&
                   defaults[SRNN_PORT_THRESHOLD] == LIVE_LISTENER_THRESHOLD_DB_DEFAULT &&
                   minimum[SRNN_PORT_HOLD] == LIVE_LISTENER_HOLD_MIN &&
                   maximum[SRNN_PORT_HOLD] == LIVE_LISTENER_HOLD_MAX &&
                   defaults[SRNN_PORT_HOLD] == LIVE_LISTENER_HOLD_DEFAULT,
               "the ttl: an audio input (port %d), mix [0, 1] default %.2f, threshold [%.0f, %.0f] "
               "dBFS default %.0f, hold [%.2f, %.2f] s default %.2f, as params.h and listener.h",
               SRNN_PORT_IN, (double)defaults[SRNN_PORT_MIX], (double)minimum[SRNN_PORT_THRESHOLD],
               (double)maximum[SRNN_PORT_THRESHOLD], (double)defaults[SRNN_PORT_THRESHOLD],
               (double)minimum[SRNN_PORT_HOLD], (double)maximum[SRNN_PORT_HOLD],
               (double)defaults[SRNN_PORT_HOLD]);
    lilv_node_free(input);
    lilv_node_free(audio);
}

static void test_continuation(void)
{
    srnn_model *model;
    char error[SRNN_ERROR_MAX];
    if (!CHECK(srnn_model_load(take_default_model, &model, error) == SRNN_OK, "%s", error)) return;
    float threshold = powf(10.0f, LIVE_LISTENER_THRESHOLD_DB_DEFAULT / 20.0f);
    uint32_t hold = (uint32_t)lround(LIVE_LISTENER_HOLD_DEFAULT * rate);
    size_t count = recording_count / take_level_divisor, continued = rate / 2;
    float *x = calloc(count + hold + continued, sizeof *x);
    memcpy(x, recording, count * sizeof *x);
    size_t onset, last;
    if (!CHECK(heldout_gate(x, count + hold + continued, threshold, hold, &onset, &last) == 0 &&
                   last >= count && count > onset + hold + 2 * BLOCK,
               "the recording sounds to its end (the gate closes at %zu)", last))
        return;
    size_t total = last + 1 + continued;

    float *wet = effect(rate, 1.0f, x, count, total, BLOCK, SIZE_MAX);
    float *odd = effect(rate, 1.0f, x, count, total, 333, SIZE_MAX);
    float *want = calloc(continued, sizeof *want);
    heldout_continuation(model, SRNN_LV2_SEED(0, 0), x + onset, last - hold + 1 - onset,
                         SRNN_LV2_TEMPERATURE_DEFAULT, want, continued);
    if (!CHECK(wet && odd, "cannot run the effect")) return;
    CHECK_SHOW(peak_abs(wet, last + 1) == 0.0f,
               "wet alone: silent while listening (%zu samples, the hold late)", last + 1);
    check_max_diff("wet alone, after the input stopped: the engine's generation from the "
                   "recording up to its last loud sample (tolerance 0)",
                   wet + last + 1, want, continued, 0.0);
    CHECK_SHOW(peak_abs(want, continued) > 0.01f && max_abs_diff(wet, odd, total, NULL) == 0.0,
               "the continuation sounds (peak %.3f); blocks of 333 play the same samples",
               (double)peak_abs(want, continued));

    float *dry = effect(rate, 0.0f, x, count, total, BLOCK, SIZE_MAX);
    float *half = effect(rate, 0.5f, x, count, total, BLOCK, SIZE_MAX);
    float *mixed = calloc(total, sizeof *mixed);
    for (size_t i = 0; i < total; i++) mixed[i] = 0.5f * x[i] + 0.5f * wet[i];
    if (dry && half) {
        check_max_diff("dry alone (mix 0): the input (tolerance 0)", dry, x, total, 0.0);
        check_max_diff("mix 0.5: half the input and half the continuation (tolerance 1e-7)",
                       half, mixed, total, 1e-7);
    }

    /* pressed while the input sounds, once the voice listens (the hold after the onset) */
    size_t at = (onset + hold + (count - onset - hold) / 2) / BLOCK * BLOCK;
    float *triggered = effect(rate, 1.0f, x, count, at + continued, BLOCK, at);
    heldout_continuation(model, SRNN_LV2_SEED(0, 0), x + onset, at - hold - onset,
                         SRNN_LV2_TEMPERATURE_DEFAULT, want, continued);
    uint32_t fade = (uint32_t)ceil(LIVE_LISTENER_FADE_SECONDS * rate);
    for (uint32_t i = 0; i < fade; i++) want[i] = want[i] * (float)(i + 1) / (float)fade;
    if (triggered) {
        CHECK(peak_abs(triggered, at) == 0.0f, "silent before the trigger");
        check_max_diff("Continue pressed while the input sounds: at once the engine's generation "
                       "from what was heard (the hold ago), rising over the fade (tolerance 0)",
                       triggered + at, want, continued, 0.0);
    }
    free(triggered);
    free(mixed);
    free(half);
    free(dry);
    free(want);
    free(odd);
    free(wet);
    free(x);
    srnn_model_free(model);
}

static void test_resampled(void)
{
    double host_rate = 48000.0;
    size_t count = (size_t)(recording_count / take_level_divisor * host_rate / rate);
    size_t total = count + (size_t)host_rate;
    float *x = calloc(count, sizeof *x);
    for (size_t i = 0; i < count; i++) x[i] = recording[(size_t)((double)i * rate / host_rate)];
    float *out = effect(host_rate, 1.0f, x, count, total, 256, SIZE_MAX);
    if (!CHECK(out, "cannot run the effect at 48 kHz")) return;
    size_t after = count + (size_t)(LIVE_LISTENER_HOLD_DEFAULT * host_rate) + 4096;
    double level = 20.0 * log10(rms(out + after, total - after) + 1e-30);
    CHECK_SHOW(peak_abs(out, count) == 0.0f && level > -50.0 && all_finite_within(out, total, 1.0f),
               "at 48 kHz: silent while listening, the continuation at %.1f dBFS after the input "
               "stops, within full scale", level);
    free(out);
    free(x);
}

/* A preset continues the recording audibly: above -50 dBFS RMS over the half second after the
 * input stops and the hold, within full scale. */
static void play_preset(take *t, const char *name, void *arg)
{
    (void)arg;
    float hold = host_control(t->h, SRNN_PORT_HOLD);
    size_t count = recording_count / take_level_divisor;
    size_t start = count + (size_t)(hold * (float)rate) + 1, total = start + rate / 2;
    while (t->length < total) {
        uint32_t given = t->length >= count ? 0 : (uint32_t)(count - t->length < 256
                                                                 ? count - t->length : 256);
        host_set_input(t->h, recording + (t->length < count ? t->length : 0), given);
        take_run_block(t, 256);
    }
    double level = 20.0 * log10(rms(t->left + start, rate / 2) + 1e-30);
    CHECK_SHOW(level > -50.0 && all_finite_within(t->left, t->length, 1.0f),
               "preset \"%s\": the continuation at %.1f dBFS RMS (above -50), within full scale",
               name, level);
}

int main(int argc, char **argv)
{
    if (take_setup(argc, argv) != 0) return 1;
    recording = heldout_read(&recording_count, &rate);
    if (!recording || !CHECK(rate == model_config(take_default_model).sample_rate,
                             "the recording is at the model's rate"))
        return take_finish();
    test_description();
    test_continuation();
    test_resampled();
    int presets = take_each_preset(SRNN_LV2_CONTINUATION_URI, rate, 256, play_preset, NULL);
    CHECK_SHOW(presets >= 2, "the effect has %d presets", presets);
    free(recording);
    return take_finish();
}
