/* The plugin tests' bench (take.h). */
#include "take.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lv2/presets/presets.h>

#include "params.h"
#include "primer.h"
#include "srnn.h"

size_t take_scale = 1;
#if defined(__SANITIZE_ADDRESS__)
size_t take_level_divisor = 4;
#else
size_t take_level_divisor = 1;
#endif
bool take_quick = false;
char take_default_model[1200], take_temp_dir[256];

int take_setup(int argc, char **argv)
{
    take_quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    if (take_quick) take_scale = take_level_divisor = 4;
    snprintf(take_temp_dir, sizeof take_temp_dir, "/tmp/srnn-lv2-test-XXXXXX");
    if (!mkdtemp(take_temp_dir) || !host_world()) {
        fprintf(stderr, "cannot set up the test (temporary directory or bundle)\n");
        return -1;
    }
    snprintf(take_default_model, sizeof take_default_model, "%s/srnn.lv2/%s",
             host_bundle_dir(), SRNN_LV2_DEFAULT_MODEL);
    return 0;
}

int take_finish(void)
{
    host_world_free();
    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", take_temp_dir);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", take_temp_dir);
    return check_summary();
}

const char *temp_path(const char *name)
{
    static char paths[8][512];
    static int next;
    char *path = paths[next++ % 8];
    snprintf(path, sizeof paths[0], "%s/%s", take_temp_dir, name);
    return path;
}

int write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t written = fwrite(data, 1, size, f);
    return fclose(f) == 0 && written == size ? 0 : -1;
}

/* ---- the engine's own output ---------------------------------------------------------------- */

float *engine_render(const char *path, uint64_t seed, float temperature,
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
    live_primer primer;
    if (live_primer_read(model, &primer, error) != 0) {
        fprintf(stderr, "%s: %s\n", path, error);
        srnn_model_free(model);
        return out;
    }
    if (srnn_voice_create(model, seed, &voice) == SRNN_OK) {
        live_silence silence;
        live_silence_init(&silence, srnn_model_config(model)->sample_rate);
        const int32_t *frame = live_primer_frame(&primer, seed, 0);
        if (frame) srnn_voice_prime(voice, frame, primer.big_frame);
        uint32_t restarts = 0;
        for (size_t i = 0; i < count; i++) {
            srnn_voice_generate(voice, temperatures ? temperatures[i] : temperature, out + i,
                                NULL, 1);
            if (live_silence_update(&silence, out[i]) && primer.samples)
                srnn_voice_prime(voice, live_primer_frame(&primer, seed, ++restarts),
                                 primer.big_frame);
        }
        srnn_voice_free(voice);
    }
    live_primer_free(&primer);
    srnn_model_free(model);
    return out;
}

srnn_config model_config(const char *path)
{
    srnn_config config = {0};
    srnn_model *model;
    char error[SRNN_ERROR_MAX];
    if (srnn_model_load(path, &model, error) != SRNN_OK) return config;
    config = *srnn_model_config(model);
    srnn_model_free(model);
    return config;
}

double rms(const float *x, size_t count)
{
    double sum = 0.0;
    for (size_t i = 0; i < count; i++) sum += (double)x[i] * x[i];
    return count ? sqrt(sum / (double)count) : 0.0;
}

float peak_abs(const float *x, size_t count)
{
    float p = 0.0f;
    for (size_t i = 0; i < count; i++) p = fmaxf(p, fabsf(x[i]));
    return p;
}

int all_finite_within(const float *x, size_t count, float bound)
{
    for (size_t i = 0; i < count; i++)
        if (!isfinite(x[i]) || fabsf(x[i]) > bound) return 0;
    return 1;
}

/* ---- a host recording everything it renders ------------------------------------------------- */


int take_open(take *t, const char *uri, double rate, worker_mode mode, uint32_t block)
{
    memset(t, 0, sizeof *t);
    host_options options = {uri, rate, mode, false};
    t->h = host_open(&options);
    t->block = block;
    t->mode = mode;
    return t->h ? 0 : -1;
}

void take_close(take *t)
{
    host_close(t->h);
    free(t->left);
    free(t->right);
}

float *take_close_keeping_left(take *t)
{
    float *left = t->left;
    t->left = NULL;
    take_close(t);
    return left;
}

void take_run_block(take *t, uint32_t count)
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

void take_run(take *t, size_t samples)
{
    for (size_t done = 0; done < samples; done += t->block)
        take_run_block(t, samples - done < t->block ? (uint32_t)(samples - done) : t->block);
}

int take_until(take *t, int (*done)(const take *, const void *), const void *arg)
{
    for (int i = 0; i < 4000; i++) {
        if (done(t, arg)) return 1;
        if (t->mode == WORKER_THREADED && i >= 50) host_wait_worker(t->h);
        take_run_block(t, t->block);
    }
    return done(t, arg);
}

int model_notified(const take *t, const void *path)
{
    return strcmp(host_notified_model(t->h), path) == 0;
}

int errors_notified(const take *t, const void *count)
{
    return host_error_notifications(t->h) >= *(const uint32_t *)count;
}


void take_set_port_value(const char *symbol, void *user, const void *value, uint32_t size,
                         uint32_t type)
{
    take *t = user;
    if (size != sizeof(float) || type != host_map()->map(NULL, LV2_ATOM__Float)) return;
    LilvNode *name = lilv_new_string(host_world(), symbol);
    const LilvPort *port = lilv_plugin_get_port_by_symbol(host_plugin(t->h), name);
    lilv_node_free(name);
    if (port) host_set_control(t->h, lilv_port_get_index(host_plugin(t->h), port),
                               *(const float *)value);
}

int take_each_preset(const char *uri, double rate, uint32_t block,
                     void (*play)(take *t, const char *name, void *arg), void *arg)
{
    LilvWorld *world = host_world();
    const LilvPlugin *plugin = host_find_plugin(uri);
    LilvNode *preset_class = lilv_new_uri(world, LV2_PRESETS__Preset);
    LilvNode *label_uri = lilv_new_uri(world, LILV_NS_RDFS "label");
    LilvNodes *presets = plugin ? lilv_plugin_get_related(plugin, preset_class) : NULL;
    int count = 0;
    LILV_FOREACH (nodes, i, presets) {
        const LilvNode *preset = lilv_nodes_get(presets, i);
        lilv_world_load_resource(world, preset);
        LilvNode *label = lilv_world_get(world, preset, label_uri, NULL);
        const char *name = label ? lilv_node_as_string(label) : "?";
        LilvState *state = lilv_state_new_from_world(world, host_map(), preset);
        take t;
        if (CHECK(state && take_open(&t, uri, rate, WORKER_SYNC, block) == 0,
                  "preset \"%s\": cannot apply it", name)) {
            lilv_state_restore(state, host_instance(t.h), take_set_port_value, &t, 0, NULL);
            play(&t, name, arg);
            count++;
            take_close(&t);
        }
        lilv_state_free(state);
        lilv_node_free(label);
    }
    lilv_nodes_free(presets);
    lilv_node_free(label_uri);
    lilv_node_free(preset_class);
    return count;
}
