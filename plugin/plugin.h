/* The LV2 plugin's instance, shared by its parts: plugin.c (life cycle and run), worker.c
 * (loading and freeing models off the audio thread) and state.c (saving and restoring the
 * model's path).
 *
 * Models move through three slots: `pending` (loaded by the worker, waiting), `current`
 * (playing) and `fading` (the previous current, fading out while the new one fades in).
 * A model leaving the slots is handed back to the worker to be freed. */
#ifndef SRNN_LV2_PLUGIN_H
#define SRNN_LV2_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>

#include <lv2/atom/forge.h>
#include <lv2/core/lv2.h>
#include <lv2/log/logger.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include "params.h"
#include "generator.h"
#include "published_path.h"
#include "uris.h"

#define SRNN_LV2_CHUNK 256 /* host samples rendered at a time */
#define SRNN_LV2_RETIRED_MAX 4  /* models waiting for the worker to take them */

typedef struct {
    /* host features */
    LV2_URID_Map *map;
    LV2_Worker_Schedule *schedule;
    LV2_Log_Logger logger;
    srnn_lv2_uris uris;
    LV2_Atom_Forge forge;

    /* ports */
    const LV2_Atom_Sequence *control;
    LV2_Atom_Sequence *notify;
    const float *temperature, *gain_db, *reseed;
    float *out[GENERATOR_MAX_CHANNELS];

    /* fixed at instantiation */
    double rate;
    uint32_t channels;
    float gain_coefficient;  /* one-pole at the host's rate */
    uint32_t crossfade_length; /* host samples */
    uint32_t declick_length;   /* host samples of each half of a reseed's dip */
    bool activated;

    /* models */
    generator *pending, *current, *fading;
    uint32_t fade_position; /* < crossfade_length while fading */
    bool fade_active;
    generator *retired[SRNN_LV2_RETIRED_MAX]; /* the worker's queue was full; retried each run */
    published_path path;                   /* the newest model's path, for state save */

    /* performance */
    float gain;            /* linear, smoothed; NAN until the first sample */
    float previous_reseed; /* the trigger's value in the last run, for its rising edge */
    uint32_t reseeds;
    uint32_t declick_position; /* within a reseed's 2 * declick_length; DECLICK_IDLE if none */

    /* notify port messages for the next run */
    bool announce_model;
    bool announce_error;
    char error_text[GENERATOR_ERROR_MAX];

    /* scratch */
    float fade_buffer[SRNN_LV2_CHUNK];
    float envelope[SRNN_LV2_CHUNK];
} srnn_plugin;

#define DECLICK_IDLE UINT32_MAX

/* Messages between run() and the worker. The first field is always the kind. */
enum { MESSAGE_LOAD = 1, MESSAGE_FREE, MESSAGE_LOADED, MESSAGE_FAILED };
typedef struct {
    uint32_t kind;
    char path[SRNN_LV2_PATH_MAX]; /* sent up to its NUL */
} load_message;
typedef struct {
    uint32_t kind;
    generator *generator;
} generator_message;
typedef struct {
    uint32_t kind;
    char text[GENERATOR_ERROR_MAX];
} failure_message;

/* worker.c */
LV2_Worker_Status srnn_plugin_work(LV2_Handle instance, LV2_Worker_Respond_Function respond,
                                   LV2_Worker_Respond_Handle handle, uint32_t size,
                                   const void *data);
LV2_Worker_Status srnn_plugin_work_response(LV2_Handle instance, uint32_t size, const void *data);
/* Asks a worker to load path; false when the path is too long or the worker refused. */
bool srnn_plugin_schedule_load(LV2_Worker_Schedule *schedule, const char *path, uint32_t length);
/* Hands a model to the worker to be freed. Real-time safe. */
void srnn_plugin_retire(srnn_plugin *self, generator *p);

/* state.c */
LV2_State_Status srnn_plugin_save(LV2_Handle instance, LV2_State_Store_Function store,
                                  LV2_State_Handle handle, uint32_t flags,
                                  const LV2_Feature *const *features);
LV2_State_Status srnn_plugin_restore(LV2_Handle instance, LV2_State_Retrieve_Function retrieve,
                                     LV2_State_Handle handle, uint32_t flags,
                                     const LV2_Feature *const *features);

/* plugin.c */
/* Makes p the only model, freeing the others at once: only while run() cannot be running. */
void srnn_plugin_install_now(srnn_plugin *self, generator *p);
/* Queues a message for the notify port. Real-time safe. */
void srnn_plugin_report_error(srnn_plugin *self, const char *text);

#endif
