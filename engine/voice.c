/* A voice: one generator's state, and the forward pass that predicts its next sample.
 *
 * Time inside a voice is the position p in [0, BF) within the current big frame. The window
 * holds 2·BF samples: [0, BF) the previous big frame, [BF, BF + p) the current one so far, so
 * the F samples before position p are always window[BF + p - F, BF + p). At p = 0 the big frame
 * tier runs on the previous big frame; at every multiple of F the frame tier runs on the
 * previous F samples plus the big tier's conditioning for that frame; every sample, the MLP.
 * This is PRiSM's alignment (model.py, training call and inference_step alike).
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
#include "helper.h"
#include "model.h"
#include "rnn.h"
#include "sampler.h"
#include "spread.h"

struct srnn_voice {
    const srnn_model *model;
    srnn_exec exec; /* the model's kernels, and the helper threads if the voice has any */
    srnn_rng rng;
    int32_t *window; /* (2·BF) */
    uint32_t position;
    bool tiers_ready;  /* the frame tiers have run for this position */
    bool logits_ready; /* logits hold the prediction for this position */
    srnn_tier_state big_frame, frame;
    float *conditioning; /* (BF/F, GD): the big tier's output as frame j's layer-0 pre-activations */
    srnn_queue big_queue, frame_queue;
    float *hidden1, *hidden2; /* (D) each */
    const float **rows;       /* (F): the table rows of the last F samples */
    float *logits;            /* (Q) */
    double *weights;          /* the sampler's scratch */
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
static void plan_rates(srnn_voice *v)
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

/* The voice and all its arrays in one allocation, so it is freed in one call. */
srnn_status srnn_voice_create(const srnn_model *model, uint64_t seed, srnn_voice **voice)
{
    return srnn_voice_create_threads(model, seed, 1, voice);
}

srnn_status srnn_voice_create_threads(const srnn_model *model, uint64_t seed, unsigned threads,
                                      srnn_voice **voice)
{
    *voice = NULL;
    if (!model || threads < 1 || threads > SRNN_MAX_THREADS) return SRNN_ERR_ARGUMENT;
    const srnn_config *c = &model->config;
    size_t d = srnn_padded(c->dim), q = srnn_padded(c->q_levels);
    size_t gd = srnn_padded(srnn_gates(c->rnn_type) * c->dim);
    size_t ratio = model->big_frame.ratio;
    size_t floats = srnn_tier_state_floats(c, &model->big_frame) +
                    srnn_tier_state_floats(c, &model->frame) + ratio * gd + 2 * d + q;
    size_t header = round_up(sizeof(srnn_voice), 64);
    size_t jobs = round_up((big_jobs(model) + frame_jobs(model)) * sizeof(srnn_job), 64);
    size_t window = round_up(2 * (size_t)c->big_frame_size * sizeof(int32_t), 64);
    size_t rows = round_up(c->frame_size * sizeof(float *), 64);
    size_t weights = srnn_sample_scratch(c->q_levels) * sizeof(double);
    size_t total = round_up(header + jobs + window + rows + weights + floats * sizeof(float), 64);
    uint8_t *block = aligned_alloc(64, total);
    if (!block) return SRNN_ERR_NOMEM;
    memset(block, 0, total);

    srnn_voice *v = (srnn_voice *)block;
    v->model = model;
    v->exec.kernels = model->run.kernels;
    if (threads > 1) { /* products take d or BF inputs, and give GD, D or Q outputs */
        size_t max_in = c->dim > c->big_frame_size ? c->dim : c->big_frame_size;
        size_t widest = gd > q ? gd : q;
        v->exec.helpers = srnn_helpers_start(model->run.kernels, threads - 1, max_in,
                                             widest / SRNN_BLOCK);
        if (!v->exec.helpers) {
            free(block);
            return SRNN_ERR_NOMEM;
        }
    }
    v->big_queue.jobs = (srnn_job *)(block + header);
    v->big_queue.capacity = big_jobs(model);
    v->frame_queue.jobs = v->big_queue.jobs + big_jobs(model);
    v->frame_queue.capacity = frame_jobs(model);
    v->window = (int32_t *)(block + header + jobs);
    v->rows = (const float **)(block + header + jobs + window);
    v->weights = (double *)(block + header + jobs + window + rows);
    float *next = (float *)(block + header + jobs + window + rows + weights);
    srnn_tier_state_place(&v->big_frame, c, &model->big_frame, next);
    next += srnn_tier_state_floats(c, &model->big_frame);
    srnn_tier_state_place(&v->frame, c, &model->frame, next);
    next += srnn_tier_state_floats(c, &model->frame);
    v->conditioning = next;
    v->hidden1 = v->conditioning + ratio * gd;
    v->hidden2 = v->hidden1 + d;
    v->logits = v->hidden2 + d;

    plan_rates(v);
    srnn_voice_reset(v, seed);
    *voice = v;
    return SRNN_OK;
}

