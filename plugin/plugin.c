/* The srnn LV2 plugins: a SampleRNN model generating audio, played with a temperature knob
 * (the generators, mono and stereo), or with MIDI notes (the instrument, instrument.c), or
 * following an audio input and going on from it (the continuation effect, continuation.c).
 *
 * run() reads patch messages (a new model file is handed to the worker, plugin/worker.c),
 * starts a crossfade when the worker has a model ready, and renders in chunks: each channel's
 * voice (live/voices.h), the old model's fade-out, the limiter (live/limiter.h), then the
 * smoothed gain and a reseed's dip. Chunks end where a fade or a dip changes phase, so
 * everything happens at the same host sample whatever the host's block size, and last posts
 * the output's levels for the GUI (ui_feed.c). run() never allocates, locks, logs or waits. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lv2/atom/util.h>
#include <lv2/core/lv2_util.h>

#include "crossfade.h"
#include "denormals.h"
#include "plugin.h"

void srnn_plugin_report_error(srnn_plugin *self, const char *text)
{
    size_t length = strnlen(text, sizeof self->error_text - 1);
    memcpy(self->error_text, text, length);
    self->error_text[length] = '\0';
    self->announce_error = true;
    self->announce_model = true; /* so a host showing the file reverts to the one playing */
}

void srnn_plugin_newest_model(srnn_plugin *self, const live_voices *p, const model_card *card)
{
    published_path_write(&self->path, live_voices_path(p));
    self->card = *card;
    self->announce_model = true;
    if (self->error_text[0]) {
        self->error_text[0] = '\0';
        self->announce_error = true;
    }
}

void srnn_plugin_log_speed(srnn_plugin *self, const live_voices *p)
{
    if (live_voices_live(p))
        lv2_log_note(&self->logger, "srnn: %s\n", live_voices_speed(p));
    else
        lv2_log_warning(&self->logger, "srnn: %s\n", live_voices_speed(p));
}

int srnn_plugin_load(const srnn_plugin *self, const char *path, uint32_t reseeds,
                     float lead_in_temperature, live_voices **out, char error[LIVE_ERROR_MAX])
{
    live_options options = {
        .host_rate = self->rate,
        .voices = self->voices,
        .helpers_below = SRNN_LV2_HELPERS_BELOW,
        .speed_seconds = SRNN_LV2_SPEED_SECONDS,
        .smoothing_seconds = SRNN_LV2_SMOOTHING_SECONDS,
        .lead_in_seconds = SRNN_LV2_CROSSFADE_SECONDS,
        .listen = self->is_continuation,
    };
    uint64_t seeds[LIVE_MAX_VOICES];
    for (uint32_t c = 0; c < self->voices; c++) seeds[c] = SRNN_LV2_SEED(reseeds, c);
    /* the instrument's notes start its voices afresh when the crossfade is over; the
     * continuation's voice generates nothing ahead of its input */
    if (self->is_instrument || self->is_continuation) lead_in_temperature = NAN;
    char reason[LIVE_ERROR_MAX];
    if (live_voices_create(path, &options, seeds, lead_in_temperature, out, reason) == 0) return 0;
    static const char prefix[] = "cannot load model ";
    snprintf(error, LIVE_ERROR_MAX, "%s%.*s", prefix, (int)(LIVE_ERROR_MAX - sizeof prefix),
             reason);
    return -1;
}

void srnn_plugin_reseed(srnn_plugin *self, live_voices *p, uint32_t reseeds)
{
    if (self->is_instrument) { /* the notes hold the seeds */
        instrument_restart_voices(self, p);
        return;
    }
    uint64_t seeds[SRNN_LV2_MAX_CHANNELS];
    for (uint32_t c = 0; c < self->channels; c++) seeds[c] = SRNN_LV2_SEED(reseeds, c);
    live_voices_restart_all(p, seeds);
}

void srnn_plugin_install_now(srnn_plugin *self, live_voices *p)
{
    live_voices_free(self->pending);
    live_voices_free(self->fading);
    live_voices_free(self->current);
    self->pending = self->fading = NULL;
    self->fade_active = false;
    self->current = p;
    srnn_plugin_reseed(self, p, self->reseeds);
    model_card card;
    srnn_plugin_forge_card(self->map, p, self->voices, &card);
    srnn_plugin_newest_model(self, p, &card);
}

