/* A voice that listens (listener.h). */
#include "listener.h"

#include <math.h>
#include <samplerate.h>
#include <stdlib.h>
#include <string.h>

/* As the output's converter (voices.c): band-limited, far cheaper per sample than the engine. */
#define CONVERTER SRC_SINC_MEDIUM_QUALITY

struct live_listener {
    const srnn_config *config;
    double model_rate;
    double ratio;         /* model rate / host rate */
    SRC_STATE *converter; /* NULL when the host plays at the model's rate */
    float queue[LIVE_LISTENER_QUEUE]; /* a ring of model-rate input samples */
    uint32_t read, fill;              /* the ring's first sample and how many it holds */
    uint32_t underruns;
    /* The gate looks at each input sample as it arrives; the voice takes it hold samples
     * later, from this line, so that when the gate closes the voice has been fed up to the
     * input's last sample at or above the threshold, and no further. */
    float *line;       /* the last `capacity` input samples */
    bool *onsets;      /* for each, whether the voice starts listening there */
    uint32_t capacity; /* the longest hold, plus one */
    uint32_t head;     /* where the next input sample goes */
    /* the gate */
    float threshold; /* linear */
    uint32_t hold;   /* model samples, < capacity */
    uint32_t quiet;  /* input samples below the threshold in a row, before this one */
    bool open;       /* between a phrase's first loud sample and hold quiet ones */
    bool triggered;  /* continue at the next sample */
    live_listening_state state; /* the voice's */
    bool feeding;               /* the voice is fed in the group's step being taken */
    uint32_t phrases;
    /* the output's edges */
    uint32_t fade;  /* model samples of LIVE_LISTENER_FADE_SECONDS */
    uint32_t rise;  /* samples of a triggered continuation's rise left to play */
    uint32_t decay; /* samples of a stopped continuation's decay left to play */
    float last;     /* the continuation's last sample */
};

live_listener *live_listener_create(const srnn_model *model, double host_rate)
{
    live_listener *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->config = srnn_model_config(model);
    l->model_rate = l->config->sample_rate;
    l->ratio = l->model_rate / host_rate;
    if (host_rate != l->model_rate) {
        int status = 0;
        if (!src_is_valid_ratio(l->ratio) || !(l->converter = src_new(CONVERTER, 1, &status))) {
            live_listener_free(l);
            return NULL;
        }
    }
    l->capacity = (uint32_t)ceil(LIVE_LISTENER_HOLD_MAX * l->model_rate) + 1;
    l->line = calloc(l->capacity, sizeof *l->line);
    l->onsets = calloc(l->capacity, sizeof *l->onsets);
    if (!l->line || !l->onsets) {
        live_listener_free(l);
        return NULL;
    }
    l->fade = (uint32_t)ceil(LIVE_LISTENER_FADE_SECONDS * l->model_rate);
    live_listener_set_gate(l, NAN, NAN);
    live_listener_reset(l);
    return l;
}

void live_listener_free(live_listener *l)
{
    if (!l) return;
    if (l->converter) src_delete(l->converter);
    free(l->line);
    free(l->onsets);
    free(l);
}

void live_listener_reset(live_listener *l)
{
    if (l->converter) src_reset(l->converter);
    l->read = 0;
    l->fill = l->converter ? LIVE_LISTENER_CUSHION : 0;
    memset(l->queue, 0, l->fill * sizeof *l->queue); /* the cushion is silent */
    l->underruns = 0;
    memset(l->line, 0, l->capacity * sizeof *l->line);
    memset(l->onsets, 0, l->capacity * sizeof *l->onsets);
    l->head = 0;
    l->quiet = UINT32_MAX; /* the first loud sample opens the gate */
    l->open = false;
    l->triggered = false;
    l->state = LIVE_WAITING;
    l->feeding = false;
    l->phrases = 0;
    l->rise = l->decay = 0;
    l->last = 0.0f;
}

static float clamped(float value, float low, float high, float fallback)
{
    if (isnan(value)) return fallback;
    return value < low ? low : value > high ? high : value;
}

void live_listener_set_gate(live_listener *l, float threshold_db, float hold_seconds)
{
    float db = clamped(threshold_db, LIVE_LISTENER_THRESHOLD_DB_MIN,
                       LIVE_LISTENER_THRESHOLD_DB_MAX, LIVE_LISTENER_THRESHOLD_DB_DEFAULT);
    float hold = clamped(hold_seconds, LIVE_LISTENER_HOLD_MIN, LIVE_LISTENER_HOLD_MAX,
                         LIVE_LISTENER_HOLD_DEFAULT);
    l->threshold = powf(10.0f, db / 20.0f);
    l->hold = (uint32_t)lround(hold * l->model_rate);
    if (l->hold > l->capacity - 1) l->hold = l->capacity - 1;
}

