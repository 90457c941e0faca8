/* The LV2 plugin in a lilv host (tests/lv2/host.c), against the engine's own output.
 *
 * At the model's rate the plugin must play exactly what srnn_voice_generate plays with the
 * seeds and temperatures of plugin/params.h, so most checks compare sample for sample: the
 * default model, every block size, both ends of the temperature range and a temperature move
 * (smoothed per sample), gain, reseeding, a model swap (crossfade, then the new model),
 * a corrupt model (the old one plays on, uninterrupted), state save and restore (mapPath,
 * freePath, through lilv too), presets. At other host rates the output is compared with the
 * engine's output resampled by an independent windowed sinc, which pins the pitch.
 * Worker-dependent checks run with a synchronous and a threaded worker.
 *
 * Usage: test_lv2_plugin [--quick]   (--quick: shorter renders, for valgrind) */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lv2/atom/atom.h>
#include <lv2/atom/util.h>
#include <lv2/core/lv2.h>
#include <lv2/presets/presets.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>

#include "golden.h"
#include "host.h"
#include "params.h"
#include "random_model.h"
#include "sinc_resample.h"
#include "srnn.h"

static int failures;
static size_t scale = 1; /* renders are divided by it with --quick */

static void check(int ok, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    printf("%s ", ok ? "ok  " : "FAIL");
    vprintf(format, args);
    printf("\n");
    va_end(args);
    fflush(stdout);
    if (!ok) failures++;
}

/* ---- paths and files ------------------------------------------------------------------------ */

static char default_model[1200], temp_dir[256];

/* Models to swap to, written into the temporary directory by make_models. */
static char gru_model[600], slow_model[600], odd_rate_model[600];

static int make_models(void)
{
    snprintf(gru_model, sizeof gru_model, "%s/gru16k.srnn", temp_dir);
    snprintf(slow_model, sizeof slow_model, "%s/lstm8k.srnn", temp_dir);
    snprintf(odd_rate_model, sizeof odd_rate_model, "%s/gru22k.srnn", temp_dir);
    return random_model_write(gru_model, 16000, SRNN_RNN_GRU, SRNN_Q_MULAW, 256, 1) ||
           random_model_write(slow_model, 8000, SRNN_RNN_LSTM, SRNN_Q_LINEAR, 300, 2) ||
           random_model_write(odd_rate_model, 22050, SRNN_RNN_GRU, SRNN_Q_LINEAR, 512, 3);
}

static const char *temp_path(const char *name)
{
    static char paths[8][512];
    static int next;
    char *path = paths[next++ % 8];
    snprintf(path, sizeof paths[0], "%s/%s", temp_dir, name);
    return path;
}

static int write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t written = fwrite(data, 1, size, f);
    return fclose(f) == 0 && written == size ? 0 : -1;
}

/* ---- the engine's own output ---------------------------------------------------------------- */

/* count samples of model at seed, each at temperatures[i] (or temperature if NULL). */
static float *engine_render(const char *path, uint64_t seed, float temperature,
                            const float *temperatures, size_t count)
{
    srnn_model *model;
    srnn_voice *voice;
    char error[SRNN_ERROR_MAX];
    float *out = calloc(count ? count : 1, sizeof *out);
    if (srnn_model_load(path, &model, error) != SRNN_OK) {
        fprintf(stderr, "%s: %s\n", path, error);
        return out;
    }
    if (srnn_voice_create(model, seed, &voice) == SRNN_OK) {
        if (temperatures)
            for (size_t i = 0; i < count; i++)
                srnn_voice_generate(voice, temperatures[i], out + i, NULL, 1);
        else
            srnn_voice_generate(voice, temperature, out, NULL, count);
        srnn_voice_free(voice);
    }
    srnn_model_free(model);
    return out;
}

static uint32_t model_rate(const char *path)
{
    srnn_model *model;
    char error[SRNN_ERROR_MAX];
    if (srnn_model_load(path, &model, error) != SRNN_OK) return 0;
    uint32_t rate = srnn_model_config(model)->sample_rate;
    srnn_model_free(model);
    return rate;
}

static double max_difference(const float *a, const float *b, size_t count)
{
    double worst = 0.0;
    for (size_t i = 0; i < count; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (!(d <= worst)) worst = d; /* NaN counts as the worst */
    }
    return worst;
}

