/* Voices: a group of voices of one model that step together (srnn_voices), and a voice alone
 * (srnn_voice), which is a group of one.
 *
 * Time inside a group is the position p in [0, BF) within the current big frame, the same for
 * all its voices, so that every matrix product of a step is one batched product over the
 * voices playing (srnn_exec_gemv): each block of weights is read once for all of them. A
 * voice's window holds 2·BF samples: [0, BF) the previous big frame, [BF, BF + p) the current
 * one so far, so the F samples before position p are always window[BF + p - F, BF + p). At
 * p = 0 the big frame tier runs on the previous big frame; at every multiple of F the frame
 * tier runs on the previous F samples plus the big tier's conditioning for that frame; every
 * sample, the MLP. This is PRiSM's alignment (model.py, training call and inference_step
 * alike).
 *
 * A voice (re)started while others play waits for the next big frame boundary (p = 0), where a
 * voice alone would start too; when none plays, the group's position goes back to 0 at once.
 * So every voice generates exactly the samples it would alone from the same seed and history.
 *
 * The cost per sample is kept flat: what a tier step needs that is known a frame ahead (the
 * recurrent halves, the big tier's conditioning of later frames) is queued at the step and
 * done a few column blocks per sample (spread.h); the frame tier's upsampling, folded into
 * hidden1, is done one position per sample. Unfolded (model.h), the frame tier's upsampled
 * vectors of later positions are queued at its step, and hidden1's kernel is applied to one
 * of them per sample; the big tier queues each later frame's upsampled vector followed by the
 * frame tier's layer-0 kernel on it. */
#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "denormals.h"
#include "dtype.h"
#include "helper.h"
#include "model.h"
#include "rnn.h"
#include "sampler.h"
#include "spread.h"

typedef enum {
    VOICE_STOPPED, /* silent, costs nothing */
    VOICE_WAITING, /* (re)started: begins at the next big frame boundary */
    VOICE_PLAYING,
} voice_state;

/* One voice's state in a group. */
typedef struct {
    voice_state state;
    float temperature;
    bool fed;       /* takes fed_sample at the next step instead of drawing one */
    int32_t fed_sample;
    srnn_rng rng;
    int32_t *window; /* (2·BF) */
    srnn_tier_state big_frame, frame;
    float *conditioning; /* (BF/F, GD): the big tier's output as frame j's layer-0 pre-activations */
    float *hidden1, *hidden2; /* (D) each */
    const void **rows;        /* (F): the table rows of the last F samples */
    float *logits;            /* (Q) */
} voice_part;

struct srnn_voices {
    const srnn_model *model;
    srnn_exec exec; /* the model's kernels, and the helper threads if the group has any */
    unsigned count;
    uint32_t position;
    bool tiers_ready;  /* the frame tiers have run for this position */
    bool logits_ready; /* the playing voices' logits hold their prediction for this position */
    srnn_queue big_queue, frame_queue;
    double *weights; /* the sampler's scratch */
    unsigned playing[SRNN_MAX_VOICES], playing_count, waiting_count; /* indices of the playing voices */
    voice_part parts[SRNN_MAX_VOICES];
};

struct srnn_voice {
    srnn_voices *group; /* of one */
};

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

/* The jobs each queue gets between two of its clears (big_frame_step, frame_step), so that it is
 * never full (srnn_queue_push): the big frame tier's conditioning of frames 1 … R-1 (two
 * products each, unfolded) and its L recurrent halves; the frame tier's upsampled vectors of
 * positions 1 … F-1 (unfolded only) and its L recurrent halves. */
static size_t big_jobs(const srnn_model *m)
{
    return (m->run.big_frame.unfolded ? 2 : 1) * (m->big_frame.ratio - 1) + m->config.num_rnn_layers;
}

static size_t frame_jobs(const srnn_model *m)
{
    return (m->run.frame.unfolded ? m->frame.ratio - 1 : 0) + m->config.num_rnn_layers;
}

/* Queue rates that meet every deadline: frame j's conditioning by sample j·F, the frame tier's
 * upsampled vector k by sample k after its step, the recurrent halves by the tier's next step.
 * Jobs in the order the steps push them. */