void srnn_voice_free(srnn_voice *voice)
{
    if (!voice) return;
    srnn_helpers_stop(voice->exec.helpers);
    free(voice);
}

void srnn_voice_reset(srnn_voice *v, uint64_t seed)
{
    srnn_rng_seed(&v->rng, seed);
    srnn_voice_prime(v, NULL, 0);
}

static int32_t clamp_sample(const srnn_model *m, int32_t sample)
{
    if (sample < 0) return 0;
    if (sample >= (int32_t)m->config.q_levels) return (int32_t)m->config.q_levels - 1;
    return sample;
}

void srnn_voice_prime(srnn_voice *v, const int32_t *samples, size_t count)
{
    const srnn_model *m = v->model;
    size_t bf = m->config.big_frame_size;
    srnn_tier_state_clear(&v->big_frame, m, &m->run.big_frame);
    srnn_tier_state_clear(&v->frame, m, &m->run.frame);
    srnn_queue_clear(&v->big_queue);
    srnn_queue_clear(&v->frame_queue);
    v->position = 0;
    v->tiers_ready = false;
    v->logits_ready = false;
    for (size_t i = 0; i < 2 * bf; i++) v->window[i] = (int32_t)(m->config.q_levels / 2);
    size_t used = count < bf ? count : bf;
    for (size_t i = 0; i < used; i++)
        v->window[bf - used + i] = clamp_sample(m, samples[count - used + i]);
}

/* The big frame tier on the previous big frame: the conditioning of frame 0 now, that of
 * the other frames and the next recurrent halves queued. */
static void big_frame_step(srnn_voice *v)
{
    const srnn_model *m = v->model;
    const srnn_tier_run *run = &m->run.big_frame;
    size_t gd = srnn_padded(srnn_gates(m->config.rnn_type) * m->config.dim);
    size_t d = srnn_padded(m->config.dim), ratio = m->big_frame.ratio;
    float *output = v->big_frame.output, *upsampled = v->big_frame.upsampled;
    srnn_queue_complete(&v->big_queue, &v->exec, SIZE_MAX);
    srnn_tier_step(m, &v->exec, &m->big_frame, run, &v->big_frame, v->window, NULL);
    memset(v->conditioning, 0, ratio * gd * sizeof *v->conditioning);
    srnn_queue_clear(&v->big_queue);
    if (run->unfolded) {
        memset(upsampled, 0, ratio * d * sizeof *upsampled);
        srnn_exec_gemv(&v->exec, &run->conditioning[0], output, upsampled, 0, run->conditioning[0].blocks);
        srnn_exec_gemv(&v->exec, &run->follow, upsampled, v->conditioning, 0, run->follow.blocks);
        for (size_t j = 1; j < ratio; j++) {
            srnn_queue_push(&v->big_queue, &run->conditioning[j], output, upsampled + j * d);
            srnn_queue_push(&v->big_queue, &run->follow, upsampled + j * d, v->conditioning + j * gd);
        }
    } else {
        srnn_exec_gemv(&v->exec, &run->conditioning[0], output, v->conditioning, 0,
                       run->conditioning[0].blocks);
        for (size_t j = 1; j < ratio; j++)
            srnn_queue_push(&v->big_queue, &run->conditioning[j], output, v->conditioning + j * gd);
    }
    srnn_tier_queue_recurrent(m, run, &v->big_frame, &v->big_queue);
}

/* The frame tier on the previous F samples, conditioned for frame j; unfolded, its upsampled
 * vector of position 0 now and those of the others queued. */