static double rms(const float *x, size_t count)
{
    double sum = 0.0;
    for (size_t i = 0; i < count; i++) sum += (double)x[i] * x[i];
    return count ? sqrt(sum / (double)count) : 0.0;
}

static int all_finite_within(const float *x, size_t count, float bound)
{
    for (size_t i = 0; i < count; i++)
        if (!isfinite(x[i]) || fabsf(x[i]) > bound) return 0;
    return 1;
}

/* ---- a host recording everything it renders ------------------------------------------------- */

typedef struct {
    host *h;
    float *left, *right;
    size_t length, capacity;
    uint32_t block;
    worker_mode mode;
    size_t model_notified_at; /* the sample where the run that notified the model began */
} take;

static int take_open(take *t, const char *uri, double rate, worker_mode mode, uint32_t block)
{
    memset(t, 0, sizeof *t);
    host_options options = {uri, rate, mode, false};
    t->h = host_open(&options);
    t->block = block;
    t->mode = mode;
    return t->h ? 0 : -1;
}

static void take_close(take *t)
{
    host_close(t->h);
    free(t->left);
    free(t->right);
}

static void take_run_block(take *t, uint32_t count)
{
    if (t->length + count > t->capacity) {
        t->capacity = 2 * (t->length + count);
        t->left = realloc(t->left, t->capacity * sizeof *t->left);
        t->right = realloc(t->right, t->capacity * sizeof *t->right);
    }
    host_run(t->h, count, t->left + t->length, t->right + t->length);
    if (host_model_notified_at(t->h) == host_runs(t->h) - 1) t->model_notified_at = t->length;
    t->length += count;
}

static void take_run(take *t, size_t samples)
{
    for (size_t done = 0; done < samples; done += t->block)
        take_run_block(t, samples - done < t->block ? (uint32_t)(samples - done) : t->block);
}

/* Runs blocks until done(): with a threaded worker, first freely (the worker racing run()),
 * then waiting for it between blocks. */
static int take_until(take *t, int (*done)(const take *, const void *), const void *arg)
{
    for (int i = 0; i < 4000; i++) {
        if (done(t, arg)) return 1;
        if (t->mode == WORKER_THREADED && i >= 50) host_wait_worker(t->h);
        take_run_block(t, t->block);
    }
    return done(t, arg);
}

static int model_notified(const take *t, const void *path)
{
    return strcmp(host_notified_model(t->h), path) == 0;
}

static int errors_notified(const take *t, const void *count)
{
    return host_error_notifications(t->h) >= *(const uint32_t *)count;
}

/* ---- checks --------------------------------------------------------------------------------- */

static void test_description(void)
{
    LilvWorld *world = host_world();
    LilvNode *uri = lilv_new_uri(world, SRNN_LV2_URI);
    const LilvPlugin *plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri);
    lilv_node_free(uri);
    LilvNode *stereo_uri = lilv_new_uri(world, SRNN_LV2_STEREO_URI);
    const LilvPlugin *stereo =
        lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), stereo_uri);
    lilv_node_free(stereo_uri);
    check(plugin && stereo, "the bundle describes the mono and the stereo plugin");
    if (!plugin || !stereo) return;

    const char *symbols[] = {"control", "notify", "temperature", "gain", "reseed", "out"};
    int symbols_ok = lilv_plugin_get_num_ports(plugin) == 6 &&
                     lilv_plugin_get_num_ports(stereo) == 7;
    for (uint32_t p = 0; p < 6; p++) {
        const LilvPort *port = lilv_plugin_get_port_by_index(plugin, p);
        symbols_ok &= strcmp(lilv_node_as_string(lilv_port_get_symbol(plugin, port)),
                             symbols[p]) == 0;
    }
    check(symbols_ok, "ports in plugin/params.h's order: control notify temperature gain "
                      "reseed out (+ out_right)");

    float minimum[7], maximum[7], defaults[7];
    lilv_plugin_get_port_ranges_float(plugin, minimum, maximum, defaults);
    check(minimum[SRNN_PORT_TEMPERATURE] == SRNN_LV2_TEMPERATURE_MIN &&
              maximum[SRNN_PORT_TEMPERATURE] == SRNN_LV2_TEMPERATURE_MAX &&
              defaults[SRNN_PORT_TEMPERATURE] == SRNN_LV2_TEMPERATURE_DEFAULT &&
              minimum[SRNN_PORT_GAIN] == SRNN_LV2_GAIN_MIN_DB &&
              maximum[SRNN_PORT_GAIN] == SRNN_LV2_GAIN_MAX_DB && defaults[SRNN_PORT_GAIN] == 0.0f,
          "ttl ranges match params.h: temperature %.2f..%.2f default %.2f, gain %.0f..%.0f dB",
          minimum[SRNN_PORT_TEMPERATURE], maximum[SRNN_PORT_TEMPERATURE],
          defaults[SRNN_PORT_TEMPERATURE], minimum[SRNN_PORT_GAIN], maximum[SRNN_PORT_GAIN]);
}

