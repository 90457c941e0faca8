/* A small LV2 host on lilv for the plugin's tests (host.h). */
#include "host.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/log/log.h>
#include <lv2/midi/midi.h>
#include <lv2/options/options.h>
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>
#include <lv2/worker/worker.h>

#include "denormals.h"
#include "model_card.h"
#include "params.h"
#include "ui_feed.h"

volatile int host_armed;

const char *worker_mode_name(worker_mode mode)
{
    return mode == WORKER_SYNC ? "synchronous" : mode == WORKER_THREADED ? "threaded" : "deferred";
}

/* ---- world and URIDs, shared by every host ---------------------------------------------- */

static LilvWorld *world;
static char bundle_dir[1024];

#define URIS_MAX 256
static char *uris[URIS_MAX + 1]; /* URID i is uris[i]; 0 is no URID */
static uint32_t uri_count;
static pthread_mutex_t uri_lock = PTHREAD_MUTEX_INITIALIZER;

static LV2_URID map_uri(LV2_URID_Map_Handle handle, const char *uri)
{
    (void)handle;
    pthread_mutex_lock(&uri_lock);
    LV2_URID id = 0;
    for (uint32_t i = 1; i <= uri_count && !id; i++)
        if (strcmp(uris[i], uri) == 0) id = i;
    if (!id && uri_count < URIS_MAX && (uris[uri_count + 1] = strdup(uri))) id = ++uri_count;
    pthread_mutex_unlock(&uri_lock);
    return id;
}

static const char *unmap_uri(LV2_URID_Unmap_Handle handle, LV2_URID id)
{
    (void)handle;
    pthread_mutex_lock(&uri_lock);
    const char *uri = id >= 1 && id <= uri_count ? uris[id] : NULL;
    pthread_mutex_unlock(&uri_lock);
    return uri;
}

static LV2_URID_Map map = {NULL, map_uri};
static LV2_URID_Unmap unmap = {NULL, unmap_uri};
LV2_URID_Map *host_map(void) { return &map; }
LV2_URID_Unmap *host_unmap(void) { return &unmap; }

const char *host_bundle_dir(void) { return bundle_dir; }

LilvWorld *host_world(void)
{
    if (world) return world;
    const char *build = getenv("BUILD");
    snprintf(bundle_dir, sizeof bundle_dir, "%s/lv2", build && *build ? build : "build");
    char *absolute = realpath(bundle_dir, NULL);
    if (!absolute) {
        fprintf(stderr, "no plugin bundle in %s: run make plugin\n", bundle_dir);
        return NULL;
    }
    snprintf(bundle_dir, sizeof bundle_dir, "%s", absolute);
    free(absolute);
    /* only this bundle and the LV2 specifications, whatever else is installed */
    char path[1200];
    snprintf(path, sizeof path, "%s:/usr/lib/lv2", bundle_dir);
    setenv("LV2_PATH", path, 1);
    world = lilv_world_new();
    lilv_world_load_all(world);
    return world;
}

const LilvPlugin *host_find_plugin(const char *uri)
{
    LilvWorld *w = host_world();
    if (!w) return NULL;
    LilvNode *node = lilv_new_uri(w, uri);
    const LilvPlugin *plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(w), node);
    lilv_node_free(node);
    return plugin;
}

void host_world_free(void)
{
    if (world) lilv_world_free(world);
    world = NULL;
    for (uint32_t i = 1; i <= uri_count; i++) free(uris[i]);
    uri_count = 0;
}

/* ---- message queues for the worker --------------------------------------------------------- */

#define QUEUE_BYTES (1u << 16)
typedef struct {
    uint8_t data[QUEUE_BYTES];
    uint32_t head, tail;
} message_queue;

static bool queue_push(message_queue *q, uint32_t size, const void *data)
{
    uint32_t padded = (size + 7u) & ~7u;
    if (q->tail + 8 + padded > QUEUE_BYTES) return false;
    memcpy(q->data + q->tail, &size, sizeof size);
    memcpy(q->data + q->tail + 8, data, size);
    q->tail += 8 + padded;
    return true;
}

