/* A voice: one generator's state, and the forward pass that predicts its next sample.
 *
 * Time inside a voice is the position p in [0, BF) within the current big frame. The window
 * holds 2·BF samples: [0, BF) the previous big frame, [BF, BF + p) the current one so far, so
 * the F samples before position p are always window[BF + p - F, BF + p). At p = 0 the big frame
 * tier runs on the previous big frame; at every multiple of F the frame tier runs on the
 * previous F samples plus the big tier's conditioning for that frame; every sample, the MLP.
 * This is PRiSM's alignment (model.py, training call and inference_step alike). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "denormals.h"
#include "kernels.h"
#include "model.h"
#include "rnn.h"
#include "sampler.h"

typedef struct {
    float *h;       /* (L, D) */
    float *c;       /* (L, D), LSTM cell states; unused for GRU */
    float *outputs; /* (R, D) conditioning vectors for the tier below */
} tier_state;

struct srnn_voice {
    const srnn_model *model;
    srnn_rng rng;
    int32_t *window; /* (2·BF) */
    uint32_t position;
    bool tiers_ready;  /* the frame tiers have run for this position */
    bool logits_ready; /* logits hold the prediction for this position */
    tier_state big_frame, frame;
    float *tier_input;  /* (D) */
    float *tier_output; /* (D) */
    float *rnn_scratch;
    float *mlp_a, *mlp_b; /* (D) each */
    float *logits;        /* (Q) */
    double *weights;      /* (Q), the sampler's scratch */
};

/* The voice and all its arrays in one allocation, so it is freed in one call. */
static size_t align_floats(size_t n) { return (n + 15) & ~(size_t)15; }

srnn_status srnn_voice_create(const srnn_model *model, uint64_t seed, srnn_voice **voice)
{
    *voice = NULL;
    if (!model) return SRNN_ERR_ARGUMENT;
    const srnn_config *c = &model->config;
    size_t d = c->dim, l = c->num_rnn_layers, q = c->q_levels;
    size_t sizes[] = {
        align_floats(l * d), align_floats(l * d), align_floats(model->big_frame.ratio * d),
        align_floats(l * d), align_floats(l * d), align_floats(model->frame.ratio * d),
        align_floats(d), align_floats(d), align_floats(srnn_rnn_scratch_floats(c)),
        align_floats(d), align_floats(d), align_floats(q),
    };
    size_t floats = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) floats += sizes[i];
    size_t header = (sizeof(srnn_voice) + 63) & ~(size_t)63;
    size_t window = ((2 * (size_t)c->big_frame_size * sizeof(int32_t)) + 63) & ~(size_t)63;
    size_t weights = q * sizeof(double);
    size_t total = header + floats * sizeof(float) + window + weights;
    uint8_t *block = aligned_alloc(64, (total + 63) & ~(size_t)63);
    if (!block) return SRNN_ERR_NOMEM;
    memset(block, 0, total);

    srnn_voice *v = (srnn_voice *)block;
    v->model = model;
    float *next = (float *)(block + header);
    float **arrays[] = {
        &v->big_frame.h, &v->big_frame.c, &v->big_frame.outputs,
        &v->frame.h, &v->frame.c, &v->frame.outputs,
        &v->tier_input, &v->tier_output, &v->rnn_scratch,
        &v->mlp_a, &v->mlp_b, &v->logits,
    };
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) {
        *arrays[i] = next;
        next += sizes[i];
    }
    v->window = (int32_t *)next;
    v->weights = (double *)((uint8_t *)v->window + window);
    srnn_voice_reset(v, seed);
    *voice = v;
    return SRNN_OK;
}

void srnn_voice_free(srnn_voice *voice) { free(voice); }