static void plan_rates(srnn_voices *v)
{
    const srnn_model *m = v->model;
    const srnn_tier_run *big = &m->run.big_frame, *frame = &m->run.frame;
    uint32_t f = m->config.frame_size, layers = m->config.num_rnn_layers;
    enum { MAX_JOBS = 2 * SRNN_MAX_FRAME_RATIO + SRNN_MAX_LAYERS }; /* F <= 1024 too (model_load.c) */
    uint32_t blocks[MAX_JOBS], deadlines[MAX_JOBS];
    size_t n = 0;
    for (uint32_t j = 1; j < m->big_frame.ratio; j++) {
        blocks[n] = big->conditioning[j].blocks;
        deadlines[n++] = j * f;
        if (big->unfolded) {
            blocks[n] = big->follow.blocks;
            deadlines[n++] = j * f;
        }
    }
    for (uint32_t l = 0; l < layers; l++) {
        blocks[n] = big->recurrent[l].blocks;
        deadlines[n++] = m->config.big_frame_size;
    }
    assert(n == big_jobs(m));
    v->big_queue.rate = srnn_queue_rate(blocks, deadlines, n);
    n = 0;
    for (uint32_t k = 1; frame->unfolded && k < f; k++) {
        blocks[n] = frame->conditioning[k].blocks;
        deadlines[n++] = k;
    }
    for (uint32_t l = 0; l < layers; l++) {
        blocks[n] = frame->recurrent[l].blocks;
        deadlines[n++] = f;
    }
    assert(n == frame_jobs(m));
    v->frame_queue.rate = srnn_queue_rate(blocks, deadlines, n);
}

/* Takes the next bytes of a group's allocation, 64-byte aligned. */
static void *take(uint8_t *block, size_t *used, size_t bytes)
{
    void *p = block ? block + *used : NULL;
    *used += round_up(bytes, 64);
    return p;
}

/* Lays the group and its arrays out in block (NULL: only counts the bytes); the bytes used. */
static size_t place(srnn_voices *g, uint8_t *block, const srnn_model *model, unsigned count)
{
    const srnn_config *c = &model->config;
    size_t d = srnn_padded(c->dim), q = srnn_padded(c->q_levels);
    size_t gd = srnn_padded(srnn_gates(c->rnn_type) * c->dim);
    size_t ratio = model->big_frame.ratio, jobs = big_jobs(model) + frame_jobs(model);
    size_t floats = srnn_tier_state_floats(c, &model->big_frame) +
                    srnn_tier_state_floats(c, &model->frame) + ratio * gd + 2 * d + q;
    size_t max_in = c->dim > c->big_frame_size ? c->dim : c->big_frame_size;
    size_t used = 0;
    take(block, &used, sizeof *g);
    srnn_job *job = take(block, &used, jobs * sizeof *job);
    const float **inputs = take(block, &used, jobs * count * sizeof *inputs);
    float **outputs = take(block, &used, jobs * count * sizeof *outputs);
    double *weights = take(block, &used, srnn_sample_scratch(c->q_levels) * sizeof *weights);
    /* a group of one quantises in the kernels (gemv) */
    int16_t *quantised = take(block, &used, count > 1 ? count * srnn_quantised_rows(max_in) * sizeof *quantised : 0);
    if (block) {
        g->weights = weights;
        g->exec.quantised = count > 1 ? quantised : NULL;
        g->exec.max_in = max_in;
        srnn_queue *queues[2] = {&g->big_queue, &g->frame_queue};
        size_t capacity[2] = {big_jobs(model), frame_jobs(model)}, first = 0;
        for (int i = 0; i < 2; i++) {
            queues[i]->jobs = job + first;
            queues[i]->inputs = inputs + first * count;
            queues[i]->outputs = outputs + first * count;
            queues[i]->capacity = capacity[i];
            queues[i]->voices = count;
            first += capacity[i];
        }
    }
    for (unsigned v = 0; v < count; v++) {
        voice_part *part = block ? &g->parts[v] : NULL;
        int32_t *window = take(block, &used, 2 * (size_t)c->big_frame_size * sizeof *window);
        const void **rows = take(block, &used, c->frame_size * sizeof *rows);
        float *next = take(block, &used, floats * sizeof *next);
        if (!part) continue;
        part->window = window;
        part->rows = rows;
        srnn_tier_state_place(&part->big_frame, c, &model->big_frame, next);
        next += srnn_tier_state_floats(c, &model->big_frame);
        srnn_tier_state_place(&part->frame, c, &model->frame, next);
        next += srnn_tier_state_floats(c, &model->frame);
        part->conditioning = next;
        part->hidden1 = part->conditioning + ratio * gd;
        part->hidden2 = part->hidden1 + d;
        part->logits = part->hidden2 + d;
    }
    return used;
}