static LV2_Handle instantiate(const LV2_Descriptor *descriptor, double rate,
                              const char *bundle_path, const LV2_Feature *const *features)
{
    srnn_plugin *self = calloc(1, sizeof *self);
    if (!self) return NULL;
    const char *missing = lv2_features_query(features,
                                             LV2_LOG__log, &self->logger.log, false,
                                             LV2_URID__map, &self->map, true,
                                             LV2_WORKER__schedule, &self->schedule, true,
                                             NULL);
    lv2_log_logger_set_map(&self->logger, self->map);
    if (missing) {
        lv2_log_error(&self->logger, "srnn: the host lacks the feature <%s>\n", missing);
        free(self);
        return NULL;
    }
    srnn_lv2_map_uris(self->map, &self->uris);
    lv2_atom_forge_init(&self->forge, self->map);
    ui_feed_init(&self->feed, self->map, rate);

    self->rate = rate;
    self->channels = strcmp(descriptor->URI, SRNN_LV2_STEREO_URI) == 0 ? 2 : 1;
    self->is_instrument = strcmp(descriptor->URI, SRNN_LV2_INSTRUMENT_URI) == 0;
    self->is_continuation = strcmp(descriptor->URI, SRNN_LV2_CONTINUATION_URI) == 0;
    self->voices = self->is_instrument ? SRNN_LV2_INSTRUMENT_VOICES : self->channels;
    if (self->is_instrument) instrument_init(self);
    if (self->is_continuation) continuation_reset(self);
    self->gain_coefficient = srnn_lv2_smoothing_coefficient(rate);
    self->crossfade_length = (uint32_t)lround(SRNN_LV2_CROSSFADE_SECONDS * rate) + 1;
    self->declick_length = (uint32_t)lround(SRNN_LV2_DECLICK_SECONDS * rate) + 1;
    self->gain = NAN;
    self->declick_position = DECLICK_IDLE;
    live_limiter_init(&self->limiter, rate);

    /* the bundle's model, so the plugin sounds as soon as it is added */
    char path[SRNN_LV2_PATH_MAX], error[LIVE_ERROR_MAX];
    size_t length = strlen(bundle_path);
    bool slash = length > 0 && bundle_path[length - 1] == '/'; /* lilv's bundle paths end in / */
    snprintf(path, sizeof path, "%s%s%s", bundle_path, slash ? "" : "/", SRNN_LV2_DEFAULT_MODEL);
    live_voices *p;
    if (srnn_plugin_load(self, path, 0, NAN, &p, error) == 0) {
        srnn_plugin_log_speed(self, p);
        srnn_plugin_install_now(self, p);
    } else {
        lv2_log_error(&self->logger, "srnn: %s\n", error);
        srnn_plugin_report_error(self, error);
    }
    return self;
}

static void connect_port(LV2_Handle instance, uint32_t port, void *data)
{
    srnn_plugin *self = instance;
    switch (port) {
    case SRNN_PORT_CONTROL: self->control = data; break;
    case SRNN_PORT_NOTIFY: self->notify = data; break;
    case SRNN_PORT_TEMPERATURE: self->temperature = data; break;
    case SRNN_PORT_GAIN: self->gain_db = data; break;
    case SRNN_PORT_RESEED: self->reseed = data; break;
    case SRNN_PORT_OUT: self->out[0] = data; break;
    case SRNN_PORT_OUT_RIGHT: /* SRNN_PORT_ATTACK, SRNN_PORT_IN */
        if (self->is_instrument) self->instrument.attack = data;
        else if (self->is_continuation) self->continuation.in = data;
        else if (self->channels > 1) self->out[1] = data;
        break;
    case SRNN_PORT_RELEASE: /* SRNN_PORT_MIX */
        if (self->is_continuation) self->continuation.mix = data;
        else self->instrument.release = data;
        break;
    case SRNN_PORT_TEMPERATURE_CC: /* SRNN_PORT_THRESHOLD */
        if (self->is_continuation) self->continuation.threshold = data;
        else self->instrument.temperature_cc = data;
        break;
    case SRNN_PORT_HOLD: self->continuation.hold = data; break;
    default: break;
    }
}

