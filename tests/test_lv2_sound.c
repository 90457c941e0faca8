/* The LV2 plugin's sound in a lilv host (tests/lv2/host.c), against the engine's own output.
 *
 * At the model's rate the plugin must play exactly what srnn_voice_generate plays with the
 * seeds and temperatures of plugin/params.h, sample for sample: the default model (mono, and
 * stereo's two voices), every block size, both ends of the temperature range and a temperature
 * move (smoothed per sample), gain, reseeding. At other host rates the output is compared with
 * the engine's output resampled by an independent windowed sinc, which pins the pitch. At 0 dB
 * the output stays within full scale at every temperature. Also:
 * the ttl agrees with plugin/params.h, a missing worker or a broken default model.
 *
 * Usage: test_lv2_sound [--quick [PART]]   (--quick: shorter renders, for valgrind; PART 1 or
 * 2: every other check, from the first or the second) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lv2/atom/atom.h>
#include <lv2/core/lv2.h>

#include "params.h"
#include "sinc_resample.h"
#include "srnn.h"
#include "take.h"

static void test_description(void)
{
    const LilvPlugin *plugin = host_find_plugin(SRNN_LV2_URI);
    const LilvPlugin *stereo = host_find_plugin(SRNN_LV2_STEREO_URI);
    CHECK_SHOW(plugin && stereo, "the bundle describes the mono and the stereo plugin");
    if (!plugin || !stereo) return;

    const char *symbols[] = {"control", "notify", "temperature", "gain", "reseed", "out"};
    int symbols_ok = lilv_plugin_get_num_ports(plugin) == 6 &&
                     lilv_plugin_get_num_ports(stereo) == 7;
    for (uint32_t p = 0; p < 6; p++) {
        const LilvPort *port = lilv_plugin_get_port_by_index(plugin, p);
        symbols_ok &= strcmp(lilv_node_as_string(lilv_port_get_symbol(plugin, port)),
                             symbols[p]) == 0;
    }
    CHECK_SHOW(symbols_ok, "ports in plugin/params.h's order: control notify temperature gain "
                           "reseed out (+ out_right)");

    float minimum[7], maximum[7], defaults[7];
    lilv_plugin_get_port_ranges_float(plugin, minimum, maximum, defaults);
    CHECK_SHOW(minimum[SRNN_PORT_TEMPERATURE] == SRNN_LV2_TEMPERATURE_MIN &&
                   maximum[SRNN_PORT_TEMPERATURE] == SRNN_LV2_TEMPERATURE_MAX &&
                   defaults[SRNN_PORT_TEMPERATURE] == SRNN_LV2_TEMPERATURE_DEFAULT &&
                   minimum[SRNN_PORT_GAIN] == SRNN_LV2_GAIN_MIN_DB &&
                   maximum[SRNN_PORT_GAIN] == SRNN_LV2_GAIN_MAX_DB &&
                   defaults[SRNN_PORT_GAIN] == 0.0f,
               "ttl ranges match params.h: temperature %.2f..%.2f default %.2f, gain %.0f..%.0f dB",
               minimum[SRNN_PORT_TEMPERATURE], maximum[SRNN_PORT_TEMPERATURE],
               defaults[SRNN_PORT_TEMPERATURE], minimum[SRNN_PORT_GAIN], maximum[SRNN_PORT_GAIN]);
}

static void test_missing_worker(void)
{
    host_options options = {SRNN_LV2_URI, 16000, WORKER_SYNC, true};
    host *h = host_open(&options);
    CHECK_SHOW(h == NULL, "without the worker feature the plugin refuses to instantiate");
    host_close(h);
}

/* The default model, mono and stereo, at the model's rate: exactly the engine's voices. */
static void test_default_model(void)
{
    size_t n = 16000 / take_scale;
    take mono, stereo;
    if (take_open(&mono, SRNN_LV2_URI, 16000, WORKER_SYNC, 64) ||
        take_open(&stereo, SRNN_LV2_STEREO_URI, 16000, WORKER_SYNC, 64)) {
        CHECK_SHOW(0, "instantiate the plugins");
        return;
    }
    take_run(&mono, n);
    take_run(&stereo, n);
    float *seed0 = engine_render(take_default_model, SRNN_LV2_SEED(0, 0),
                                 SRNN_LV2_TEMPERATURE_DEFAULT, NULL, n);
    float *seed1 = engine_render(take_default_model, SRNN_LV2_SEED(0, 1),
                                 SRNN_LV2_TEMPERATURE_DEFAULT, NULL, n);
    double level = rms(mono.left, n);
    CHECK_SHOW(all_finite_within(mono.left, n, 1.0f) && level > 0.01,
               "default model: finite, within [-1, 1], not silent (rms %.3f)", level);
    double d = max_abs_diff(mono.left, seed0, n, NULL);
    CHECK_SHOW(d == 0.0, "default model at 16 kHz equals the engine's output, seed 0 (max diff %g)",
               d);
    double left = max_abs_diff(stereo.left, seed0, n, NULL);
    double right = max_abs_diff(stereo.right, seed1, n, NULL);
    double channels = max_abs_diff(stereo.left, stereo.right, n, NULL);
    CHECK_SHOW(left == 0.0 && right == 0.0 && channels > 0.1,
               "stereo: left is seed 0, right is seed 1, independent (diffs %g %g, between %.2f)",
               left, right, channels);
    CHECK_SHOW(strcmp(host_notified_model(mono.h), take_default_model) == 0,
               "notify reports the default model %s", host_notified_model(mono.h));
    free(seed0);
    free(seed1);
    take_close(&mono);
    take_close(&stereo);
}