/* The group and all its arrays in one allocation, so it is freed in one call. */
srnn_status srnn_voices_create(const srnn_model *model, unsigned count, const uint64_t *seeds,
                               unsigned threads, srnn_voices **voices)
{
    *voices = NULL;
    if (!model || !seeds || count < 1 || count > SRNN_MAX_VOICES || threads < 1 ||
        threads > SRNN_MAX_THREADS)
        return SRNN_ERR_ARGUMENT;
    size_t total = place(NULL, NULL, model, count);
    uint8_t *block = aligned_alloc(64, total);
    if (!block) return SRNN_ERR_NOMEM;
    memset(block, 0, total);
    srnn_voices *g = (srnn_voices *)block;
    place(g, block, model, count);
    g->model = model;
    g->count = count;
    g->exec.kernels = model->run.kernels;
    if (threads > 1) { /* products take D or BF inputs, and give GD, D or Q outputs */
        const srnn_config *c = &model->config;
        size_t gd = srnn_padded(srnn_gates(c->rnn_type) * c->dim), q = srnn_padded(c->q_levels);
        size_t widest = gd > q ? gd : q;
        g->exec.helpers = srnn_helpers_start(model->run.kernels, threads - 1, g->exec.max_in,
                                             widest / SRNN_BLOCK, count);
        if (!g->exec.helpers) {
            free(block);
            return SRNN_ERR_NOMEM;
        }
    }
    plan_rates(g);
    for (unsigned v = 0; v < count; v++) {
        g->parts[v].temperature = SRNN_DEFAULT_TEMPERATURE;
        srnn_voices_reset(g, v, seeds[v]);
    }
    *voices = g;
    return SRNN_OK;
}

void srnn_voices_free(srnn_voices *voices)
{
    if (!voices) return;
    srnn_helpers_stop(voices->exec.helpers);
    free(voices);
}

unsigned srnn_voices_count(const srnn_voices *voices) { return voices->count; }

/* After a voice's state changed: the list of the playing voices, and with none playing the
 * group's position back to a big frame boundary, where waiting voices start. The queued jobs
 * are then only stopped or waiting voices', whose states are cleared when they start. */
static void voices_changed(srnn_voices *g)
{
    g->playing_count = g->waiting_count = 0;
    for (unsigned v = 0; v < g->count; v++) {
        if (g->parts[v].state == VOICE_PLAYING) g->playing[g->playing_count++] = v;
        g->waiting_count += g->parts[v].state == VOICE_WAITING;
    }
    if (g->playing_count == 0) {
        g->position = 0;
        g->tiers_ready = false;
        g->logits_ready = false;
        srnn_queue_clear(&g->big_queue);
        srnn_queue_clear(&g->frame_queue);
    }
}

static int32_t clamp_sample(const srnn_model *m, int32_t sample)
{
    if (sample < 0) return 0;
    if (sample >= (int32_t)m->config.q_levels) return (int32_t)m->config.q_levels - 1;
    return sample;
}