/* Activation starts the performance afresh: first seeds, knobs taken as they are. */
static void activate(LV2_Handle instance)
{
    srnn_plugin *self = instance;
    self->reseeds = 0;
    if (self->is_instrument) instrument_reset(self);
    if (self->is_continuation) continuation_reset(self);
    if (self->current) srnn_plugin_reseed(self, self->current, 0);
    live_limiter_init(&self->limiter, self->rate);
    self->gain = NAN;
    self->declick_position = DECLICK_IDLE;
    self->activated = true;
}

static void deactivate(LV2_Handle instance) { ((srnn_plugin *)instance)->activated = false; }

static void cleanup(LV2_Handle instance)
{
    srnn_plugin *self = instance;
    live_voices_free(self->pending);
    live_voices_free(self->current);
    live_voices_free(self->fading);
    for (int i = 0; i < SRNN_LV2_RETIRED_MAX; i++) live_voices_free(self->retired[i]);
    free(self);
}

static void write_set(srnn_plugin *self, LV2_URID property, LV2_URID type, const char *text)
{
    LV2_Atom_Forge *forge = &self->forge;
    LV2_Atom_Forge_Frame frame;
    lv2_atom_forge_frame_time(forge, 0);
    lv2_atom_forge_object(forge, &frame, 0, self->uris.patch_Set);
    lv2_atom_forge_key(forge, self->uris.patch_property);
    lv2_atom_forge_urid(forge, property);
    lv2_atom_forge_key(forge, self->uris.patch_value);
    lv2_atom_forge_typed_string(forge, type, text, (uint32_t)strlen(text));
    lv2_atom_forge_pop(forge, &frame);
}

static void write_announcements(srnn_plugin *self)
{
    const live_voices *newest = self->pending ? self->pending : self->current;
    if (self->announce_error) write_set(self, self->uris.error, self->uris.atom_String,
                                        self->error_text);
    if (self->announce_model && newest) {
        write_set(self, self->uris.model, self->uris.atom_Path, live_voices_path(newest));
        write_set(self, self->uris.speed, self->uris.atom_String, live_voices_speed(newest));
        if (self->card.size && lv2_atom_forge_frame_time(&self->forge, 0))
            lv2_atom_forge_write(&self->forge, self->card.atom, self->card.size);
    }
    self->announce_error = self->announce_model = false;
}

static float clamped(float value, float low, float high, float fallback)
{
    if (isnan(value)) return fallback;
    return value < low ? low : value > high ? high : value;
}

/* The temperature knob's value now; only run() may read the port. */
static float knob_temperature(const srnn_plugin *self)
{
    return clamped(*self->temperature, SRNN_LV2_TEMPERATURE_MIN, SRNN_LV2_TEMPERATURE_MAX,
                   SRNN_LV2_TEMPERATURE_DEFAULT);
}

static void request_load(srnn_plugin *self, const LV2_Atom *value)
{
    if (!value || value->type != self->uris.atom_Path || value->size < 2) {
        srnn_plugin_report_error(self, "the model must be set to a file path (atom:Path)");
        return;
    }
    const char *path = LV2_ATOM_BODY_CONST(value);
    uint32_t length = (uint32_t)strnlen(path, value->size);
    if (length == value->size) {
        srnn_plugin_report_error(self, "the model's path is not terminated");
    } else if (!srnn_plugin_schedule_load(self->schedule, path, length,
                                          knob_temperature(self), self->reseeds)) {
        srnn_plugin_report_error(self, "the model's path is too long, or the host's "
                                       "worker is busy; the model was not changed");
    }
}

static void handle_events(srnn_plugin *self)
{
    const srnn_lv2_uris *uris = &self->uris;
    LV2_ATOM_SEQUENCE_FOREACH (self->control, event) {
        if (!lv2_atom_forge_is_object_type(&self->forge, event->body.type)) continue;
        const LV2_Atom_Object *object = (const LV2_Atom_Object *)&event->body;
        const LV2_Atom *property = NULL, *value = NULL;
        lv2_atom_object_get(object, uris->patch_property, &property, uris->patch_value, &value,
                            0);
        bool about_model = property && property->type == uris->atom_URID &&
                           ((const LV2_Atom_URID *)property)->body == uris->model;
        if (object->body.otype == uris->patch_Set && about_model) {
            request_load(self, value);
        } else if (object->body.otype == uris->patch_Get) {
            /* a GUI opening asks for everything: a load error before it opened included */
            self->announce_model = true;
            self->announce_error = true;
        }
    }
}

