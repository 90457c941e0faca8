/* A small LV2 host on lilv for the plugin's tests: it loads the bundle $BUILD/lv2/srnn.lv2,
 * provides urid map/unmap, log, worker (synchronous, threaded, or deferred for the real-time
 * test), buffer-size options and state mapPath/freePath, runs the plugin in blocks, sends it
 * patch messages and reads what it notifies. */
#ifndef SRNN_TEST_LV2_HOST_H
#define SRNN_TEST_LV2_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/core/lv2.h>
#include <lv2/urid/urid.h>

#define HOST_MAX_BLOCK 4096
#define HOST_TEXT_MAX 2048

typedef enum {
    WORKER_SYNC,     /* work() runs inside schedule_work, as hosts do when freewheeling */
    WORKER_THREADED, /* work() runs on the host's worker thread, as in jalv */
    WORKER_DEFERRED, /* work() runs when the test calls host_do_deferred_work(), unarmed */
} worker_mode;

const char *worker_mode_name(worker_mode mode);

/* The lilv world with the bundle, shared by every host; NULL (and a message) on failure. */
LilvWorld *host_world(void);
/* The plugin of the bundle with that URI, or NULL. */
const LilvPlugin *host_find_plugin(const char *uri);
/* The directory holding the bundle (the test's LV2_PATH). */
const char *host_bundle_dir(void);
LV2_URID_Map *host_map(void);
LV2_URID_Unmap *host_unmap(void);
void host_world_free(void);

typedef struct host host;

typedef struct {
    const char *plugin_uri; /* SRNN_LV2_URI, SRNN_LV2_STEREO_URI, SRNN_LV2_INSTRUMENT_URI or
                               SRNN_LV2_CONTINUATION_URI */
    double rate;
    worker_mode worker;
    bool without_worker; /* omit the worker feature (instantiation must fail) */
} host_options;

/* Instantiates and activates the plugin, ports at their defaults; NULL if that failed. */
host *host_open(const host_options *options);
void host_close(host *h);

const LilvPlugin *host_plugin(const host *h);
LilvInstance *host_instance(host *h);
/* The features the plugin was instantiated with (map, unmap, log, options, worker...). */
const LV2_Feature *const *host_features(const host *h);

void host_set_control(host *h, uint32_t port, float value);
float host_control(const host *h, uint32_t port);

/* Messages for the next run: patch:Set of the model to path, or to a value of another type
 * (an int), and patch:Get. */
void host_send_model(host *h, const char *path);
void host_send_model_int(host *h, int32_t value);
void host_send_get(host *h);
/* A MIDI message (three bytes: a note or a controller) for the next run, at its sample frame;
 * send them in time order. */
void host_send_midi(host *h, uint32_t frame, uint8_t status, uint8_t data1, uint8_t data2);
/* Any message for the next run (a GUI's, as the host forwards it). */
void host_send_atom(host *h, const LV2_Atom *atom);

/* The audio input of the next runs (the continuation effect's): count (<= HOST_MAX_BLOCK)
 * samples, then silence; silence until set. */
void host_set_input(host *h, const float *input, uint32_t count);

/* Runs count (<= HOST_MAX_BLOCK) samples and copies them to left and right (either may be
 * NULL), then hands the worker's responses to work_response. */
void host_run(host *h, uint32_t count, float *left, float *right);

/* Runs blocks of block samples until total samples are written to left/right. */
void host_render(host *h, uint32_t total, uint32_t block, float *left, float *right);

/* The floating-point mode (engine/denormals.h) the plugin's thread had when it last called
 * schedule_work: inside run(), where denormals must be flushed. */
uint64_t host_fp_mode_in_schedule(const host *h);

/* Threaded worker: waits until it has nothing left to do (at most ten seconds). */
bool host_wait_worker(host *h);
/* Deferred worker: runs the work scheduled so far; responses go out after the next run. */
void host_do_deferred_work(host *h);

/* What the notify port said so far: the last model path and error text ("" once cleared), and
 * how many times (errors: how many were not ""). */
const char *host_notified_model(const host *h);
const char *host_notified_error(const host *h);
/* The last speed line (SRNN_LV2_SPEED_URI): the newest model's real-time factor here. */
const char *host_notified_speed(const host *h);
uint32_t host_model_notifications(const host *h);
/* The output's level frames the plugin posted for its GUI (plugin/ui_feed.h). */
uint32_t host_level_frames(const host *h);
/* The last model card the plugin posted (plugin/model_card.h), NULL before one; how many. */
const LV2_Atom_Object *host_notified_card(const host *h);
uint32_t host_card_notifications(const host *h);
/* The notify port's sequence of the last run, for a GUI (valid until the next run). */
const LV2_Atom_Sequence *host_notify(const host *h);
uint32_t host_error_notifications(const host *h);
uint32_t host_runs(const host *h);
/* The run in which the notify port first reported the model it reports now. */
uint32_t host_model_notified_at(const host *h);

/* What the plugin logged: errors, and the text of the last one. */
uint32_t host_log_errors(const host *h);
const char *host_last_log_error(const host *h);
/* Warnings logged, and the text of the last note or warning. */
uint32_t host_log_warnings(const host *h);
const char *host_last_log_note(const host *h);
/* Log calls while host_armed is set (the real-time test). */
uint32_t host_log_calls_armed(const host *h);
extern volatile int host_armed;

/* State through the plugin's own interface, with the host's mapPath (paths under dir are
 * saved relative to it) and freePath (counted). */
typedef struct {
    char key[256];
    char value[HOST_TEXT_MAX];
    uint32_t size, type, flags;
    bool present;
} host_state;
int host_save_state(host *h, const char *dir, host_state *state);
/* with_worker: pass the worker feature (a restore that may run beside run()). */
int host_restore_state(host *h, const char *dir, const host_state *state, bool with_worker);
/* freePath calls minus the strings mapPath handed out: 0 when the plugin gave all back. */
int host_unfreed_paths(void);

#endif