/* The ring's free stretch that follows its last sample, contiguous. */
static uint32_t free_run(live_listener *l, float **at)
{
    uint32_t end = (l->read + l->fill) % LIVE_LISTENER_QUEUE;
    *at = l->queue + end;
    uint32_t room = LIVE_LISTENER_QUEUE - l->fill;
    uint32_t to_wrap = LIVE_LISTENER_QUEUE - end;
    return room < to_wrap ? room : to_wrap;
}

void live_listener_push(live_listener *l, const float *input, uint32_t count)
{
    if (!l->converter) {
        for (int pass = 0; pass < 2 && count > 0; pass++) { /* the ring's two stretches */
            float *at;
            uint32_t n = free_run(l, &at);
            n = count < n ? count : n;
            memcpy(at, input, n * sizeof *at);
            l->fill += n;
            input += n;
            count -= n;
        }
        return; /* a full ring (a host that stopped pulling the output) drops the rest */
    }
    /* The converter may take all the input and keep output it had no room for: each pass
     * fills one of the ring's stretches, until the converter gives less than the room. */
    for (int pass = 0; pass < 4; pass++) {
        float *at;
        uint32_t room = free_run(l, &at);
        if (room == 0) return;
        SRC_DATA data = {
            .data_in = input,
            .input_frames = count,
            .data_out = at,
            .output_frames = room,
            .src_ratio = l->ratio,
        };
        if (src_process(l->converter, &data) != 0) return;
        l->fill += (uint32_t)data.output_frames_gen;
        input += data.input_frames_used;
        count -= (uint32_t)data.input_frames_used;
        if (count == 0 && (uint32_t)data.output_frames_gen < room) return;
    }
}

void live_listener_trigger(live_listener *l) { l->triggered = true; }

static float pop(live_listener *l)
{
    if (l->fill == 0) {
        l->underruns++;
        return 0.0f;
    }
    float x = l->queue[l->read];
    l->read = (l->read + 1) % LIVE_LISTENER_QUEUE;
    l->fill--;
    return x;
}

static void start_listening(live_listener *l, srnn_voices *group, unsigned voice, uint64_t seed)
{
    srnn_voices_reset(group, voice, seed); /* from silence, as srnn eval starts */
    l->state = LIVE_LISTENING;
    l->phrases++;
    l->decay = l->fade;
    l->rise = 0;
}

static void start_continuing(live_listener *l, bool triggered)
{
    l->state = LIVE_CONTINUING;
    l->rise = triggered ? l->fade : 0;
    l->last = 0.0f;
}

void live_listener_prepare(live_listener *l, srnn_voices *group, unsigned voice, uint64_t seed)
{
    /* the gate, on the sample arriving */
    float x = pop(l);
    bool loud = fabsf(x) >= l->threshold;
    bool onset = loud && !l->open && l->quiet >= l->hold;
    l->quiet = loud ? 0 : l->quiet < UINT32_MAX ? l->quiet + 1 : l->quiet;
    l->open = onset || (l->open && l->quiet < l->hold);
    bool closed = !l->open && l->quiet == l->hold;
    l->line[l->head] = x;
    l->onsets[l->head] = onset;
    /* the voice, on the sample that arrived hold samples ago */
    uint32_t tail = (l->head + l->capacity - l->hold) % l->capacity;
    l->head = (l->head + 1) % l->capacity;
    if (l->onsets[tail]) start_listening(l, group, voice, seed);
    l->onsets[tail] = false; /* a longer hold may read it again */
    bool triggered = l->triggered;
    l->triggered = false;
    if (l->state == LIVE_LISTENING && triggered) {
        start_continuing(l, true);
        l->open = false;
        l->quiet = 0; /* the input must fall silent before it is listened to again */
    }
    l->feeding = l->state == LIVE_LISTENING;
    if (!l->feeding) return;
    srnn_voices_feed(group, voice, srnn_quantise(l->config, l->line[tail]));
    if (closed) start_continuing(l, false); /* that was the last loud sample */
}

float live_listener_played(live_listener *l, float generated)
{
    if (l->feeding) {
        if (l->decay == 0) return 0.0f;
        l->decay--;
        return l->last * (float)l->decay / (float)l->fade;
    }
    if (l->state == LIVE_WAITING) return 0.0f;
    l->last = generated;
    if (l->rise == 0) return generated;
    l->rise--;
    return generated * (float)(l->fade - l->rise) / (float)l->fade;
}

live_listening_state live_listener_state(const live_listener *l) { return l->state; }

uint32_t live_listener_underruns(const live_listener *l) { return l->underruns; }

uint32_t live_listener_phrases(const live_listener *l) { return l->phrases; }