static void retry_retired(srnn_plugin *self)
{
    for (int i = 0; i < SRNN_LV2_RETIRED_MAX; i++) {
        live_voices *p = self->retired[i];
        self->retired[i] = NULL;
        if (p) srnn_plugin_retire(self, p);
    }
}

static void start_fade_if_due(srnn_plugin *self)
{
    if (self->fade_active || !self->pending) return;
    self->fading = self->current;
    self->current = self->pending;
    self->pending = NULL;
    /* a reset would discard what the worker generated ahead: only when the seeds moved on */
    if (!self->is_instrument &&
        live_voices_seed(self->current, 0) != SRNN_LV2_SEED(self->reseeds, 0))
        srnn_plugin_reseed(self, self->current, self->reseeds);
    self->fade_position = 0;
    self->fade_active = true;
}

/* The gain (smoothed towards target) and a reseed's dip of count samples into envelope. */
static void fill_envelope(srnn_plugin *self, float target, uint32_t count)
{
    if (isnan(self->gain)) self->gain = target;
    float dip_length = (float)self->declick_length;
    for (uint32_t i = 0; i < count; i++) {
        self->gain = srnn_lv2_smooth(self->gain, target, self->gain_coefficient);
        float dip = 1.0f;
        if (self->declick_position != DECLICK_IDLE) {
            uint32_t k = self->declick_position + i;
            dip = k < self->declick_length ? (float)(self->declick_length - 1 - k) / dip_length
                                           : (float)(k - self->declick_length + 1) / dip_length;
        }
        self->envelope[i] = self->gain * dip;
    }
}

/* count samples of every channel's voice of model p to out; silence without a model */
static void render_model(const srnn_plugin *self, live_voices *p, float *const *out,
                         float temperature, uint32_t count)
{
    if (p) live_voices_render(p, temperature, out, count);
    else
        for (uint32_t c = 0; c < self->channels; c++) memset(out[c], 0, count * sizeof *out[c]);
}

/* count samples of every channel's voice of the model playing, crossfaded from the model
 * fading out during a crossfade, to out */
static void render_voices(srnn_plugin *self, float *const *out, float temperature,
                          uint32_t count)
{
    render_model(self, self->current, out, temperature, count);
    if (!self->fade_active) return;
    float *old[SRNN_LV2_MAX_CHANNELS] = {self->fade_buffer[0], self->fade_buffer[1]};
    render_model(self, self->fading, old, temperature, count);
    for (uint32_t c = 0; c < self->channels; c++)
        live_crossfade(old[c], out[c], out[c], self->fade_position, self->crossfade_length, count);
}

static void render_chunk(srnn_plugin *self, uint32_t offset, uint32_t count, float temperature,
                         float gain)
{
    fill_envelope(self, gain, count);
    if (self->is_continuation) continuation_listen(self, offset, count);
    float *outs[SRNN_LV2_MAX_CHANNELS] = {self->out[0] + offset,
                                          self->channels > 1 ? self->out[1] + offset : NULL};
    if (self->is_instrument) instrument_render(self, outs[0], count, temperature);
    else render_voices(self, outs, temperature, count);
    /* within full scale at 0 dB; the gain may then raise it, as the user asked */
    live_limiter_process(&self->limiter, outs, self->channels, count);
    for (uint32_t c = 0; c < self->channels; c++)
        for (uint32_t i = 0; i < count; i++) outs[c][i] *= self->envelope[i];
    if (self->is_continuation) continuation_mix(self, offset, count);
}

/* How many samples from now until the fade or the dip changes phase, at most limit. */
static uint32_t until_next_phase(const srnn_plugin *self, uint32_t limit)
{
    if (self->fade_active && self->crossfade_length - self->fade_position < limit)
        limit = self->crossfade_length - self->fade_position;
    if (self->declick_position != DECLICK_IDLE) {
        uint32_t k = self->declick_position, half = self->declick_length;
        uint32_t left = k < half ? half - k : 2 * half - k;
        if (left < limit) limit = left;
    }
    return limit;
}

