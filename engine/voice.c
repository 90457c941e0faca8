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
 * hidden1, is done one position per sample. */
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
    size_t ratio = model->big_frame.ratio, layers = c->num_rnn_layers;
    size_t floats = srnn_tier_state_floats(c, &model->big_frame) +
                    srnn_tier_state_floats(c, &model->frame) + ratio * gd + 2 * d + q;
    /* every job pushed between two clears of a queue (big_frame_step, frame_step), so a
     * queue is never full (srnn_queue_push) */
    size_t big_jobs = ratio - 1 + layers, frame_jobs = layers;
    size_t header = round_up(sizeof(srnn_voice), 64);
    size_t jobs = round_up((big_jobs + frame_jobs) * sizeof(srnn_job), 64);
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
    v->big_queue.capacity = big_jobs;
    v->frame_queue.jobs = v->big_queue.jobs + big_jobs;
    v->frame_queue.capacity = frame_jobs;
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

    /* rates that meet every deadline: frame j's conditioning by sample j·F, the recurrent
     * halves by the tier's next step */
    uint32_t blocks[SRNN_MAX_FRAME_RATIO - 1 + SRNN_MAX_LAYERS];
    uint32_t deadlines[SRNN_MAX_FRAME_RATIO - 1 + SRNN_MAX_LAYERS];
    uint32_t gate_blocks = (uint32_t)(gd / SRNN_BLOCK);
    size_t n = 0;
    for (size_t j = 1; j < ratio; j++, n++) {
        blocks[n] = gate_blocks;
        deadlines[n] = (uint32_t)(j * c->frame_size);
    }
    for (size_t l = 0; l < layers; l++, n++) {
        blocks[n] = gate_blocks;
        deadlines[n] = c->big_frame_size;
    }
    v->big_queue.rate = srnn_queue_rate(blocks, deadlines, n);
    for (size_t l = 0; l < layers; l++) deadlines[l] = c->frame_size;
    v->frame_queue.rate = srnn_queue_rate(blocks, deadlines, layers);

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
    srnn_queue_complete(&v->big_queue, &v->exec, SIZE_MAX);
    srnn_tier_step(m, &v->exec, &m->big_frame, run, &v->big_frame, v->window, NULL);
    memset(v->conditioning, 0, m->big_frame.ratio * gd * sizeof *v->conditioning);
    srnn_exec_gemv(&v->exec, &run->conditioning[0], v->big_frame.output, v->conditioning, 0,
                   run->conditioning[0].blocks);
    srnn_queue_clear(&v->big_queue);
    for (size_t j = 1; j < m->big_frame.ratio; j++)
        srnn_queue_push(&v->big_queue, &run->conditioning[j], v->big_frame.output,
                        v->conditioning + j * gd);
    srnn_tier_queue_recurrent(m, run, &v->big_frame, &v->big_queue);
}

/* The frame tier on the previous F samples, conditioned for frame j. */
static void frame_step(srnn_voice *v, size_t j)
{
    const srnn_model *m = v->model;
    size_t gd = srnn_padded(srnn_gates(m->config.rnn_type) * m->config.dim);
    size_t end = m->config.big_frame_size + v->position;
    srnn_queue_complete(&v->big_queue, &v->exec, j); /* frame j's conditioning is job j - 1 */
    srnn_queue_complete(&v->frame_queue, &v->exec, SIZE_MAX);
    srnn_tier_step(m, &v->exec, &m->frame, &m->run.frame, &v->frame,
                   v->window + end - m->frame.frame, v->conditioning + j * gd);
    srnn_queue_clear(&v->frame_queue);
    srnn_tier_queue_recurrent(m, &m->run.frame, &v->frame, &v->frame_queue);
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
    const srnn_matrix *upsample = &run->frame.conditioning[v->position % f];

    /* hidden1: the frame tier's conditioning for this position, then the F table rows of
     * the embedded samples through the input convolution */
    float *h1 = v->hidden1, *h2 = v->hidden2;
    memcpy(h1, m->hidden1_bias, d * sizeof *h1);
    srnn_exec_gemv(&v->exec, upsample, v->frame.output, h1, 0, upsample->blocks);
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