static void test_missing_worker(void)
{
    host_options options = {SRNN_LV2_URI, 16000, WORKER_SYNC, true};
    host *h = host_open(&options);
    check(h == NULL, "without the worker feature the plugin refuses to instantiate");
    host_close(h);
}

/* The default model, mono and stereo, at the model's rate: exactly the engine's voices. */
static void test_default_model(void)
{
    size_t n = 16000 / scale;
    take mono, stereo;
    if (take_open(&mono, SRNN_LV2_URI, 16000, WORKER_SYNC, 64) ||
        take_open(&stereo, SRNN_LV2_STEREO_URI, 16000, WORKER_SYNC, 64)) {
        check(0, "instantiate the plugins");
        return;
    }
    take_run(&mono, n);
    take_run(&stereo, n);
    float *seed0 = engine_render(default_model, SRNN_LV2_SEED(0, 0), 0.95f, NULL, n);
    float *seed1 = engine_render(default_model, SRNN_LV2_SEED(0, 1), 0.95f, NULL, n);
    double level = rms(mono.left, n);
    check(all_finite_within(mono.left, n, 1.0f) && level > 0.01,
          "default model: finite, within [-1, 1], not silent (rms %.3f)", level);
    double d = max_difference(mono.left, seed0, n);
    check(d == 0.0, "default model at 16 kHz equals the engine's output, seed 0 (max diff %g)", d);
    double left = max_difference(stereo.left, seed0, n);
    double right = max_difference(stereo.right, seed1, n);
    double channels = max_difference(stereo.left, stereo.right, n);
    check(left == 0.0 && right == 0.0 && channels > 0.1,
          "stereo: left is seed 0, right is seed 1, independent (diffs %g %g, between %.2f)", left,
          right, channels);
    check(strcmp(host_notified_model(mono.h), default_model) == 0,
          "notify reports the default model %s", host_notified_model(mono.h));
    free(seed0);
    free(seed1);
    take_close(&mono);
    take_close(&stereo);
}

