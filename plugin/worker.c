/* Loading and freeing models off the audio thread, through the host's worker (LV2 worker
 * extension, as eg-sampler does it).
 *
 *   run() or restore()  --LOAD path-->  work(): srnn_plugin_load
 *   work_response()  <--LOADED voices / FAILED text--
 *   run() (a model leaves the slots)  --FREE voices-->  work(): live_voices_free
 *
 * work() may run on another thread at the same time as run(), so it touches nothing of the
 * instance but its constants and the logger. */
#include <stddef.h>
#include <string.h>

#include "plugin.h"

bool srnn_plugin_schedule_load(LV2_Worker_Schedule *schedule, const char *path, uint32_t length,
                               float temperature, uint32_t reseeds)
{
    if (length >= SRNN_LV2_PATH_MAX) return false;
    load_message message;
    message.kind = MESSAGE_LOAD;
    message.temperature = temperature;
    message.reseeds = reseeds;
    memcpy(message.path, path, length);
    message.path[length] = '\0';
    uint32_t size = (uint32_t)offsetof(load_message, path) + length + 1;
    return schedule->schedule_work(schedule->handle, size, &message) == LV2_WORKER_SUCCESS;
}

void srnn_plugin_retire(srnn_plugin *self, live_voices *p)
{
    voices_message message = {MESSAGE_FREE, p};
    if (self->schedule->schedule_work(self->schedule->handle, sizeof message, &message) ==
        LV2_WORKER_SUCCESS)
        return;
    for (int i = 0; i < SRNN_LV2_RETIRED_MAX; i++) {
        if (!self->retired[i]) {
            self->retired[i] = p;
            return;
        }
    }
    /* The host's worker has refused several messages in a row: leaking the model is better
     * than freeing it on the audio thread. */
}

static LV2_Worker_Status load(srnn_plugin *self, LV2_Worker_Respond_Function respond,
                              LV2_Worker_Respond_Handle handle, uint32_t size, const void *data)
{
    const char *path = (const char *)data + offsetof(load_message, path);
    uint32_t path_size = size - (uint32_t)offsetof(load_message, path);
    if (size <= offsetof(load_message, path) || path[path_size - 1] != '\0') {
        lv2_log_error(&self->logger, "srnn: malformed load message\n");
        return LV2_WORKER_ERR_UNKNOWN;
    }
    live_voices *p;
    failure_message failure = {MESSAGE_FAILED, ""};
    load_message message; /* the fields before the path, copied: data may be unaligned */
    memcpy(&message, data, offsetof(load_message, path));
    if (srnn_plugin_load(self, path, message.reseeds, message.temperature, &p, failure.text) !=
        0) {
        lv2_log_error(&self->logger, "srnn: %s\n", failure.text);
        return respond(handle, sizeof failure, &failure);
    }
    lv2_log_trace(&self->logger, "srnn: loaded %s\n", path);
    srnn_plugin_log_speed(self, p);
    loaded_message loaded = {MESSAGE_LOADED, p, {0}};
    srnn_plugin_forge_card(self->map, p, self->voices, &loaded.card);
    LV2_Worker_Status status = respond(handle, sizeof loaded, &loaded);
    if (status != LV2_WORKER_SUCCESS) {
        lv2_log_error(&self->logger, "srnn: the host's worker refused the model %s\n", path);
        live_voices_free(p);
    }
    return status;
}

LV2_Worker_Status srnn_plugin_work(LV2_Handle instance, LV2_Worker_Respond_Function respond,
                                   LV2_Worker_Respond_Handle handle, uint32_t size,
                                   const void *data)
{
    srnn_plugin *self = instance;
    uint32_t kind = 0;
    if (size >= sizeof kind) memcpy(&kind, data, sizeof kind);
    if (kind == MESSAGE_LOAD) return load(self, respond, handle, size, data);
    if (kind == MESSAGE_FREE && size == sizeof(voices_message)) {
        voices_message message;
        memcpy(&message, data, sizeof message);
        live_voices_free(message.voices);
        return LV2_WORKER_SUCCESS;
    }
    lv2_log_error(&self->logger, "srnn: unknown worker message\n");
    return LV2_WORKER_ERR_UNKNOWN;
}

/* On the audio thread: a loaded model waits in `pending` for run() to fade it in; one that
 * was waiting already is dropped unheard. */
LV2_Worker_Status srnn_plugin_work_response(LV2_Handle instance, uint32_t size, const void *data)
{
    srnn_plugin *self = instance;
    uint32_t kind = 0;
    if (size >= sizeof kind) memcpy(&kind, data, sizeof kind);
    if (kind == MESSAGE_LOADED && size == sizeof(loaded_message)) {
        loaded_message message;
        memcpy(&message, data, sizeof message);
        if (self->pending) srnn_plugin_retire(self, self->pending);
        self->pending = message.voices;
        srnn_plugin_newest_model(self, message.voices, &message.card);
        return LV2_WORKER_SUCCESS;
    }
    if (kind == MESSAGE_FAILED && size == sizeof(failure_message)) {
        srnn_plugin_report_error(self, (const char *)data + offsetof(failure_message, text));
        return LV2_WORKER_SUCCESS;
    }
    return LV2_WORKER_ERR_UNKNOWN;
}