void srnn_voices_prime(srnn_voices *g, unsigned voice, const int32_t *samples, size_t count)
{
    if (voice >= g->count) return;
    const srnn_model *m = g->model;
    voice_part *part = &g->parts[voice];
    size_t bf = m->config.big_frame_size;
    /* its queued jobs may still write its tier states: they are cleared when it starts */
    for (size_t i = 0; i < 2 * bf; i++) part->window[i] = (int32_t)(m->config.q_levels / 2);
    size_t used = count < bf ? count : bf;
    for (size_t i = 0; i < used; i++)
        part->window[bf - used + i] = clamp_sample(m, samples[count - used + i]);
    part->state = VOICE_WAITING;
    voices_changed(g);
}

void srnn_voices_reset(srnn_voices *g, unsigned voice, uint64_t seed)
{
    if (voice >= g->count) return;
    srnn_rng_seed(&g->parts[voice].rng, seed);
    srnn_voices_prime(g, voice, NULL, 0);
}

void srnn_voices_stop(srnn_voices *g, unsigned voice)
{
    if (voice >= g->count) return;
    g->parts[voice].state = VOICE_STOPPED;
    voices_changed(g);
}

int srnn_voices_stopped(const srnn_voices *g, unsigned voice)
{
    return voice >= g->count || g->parts[voice].state == VOICE_STOPPED;
}

size_t srnn_voices_starts_in(const srnn_voices *g, unsigned voice)
{
    if (voice >= g->count || g->parts[voice].state != VOICE_WAITING || g->playing_count == 0)
        return 0;
    /* at position 0 the waiting voices start when the tiers next run (run_tiers_if_due) */
    if (g->position == 0 && !g->tiers_ready) return 0;
    return g->model->config.big_frame_size - g->position;
}

void srnn_voices_set_temperature(srnn_voices *g, unsigned voice, float temperature)
{
    if (voice < g->count) g->parts[voice].temperature = temperature;
}

void srnn_voices_feed(srnn_voices *g, unsigned voice, int32_t sample)
{
    if (voice >= g->count) return;
    g->parts[voice].fed = true;
    g->parts[voice].fed_sample = clamp_sample(g->model, sample);
}

/* The waiting voices start, at a big frame boundary: every queued job done (some write their
 * states), their states cleared. */
static void start_waiting(srnn_voices *g)
{
    const srnn_model *m = g->model;
    srnn_queue_complete(&g->big_queue, &g->exec, SIZE_MAX);
    srnn_queue_complete(&g->frame_queue, &g->exec, SIZE_MAX);
    for (unsigned v = 0; v < g->count; v++) {
        voice_part *part = &g->parts[v];
        if (part->state != VOICE_WAITING) continue;
        srnn_tier_state_clear(&part->big_frame, m, &m->run.big_frame);
        srnn_tier_state_clear(&part->frame, m, &m->run.frame);
        part->state = VOICE_PLAYING;
    }
    voices_changed(g);
}

/* The big frame tier of the playing voices on their previous big frames: the conditioning of
 * frame 0 now, that of the other frames and the next recurrent halves queued. */