/* Copies the oldest message to out (8-aligned, QUEUE_BYTES at most); false when empty. */
static bool queue_pop(message_queue *q, uint32_t *size, void *out)
{
    if (q->head == q->tail) return false;
    memcpy(size, q->data + q->head, sizeof *size);
    memcpy(out, q->data + q->head + 8, *size);
    q->head += 8 + ((*size + 7u) & ~7u);
    if (q->head == q->tail) q->head = q->tail = 0;
    return true;
}

/* ---- the host ------------------------------------------------------------------------------ */

#define ATOM_BUFFER_BYTES 16384
typedef union {
    LV2_Atom_Sequence sequence;
    uint64_t align[ATOM_BUFFER_BYTES / 8];
} atom_buffer;

struct host {
    host_options options;
    const LilvPlugin *plugin;
    LilvInstance *instance;
    const LV2_Worker_Interface *worker;
    uint32_t ports;
    bool stereo; /* two audio outputs */
    float controls[SRNN_PORT_COUNT_MAX];
    float audio[2][HOST_MAX_BLOCK];
    float input[HOST_MAX_BLOCK]; /* the continuation effect's audio input */
    atom_buffer control, notify;
    LV2_Atom_Forge forge;
    LV2_Atom_Forge_Frame control_frame;
    LV2_URID midi_MidiEvent, atom_Chunk, atom_Int, atom_Path, atom_Sequence, atom_String, patch_Set,
        patch_property, patch_value, model_uri, error_uri, speed_uri, levels, log_Error, log_Note,
        log_Warning, card;

    /* worker */
    LV2_Worker_Schedule schedule;
    message_queue requests, responses;
    uint64_t message[QUEUE_BYTES / 8];        /* a request or response being handled */
    uint64_t thread_message[QUEUE_BYTES / 8]; /* the worker thread's request */
    pthread_t thread;
    bool thread_started, busy, quit;
    pthread_mutex_t lock;
    pthread_cond_t wake, idle;

    uint64_t fp_mode_in_schedule;

    /* log */
    LV2_Log_Log log;
    uint32_t log_errors, log_warnings, log_calls_armed;
    char last_log_error[HOST_TEXT_MAX], last_log_note[HOST_TEXT_MAX];

    /* options and features */
    int32_t block_min, block_max, block_nominal, sequence_size;
    LV2_Options_Option option_list[5];
    LV2_Feature map_feature, unmap_feature, log_feature, schedule_feature, options_feature,
        bounded_feature;
    const LV2_Feature *features[7];

    /* what the notify port said */
    char notified_model[HOST_TEXT_MAX], notified_error[HOST_TEXT_MAX],
        notified_speed[HOST_TEXT_MAX];
    uint32_t model_notifications, error_notifications, runs, model_notified_at, level_frames;
    model_card notified_card; /* the last card (plugin/model_card.h) */
    uint32_t card_notifications;
};

static int log_vprintf(LV2_Log_Handle handle, LV2_URID type, const char *format, va_list args)
{
    host *h = handle;
    if (host_armed) h->log_calls_armed++;
    char text[HOST_TEXT_MAX];
    vsnprintf(text, sizeof text, format, args);
    if (type == h->log_Error) {
        h->log_errors++;
        snprintf(h->last_log_error, sizeof h->last_log_error, "%s", text);
        fprintf(stderr, "    plugin logged: %s", text);
    } else if (type == h->log_Note || type == h->log_Warning) {
        h->log_warnings += type == h->log_Warning;
        snprintf(h->last_log_note, sizeof h->last_log_note, "%s", text);
    }
    return (int)strlen(text);
}

static int log_printf(LV2_Log_Handle handle, LV2_URID type, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = log_vprintf(handle, type, format, args);
    va_end(args);
    return n;
}

static LV2_Worker_Status respond(LV2_Worker_Respond_Handle handle, uint32_t size, const void *data)
{
    host *h = handle;
    bool threaded = h->options.worker == WORKER_THREADED;
    if (threaded) pthread_mutex_lock(&h->lock);
    bool pushed = queue_push(&h->responses, size, data);
    if (threaded) pthread_mutex_unlock(&h->lock);
    return pushed ? LV2_WORKER_SUCCESS : LV2_WORKER_ERR_NO_SPACE;
}