static void test_block_sizes(void)
{
    const uint32_t blocks[] = {1, 7, 64, 4096};
    size_t n = 12000 / take_scale;
    float *expected = engine_render(take_default_model, 0, SRNN_LV2_TEMPERATURE_DEFAULT, NULL, n);
    float *at48[4] = {NULL};
    for (int i = 0; i < 4; i++) {
        take t;
        if (take_open(&t, SRNN_LV2_URI, 16000, WORKER_SYNC, blocks[i]) == 0) {
            take_run(&t, n);
            double d = max_abs_diff(t.left, expected, n, NULL);
            CHECK_SHOW(d == 0.0, "block size %4u at 16 kHz: equals the engine (max diff %g)",
                       blocks[i], d);
            take_close(&t);
        }
        if (take_open(&t, SRNN_LV2_URI, 48000, WORKER_SYNC, blocks[i]) == 0) {
            take_run(&t, 3 * n);
            at48[i] = t.left;
            t.left = NULL;
            take_close(&t);
        }
    }
    for (int i = 0; i < 4; i++) {
        if (!at48[i] || !at48[2]) continue;
        double d = max_abs_diff(at48[i], at48[2], 3 * n, NULL);
        CHECK_SHOW(d <= 1e-6 && rms(at48[i], 3 * n) > 0.01,
                   "block size %4u at 48 kHz: equals block size 64 (max diff %g)", blocks[i], d);
    }
    for (int i = 0; i < 4; i++) free(at48[i]);
    free(expected);
}

/* Renders n samples at 16 kHz with the temperature knob at value. */
static float *render_at_temperature(float value, size_t n)
{
    take t;
    if (take_open(&t, SRNN_LV2_URI, 16000, WORKER_SYNC, 64)) return calloc(n, sizeof(float));
    host_set_control(t.h, SRNN_PORT_TEMPERATURE, value);
    take_run(&t, n);
    float *out = t.left;
    t.left = NULL;
    take_close(&t);
    return out;
}

