/* Saving and restoring the model's path (LV2 state extension). The path goes through the
 * host's mapPath, so a session can move or bundle its files, and strings the host returns
 * are given back with its freePath. The knobs are ports: hosts save those themselves. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lv2/core/lv2_util.h>

#include "plugin.h"

static void free_host_path(const LV2_Feature *const *features, char *path)
{
    LV2_State_Free_Path *free_path = lv2_features_data(features, LV2_STATE__freePath);
    if (free_path) free_path->free_path(free_path->handle, path);
    else free(path);
}

LV2_State_Status srnn_plugin_save(LV2_Handle instance, LV2_State_Store_Function store,
                                  LV2_State_Handle handle, uint32_t flags,
                                  const LV2_Feature *const *features)
{
    (void)flags;
    srnn_plugin *self = instance;
    char path[SRNN_LV2_PATH_MAX];
    if (!published_path_read(&self->path, path)) return LV2_STATE_ERR_UNKNOWN;
    if (!*path) return LV2_STATE_SUCCESS; /* no model: nothing to save */

    LV2_State_Map_Path *map_path = lv2_features_data(features, LV2_STATE__mapPath);
    char *abstract = map_path ? map_path->abstract_path(map_path->handle, path) : NULL;
    const char *saved = abstract ? abstract : path;
    LV2_State_Status status = store(handle, self->uris.model, saved, strlen(saved) + 1,
                                    self->uris.atom_Path,
                                    LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
    if (abstract) free_host_path(features, abstract);
    return status;
}

LV2_State_Status srnn_plugin_restore(LV2_Handle instance, LV2_State_Retrieve_Function retrieve,
                                     LV2_State_Handle handle, uint32_t flags,
                                     const LV2_Feature *const *features)
{
    (void)flags;
    srnn_plugin *self = instance;
    size_t size = 0;
    uint32_t type = 0, value_flags = 0;
    const char *saved = retrieve(handle, self->uris.model, &size, &type, &value_flags);
    if (!saved) return LV2_STATE_ERR_NO_PROPERTY; /* keep the model playing */
    if (type != self->uris.atom_Path || size == 0 || saved[0] == '\0') {
        lv2_log_error(&self->logger, "srnn: the saved model is not a path\n");
        return LV2_STATE_ERR_BAD_TYPE;
    }
    /* lilv's size counts the terminating NUL, Carla's (2.5) does not: read at most size bytes
     * up to a NUL, and terminate the copy here. */
    char value[SRNN_LV2_PATH_MAX];
    size_t length = strnlen(saved, size);
    if (length >= sizeof value) {
        lv2_log_error(&self->logger, "srnn: the saved model's path is longer than %d bytes\n",
                      SRNN_LV2_PATH_MAX - 1);
        return LV2_STATE_ERR_BAD_TYPE;
    }
    memcpy(value, saved, length);
    value[length] = '\0';

    LV2_State_Map_Path *map_path = lv2_features_data(features, LV2_STATE__mapPath);
    char *absolute = map_path ? map_path->absolute_path(map_path->handle, value) : NULL;
    const char *path = absolute ? absolute : value;

    /* A host that may restore while run() runs passes its worker: load there, and run()
     * fades the model in. Otherwise run() is not running, and the swap can happen here. */
    LV2_Worker_Schedule *schedule = lv2_features_data(features, LV2_WORKER__schedule);
    LV2_State_Status status = LV2_STATE_SUCCESS;
    if (schedule && self->activated) {
        /* run() alone reads the knob and the reseeds: the crossfade is generated at the
         * default temperature, for the first seeds (run() resets it if they moved on) */
        if (!srnn_plugin_schedule_load(schedule, path, (uint32_t)strlen(path),
                                       SRNN_LV2_TEMPERATURE_DEFAULT, 0)) {
            lv2_log_error(&self->logger, "srnn: cannot ask the worker to load %s\n", path);
            status = LV2_STATE_ERR_UNKNOWN;
        }
    } else {
        live_voices *p;
        char error[LIVE_ERROR_MAX];
        if (srnn_plugin_load(self, path, 0, NAN, &p, error) == 0) {
            srnn_plugin_install_now(self, p);
        } else {
            lv2_log_error(&self->logger, "srnn: %s\n", error);
            srnn_plugin_report_error(self, error);
            status = LV2_STATE_ERR_UNKNOWN;
        }
    }
    if (absolute) free_host_path(features, absolute);
    return status;
}