static void test_block_sizes(void)
{
    const uint32_t blocks[] = {1, 7, 64, 4096};
    size_t n = 12000 / scale;
    float *expected = engine_render(default_model, 0, 0.95f, NULL, n);
    float *at48[4] = {NULL};
    for (int i = 0; i < 4; i++) {
        take t;
        if (take_open(&t, SRNN_LV2_URI, 16000, WORKER_SYNC, blocks[i]) == 0) {
            take_run(&t, n);
            double d = max_difference(t.left, expected, n);
            check(d == 0.0, "block size %4u at 16 kHz: equals the engine (max diff %g)", blocks[i],
                  d);
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
        double d = max_difference(at48[i], at48[2], 3 * n);
        check(d <= 1e-6 && rms(at48[i], 3 * n) > 0.01,
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
    size_t n = 8000 / scale;
    const float ends[] = {SRNN_LV2_TEMPERATURE_MIN, SRNN_LV2_TEMPERATURE_MAX};
    for (int i = 0; i < 2; i++) {
        float *out = render_at_temperature(ends[i], n);
        float *expected = engine_render(default_model, 0, ends[i], NULL, n);
        double d = max_difference(out, expected, n);
        check(d == 0.0 && all_finite_within(out, n, 1.0f),
              "temperature %.2f (range end): finite, equals the engine (max diff %g, rms %.3f)",
              ends[i], d, rms(out, n));
        free(out);
        free(expected);
    }
    /* absurd knob values are clamped, NaN means the default */
    float *high = render_at_temperature(1e9f, n), *top = render_at_temperature(2.0f, n);
    float *nan_knob = render_at_temperature(NAN, n), *standard = render_at_temperature(0.95f, n);
    check(max_difference(high, top, n) == 0.0 && max_difference(nan_knob, standard, n) == 0.0,
          "temperature 1e9 plays as the maximum, NaN as the default");
    free(high);
    free(top);
    free(nan_knob);
    free(standard);

    /* a move of the knob reaches the voice smoothed, one model sample at a time */
    take t;
    if (take_open(&t, SRNN_LV2_URI, 16000, WORKER_SYNC, 64)) return;
    size_t move = 4096 / scale;
    take_run(&t, move);
    host_set_control(t.h, SRNN_PORT_TEMPERATURE, 1.8f);
    take_run(&t, n);
    float *temperatures = malloc((move + n) * sizeof *temperatures);
    float coefficient = srnn_lv2_smoothing_coefficient(16000), current = 0.95f;
    for (size_t i = 0; i < move + n; i++) {
        current = srnn_lv2_smooth(current, i < move ? 0.95f : 1.8f, coefficient);
        temperatures[i] = current;
    }
    float *expected = engine_render(default_model, 0, 0, temperatures, move + n);
    float *stepped = engine_render(default_model, 0, 0.95f, NULL, move + n);
    double d = max_difference(t.left, expected, move + n);
    check(d == 0.0 && max_difference(t.left + move, stepped + move, n) > 0.0,
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
    size_t n = 8000 / scale, move = 4000 / scale;
    take t;
    if (take_open(&t, SRNN_LV2_URI, 16000, WORKER_SYNC, 64)) return;
    host_set_control(t.h, SRNN_PORT_GAIN, -6.0f);
    take_run(&t, move);
    host_set_control(t.h, SRNN_PORT_GAIN, 12.0f);
    take_run(&t, n - move);
    float *voice = engine_render(default_model, 0, 0.95f, NULL, n);
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
    check(worst <= 1e-6, "gain -6 dB then +12 dB: the engine's samples times the smoothed gain "
                         "(max diff %g, largest gain step per sample %.4f)",
          worst, largest_step);
    take_close(&t);
    free(voice);
}

static void test_reseed(const char *uri, uint32_t channels)
{
    size_t before = 4096 / scale, after = 4000 / scale;
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
        float *old = engine_render(default_model, SRNN_LV2_SEED(0, c), 0.95f, NULL, n);
        float *renewed = engine_render(default_model, SRNN_LV2_SEED(1, c), 0.95f, NULL, n);
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
        check(worst <= 1e-6, "%s reseed, channel %u: fades out over %u samples, restarts with "
                             "seed %llu, fades in (max diff %g)",
              channels == 1 ? "mono" : "stereo", c, half,
              (unsigned long long)SRNN_LV2_SEED(1, c), worst);
        free(old);
        free(renewed);
    }
    take_close(&t);
}

/* Around a model swap, which starts with the run that notifies the new model: the old model's
 * voice, then the equal-power crossfade, then the new model's voice from its first sample. */
static void check_swap(const take *t, const char *old_path, const char *new_path,
                       const char *what)
{
    size_t start = t->model_notified_at, n = t->length;
    uint32_t fade = (uint32_t)lround(SRNN_LV2_CROSSFADE_SECONDS * 16000) + 1;
    if (start + fade + 1000 / scale > n) {
        check(0, "%s: the swap came too late to check (at sample %zu of %zu)", what, start, n);
        return;
    }
    float *old = engine_render(old_path, 0, 0.95f, NULL, n);
    float *renewed = engine_render(new_path, 0, 0.95f, NULL, n - start);
    double before = max_difference(t->left, old, start), during = 0.0;
    for (uint32_t i = 0; i < fade; i++) {
        double x = 1.57079632679 * i / fade;
        double expected = cos(x) * old[start + i] + sin(x) * renewed[i];
        double d = fabs(t->left[start + i] - expected);
        if (!(d <= during)) during = d;
    }
    double after = max_difference(t->left + start + fade, renewed + fade, n - start - fade);
    check(before == 0.0 && during <= 1e-5 && after == 0.0,
          "%s: old model up to the swap (diff %g), %u-sample equal-power crossfade (diff %g), "
          "then the new model from its start (diff %g)",
          what, before, fade, during, after);
    free(old);
    free(renewed);
}

static void test_swap(worker_mode mode)
{
    const char *gru = gru_model;
    take t;
    if (take_open(&t, SRNN_LV2_URI, 16000, mode, 64)) return;
    take_run(&t, 4000 / scale);
    host_send_model(t.h, gru);
    int swapped = take_until(&t, model_notified, gru);
    take_run(&t, 4000 / scale);
    check(swapped && host_log_errors(t.h) == 0, "%s worker: patch:Set of %s is notified back",
          worker_mode_name(mode), gru);
    if (swapped) {
        char what[64];
        snprintf(what, sizeof what, "%s worker swap", worker_mode_name(mode));
        check_swap(&t, default_model, gru, what);
    }
    /* models at other rates, one after the other */
    const char *others[] = {slow_model, odd_rate_model};
    for (int i = 0; i < 2; i++) {
        size_t from = t.length;
        host_send_model(t.h, others[i]);
        int ok = take_until(&t, model_notified, others[i]);
        take_run(&t, 8000 / scale);
        size_t tail = 4000 / scale;
        double level = rms(t.left + t.length - tail, tail);
        check(ok && all_finite_within(t.left + from, t.length - from, 2.0f) && level > 0.01,
              "%s worker: swap to a %u Hz model, finite and sounding (rms %.3f)",
              worker_mode_name(mode), model_rate(others[i]), level);
    }
    host_send_get(t.h);
    uint32_t notifications = host_model_notifications(t.h);
    take_run_block(&t, 64);
    check(host_model_notifications(t.h) == notifications + 1 &&
              strcmp(host_notified_model(t.h), others[1]) == 0,
          "patch:Get is answered with the model playing");
    take_close(&t);
}

/* Files a model loader must refuse, each next to the expected words of its error. */
static void make_bad_models(const char *paths[6])
{
    size_t size;
    char bundle[900];
    snprintf(bundle, sizeof bundle, "%s/srnn.lv2", host_bundle_dir());
    uint8_t *bytes = golden_read(bundle, "default", ".srnn", &size);
    paths[0] = temp_path("missing.srnn");
    paths[1] = temp_dir; /* a directory */
    paths[2] = temp_path("empty.srnn");
    write_file(paths[2], "", 0);
    paths[3] = temp_path("garbage.srnn");
    write_file(paths[3], "this is not a model at all, just some text", 42);
    paths[4] = temp_path("truncated.srnn");
    if (bytes) write_file(paths[4], bytes, size / 2);
    paths[5] = temp_path("flipped.srnn");
    if (bytes) {
        bytes[size - 100] ^= 0x40; /* one weight bit: the checksum must catch it */
        write_file(paths[5], bytes, size);
    }
    free(bytes);
}

static void test_corrupt(worker_mode mode)
{
    const char *bad[6];
    make_bad_models(bad);
    take t;
    if (take_open(&t, SRNN_LV2_URI, 16000, mode, 64)) return;
    take_run(&t, 2000 / scale);
    for (int i = 0; i < 6; i++) {
        uint32_t errors = host_error_notifications(t.h) + 1, logged = host_log_errors(t.h);
        host_send_model(t.h, bad[i]);
        int reported = take_until(&t, errors_notified, &errors);
        take_run(&t, 64);
        check(reported && strstr(host_notified_error(t.h), bad[i]) &&
                  host_log_errors(t.h) == logged + 1 && strstr(host_last_log_error(t.h), bad[i]) &&
                  strcmp(host_notified_model(t.h), default_model) == 0,
              "%s worker: refused, logged and notified: \"%s\"", worker_mode_name(mode),
              host_notified_error(t.h));
    }
    uint32_t errors = host_error_notifications(t.h) + 1;
    host_send_model_int(t.h, 7);
    int reported = take_until(&t, errors_notified, &errors);
    check(reported && strstr(host_notified_error(t.h), "atom:Path"),
          "patch:Set of the model to an int is refused: \"%s\"", host_notified_error(t.h));
    take_run(&t, 2000 / scale);
    float *expected = engine_render(default_model, 0, 0.95f, NULL, t.length);
    double d = max_difference(t.left, expected, t.length);
    check(d == 0.0, "%s worker: the default model played on through all %zu samples (max diff %g)",
          worker_mode_name(mode), t.length, d);
    free(expected);
    take_close(&t);
}

/* State: a model inside the session directory is saved relative to it (mapPath), the
 * directory moves, and a new instance restores the model from the new place. */
static void test_state(worker_mode mode)
{
    char dir[600], moved[600], model[700];
    snprintf(dir, sizeof dir, "%s/session-%d", temp_dir, (int)mode);
    snprintf(moved, sizeof moved, "%s/moved-%d", temp_dir, (int)mode);
    snprintf(model, sizeof model, "%s/gru.srnn", dir);
    mkdir(dir, 0755);
    size_t size;
    void *bytes = golden_read(temp_dir, "gru16k", ".srnn", &size);
    if (!bytes || write_file(model, bytes, size) != 0) {
        check(0, "copy a model into %s", dir);
        free(bytes);
        return;
    }
    free(bytes);

    take a;
    if (take_open(&a, SRNN_LV2_URI, 16000, mode, 64)) return;
    host_send_model(a.h, model);
    take_until(&a, model_notified, model);
    host_state state;
    int saved = host_save_state(a.h, dir, &state);
    take_close(&a);
    check(saved == 0 && state.present && strcmp(state.value, "gru.srnn") == 0 &&
              state.type == host_map()->map(NULL, LV2_ATOM__Path) &&
              (state.flags & LV2_STATE_IS_PORTABLE),
          "%s worker: state saves the model as a portable atom:Path through mapPath: \"%s\"",
          worker_mode_name(mode), state.value);
    rename(dir, moved);
    char moved_model[700];
    snprintf(moved_model, sizeof moved_model, "%s/gru.srnn", moved);

    /* restored before the first run: the new instance plays the model from its start */
    take b;
    if (take_open(&b, SRNN_LV2_URI, 16000, mode, 64)) return;
    int restored = host_restore_state(b.h, moved, &state, false);
    take_run(&b, 4000 / scale);
    float *expected = engine_render(moved_model, 0, 0.95f, NULL, b.length);
    double d = max_difference(b.left, expected, b.length);
    check(restored == 0 && strcmp(host_notified_model(b.h), moved_model) == 0 && d == 0.0,
          "restore (no worker, before run) from the moved session plays %s from its start "
          "(max diff %g)",
          host_notified_model(b.h), d);
    free(expected);
    take_close(&b);

    /* restored through the worker while running: faded in like a patch:Set */
    take c;
    if (take_open(&c, SRNN_LV2_URI, 16000, mode, 64)) return;
    take_run(&c, 2000 / scale);
    restored = host_restore_state(c.h, moved, &state, true);
    int swapped = take_until(&c, model_notified, moved_model);
    take_run(&c, 4000 / scale);
    check(restored == 0 && swapped, "%s worker: restore through the worker while running",
          worker_mode_name(mode));
    if (swapped) check_swap(&c, default_model, moved_model, "restore through the worker");

    /* a state naming a corrupt file leaves the model playing */
    host_state bad = state;
    snprintf(bad.value, sizeof bad.value, "%s", temp_path("garbage.srnn"));
    bad.size = (uint32_t)strlen(bad.value) + 1;
    uint32_t logged = host_log_errors(c.h);
    restored = host_restore_state(c.h, moved, &bad, false);
    take_run(&c, 64);
    check(restored != 0 && host_log_errors(c.h) == logged + 1 &&
              strcmp(host_notified_model(c.h), moved_model) == 0,
          "restoring a corrupt model fails, logs, and keeps %s", host_notified_model(c.h));
    take_close(&c);
    check(host_unfreed_paths() == 0, "every path from mapPath was given back with freePath "
                                     "(%d outstanding)",
          host_unfreed_paths());
}

/* The state as lilv saves it to disk and loads it back, with the directories jalv uses. */
static const void *no_port_value(const char *symbol, void *user, uint32_t *size, uint32_t *type)
{
    (void)symbol, (void)user;
    *size = 0;
    *type = 0;
    return NULL;
}

static void set_port_value(const char *symbol, void *user, const void *value, uint32_t size,
                           uint32_t type)
{
    take *t = user;
    if (size != sizeof(float) || type != host_map()->map(NULL, LV2_ATOM__Float)) return;
    if (strcmp(symbol, "temperature") == 0)
        host_set_control(t->h, SRNN_PORT_TEMPERATURE, *(const float *)value);
    if (strcmp(symbol, "gain") == 0) host_set_control(t->h, SRNN_PORT_GAIN, *(const float *)value);
}

static void test_lilv_state(void)
{
    LilvWorld *world = host_world();
    const char *gru = gru_model;
    take a, b;
    if (take_open(&a, SRNN_LV2_URI, 16000, WORKER_SYNC, 64)) return;
    host_send_model(a.h, gru);
    take_until(&a, model_notified, gru);
    const char *dir = temp_path("lilv-state"), *scratch = temp_path("lilv-scratch");
    LilvState *state = lilv_state_new_from_instance(host_plugin(a.h), host_instance(a.h),
                                                    host_map(), scratch, dir, dir, dir,
                                                    no_port_value, NULL, 0, NULL);
    int saved = state ? lilv_state_save(world, host_map(), host_unmap(), state, NULL, dir,
                                        "state.ttl")
                      : -1;
    lilv_state_free(state);
    take_close(&a);
    char file[600];
    snprintf(file, sizeof file, "%s/state.ttl", dir);
    LilvState *loaded = lilv_state_new_from_file(world, host_map(), NULL, file);
    if (take_open(&b, SRNN_LV2_URI, 16000, WORKER_SYNC, 64)) return;
    if (loaded) lilv_state_restore(loaded, host_instance(b.h), set_port_value, &b, 0, NULL);
    lilv_state_free(loaded);
    take_run(&b, 4000 / scale);
    float *expected = engine_render(gru, 0, 0.95f, NULL, b.length);
    double d = max_difference(b.left, expected, b.length);
    const char *restored = host_notified_model(b.h);
    size_t length = strlen(restored);
    int named = length > 12 && strcmp(restored + length - 12, "/gru16k.srnn") == 0;
    check(saved == 0 && loaded && named && d == 0.0 && access(gru, R_OK) == 0,
          "lilv state file round trip: the restored instance plays %s (max diff %g)", restored, d);
    free(expected);
    take_close(&b);
}

static void test_presets(void)
{
    LilvWorld *world = host_world();
    take t;
    if (take_open(&t, SRNN_LV2_URI, 16000, WORKER_SYNC, 64)) return;
    LilvNode *preset_class = lilv_new_uri(world, LV2_PRESETS__Preset);
    LilvNode *label_uri = lilv_new_uri(world, LILV_NS_RDFS "label");
    LilvNodes *presets = lilv_plugin_get_related(host_plugin(t.h), preset_class);
    size_t n = 4000 / scale;
    float calm = NAN, prism = NAN, wild = NAN;
    int count = 0;
    LILV_FOREACH (nodes, i, presets) {
        const LilvNode *preset = lilv_nodes_get(presets, i);
        lilv_world_load_resource(world, preset);
        LilvNode *label = lilv_world_get(world, preset, label_uri, NULL);
        LilvState *state = lilv_state_new_from_world(world, host_map(), preset);
        take p;
        if (!state || take_open(&p, SRNN_LV2_URI, 16000, WORKER_SYNC, 64)) continue;
        host_set_control(p.h, SRNN_PORT_TEMPERATURE, -1.0f);
        lilv_state_restore(state, host_instance(p.h), set_port_value, &p, 0, NULL);
        float temperature = host_control(p.h, SRNN_PORT_TEMPERATURE);
        float gain = srnn_lv2_db_to_gain(host_control(p.h, SRNN_PORT_GAIN));
        take_run(&p, n);
        float *expected = engine_render(default_model, 0, temperature, NULL, n);
        double worst = 0.0;
        for (size_t k = 0; k < n; k++) {
            double d = fabs(p.left[k] - expected[k] * gain);
            if (!(d <= worst)) worst = d;
        }
        const char *name = label ? lilv_node_as_string(label) : "?";
        check(strcmp(host_notified_model(p.h), default_model) == 0 &&
                  temperature >= SRNN_LV2_TEMPERATURE_MIN &&
                  temperature <= SRNN_LV2_TEMPERATURE_MAX && worst <= 1e-6,
              "preset \"%s\": the bundle's model at temperature %.2f, gain %.1f dB "
              "(max diff %g)",
              name, temperature, host_control(p.h, SRNN_PORT_GAIN), worst);
        if (strcmp(name, "Calm") == 0) calm = temperature;
        if (strcmp(name, "PRiSM default") == 0) prism = temperature;
        if (strcmp(name, "Wild") == 0) wild = temperature;
        count++;
        free(expected);
        take_close(&p);
        lilv_state_free(state);
        lilv_node_free(label);
    }
    check(count >= 3 && calm < prism && prism == SRNN_LV2_TEMPERATURE_DEFAULT && wild > prism,
          "%d presets, Calm (%.2f) < PRiSM default (%.2f) < Wild (%.2f)", count, calm, prism,
          wild);
    lilv_nodes_free(presets);
    lilv_node_free(label_uri);
    lilv_node_free(preset_class);
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

/* At host rates other than the model's, the output is the engine's voice resampled. Both the
 * output and the engine's voice put through an independent windowed-sinc resampler are
 * low-passed at 6 kHz (libsamplerate's and the reference's transition bands differ above),
 * then they must correlate closely at lag ~0, with the same level; a reference only 1% off in
 * rate (a sixth of a semitone) must not correlate. */
static void test_host_rates(void)
{
    const double rates[] = {44100, 48000, 96000}, cutoff = 6000;
    double seconds = 0.25 / (double)scale;
    size_t model_count = (size_t)(16000 * seconds) + 200;
    for (int r = 0; r < 3; r++) {
        double rate = rates[r];
        size_t n = (size_t)(rate * seconds);
        take t;
        if (take_open(&t, SRNN_LV2_STEREO_URI, rate, WORKER_SYNC, 64)) return;
        take_run(&t, n);
        float *filtered = malloc(n * sizeof *filtered), *reference = malloc(n * sizeof *reference);
        float *detuned = malloc(n * sizeof *detuned);
        for (uint32_t c = 0; c < 2; c++) {
            float *voice = engine_render(default_model, SRNN_LV2_SEED(0, c), 0.95f, NULL,
                                         model_count);
            sinc_resample(c ? t.right : t.left, n, rate, filtered, n, rate, cutoff);
            sinc_resample(voice, model_count, 16000, reference, n, rate, cutoff);
            sinc_resample(voice, model_count, 16000, detuned, n, rate * 1.01, cutoff);
            int lag = 0, detuned_lag = 0;
            double match = best_correlation(filtered, reference, n, 16, &lag);
            double off = best_correlation(filtered, detuned, n, 16, &detuned_lag);
            double level = rms(filtered, n) / rms(reference, n);
            check(match > 0.999 && abs(lag) <= 1 && off < 0.5 && level > 0.99 && level < 1.01,
                  "%.0f Hz host, channel %u: below 6 kHz, correlation with the engine "
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
    float out[256], temperature = 0.95f, gain = 0.0f, reseed = 0.0f;
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
    check(plugin && silent && host_log_errors(t.h) == logged + 1 && strstr(error, model),
          "a bundle with a broken default model instantiates, logs \"%.*s\", plays silence",
          (int)strcspn(error, "\n"), error);
    take_close(&t);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--quick") == 0) scale = 4;
    snprintf(temp_dir, sizeof temp_dir, "/tmp/srnn-lv2-test-XXXXXX");
    if (!mkdtemp(temp_dir) || !host_world() || make_models() != 0) {
        fprintf(stderr, "cannot set up the test (temporary directory, bundle or models)\n");
        return 1;
    }
    snprintf(default_model, sizeof default_model, "%s/srnn.lv2/%s", host_bundle_dir(),
             SRNN_LV2_DEFAULT_MODEL);

    test_description();
    test_missing_worker();
    test_default_model();
    test_block_sizes();
    test_temperature();
    test_gain();
    test_reseed(SRNN_LV2_URI, 1);
    test_reseed(SRNN_LV2_STEREO_URI, 2);
    test_host_rates();
    test_presets();
    test_lilv_state();
    test_broken_default();
    const worker_mode modes[] = {WORKER_SYNC, WORKER_THREADED};
    for (int m = 0; m < 2; m++) {
        test_swap(modes[m]);
        test_corrupt(modes[m]);
        test_state(modes[m]);
    }
    host_world_free();

    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", temp_dir);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", temp_dir);
    printf("%d failed\n", failures);
    return failures != 0;
}