static void advance_phases(srnn_plugin *self, uint32_t count)
{
    if (self->fade_active && (self->fade_position += count) == self->crossfade_length) {
        self->fade_active = false;
        if (self->fading) srnn_plugin_retire(self, self->fading);
        self->fading = NULL;
        if (self->is_instrument) instrument_take_over(self);
        start_fade_if_due(self);
    }
    if (self->declick_position != DECLICK_IDLE) {
        self->declick_position += count;
        if (self->declick_position == self->declick_length) {
            self->reseeds++;
            if (self->current) srnn_plugin_reseed(self, self->current, self->reseeds);
            if (self->pending) srnn_plugin_reseed(self, self->pending, self->reseeds);
        } else if (self->declick_position == 2 * self->declick_length) {
            self->declick_position = DECLICK_IDLE;
        }
    }
}

static void run(LV2_Handle instance, uint32_t sample_count)
{
    srnn_plugin *self = instance;
    srnn_fp_mode fp_mode = srnn_flush_denormals();

    lv2_atom_forge_set_buffer(&self->forge, (uint8_t *)self->notify, self->notify->atom.size);
    LV2_Atom_Forge_Frame sequence;
    lv2_atom_forge_sequence_head(&self->forge, &sequence, 0);
    handle_events(self);
    write_announcements(self);
    retry_retired(self);

    float temperature = knob_temperature(self);
    float gain = srnn_lv2_db_to_gain(
        clamped(*self->gain_db, SRNN_LV2_GAIN_MIN_DB, SRNN_LV2_GAIN_MAX_DB, 0.0f));
    float reseed = *self->reseed;
    bool rising = reseed > 0.5f && !(self->previous_reseed > 0.5f);
    if (rising && self->is_instrument) self->reseeds++; /* the next notes' seeds; no dip */
    else if (rising && self->is_continuation) continuation_trigger(self);
    else if (rising && self->declick_position == DECLICK_IDLE) self->declick_position = 0;
    self->previous_reseed = reseed;
    start_fade_if_due(self);
    if (self->is_instrument) instrument_begin_run(self, temperature);

    for (uint32_t done = 0; done < sample_count;) {
        uint32_t left = sample_count - done;
        uint32_t count = until_next_phase(self, left < SRNN_LV2_CHUNK ? left : SRNN_LV2_CHUNK);
        if (self->is_instrument) {
            instrument_events_until(self, done);
            count = instrument_until_next_event(self, done, count);
            temperature = instrument_temperature(self);
        }
        render_chunk(self, done, count, temperature, gain);
        advance_phases(self, count);
        done += count;
    }
    if (self->is_instrument) instrument_events_until(self, UINT32_MAX); /* any stamped late */
    if (!self->is_continuation) /* which posts its input too, chunk by chunk */
        ui_feed_run(&self->feed, &self->forge, self->out, self->channels, 0, sample_count);
    lv2_atom_forge_pop(&self->forge, &sequence);
    srnn_restore_fp_mode(fp_mode);
}

static const void *extension_data(const char *uri)
{
    static const LV2_Worker_Interface worker = {srnn_plugin_work, srnn_plugin_work_response,
                                                NULL};
    static const LV2_State_Interface state = {srnn_plugin_save, srnn_plugin_restore};
    if (strcmp(uri, LV2_WORKER__interface) == 0) return &worker;
    if (strcmp(uri, LV2_STATE__interface) == 0) return &state;
    return NULL;
}

static const LV2_Descriptor descriptors[] = {
    {SRNN_LV2_URI, instantiate, connect_port, activate, run, deactivate, cleanup, extension_data},
    {SRNN_LV2_STEREO_URI, instantiate, connect_port, activate, run, deactivate, cleanup,
     extension_data},
    {SRNN_LV2_INSTRUMENT_URI, instantiate, connect_port, activate, run, deactivate, cleanup,
     extension_data},
    {SRNN_LV2_CONTINUATION_URI, instantiate, connect_port, activate, run, deactivate, cleanup,
     extension_data},
};

LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t index)
{
    return index < sizeof descriptors / sizeof *descriptors ? &descriptors[index] : NULL;
}
