/* The plugin tests' bench: a host that records everything it renders and the engine's own
 * output to compare it with. Checks are tests/check.h's. */
#ifndef SRNN_TEST_LV2_TAKE_H
#define SRNN_TEST_LV2_TAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../check.h"
#include "srnn.h"
#include "host.h"

/* Set by take_setup: renders are divided by take_scale (4 with --quick, for valgrind); the
 * bundle's default model; a temporary directory, removed by take_finish. */
extern size_t take_scale;

/* The long level checks (presets over ten seconds, the temperature range) run a quarter of
 * their length where memory is checked (the ASan/UBSan build, whose engine is several times
 * slower, and --quick under valgrind); the plain build checks the levels at full length. Set
 * by take_setup. */
extern size_t take_level_divisor;

/* --quick (valgrind, where the engine runs some 50 times slower): checks that repeat one code
 * path over several values (host rates, temperatures) take fewer of them; the plain and ASan
 * builds run them all. Set by take_setup. */
extern bool take_quick;
extern char take_default_model[1200], take_temp_dir[256];

/* Parses the arguments, makes the temporary directory, loads the lilv world; 0 on success. */
int take_setup(int argc, char **argv);
/* Frees the world, removes the temporary directory, and returns check_summary(). */
int take_finish(void);

/* A path in the temporary directory (one of 8 rotating buffers). */
const char *temp_path(const char *name);
int write_file(const char *path, const void *data, size_t size);

/* count samples of model at seed, each at temperatures[i] (or temperature if NULL), from the
 * model's primer and started again from it after silence, by the rules of live/primer.h. */
float *engine_render(const char *path, uint64_t seed, float temperature,
                     const float *temperatures, size_t count);
/* The configuration of the model at path; all zeros when it cannot be loaded. */
srnn_config model_config(const char *path);
double rms(const float *x, size_t count);
float peak_abs(const float *x, size_t count); /* the largest |x[i]| */
int all_finite_within(const float *x, size_t count, float bound);

typedef struct {
    host *h;
    float *left, *right;
    size_t length, capacity;
    uint32_t block;
    worker_mode mode;
    size_t model_notified_at; /* the sample where the run that notified the model began */
} take;

int take_open(take *t, const char *uri, double rate, worker_mode mode, uint32_t block);
void take_close(take *t);
/* Closes t and hands over its left channel (the caller frees it): a mono plugin's render. */
float *take_close_keeping_left(take *t);
void take_run_block(take *t, uint32_t count);
void take_run(take *t, size_t samples);
/* Runs blocks until done(): with a threaded worker, first freely (the worker racing run()),
 * then waiting for it between blocks. */
int take_until(take *t, int (*done)(const take *, const void *), const void *arg);
int model_notified(const take *t, const void *path);
/* lilv_state_restore's port callback (user: the take): a float value sets the control port of
 * that symbol. */
void take_set_port_value(const char *symbol, void *user, const void *value, uint32_t size,
                         uint32_t type);
int errors_notified(const take *t, const void *count);

/* Opens a take of the plugin at uri (rate, a synchronous worker, blocks of block) for each of
 * its presets, applies the preset, and calls play with the take and the preset's label; then
 * closes it. The number of presets applied; a preset that cannot be applied fails a check. */
int take_each_preset(const char *uri, double rate, uint32_t block,
                     void (*play)(take *t, const char *name, void *arg), void *arg);

#endif