static void test_temperature(void)
{
    size_t n = 8000 / take_scale;
    const float ends[] = {SRNN_LV2_TEMPERATURE_MIN, SRNN_LV2_TEMPERATURE_MAX};
    for (int i = 0; i < 2; i++) {
        float *out = render_at_temperature(ends[i], n);
        float *expected = engine_render(take_default_model, 0, ends[i], NULL, n);
        double d = max_abs_diff(out, expected, n, NULL);
        CHECK_SHOW(
            d == 0.0 && all_finite_within(out, n, 1.0f),
            "temperature %.2f (range end): finite, equals the engine (max diff %g, rms %.3f)",
            ends[i], d, rms(out, n));
        free(out);
        free(expected);
    }
    /* absurd knob values are clamped, NaN means the default */
    float *high = render_at_temperature(1e9f, n), *top = render_at_temperature(2.0f, n);
    float *nan_knob = render_at_temperature(NAN, n),
          *standard = render_at_temperature(SRNN_LV2_TEMPERATURE_DEFAULT, n);
    CHECK_SHOW(max_abs_diff(high, top, n, NULL) == 0.0 &&
                   max_abs_diff(nan_knob, standard, n, NULL) == 0.0,
               "temperature 1e9 plays as the maximum, NaN as the default");
    free(high);
    free(top);
    free(nan_knob);
    free(standard);

    /* a move of the knob reaches the voice smoothed, one model sample at a time */
    take t;
    if (take_open(&t, SRNN_LV2_URI, 16000, WORKER_SYNC, 64)) return;
    size_t move = 4096 / take_scale;
    take_run(&t, move);
    host_set_control(t.h, SRNN_PORT_TEMPERATURE, 1.8f);
    take_run(&t, n);
    float *temperatures = malloc((move + n) * sizeof *temperatures);
    float coefficient = srnn_lv2_smoothing_coefficient(16000),
          current = SRNN_LV2_TEMPERATURE_DEFAULT;
    for (size_t i = 0; i < move + n; i++) {
        current =
            srnn_lv2_smooth(current, i < move ? SRNN_LV2_TEMPERATURE_DEFAULT : 1.8f, coefficient);
        temperatures[i] = current;
    }
    float *expected = engine_render(take_default_model, 0, 0, temperatures, move + n);
    float *stepped =
        engine_render(take_default_model, 0, SRNN_LV2_TEMPERATURE_DEFAULT, NULL, move + n);
    double d = max_abs_diff(t.left, expected, move + n, NULL);
    CHECK_SHOW(d == 0.0 && max_abs_diff(t.left + move, stepped + move, n, NULL) > 0.0,
               "temperature 0.95 -> 1.8: each sample at the one-pole-smoothed value (%.0f ms), "
               "equals the engine driven so (max diff %g)",
               1000.0 * SRNN_LV2_SMOOTHING_SECONDS, d);
    free(temperatures);
    free(expected);
    free(stepped);
    take_close(&t);
}

static void test_gain(void)
{
    size_t n = 8000 / take_scale, move = 4000 / take_scale;
    take t;
    if (take_open(&t, SRNN_LV2_URI, 16000, WORKER_SYNC, 64)) return;
    host_set_control(t.h, SRNN_PORT_GAIN, -6.0f);
    take_run(&t, move);
    host_set_control(t.h, SRNN_PORT_GAIN, 12.0f);
    take_run(&t, n - move);
    float *voice = engine_render(take_default_model, 0, SRNN_LV2_TEMPERATURE_DEFAULT, NULL, n);
    float coefficient = srnn_lv2_smoothing_coefficient(16000);
    float gain = srnn_lv2_db_to_gain(-6.0f);
    double worst = 0.0, largest_step = 0.0, previous = gain;
    for (size_t i = 0; i < n; i++) {
        gain = srnn_lv2_smooth(gain, srnn_lv2_db_to_gain(i < move ? -6.0f : 12.0f), coefficient);
        double d = fabs((double)t.left[i] - (double)voice[i] * gain);
        if (!(d <= worst)) worst = d;
        if (fabs(gain - previous) > largest_step) largest_step = fabs(gain - previous);
        previous = gain;
    }
    CHECK_SHOW(worst <= 1e-6,
               "gain -6 dB then +12 dB: the engine's samples times the smoothed gain "
               "(max diff %g, largest gain step per sample %.4f)",
               worst, largest_step);
    take_close(&t);
    free(voice);
}

static void test_reseed(const char *uri, uint32_t channels)
{
    size_t before = 4096 / take_scale, after = 4000 / take_scale;
    take t;
    if (take_open(&t, uri, 16000, WORKER_SYNC, 64)) return;
    take_run(&t, before);
    host_set_control(t.h, SRNN_PORT_RESEED, 1.0f);
    take_run(&t, 64);
    host_set_control(t.h, SRNN_PORT_RESEED, 0.0f);
    take_run(&t, after);
    uint32_t half = (uint32_t)lround(SRNN_LV2_DECLICK_SECONDS * 16000) + 1;
    size_t n = t.length;
    for (uint32_t c = 0; c < channels; c++) {
        const float *out = c ? t.right : t.left;
        float *old = engine_render(take_default_model, SRNN_LV2_SEED(0, c),
                                   SRNN_LV2_TEMPERATURE_DEFAULT, NULL, n);
        float *renewed = engine_render(take_default_model, SRNN_LV2_SEED(1, c),
                                       SRNN_LV2_TEMPERATURE_DEFAULT, NULL, n);
        double worst = 0.0;
        for (size_t i = 0; i < n; i++) {
            double expected = old[i];
            if (i >= before && i < before + half) {
                expected = old[i] * (double)(half - 1 - (i - before)) / half;
            } else if (i >= before + half) {
                size_t j = i - before - half;
                expected = renewed[j] * (j < half ? (double)(j + 1) / half : 1.0);
            }
            double d = fabs(out[i] - expected);
            if (!(d <= worst)) worst = d;
        }
        CHECK_SHOW(worst <= 1e-6, "%s reseed, channel %u: fades out over %u samples, restarts with "
                                  "seed %llu, fades in (max diff %g)",
                   channels == 1 ? "mono" : "stereo", c, half,
                   (unsigned long long)SRNN_LV2_SEED(1, c), worst);
        free(old);
        free(renewed);
    }
    take_close(&t);
}

