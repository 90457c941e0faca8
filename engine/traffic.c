/* What a sample reads of a model's weights, and what they occupy (srnn.h): the bound of a model
 * whose products stream their weights from a cache or memory level (srnn bench's "of the
 * limit"). Counted from the matrices as the engine runs them (model.h): folded or not, at their
 * precision, block-sparse ones as stored, with their scales and indices. */
#include "dtype.h"
#include "model.h"
#include "sparse.h"

typedef struct {
    double per_sample;
    uint64_t resident;
} traffic;

/* Matrix w, read reads_per_sample times a sample on average (absent matrices are skipped). */
static void add_matrix(traffic *t, const srnn_matrix *w, double reads_per_sample)
{
    if (!w->data) return;
    size_t bytes = srnn_matrix_bytes(w);
    t->per_sample += reads_per_sample * (double)bytes;
    t->resident += bytes;
}

/* A tier steps once every step samples: each of its matrices is read once a step, but the
 * unfolded `follow`, applied to each of the ratio upsampled vectors. */
static void add_tier(traffic *t, const srnn_tier_run *run, const srnn_tier *tier, uint32_t layers,
                     double step)
{
    add_matrix(t, &run->input, 1.0 / step);
    for (uint32_t l = 0; l < layers; l++) {
        add_matrix(t, &run->kernel[l], 1.0 / step);
        add_matrix(t, &run->recurrent[l], 1.0 / step);
        add_matrix(t, &run->skip[l], 1.0 / step);
    }
    for (uint32_t j = 0; j < tier->ratio; j++) add_matrix(t, &run->conditioning[j], 1.0 / step);
    if (run->unfolded) add_matrix(t, &run->follow, tier->ratio / step);
}

void srnn_model_weight_traffic(const srnn_model *model, double *bytes_per_sample,
                               uint64_t *resident_bytes)
{
    const srnn_config *c = &model->config;
    const srnn_runtime *run = &model->run;
    traffic t = {0.0, 0};
    add_tier(&t, &run->big_frame, &model->big_frame, c->num_rnn_layers, c->big_frame_size);
    add_tier(&t, &run->frame, &model->frame, c->num_rnn_layers, c->frame_size);
    add_matrix(&t, &run->hidden2, 1.0);
    add_matrix(&t, &run->output, 1.0);
    /* hidden1's table: F rows of D values a sample, out of F x Q rows */
    size_t row = (size_t)c->dim * srnn_dtype_bits(run->sample_table_dtype) / 8;
    t.per_sample += (double)c->frame_size * (double)row;
    t.resident += (uint64_t)c->frame_size * c->q_levels * row;
    *bytes_per_sample = t.per_sample;
    *resident_bytes = t.resident;
}