static void frame_step(srnn_voice *v, size_t j)
{
    const srnn_model *m = v->model;
    const srnn_tier_run *run = &m->run.frame;
    size_t gd = srnn_padded(srnn_gates(m->config.rnn_type) * m->config.dim);
    size_t d = srnn_padded(m->config.dim), f = m->frame.ratio;
    size_t end = m->config.big_frame_size + v->position;
    /* frame j's conditioning is the last of the first j or 2j jobs */
    srnn_queue_complete(&v->big_queue, &v->exec, (m->run.big_frame.unfolded ? 2 : 1) * j);
    srnn_queue_complete(&v->frame_queue, &v->exec, SIZE_MAX);
    srnn_tier_step(m, &v->exec, &m->frame, run, &v->frame, v->window + end - m->frame.frame,
                   v->conditioning + j * gd);
    srnn_queue_clear(&v->frame_queue);
    if (run->unfolded) {
        float *upsampled = v->frame.upsampled;
        memset(upsampled, 0, f * d * sizeof *upsampled);
        srnn_exec_gemv(&v->exec, &run->conditioning[0], v->frame.output, upsampled, 0,
                       run->conditioning[0].blocks);
        for (size_t k = 1; k < f; k++)
            srnn_queue_push(&v->frame_queue, &run->conditioning[k], v->frame.output, upsampled + k * d);
    }
    srnn_tier_queue_recurrent(m, run, &v->frame, &v->frame_queue);
}

static void run_tiers_if_due(srnn_voice *v)
{
    if (v->tiers_ready) return;
    size_t f = v->model->config.frame_size, p = v->position;
    if (p == 0) big_frame_step(v);
    if (p % f == 0) frame_step(v, p / f);
    v->tiers_ready = true;
}

static void relu(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

const float *srnn_voice_predict(srnn_voice *v)
{
    if (v->logits_ready) return v->logits;
    run_tiers_if_due(v);
    const srnn_model *m = v->model;
    const srnn_runtime *run = &m->run;
    size_t d = m->config.dim, q = m->config.q_levels, f = m->config.frame_size;
    size_t end = m->config.big_frame_size + v->position;
    const int32_t *recent = v->window + end - f;
    const srnn_tier_run *frame = &run->frame;
    size_t k = v->position % f;

    /* hidden1: the frame tier's conditioning for this position (unfolded: hidden1's kernel on
     * its upsampled vector k, job k - 1 of the frame queue), then the F table rows of the
     * embedded samples through the input convolution */
    float *h1 = v->hidden1, *h2 = v->hidden2;
    memcpy(h1, m->hidden1_bias, d * sizeof *h1);
    if (frame->unfolded) {
        srnn_queue_complete(&v->frame_queue, &v->exec, k);
        srnn_exec_gemv(&v->exec, &frame->follow, v->frame.upsampled + k * srnn_padded(d), h1, 0,
                       frame->follow.blocks);
    } else {
        srnn_exec_gemv(&v->exec, &frame->conditioning[k], v->frame.output, h1, 0,
                       frame->conditioning[k].blocks);
    }
    const float **rows = v->rows;
    for (size_t t = 0; t < f; t++) rows[t] = run->sample_table + (t * q + (size_t)recent[t]) * d;
    v->exec.kernels->add_rows(h1, rows, f, d);
    relu(h1, d);
    memcpy(h2, m->hidden2_bias, d * sizeof *h2);
    srnn_exec_gemv(&v->exec, &run->hidden2, h1, h2, 0, run->hidden2.blocks);
    relu(h2, d);
    memcpy(v->logits, m->output_bias, q * sizeof *v->logits);
    srnn_exec_gemv(&v->exec, &run->output, h2, v->logits, 0, run->output.blocks);
    v->logits_ready = true;
    return v->logits;
}

void srnn_voice_feed(srnn_voice *v, int32_t sample)
{
    run_tiers_if_due(v);
    size_t bf = v->model->config.big_frame_size;
    v->window[bf + v->position] = clamp_sample(v->model, sample);
    srnn_queue_run(&v->frame_queue, &v->exec, v->frame_queue.rate);
    srnn_queue_run(&v->big_queue, &v->exec, v->big_queue.rate);
    if (++v->position == bf) {
        memcpy(v->window, v->window + bf, bf * sizeof *v->window);
        v->position = 0;
    }
    v->tiers_ready = false;
    v->logits_ready = false;
}

int32_t srnn_voice_sample(srnn_voice *v, const float *logits, float temperature)
{
    return v->exec.kernels->sample(&v->rng, logits, v->model->config.q_levels, temperature,
                                   v->weights);
}

void srnn_voice_generate(srnn_voice *v, float temperature, float *audio, int32_t *quantised,
                         size_t count)
{
    srnn_fp_mode saved = srnn_flush_denormals();
    const srnn_config *c = &v->model->config;
    for (size_t i = 0; i < count; i++) {
        int32_t sample = srnn_voice_sample(v, srnn_voice_predict(v), temperature);
        srnn_voice_feed(v, sample);
        if (quantised) quantised[i] = sample;
        if (audio) audio[i] = srnn_dequantise(c, sample);
    }
    srnn_restore_fp_mode(saved);
}