static LV2_Worker_Status schedule_work(LV2_Worker_Schedule_Handle handle, uint32_t size,
                                       const void *data)
{
    host *h = handle;
    srnn_fp_mode mode = srnn_flush_denormals(); /* reads the mode, and puts it back */
    srnn_restore_fp_mode(mode);
    h->fp_mode_in_schedule = (uint64_t)mode;
    switch (h->options.worker) {
    case WORKER_SYNC: {
        uint64_t copy[QUEUE_BYTES / 8]; /* work() may schedule again; data must stay put */
        if (size > sizeof copy) return LV2_WORKER_ERR_NO_SPACE;
        memcpy(copy, data, size);
        return h->worker->work(lilv_instance_get_handle(h->instance), respond, h, size, copy);
    }
    case WORKER_THREADED: {
        pthread_mutex_lock(&h->lock);
        bool pushed = queue_push(&h->requests, size, data);
        pthread_cond_signal(&h->wake);
        pthread_mutex_unlock(&h->lock);
        return pushed ? LV2_WORKER_SUCCESS : LV2_WORKER_ERR_NO_SPACE;
    }
    case WORKER_DEFERRED:
        return queue_push(&h->requests, size, data) ? LV2_WORKER_SUCCESS
                                                     : LV2_WORKER_ERR_NO_SPACE;
    }
    return LV2_WORKER_ERR_UNKNOWN;
}