static void clear_states(srnn_voice *v)
{
    const srnn_config *c = &v->model->config;
    size_t states = (size_t)c->num_rnn_layers * c->dim * sizeof(float);
    memset(v->big_frame.h, 0, states);
    memset(v->big_frame.c, 0, states);
    memset(v->frame.h, 0, states);
    memset(v->frame.c, 0, states);
    v->position = 0;
    v->tiers_ready = false;
    v->logits_ready = false;
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
    const srnn_config *c = &v->model->config;
    size_t bf = c->big_frame_size;
    clear_states(v);
    for (size_t i = 0; i < 2 * bf; i++) v->window[i] = (int32_t)(c->q_levels / 2);
    size_t used = count < bf ? count : bf;
    for (size_t i = 0; i < used; i++)
        v->window[bf - used + i] = clamp_sample(v->model, samples[count - used + i]);
}

/* One step of a frame tier on the frame of samples ending at window position end, optionally
 * conditioned by a vector of the tier above; fills the tier's R conditioning outputs. */
static void run_tier(srnn_voice *v, const srnn_tier *tier, tier_state *state, size_t end,
                     const float *conditioning)
{
    const srnn_config *c = &v->model->config;
    size_t d = c->dim;
    const int32_t *frame = v->window + end - tier->frame;
    float half = (float)c->q_levels / 2.0f;
    memcpy(v->tier_input, tier->input_bias, d * sizeof(float));
    for (size_t k = 0; k < tier->frame; k++) {
        /* PRiSM scales samples to [-2, 2) before the tier's input Dense */
        float scaled = ((float)frame[k] / half - 1.0f) * 2.0f;
        const float *row = tier->input_kernel + k * d;
        for (size_t o = 0; o < d; o++) v->tier_input[o] += scaled * row[o];
    }
    if (conditioning)
        for (size_t o = 0; o < d; o++) v->tier_input[o] += conditioning[o];
    srnn_rnn_stack_step(c, tier, state->h, state->c, v->tier_input, v->tier_output,
                        v->rnn_scratch);
    for (size_t j = 0; j < tier->ratio; j++)
        srnn_mat_vec(state->outputs + j * d, tier->upsample + j * d * d, v->tier_output, d, d);
}

static void run_tiers_if_due(srnn_voice *v)
{
    if (v->tiers_ready) return;
    const srnn_model *m = v->model;
    size_t bf = m->config.big_frame_size, f = m->config.frame_size, p = v->position;
    if (p == 0) run_tier(v, &m->big_frame, &v->big_frame, bf, NULL);
    if (p % f == 0)
        run_tier(v, &m->frame, &v->frame, bf + p, v->big_frame.outputs + (p / f) * m->config.dim);
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
    size_t d = m->config.dim, q = m->config.q_levels, f = m->config.frame_size;
    size_t end = m->config.big_frame_size + v->position;
    const int32_t *recent = v->window + end - f;

    /* the input convolution over the embedded samples, as table rows, plus conditioning */
    float *a = v->mlp_a, *b = v->mlp_b;
    memcpy(a, v->frame.outputs + (v->position % f) * d, d * sizeof *a);
    for (size_t k = 0; k < f; k++) {
        const float *row = m->sample_table + (k * q + (size_t)recent[k]) * d;
        for (size_t o = 0; o < d; o++) a[o] += row[o];
    }
    memcpy(b, m->hidden1_bias, d * sizeof *b);
    srnn_vec_mat_acc(b, a, m->hidden1_kernel, d, d);
    relu(b, d);
    memcpy(a, m->hidden2_bias, d * sizeof *a);
    srnn_vec_mat_acc(a, b, m->hidden2_kernel, d, d);
    relu(a, d);
    memcpy(v->logits, m->output_bias, q * sizeof *v->logits);
    srnn_vec_mat_acc(v->logits, a, m->output_kernel, d, q);
    v->logits_ready = true;
    return v->logits;
}

void srnn_voice_feed(srnn_voice *v, int32_t sample)
{
    run_tiers_if_due(v);
    size_t bf = v->model->config.big_frame_size;
    v->window[bf + v->position] = clamp_sample(v->model, sample);
    if (++v->position == bf) {
        memcpy(v->window, v->window + bf, bf * sizeof *v->window);
        v->position = 0;
    }
    v->tiers_ready = false;
    v->logits_ready = false;
}

int32_t srnn_voice_sample(srnn_voice *v, const float *logits, float temperature)
{
    return srnn_sample_categorical(&v->rng, logits, v->model->config.q_levels, temperature,
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