static void big_frame_step(srnn_voices *g)
{
    const srnn_model *m = g->model;
    const srnn_tier_run *run = &m->run.big_frame;
    size_t gd = srnn_padded(srnn_gates(m->config.rnn_type) * m->config.dim);
    size_t d = srnn_padded(m->config.dim), ratio = m->big_frame.ratio;
    unsigned n = g->playing_count;
    srnn_tier_state *states[SRNN_MAX_VOICES];
    const int32_t *frames[SRNN_MAX_VOICES];
    const float *output[SRNN_MAX_VOICES], *upsampled_in[SRNN_MAX_VOICES];
    float *upsampled[SRNN_MAX_VOICES], *conditioning[SRNN_MAX_VOICES];
    for (unsigned i = 0; i < n; i++) {
        voice_part *part = &g->parts[g->playing[i]];
        states[i] = &part->big_frame;
        frames[i] = part->window;
    }
    srnn_queue_complete(&g->big_queue, &g->exec, SIZE_MAX);
    srnn_tier_step(m, &g->exec, &m->big_frame, run, n, states, frames, NULL);
    srnn_queue_clear(&g->big_queue);
    for (unsigned i = 0; i < n; i++) {
        voice_part *part = &g->parts[g->playing[i]];
        memset(part->conditioning, 0, ratio * gd * sizeof *part->conditioning);
        output[i] = part->big_frame.output;
        upsampled[i] = part->big_frame.upsampled;
        upsampled_in[i] = upsampled[i];
        conditioning[i] = part->conditioning;
        if (run->unfolded) memset(upsampled[i], 0, ratio * d * sizeof *upsampled[i]);
    }
    if (run->unfolded) {
        srnn_exec_gemv(&g->exec, &run->conditioning[0], n, output, upsampled, 0, run->conditioning[0].blocks);
        srnn_exec_gemv(&g->exec, &run->follow, n, upsampled_in, conditioning, 0, run->follow.blocks);
    } else {
        srnn_exec_gemv(&g->exec, &run->conditioning[0], n, output, conditioning, 0,
                       run->conditioning[0].blocks);
    }
    for (size_t j = 1; j < ratio; j++) {
        for (unsigned i = 0; i < n; i++) {
            voice_part *part = &g->parts[g->playing[i]];
            upsampled[i] = part->big_frame.upsampled + j * d;
            upsampled_in[i] = upsampled[i];
            conditioning[i] = part->conditioning + j * gd;
        }
        if (run->unfolded) {
            srnn_queue_push(&g->big_queue, &run->conditioning[j], n, output, upsampled);
            srnn_queue_push(&g->big_queue, &run->follow, n, upsampled_in, conditioning);
        } else {
            srnn_queue_push(&g->big_queue, &run->conditioning[j], n, output, conditioning);
        }
    }
    srnn_tier_queue_recurrent(m, run, n, states, &g->big_queue);
}

/* The frame tier of the playing voices on their previous F samples, conditioned for frame j;
 * unfolded, the upsampled vectors of position 0 now and those of the others queued. */
static void frame_step(srnn_voices *g, size_t j)
{
    const srnn_model *m = g->model;
    const srnn_tier_run *run = &m->run.frame;
    size_t gd = srnn_padded(srnn_gates(m->config.rnn_type) * m->config.dim);
    size_t d = srnn_padded(m->config.dim), f = m->frame.ratio;
    size_t end = m->config.big_frame_size + g->position;
    unsigned n = g->playing_count;
    srnn_tier_state *states[SRNN_MAX_VOICES];
    const int32_t *frames[SRNN_MAX_VOICES];
    const float *conditioning[SRNN_MAX_VOICES], *output[SRNN_MAX_VOICES];
    float *upsampled[SRNN_MAX_VOICES];
    for (unsigned i = 0; i < n; i++) {
        voice_part *part = &g->parts[g->playing[i]];
        states[i] = &part->frame;
        frames[i] = part->window + end - m->frame.frame;
        conditioning[i] = part->conditioning + j * gd;
    }
    /* frame j's conditioning is the last of the first j or 2j jobs */
    srnn_queue_complete(&g->big_queue, &g->exec, (m->run.big_frame.unfolded ? 2 : 1) * j);
    srnn_queue_complete(&g->frame_queue, &g->exec, SIZE_MAX);
    srnn_tier_step(m, &g->exec, &m->frame, run, n, states, frames, conditioning);
    srnn_queue_clear(&g->frame_queue);
    if (run->unfolded) {
        for (unsigned i = 0; i < n; i++) {
            voice_part *part = &g->parts[g->playing[i]];
            memset(part->frame.upsampled, 0, f * d * sizeof *part->frame.upsampled);
            output[i] = part->frame.output;
            upsampled[i] = part->frame.upsampled;
        }
        srnn_exec_gemv(&g->exec, &run->conditioning[0], n, output, upsampled, 0,
                       run->conditioning[0].blocks);
        for (size_t k = 1; k < f; k++) {
            for (unsigned i = 0; i < n; i++) upsampled[i] = g->parts[g->playing[i]].frame.upsampled + k * d;
            srnn_queue_push(&g->frame_queue, &run->conditioning[k], n, output, upsampled);
        }
    }
    srnn_tier_queue_recurrent(m, run, n, states, &g->frame_queue);
}