static void *worker_thread(void *arg)
{
    host *h = arg;
    uint64_t *message = h->thread_message;
    pthread_mutex_lock(&h->lock);
    for (;;) {
        uint32_t size;
        while (!h->quit && !queue_pop(&h->requests, &size, message)) {
            h->busy = false;
            pthread_cond_broadcast(&h->idle);
            pthread_cond_wait(&h->wake, &h->lock);
        }
        if (h->quit) break;
        h->busy = true;
        pthread_mutex_unlock(&h->lock);
        h->worker->work(lilv_instance_get_handle(h->instance), respond, h, size, message);
        pthread_mutex_lock(&h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

bool host_wait_worker(host *h)
{
    if (h->options.worker != WORKER_THREADED) return true;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&h->lock);
    int status = 0;
    while ((h->busy || h->requests.head != h->requests.tail) && status == 0)
        status = pthread_cond_timedwait(&h->idle, &h->lock, &deadline);
    pthread_mutex_unlock(&h->lock);
    return status == 0;
}

void host_do_deferred_work(host *h)
{
    uint32_t size;
    while (queue_pop(&h->requests, &size, h->message))
        h->worker->work(lilv_instance_get_handle(h->instance), respond, h, size, h->message);
}

static void deliver_responses(host *h)
{
    bool threaded = h->options.worker == WORKER_THREADED;
    LV2_Handle handle = lilv_instance_get_handle(h->instance);
    for (;;) {
        uint32_t size;
        if (threaded) pthread_mutex_lock(&h->lock);
        bool popped = queue_pop(&h->responses, &size, h->message);
        if (threaded) pthread_mutex_unlock(&h->lock);
        if (!popped) break;
        h->worker->work_response(handle, size, h->message);
    }
    if (h->worker->end_run) h->worker->end_run(handle);
}

static void start_control_sequence(host *h)
{
    lv2_atom_forge_set_buffer(&h->forge, (uint8_t *)&h->control, sizeof h->control);
    lv2_atom_forge_sequence_head(&h->forge, &h->control_frame, 0);
}

static void map_host_uris(host *h)
{
    h->atom_Chunk = map.map(NULL, LV2_ATOM__Chunk);
    h->midi_MidiEvent = map.map(NULL, LV2_MIDI__MidiEvent);
    h->atom_Int = map.map(NULL, LV2_ATOM__Int);
    h->atom_Path = map.map(NULL, LV2_ATOM__Path);
    h->atom_Sequence = map.map(NULL, LV2_ATOM__Sequence);
    h->atom_String = map.map(NULL, LV2_ATOM__String);
    h->patch_Set = map.map(NULL, LV2_PATCH__Set);
    h->patch_property = map.map(NULL, LV2_PATCH__property);
    h->patch_value = map.map(NULL, LV2_PATCH__value);
    h->model_uri = map.map(NULL, SRNN_LV2_MODEL_URI);
    h->error_uri = map.map(NULL, SRNN_LV2_ERROR_URI);
    h->speed_uri = map.map(NULL, SRNN_LV2_SPEED_URI);
    h->levels = map.map(NULL, SRNN_LV2_LEVELS_URI);
    h->card = map.map(NULL, SRNN_LV2_CARD_URI);
    h->log_Error = map.map(NULL, LV2_LOG__Error);
    h->log_Note = map.map(NULL, LV2_LOG__Note);
    h->log_Warning = map.map(NULL, LV2_LOG__Warning);
}

static void set_up_features(host *h)
{
    h->map_feature = (LV2_Feature){LV2_URID__map, &map};
    h->unmap_feature = (LV2_Feature){LV2_URID__unmap, &unmap};
    h->log = (LV2_Log_Log){h, log_printf, log_vprintf};
    h->log_feature = (LV2_Feature){LV2_LOG__log, &h->log};
    h->schedule = (LV2_Worker_Schedule){h, schedule_work};
    h->schedule_feature = (LV2_Feature){LV2_WORKER__schedule, &h->schedule};
    h->block_min = 1;
    h->block_max = HOST_MAX_BLOCK;
    h->block_nominal = 64;
    h->sequence_size = ATOM_BUFFER_BYTES;
    LV2_URID atom_Int = h->atom_Int;
    h->option_list[0] = (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0,
                                             map.map(NULL, LV2_BUF_SIZE__minBlockLength),
                                             sizeof(int32_t), atom_Int, &h->block_min};
    h->option_list[1] = (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0,
                                             map.map(NULL, LV2_BUF_SIZE__maxBlockLength),
                                             sizeof(int32_t), atom_Int, &h->block_max};
    h->option_list[2] = (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0,
                                             map.map(NULL, LV2_BUF_SIZE__nominalBlockLength),
                                             sizeof(int32_t), atom_Int, &h->block_nominal};
    h->option_list[3] = (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0,
                                             map.map(NULL, LV2_BUF_SIZE__sequenceSize),
                                             sizeof(int32_t), atom_Int, &h->sequence_size};
    h->option_list[4] = (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, NULL};
    h->options_feature = (LV2_Feature){LV2_OPTIONS__options, h->option_list};
    h->bounded_feature = (LV2_Feature){LV2_BUF_SIZE__boundedBlockLength, NULL};
    int n = 0;
    h->features[n++] = &h->map_feature;
    h->features[n++] = &h->unmap_feature;
    h->features[n++] = &h->log_feature;
    h->features[n++] = &h->options_feature;
    h->features[n++] = &h->bounded_feature;
    if (!h->options.without_worker) h->features[n++] = &h->schedule_feature;
    h->features[n] = NULL;
}

host *host_open(const host_options *options)
{
    LilvWorld *w = host_world();
    if (!w) return NULL;
    host *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->options = *options;
    h->plugin = host_find_plugin(options->plugin_uri);
    if (!h->plugin) {
        fprintf(stderr, "plugin %s is not in %s\n", options->plugin_uri, bundle_dir);
        free(h);
        return NULL;
    }
    map_host_uris(h);
    lv2_atom_forge_init(&h->forge, &map);
    set_up_features(h);
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->wake, NULL);
    pthread_cond_init(&h->idle, NULL);

    h->instance = lilv_plugin_instantiate(h->plugin, options->rate, h->features);
    if (!h->instance) {
        host_close(h);
        return NULL;
    }
    h->worker = lilv_instance_get_extension_data(h->instance, LV2_WORKER__interface);
    if (options->worker == WORKER_THREADED)
        h->thread_started = pthread_create(&h->thread, NULL, worker_thread, h) == 0;

    h->ports = lilv_plugin_get_num_ports(h->plugin);
    float defaults[SRNN_PORT_COUNT_MAX];
    lilv_plugin_get_port_ranges_float(h->plugin, NULL, NULL, defaults);
    LilvNode *audio_class = lilv_new_uri(w, LILV_URI_AUDIO_PORT);
    LilvNode *input_class = lilv_new_uri(w, LILV_URI_INPUT_PORT);
    uint32_t audio_ports = 0;
    for (uint32_t p = 0; p < h->ports; p++) {
        void *buffer = NULL;
        const LilvPort *port = lilv_plugin_get_port_by_index(h->plugin, p);
        bool audio = lilv_port_is_a(h->plugin, port, audio_class);
        if (p == SRNN_PORT_CONTROL) buffer = &h->control;
        else if (p == SRNN_PORT_NOTIFY) buffer = &h->notify;
        else if (audio && lilv_port_is_a(h->plugin, port, input_class)) buffer = h->input;
        else if (audio)
            buffer = h->audio[audio_ports++];
        else {
            h->controls[p] = defaults[p];
            buffer = &h->controls[p];
        }
        lilv_instance_connect_port(h->instance, p, buffer);
    }
    lilv_node_free(audio_class);
    lilv_node_free(input_class);
    h->stereo = audio_ports > 1;
    start_control_sequence(h);
    lilv_instance_activate(h->instance);
    return h;
}

void host_close(host *h)
{
    if (!h) return;
    if (h->thread_started) {
        pthread_mutex_lock(&h->lock);
        h->quit = true;
        pthread_cond_signal(&h->wake);
        pthread_mutex_unlock(&h->lock);
        pthread_join(h->thread, NULL);
    }
    if (h->instance) {
        /* finish what the worker was asked to do (load, free), as a host does at the end */
        while (h->worker && (h->requests.head != h->requests.tail ||
                             h->responses.head != h->responses.tail)) {
            host_do_deferred_work(h);
            deliver_responses(h);
        }
        lilv_instance_deactivate(h->instance);
        lilv_instance_free(h->instance);
    }
    pthread_cond_destroy(&h->idle);
    pthread_cond_destroy(&h->wake);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

const LilvPlugin *host_plugin(const host *h) { return h->plugin; }
LilvInstance *host_instance(host *h) { return h->instance; }
const LV2_Feature *const *host_features(const host *h) { return h->features; }
void host_set_control(host *h, uint32_t port, float value) { h->controls[port] = value; }
float host_control(const host *h, uint32_t port) { return h->controls[port]; }

static void send_set(host *h, LV2_URID property, LV2_URID type, const void *body, uint32_t size)
{
    LV2_Atom_Forge_Frame frame;
    lv2_atom_forge_frame_time(&h->forge, 0);
    lv2_atom_forge_object(&h->forge, &frame, 0, h->patch_Set);
    lv2_atom_forge_key(&h->forge, h->patch_property);
    lv2_atom_forge_urid(&h->forge, property);
    lv2_atom_forge_key(&h->forge, h->patch_value);
    lv2_atom_forge_atom(&h->forge, size, type);
    lv2_atom_forge_write(&h->forge, body, size);
    lv2_atom_forge_pop(&h->forge, &frame);
}

void host_send_model(host *h, const char *path)
{
    send_set(h, h->model_uri, h->atom_Path, path, (uint32_t)strlen(path) + 1);
}

void host_send_model_int(host *h, int32_t value)
{
    send_set(h, h->model_uri, h->atom_Int, &value, sizeof value);
}

void host_send_atom(host *h, const LV2_Atom *atom)
{
    lv2_atom_forge_frame_time(&h->forge, 0);
    lv2_atom_forge_write(&h->forge, atom, lv2_atom_total_size(atom));
}

void host_send_midi(host *h, uint32_t frame, uint8_t status, uint8_t data1, uint8_t data2)
{
    const uint8_t message[3] = {status, data1, data2};
    lv2_atom_forge_frame_time(&h->forge, frame);
    lv2_atom_forge_atom(&h->forge, sizeof message, h->midi_MidiEvent);
    lv2_atom_forge_write(&h->forge, message, sizeof message);
}

void host_send_get(host *h)
{
    LV2_Atom_Forge_Frame frame;
    lv2_atom_forge_frame_time(&h->forge, 0);
    lv2_atom_forge_object(&h->forge, &frame, 0, map.map(NULL, LV2_PATCH__Get));
    lv2_atom_forge_key(&h->forge, h->patch_property);
    lv2_atom_forge_urid(&h->forge, h->model_uri);
    lv2_atom_forge_pop(&h->forge, &frame);
}

/* Real-time safe, so that the real-time test may read them while armed. */
static void copy_text(char *to, const char *from)
{
    size_t length = strnlen(from, HOST_TEXT_MAX - 1);
    memcpy(to, from, length);
    to[length] = '\0';
}

static void read_notifications(host *h)
{
    if (h->notify.sequence.atom.type != h->atom_Sequence) return;
    LV2_ATOM_SEQUENCE_FOREACH (&h->notify.sequence, event) {
        const LV2_Atom_Object *object = (const LV2_Atom_Object *)&event->body;
        if (!lv2_atom_forge_is_object_type(&h->forge, event->body.type)) continue;
        if (object->body.otype == h->levels) h->level_frames++;
        uint32_t size = lv2_atom_total_size(&event->body);
        if (object->body.otype == h->card && size <= sizeof h->notified_card.atom) {
            memcpy(h->notified_card.atom, &event->body, size);
            h->notified_card.size = size;
            h->card_notifications++;
        }
        if (object->body.otype != h->patch_Set) continue;
        const LV2_Atom *property = NULL, *value = NULL;
        lv2_atom_object_get(object, h->patch_property, &property, h->patch_value, &value, 0);
        if (!property || !value) continue;
        LV2_URID key = ((const LV2_Atom_URID *)property)->body;
        const char *text = LV2_ATOM_BODY_CONST(value);
        if (key == h->model_uri && value->type == h->atom_Path) {
            if (strcmp(text, h->notified_model) != 0) h->model_notified_at = h->runs;
            copy_text(h->notified_model, text);
            h->model_notifications++;
        } else if (key == h->error_uri && value->type == h->atom_String) {
            copy_text(h->notified_error, text);
            h->error_notifications += text[0] != '\0'; /* "": the error was cleared */
        } else if (key == h->speed_uri && value->type == h->atom_String) {
            copy_text(h->notified_speed, text);
        }
    }
}

void host_set_input(host *h, const float *input, uint32_t count)
{
    memcpy(h->input, input, count * sizeof *input);
    memset(h->input + count, 0, (HOST_MAX_BLOCK - count) * sizeof *input);
}

void host_run(host *h, uint32_t count, float *left, float *right)
{
    h->notify.sequence.atom.type = h->atom_Chunk;
    h->notify.sequence.atom.size = sizeof h->notify - sizeof(LV2_Atom);
    lilv_instance_run(h->instance, count);
    deliver_responses(h);
    bool stereo = h->stereo;
    if (left) memcpy(left, h->audio[0], count * sizeof *left);
    if (right) memcpy(right, h->audio[stereo ? 1 : 0], count * sizeof *right);
    read_notifications(h);
    h->runs++;
    start_control_sequence(h);
}

void host_render(host *h, uint32_t total, uint32_t block, float *left, float *right)
{
    for (uint32_t done = 0; done < total; done += block) {
        uint32_t count = total - done < block ? total - done : block;
        host_run(h, count, left ? left + done : NULL, right ? right + done : NULL);
    }
}

const char *host_notified_model(const host *h) { return h->notified_model; }
const char *host_notified_error(const host *h) { return h->notified_error; }
const char *host_notified_speed(const host *h) { return h->notified_speed; }
uint32_t host_level_frames(const host *h) { return h->level_frames; }
const LV2_Atom_Object *host_notified_card(const host *h)
{
    return h->notified_card.size ? (const LV2_Atom_Object *)h->notified_card.atom : NULL;
}
uint32_t host_card_notifications(const host *h) { return h->card_notifications; }
const LV2_Atom_Sequence *host_notify(const host *h) { return &h->notify.sequence; }
uint32_t host_log_warnings(const host *h) { return h->log_warnings; }
const char *host_last_log_note(const host *h) { return h->last_log_note; }
uint32_t host_model_notifications(const host *h) { return h->model_notifications; }
uint32_t host_error_notifications(const host *h) { return h->error_notifications; }
uint32_t host_runs(const host *h) { return h->runs; }
uint32_t host_model_notified_at(const host *h) { return h->model_notified_at; }
uint32_t host_log_errors(const host *h) { return h->log_errors; }
uint64_t host_fp_mode_in_schedule(const host *h) { return h->fp_mode_in_schedule; }
const char *host_last_log_error(const host *h) { return h->last_log_error; }
uint32_t host_log_calls_armed(const host *h) { return h->log_calls_armed; }

/* ---- state with the host's mapPath and freePath --------------------------------------------- */

static int paths_handed_out;

static char *abstract_path(LV2_State_Map_Path_Handle handle, const char *absolute)
{
    const char *dir = handle;
    size_t length = strlen(dir);
    bool inside = strncmp(absolute, dir, length) == 0 && absolute[length] == '/';
    paths_handed_out++;
    return strdup(inside ? absolute + length + 1 : absolute);
}

static char *absolute_path(LV2_State_Map_Path_Handle handle, const char *abstract)
{
    const char *dir = handle;
    char *path = malloc(strlen(dir) + strlen(abstract) + 2);
    if (!path) return NULL;
    if (abstract[0] == '/') strcpy(path, abstract);
    else sprintf(path, "%s/%s", dir, abstract);
    paths_handed_out++;
    return path;
}

static void free_path(LV2_State_Free_Path_Handle handle, char *path)
{
    (void)handle;
    paths_handed_out--;
    free(path);
}

int host_unfreed_paths(void) { return paths_handed_out; }

static LV2_State_Status store(LV2_State_Handle handle, uint32_t key, const void *value,
                              size_t size, uint32_t type, uint32_t flags)
{
    host_state *state = handle;
    const char *uri = unmap.unmap(NULL, key);
    if (state->present || !uri || size > sizeof state->value) return LV2_STATE_ERR_UNKNOWN;
    snprintf(state->key, sizeof state->key, "%s", uri);
    memcpy(state->value, value, size);
    state->size = (uint32_t)size;
    state->type = type;
    state->flags = flags;
    state->present = true;
    return LV2_STATE_SUCCESS;
}

static const void *retrieve(LV2_State_Handle handle, uint32_t key, size_t *size, uint32_t *type,
                            uint32_t *flags)
{
    const host_state *state = handle;
    if (!state->present || key != map.map(NULL, state->key)) return NULL;
    *size = state->size;
    *type = state->type;
    *flags = state->flags;
    return state->value;
}

static int state_call(host *h, const char *dir, host_state *state, bool save, bool with_worker)
{
    const LV2_State_Interface *interface =
        lilv_instance_get_extension_data(h->instance, LV2_STATE__interface);
    if (!interface) return -1;
    LV2_State_Map_Path map_path = {(void *)dir, abstract_path, absolute_path};
    LV2_State_Free_Path free_path_data = {NULL, free_path};
    LV2_Feature map_path_feature = {LV2_STATE__mapPath, &map_path};
    LV2_Feature free_path_feature = {LV2_STATE__freePath, &free_path_data};
    const LV2_Feature *features[] = {&map_path_feature, &free_path_feature,
                                     with_worker ? &h->schedule_feature : NULL, NULL};
    LV2_Handle handle = lilv_instance_get_handle(h->instance);
    LV2_State_Status status =
        save ? interface->save(handle, store, state, LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE,
                               features)
             : interface->restore(handle, retrieve, state, 0, features);
    return status == LV2_STATE_SUCCESS ? 0 : -1;
}

int host_save_state(host *h, const char *dir, host_state *state)
{
    memset(state, 0, sizeof *state);
    return state_call(h, dir, state, true, false);
}

int host_restore_state(host *h, const char *dir, const host_state *state, bool with_worker)
{
    return state_call(h, dir, (host_state *)state, false, with_worker);
}