/* Normalised correlation of a and b[lag ...], best over lags in [-reach, reach]. */
static double best_correlation(const float *a, const float *b, size_t count, int reach,
                               int *best_lag)
{
    double best = -2.0;
    for (int lag = -reach; lag <= reach; lag++) {
        double ab = 0, aa = 0, bb = 0;
        for (size_t i = (size_t)reach; i + (size_t)reach < count; i++) {
            double x = a[i], y = b[(long)i + lag];
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        double c = aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0.0;
        if (c > best) {
            best = c;
            *best_lag = lag;
        }
    }
    return best;
}

/* in (at in_rate) resampled to out (at out_rate) and band-passed from 2 to 6 kHz: a low-pass
 * at 6 kHz less one at 2 kHz. */
static void band(const float *in, size_t in_count, double in_rate, float *out, size_t out_count,
                 double out_rate)
{
    float *low = malloc(out_count * sizeof *low);
    sinc_resample(in, in_count, in_rate, out, out_count, out_rate, 6000);
    sinc_resample(in, in_count, in_rate, low, out_count, out_rate, 2000);
    for (size_t i = 0; i < out_count; i++) out[i] -= low[i];
    free(low);
}

/* At host rates other than the model's, the output is the engine's voice resampled. Both the
 * output and the engine's voice put through an independent windowed-sinc resampler are
 * band-passed from 2 to 6 kHz (libsamplerate's and the reference's transition bands differ
 * above; below, a trained model's low notes drift too slowly for a detune to show in a short
 * take), then they must correlate closely at lag ~0, with the same level; a reference only 1%
 * off in rate (a sixth of a semitone) must not correlate. */
static void test_host_rates(void)
{
    const double rates[] = {44100, 48000, 96000}; /* --quick: 44.1 kHz, the uneven ratio */
    double seconds = 0.25 / (double)take_scale;
    size_t model_count = (size_t)(16000 * seconds) + 200;
    for (int r = 0; r < (take_quick ? 1 : 3); r++) {
        double rate = rates[r];
        size_t n = (size_t)(rate * seconds);
        take t;
        if (take_open(&t, SRNN_LV2_STEREO_URI, rate, WORKER_SYNC, 64)) return;
        take_run(&t, n);
        float *filtered = malloc(n * sizeof *filtered), *reference = malloc(n * sizeof *reference);
        float *detuned = malloc(n * sizeof *detuned);
        for (uint32_t c = 0; c < 2; c++) {
            float *voice = engine_render(take_default_model, SRNN_LV2_SEED(0, c),
                                         SRNN_LV2_TEMPERATURE_DEFAULT, NULL, model_count);
            band(c ? t.right : t.left, n, rate, filtered, n, rate);
            band(voice, model_count, 16000, reference, n, rate);
            band(voice, model_count, 16000, detuned, n, rate * 1.01);
            int lag = 0, detuned_lag = 0;
            double match = best_correlation(filtered, reference, n, 16, &lag);
            double off = best_correlation(filtered, detuned, n, 16, &detuned_lag);
            double level = rms(filtered, n) / rms(reference, n);
            CHECK_SHOW(match > 0.999 && abs(lag) <= 1 && off < 0.5 && level > 0.99 && level < 1.01,
                       "%.0f Hz host, channel %u: 2-6 kHz, correlation with the engine "
                       "resampled %.6f at lag %d, level ratio %.4f; 1%%-detuned reference %.3f",
                       rate, c, match, lag, level, off);
            free(voice);
        }
        free(filtered);
        free(reference);
        free(detuned);
        take_close(&t);
    }
}

/* A bundle whose default model is broken: the plugin's own descriptor instantiated with
 * another bundle path (and a host's features). */
static void test_broken_default(void)
{
    take t;
    if (take_open(&t, SRNN_LV2_URI, 48000, WORKER_SYNC, 64)) return;
    const LV2_Descriptor *descriptor = lilv_instance_get_descriptor(host_instance(t.h));
    const char *bundle = temp_path("broken.lv2");
    mkdir(bundle, 0755);
    char model[700];
    snprintf(model, sizeof model, "%s/%s", bundle, SRNN_LV2_DEFAULT_MODEL);
    write_file(model, "SRNNMODL but nothing else", 25);

    uint32_t logged = host_log_errors(t.h);
    LV2_Handle plugin = descriptor->instantiate(descriptor, 48000, bundle, host_features(t.h));
    float out[256], temperature = SRNN_LV2_TEMPERATURE_DEFAULT, gain = 0.0f, reseed = 0.0f;
    union {
        LV2_Atom_Sequence sequence;
        uint64_t align[512];
    } control = {0}, notify = {0};
    control.sequence.atom.size = sizeof(LV2_Atom_Sequence_Body);
    control.sequence.atom.type = host_map()->map(NULL, LV2_ATOM__Sequence);
    notify.sequence.atom.size = sizeof notify - sizeof(LV2_Atom);
    int silent = 0;
    if (plugin) {
        void *ports[] = {&control, &notify, &temperature, &gain, &reseed, out};
        for (uint32_t p = 0; p < 6; p++) descriptor->connect_port(plugin, p, ports[p]);
        descriptor->activate(plugin);
        for (int i = 0; i < 256; i++) out[i] = 1.0f;
        descriptor->run(plugin, 256);
        silent = rms(out, 256) == 0.0;
        descriptor->deactivate(plugin);
        descriptor->cleanup(plugin);
    }
    const char *error = host_last_log_error(t.h);
    CHECK_SHOW(plugin && silent && host_log_errors(t.h) == logged + 1 && strstr(error, model),
               "a bundle with a broken default model instantiates, logs \"%.*s\", plays silence",
               (int)strcspn(error, "\n"), error);
    take_close(&t);
}

/* The checks in order; "--quick PART" (1 or 2) runs every other one, so that valgrind can run
 * the two halves side by side (tests/once_lv2_valgrind.sh). */
/* At 0 dB the output stays within full scale over the whole temperature range at a resampling
 * host rate (the resampler overshoots: +1.8 dBFS at 1.6 before the limiter), stereo, through
 * a model crossfade too; and no temperature is dead (above -40 dBFS RMS: from silence, without
 * the model's primer, 0.05 to 0.6 played -75 to -81 dBFS here). */
static void test_full_scale(void)
{
    static const float temperatures[] = {0.05f, 0.3f, 0.6f, 0.95f, 1.3f, 1.6f, 2.0f};
    size_t n = 48000 / take_scale / take_level_divisor;
    size_t every = take_quick ? 3 : 1; /* --quick: 0.05, 0.95, 2.0 */
    for (size_t k = 0; k < sizeof temperatures / sizeof *temperatures; k += every) {
        take t;
        if (take_open(&t, SRNN_LV2_STEREO_URI, 48000, WORKER_SYNC, 256)) return;
        host_set_control(t.h, SRNN_PORT_TEMPERATURE, temperatures[k]);
        take_run(&t, n / 2);
        host_send_model(t.h, take_default_model); /* the same file again: a crossfade */
        take_run(&t, n - n / 2);
        float peak = 0.0f;
        for (size_t i = 0; i < t.length; i++)
            peak = fmaxf(peak, fmaxf(fabsf(t.left[i]), fabsf(t.right[i])));
        double level = rms(t.left, t.length);
        CHECK_SHOW(all_finite_within(t.left, t.length, 1.0f) &&
                       all_finite_within(t.right, t.length, 1.0f) && level > 0.01,
                   "temperature %.2f at 48 kHz, 0 dB, stereo, with a crossfade: peak %.4f "
                   "(%.2f dBFS), rms %.4f (%.1f dBFS)",
                   temperatures[k], peak, 20.0 * log10(peak), level, 20.0 * log10(level));
        take_close(&t);
    }
}

static void reseed_mono(void) { test_reseed(SRNN_LV2_URI, 1); }
static void reseed_stereo(void) { test_reseed(SRNN_LV2_STEREO_URI, 2); }
static void (*const checks[])(void) = {
    test_description, test_missing_worker, test_default_model, test_block_sizes, test_temperature,
    test_gain,        reseed_mono,         reseed_stereo,      test_host_rates,  test_broken_default,
    test_full_scale,
};

int main(int argc, char **argv)
{
    if (take_setup(argc, argv) != 0) return 1;
    int part = argc > 2 ? atoi(argv[2]) : 0; /* 0: all */
    for (size_t i = 0; i < sizeof checks / sizeof *checks; i++)
        if (part == 0 || (int)(i % 2) == part - 1) checks[i]();
    return take_finish();
}