static void run_tiers_if_due(srnn_voices *g)
{
    if (g->tiers_ready) return;
    size_t f = g->model->config.frame_size, p = g->position;
    if (p == 0 && g->waiting_count > 0) start_waiting(g);
    if (p == 0) big_frame_step(g);
    if (p % f == 0) frame_step(g, p / f);
    g->tiers_ready = true;
}

static void relu(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

/* Asks for a table row's cache lines ahead of its use: the rows a sample reads are scattered
 * over the table (several MiB, in L3 or memory), and the conditioning product runs meanwhile. */
static void prefetch_row(const char *row, size_t bytes)
{
    for (size_t at = 0; at < bytes; at += 64) __builtin_prefetch(row + at);
}

/* The logits of the playing voices for this position. */
static void predict(srnn_voices *g)
{
    if (g->logits_ready) return;
    run_tiers_if_due(g);
    const srnn_model *m = g->model;
    const srnn_runtime *run = &m->run;
    size_t d = m->config.dim, q = m->config.q_levels, f = m->config.frame_size;
    size_t end = m->config.big_frame_size + g->position;
    const srnn_tier_run *frame = &run->frame;
    size_t k = g->position % f;
    size_t row_bytes = d * srnn_dtype_bits(run->sample_table_dtype) / 8;
    unsigned n = g->playing_count;
    const float *x[SRNN_MAX_VOICES];
    float *y[SRNN_MAX_VOICES];

    /* hidden1: the frame tier's conditioning for this position (unfolded: hidden1's kernel on
     * its upsampled vector k, job k - 1 of the frame queue), then the F table rows of the
     * embedded samples through the input convolution */
    if (frame->unfolded) srnn_queue_complete(&g->frame_queue, &g->exec, k);
    for (unsigned i = 0; i < n; i++) {
        voice_part *part = &g->parts[g->playing[i]];
        const int32_t *recent = part->window + end - f;
        for (size_t t = 0; t < f; t++) {
            part->rows[t] = (const char *)run->sample_table + (t * q + (size_t)recent[t]) * row_bytes;
            prefetch_row(part->rows[t], row_bytes);
        }
        memcpy(part->hidden1, m->hidden1_bias, d * sizeof *part->hidden1);
        x[i] = frame->unfolded ? part->frame.upsampled + k * srnn_padded(d) : part->frame.output;
        y[i] = part->hidden1;
    }
    const srnn_matrix *conditioning = frame->unfolded ? &frame->follow : &frame->conditioning[k];
    srnn_exec_gemv(&g->exec, conditioning, n, x, y, 0, conditioning->blocks);
    for (unsigned i = 0; i < n; i++) {
        voice_part *part = &g->parts[g->playing[i]];
        g->exec.kernels->add_rows(part->hidden1, part->rows, run->sample_table_dtype, f, d);
        relu(part->hidden1, d);
        memcpy(part->hidden2, m->hidden2_bias, d * sizeof *part->hidden2);
        x[i] = part->hidden1;
        y[i] = part->hidden2;
    }
    srnn_exec_gemv(&g->exec, &run->hidden2, n, x, y, 0, run->hidden2.blocks);
    for (unsigned i = 0; i < n; i++) {
        voice_part *part = &g->parts[g->playing[i]];
        relu(part->hidden2, d);
        memcpy(part->logits, m->output_bias, q * sizeof *part->logits);
        x[i] = part->hidden2;
        y[i] = part->logits;
    }
    srnn_exec_gemv(&g->exec, &run->output, n, x, y, 0, run->output.blocks);
    g->logits_ready = true;
}

/* Appends each playing voice's sample (samples[voice]) to its history and advances one
 * position. */
static void feed(srnn_voices *g, const int32_t *samples)
{
    run_tiers_if_due(g);
    size_t bf = g->model->config.big_frame_size;
    for (unsigned i = 0; i < g->playing_count; i++) {
        unsigned v = g->playing[i];
        g->parts[v].window[bf + g->position] = clamp_sample(g->model, samples[v]);
    }
    srnn_queue_run(&g->frame_queue, &g->exec, g->frame_queue.rate);
    srnn_queue_run(&g->big_queue, &g->exec, g->big_queue.rate);
    if (++g->position == bf) {
        for (unsigned i = 0; i < g->playing_count; i++) {
            int32_t *window = g->parts[g->playing[i]].window;
            memcpy(window, window + bf, bf * sizeof *window);
        }
        g->position = 0;
    }
    g->tiers_ready = false;
    g->logits_ready = false;
}

const float *srnn_voices_predict(srnn_voices *g, unsigned voice)
{
    if (voice >= g->count || g->playing_count + g->waiting_count == 0) return NULL;
    predict(g); /* starts the waiting voices at a big frame boundary */
    return g->parts[voice].state == VOICE_PLAYING ? g->parts[voice].logits : NULL;
}

void srnn_voices_generate(srnn_voices *g, float *const *audio, int32_t *const *quantised,
                          size_t count)
{
    srnn_fp_mode saved = srnn_flush_denormals();
    const srnn_config *c = &g->model->config;
    int32_t silent = (int32_t)(c->q_levels / 2);
    for (size_t i = 0; i < count; i++) {
        int32_t samples[SRNN_MAX_VOICES];
        for (unsigned v = 0; v < g->count; v++) samples[v] = silent;
        if (g->playing_count + g->waiting_count > 0) {
            predict(g); /* starts the waiting voices at a big frame boundary */
            for (unsigned j = 0; j < g->playing_count; j++) {
                voice_part *part = &g->parts[g->playing[j]];
                samples[g->playing[j]] =
                    part->fed ? part->fed_sample
                              : g->exec.kernels->sample(&part->rng, part->logits, c->q_levels,
                                                        part->temperature, g->weights);
            }
            feed(g, samples);
        }
        for (unsigned v = 0; v < g->count; v++) {
            g->parts[v].fed = false; /* for one step, taken or not */
            if (quantised && quantised[v]) quantised[v][i] = samples[v];
            if (audio && audio[v]) audio[v][i] = srnn_dequantise(c, samples[v]);
        }
    }
    srnn_restore_fp_mode(saved);
}

/* ---- a voice alone: a group of one ------------------------------------------------------ */

srnn_status srnn_voice_create(const srnn_model *model, uint64_t seed, srnn_voice **voice)
{
    return srnn_voice_create_threads(model, seed, 1, voice);
}

srnn_status srnn_voice_create_threads(const srnn_model *model, uint64_t seed, unsigned threads,
                                      srnn_voice **voice)
{
    *voice = malloc(sizeof **voice);
    if (!*voice) return SRNN_ERR_NOMEM;
    srnn_status status = srnn_voices_create(model, 1, &seed, threads, &(*voice)->group);
    if (status != SRNN_OK) {
        free(*voice);
        *voice = NULL;
    }
    return status;
}

void srnn_voice_free(srnn_voice *voice)
{
    if (!voice) return;
    srnn_voices_free(voice->group);
    free(voice);
}

void srnn_voice_reset(srnn_voice *v, uint64_t seed) { srnn_voices_reset(v->group, 0, seed); }

void srnn_voice_prime(srnn_voice *v, const int32_t *samples, size_t count)
{
    srnn_voices_prime(v->group, 0, samples, count);
}

const float *srnn_voice_predict(srnn_voice *v) { return srnn_voices_predict(v->group, 0); }

void srnn_voice_feed(srnn_voice *v, int32_t sample) { feed(v->group, &sample); }

int32_t srnn_voice_sample(srnn_voice *v, const float *logits, float temperature)
{
    srnn_voices *g = v->group;
    return g->exec.kernels->sample(&g->parts[0].rng, logits, g->model->config.q_levels,
                                   temperature, g->weights);
}

void srnn_voice_generate(srnn_voice *v, float temperature, float *audio, int32_t *quantised,
                         size_t count)
{
    srnn_voices_set_temperature(v->group, 0, temperature);
    srnn_voices_generate(v->group, &audio, &quantised, count);
}
