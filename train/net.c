/* Forward and backward of the three tiers over a subsequence. Rows are time-major inside each
 * tier (row t·B + b: step t of batch entry b), which makes the frame tier's upsampled output,
 * (steps·B, F·D), exactly the sample MLP's input with one row per prediction: row
 * (s·B + b)·F + j predicts sample BF + s·F + j of batch entry b. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "rnn_layer.h"
#include "tensor_ops.h"

typedef struct {
    size_t steps, frame, ratio; /* n, the input frame (BF or F), R */
    float *input;               /* (n·B, frame) samples scaled to [-2, 2) */
    float *embedded;            /* (n·B, D) input Dense + conditioning: the stack's input */
    train_rnn_state layers[TRAIN_MAX_LAYERS];
    float *skip_sum;                   /* (n·B, D) the stack's output with skip connections */
    float *upsampled;                  /* (n·B, R·D) */
    float *d_layers[TRAIN_MAX_LAYERS]; /* (n·B, D) dLoss/d(layer outputs) */
    float *d_embedded;                 /* (n·B, D) */
    float *d_output;                   /* (n·B, D) */
} tier;

struct train_net {
    srnn_config config;
    size_t batch, rows; /* B, B·T predictions */
    size_t bytes;
    int32_t *inputs; /* (B, BF + T) the last forward's samples */
    tier big_frame, frame;
    float *tables;            /* (F, Q, D): tap k of sample value q adds tables[k][q] (E·K_k) */
    float *d_tables;          /* (F, Q, D) */
    float *hidden1, *hidden2; /* (rows, D) after relu */
    float *logits;            /* (rows, Q); after forward, dLoss/dlogits */
    float *d_a, *d_b;         /* (rows, D) scratch gradients */
};

/* C (m, n) = alpha·op(A)·op(B) + beta·C, row-major, leading dimensions from the shapes. */
static void gemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k, const float *a,
                 const float *b, float beta, float *c)
{
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, a,
                (int)(trans_a ? m : k), b, (int)(trans_b ? k : n), beta, c, (int)n);
}

static float *net_floats(train_net *net, size_t n)
{
    net->bytes += n * sizeof(float);
    return train_floats(n);
}

static bool tier_create(train_net *net, tier *t, size_t steps, size_t frame, size_t ratio)
{
    const srnn_config *c = &net->config;
    size_t rows = steps * net->batch, d = c->dim;
    t->steps = steps;
    t->frame = frame;
    t->ratio = ratio;
    t->input = net_floats(net, rows * frame);
    t->embedded = net_floats(net, rows * d);
    t->upsampled = net_floats(net, rows * ratio * d);
    t->d_embedded = net_floats(net, rows * d);
    t->d_output = net_floats(net, rows * d);
    bool ok = t->input && t->embedded && t->upsampled && t->d_embedded && t->d_output;
    if (c->skip_conn) ok = ok && (t->skip_sum = net_floats(net, rows * d));
    for (uint32_t l = 0; l < c->num_rnn_layers && ok; l++) {
        size_t copies = (l == 0 && c->skip_conn) ? 2 : 1;
        ok = train_rnn_create(&t->layers[l], c->rnn_type, steps, net->batch, d, copies);
        net->bytes += t->layers[l].bytes;
        ok = ok && (t->d_layers[l] = net_floats(net, rows * d));
    }
    return ok;
}

static void tier_free(tier *t)
{
    float *arrays[] = {t->input,     t->embedded,   t->skip_sum,
                       t->upsampled, t->d_embedded, t->d_output};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) free(arrays[i]);
    for (size_t l = 0; l < TRAIN_MAX_LAYERS; l++) {
        if (t->layers[l].h) train_rnn_free(&t->layers[l]);
        free(t->d_layers[l]);
    }
}

train_net *train_net_create(const srnn_config *c, size_t batch)
{
    train_net *net = calloc(1, sizeof *net);
    if (!net) return NULL;
    size_t t = c->seq_len, d = c->dim, q = c->q_levels, f = c->frame_size;
    size_t bf = c->big_frame_size;
    net->config = *c;
    net->batch = batch;
    net->rows = batch * t;
    net->inputs = malloc(batch * (bf + t) * sizeof *net->inputs);
    bool ok = net->inputs && tier_create(net, &net->big_frame, t / bf, bf, bf / f) &&
              tier_create(net, &net->frame, t / f, f, f);
    ok = ok && (net->tables = net_floats(net, f * q * d)) &&
         (net->d_tables = net_floats(net, f * q * d)) &&
         (net->hidden1 = net_floats(net, net->rows * d)) &&
         (net->hidden2 = net_floats(net, net->rows * d)) &&
         (net->logits = net_floats(net, net->rows * q)) &&
         (net->d_a = net_floats(net, net->rows * d)) && (net->d_b = net_floats(net, net->rows * d));
    if (!ok) {
        train_net_free(net);
        return NULL;
    }
    return net;
}

void train_net_free(train_net *net)
{
    if (!net) return;
    tier_free(&net->big_frame);
    tier_free(&net->frame);
    float *arrays[] = {net->tables, net->d_tables, net->hidden1, net->hidden2,
                       net->logits, net->d_a,      net->d_b};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) free(arrays[i]);
    free(net->inputs);
    free(net);
}

size_t train_net_bytes(const train_net *net) { return net->bytes; }

size_t train_net_carried_per_row(const train_net *net)
{
    size_t per_layer = net->config.rnn_type == SRNN_RNN_LSTM ? 2 : 1;
    return 2 * net->config.num_rnn_layers * per_layer * net->config.dim;
}

/* Copies each batch entry's carried states (where train_rnn_begin takes the next
 * subsequence's initial states from) into rows (out) or from rows into the net. */
static void copy_carried(const train_net *net, float *rows, bool out)
{
    const tier *tiers[] = {&net->big_frame, &net->frame};
    size_t d = net->config.dim, bytes = d * sizeof(float);
    for (size_t b = 0; b < net->batch; b++)
        for (size_t k = 0; k < 2; k++)
            for (uint32_t l = 0; l < net->config.num_rnn_layers; l++) {
                const train_rnn_state *s = &tiers[k]->layers[l];
                float *states[2] = {s->h, s->c}; /* c: LSTM only */
                for (size_t i = 0; i < 2 && states[i]; i++, rows += d) {
                    float *last = states[i] + (s->steps * net->batch + b) * d;
                    memcpy(out ? rows : last, out ? last : rows, bytes);
                }
            }
}

void train_net_get_carried(const train_net *net, float *rows) { copy_carried(net, rows, true); }

void train_net_set_carried(train_net *net, const float *rows)
{
    copy_carried(net, (float *)rows, false);
}

/* ---- frame tiers ---------------------------------------------------------------------- */

/* The tier's input frames: step t of entry b reads the frame samples starting at
 * first + t·frame of that entry's row, scaled as PRiSM does, ((x / (Q/2)) - 1) · 2. */
static void tier_gather_input(train_net *net, tier *t, size_t first)
{
    size_t b_count = net->batch, width = net->config.big_frame_size + net->config.seq_len;
    float half = (float)net->config.q_levels / 2.0f;
    for (size_t step = 0; step < t->steps; step++)
        for (size_t b = 0; b < b_count; b++) {
            const int32_t *x = net->inputs + b * width + first + step * t->frame;
            float *row = t->input + (step * b_count + b) * t->frame;
            for (size_t k = 0; k < t->frame; k++) row[k] = ((float)x[k] / half - 1.0f) * 2.0f;
        }
}

static const float *layer_output(const tier *t, size_t l, size_t batch, size_t d)
{
    return t->layers[l].h + batch * d;
}

static const float *tier_output(const train_net *net, const tier *t)
{
    const srnn_config *c = &net->config;
    return c->skip_conn ? t->skip_sum : layer_output(t, c->num_rnn_layers - 1, net->batch, c->dim);
}

/* embedded (input Dense + conditioning, already in t->embedded when conditioned) -> stack ->
 * upsampled. */
static void tier_forward(train_net *net, tier *t, const train_tier_weights *w, bool reset,
                         bool conditioned)
{
    const srnn_config *c = &net->config;
    size_t rows = t->steps * net->batch, d = c->dim;
    /* embedded = input·K + b (+ the conditioning it already holds) */
    if (!conditioned)
        train_rows_set(t->embedded, w->input_bias, rows, d);
    else
        for (size_t r = 0; r < rows; r++) train_add(t->embedded + r * d, w->input_bias, d);
    gemm(false, false, rows, d, t->frame, t->input, w->input_kernel, 1.0f, t->embedded);

    const float *x = t->embedded;
    if (c->skip_conn) train_rows_set(t->skip_sum, w->layers[0].skip_bias, rows, d);
    for (uint32_t l = 0; l < c->num_rnn_layers; l++) {
        train_rnn_begin(&t->layers[l], reset);
        train_rnn_forward(&t->layers[l], &w->layers[l], x, d);
        x = layer_output(t, l, net->batch, d);
        if (c->skip_conn)
            gemm(false, false, rows, d, d, x, w->layers[l].skip_kernel, 1.0f, t->skip_sum);
    }
    /* upsampled[r][j·D + o] = Σ_i U[j][o][i]·out[r][i]: U is an (R·D, D) matrix */
    gemm(false, true, rows, t->ratio * d, d, tier_output(net, t), w->upsample, 0.0f, t->upsampled);
}

static void tier_backward(train_net *net, tier *t, const train_tier_weights *w,
                          train_tier_weights *g, const float *d_upsampled)
{
    const srnn_config *c = &net->config;
    size_t rows = t->steps * net->batch, d = c->dim, rd = t->ratio * d;
    uint32_t top = c->num_rnn_layers - 1;
    gemm(true, false, rd, d, rows, d_upsampled, tier_output(net, t), 1.0f, g->upsample);
    gemm(false, false, rows, d, rd, d_upsampled, w->upsample, 0.0f, t->d_output);

    for (uint32_t l = 0; l <= top; l++) {
        if (c->skip_conn) {
            const float *h = layer_output(t, l, net->batch, d);
            gemm(true, false, d, d, rows, h, t->d_output, 1.0f, g->layers[l].skip_kernel);
            gemm(false, true, rows, d, d, t->d_output, w->layers[l].skip_kernel, 0.0f,
                 t->d_layers[l]);
        } else if (l == top) {
            memcpy(t->d_layers[l], t->d_output, rows * d * sizeof(float));
        } else {
            memset(t->d_layers[l], 0, rows * d * sizeof(float));
        }
    }
    if (c->skip_conn) train_column_sums_add(g->layers[0].skip_bias, t->d_output, rows, d);

    memset(t->d_embedded, 0, rows * d * sizeof(float));
    for (uint32_t l = top + 1; l-- > 0;) {
        const float *x = l == 0 ? t->embedded : layer_output(t, l - 1, net->batch, d);
        float *d_x = l == 0 ? t->d_embedded : t->d_layers[l - 1];
        train_rnn_backward(&t->layers[l], &w->layers[l], &g->layers[l], x, d, t->d_layers[l], d_x);
    }
    gemm(true, false, t->frame, d, rows, t->input, t->d_embedded, 1.0f, g->input_kernel);
    train_column_sums_add(g->input_bias, t->d_embedded, rows, d);
}

/* Frame step s = u·R + j of entry b is conditioned by output j of big frame step u. The big
 * tier's rows (u·B + b) hold R vectors; the frame tier's rows are (s·B + b). */
static void conditioning_copy(train_net *net, float *frame_rows, float *big_rows, bool to_frame)
{
    size_t b_count = net->batch, d = net->config.dim, ratio = net->big_frame.ratio;
    for (size_t u = 0; u < net->big_frame.steps; u++)
        for (size_t b = 0; b < b_count; b++)
            for (size_t j = 0; j < ratio; j++) {
                float *big = big_rows + ((u * b_count + b) * ratio + j) * d;
                float *frame = frame_rows + ((u * ratio + j) * b_count + b) * d;
                memcpy(to_frame ? frame : big, to_frame ? big : frame, d * sizeof(float));
            }
}

/* ---- sample MLP --------------------------------------------------------------------------- */

/* The sample whose prediction is row r, and the first of the F samples the MLP reads for it,
 * as offsets into net->inputs. */
static size_t row_target(const train_net *net, size_t r)
{
    size_t f = net->config.frame_size, b_count = net->batch;
    size_t width = net->config.big_frame_size + net->config.seq_len;
    size_t j = r % f, sb = r / f, b = sb % b_count, s = sb / b_count;
    return b * width + net->config.big_frame_size + s * f + j;
}

static void relu(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

static void relu_backward(float *d, const float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(y[i] > 0.0f)) d[i] = 0.0f;
}

/* Cross-entropy of each row's logits against its target (summed, nats), argmax hits, and the
 * logits replaced by dLoss/dlogits of the mean: (softmax - onehot) / rows. */
static double softmax_cross_entropy(train_net *net, uint64_t *correct)
{
    size_t q = net->config.q_levels, rows = net->rows;
    float scale = 1.0f / (float)rows;
    double loss = 0.0;
    uint64_t hits = 0;
    for (size_t r = 0; r < rows; r++) {
        float *z = net->logits + r * q;
        int32_t target = net->inputs[row_target(net, r)];
        size_t best = 0;
        for (size_t i = 1; i < q; i++)
            if (z[i] > z[best]) best = i;
        float max = z[best], z_target = z[target];
        double sum = 0.0;
        for (size_t i = 0; i < q; i++) {
            z[i] = expf(z[i] - max);
            sum += z[i];
        }
        loss += (double)max + log(sum) - (double)z_target;
        hits += best == (size_t)target;
        float inverse = (float)(1.0 / sum) * scale;
        for (size_t i = 0; i < q; i++) z[i] *= inverse;
        z[target] -= scale;
    }
    *correct = hits;
    return loss;
}

double train_net_forward(train_net *net, const train_weights *w, const int32_t *inputs,
                         bool reset_states, uint64_t *correct)
{
    const srnn_config *c = &net->config;
    size_t b_count = net->batch, d = c->dim, q = c->q_levels, f = c->frame_size;
    size_t bf = c->big_frame_size, rows = net->rows;
    memcpy(net->inputs, inputs, b_count * (bf + c->seq_len) * sizeof *inputs);

    /* big frame tier on samples [0, T), frame tier on [BF - F, BF - F + T) */
    tier_gather_input(net, &net->big_frame, 0);
    tier_forward(net, &net->big_frame, &w->big_frame, reset_states, false);
    tier_gather_input(net, &net->frame, bf - f);
    conditioning_copy(net, net->frame.embedded, net->big_frame.upsampled, true);
    tier_forward(net, &net->frame, &w->frame, reset_states, true);

    /* sample MLP: a = frame conditioning + Σ_k E[x_k]·K_k, then three Dense layers */
    float *a = net->frame.upsampled;
    for (size_t k = 0; k < f; k++)
        gemm(false, false, q, d, q, w->embedding, w->conv_kernel + k * q * d, 0.0f,
             net->tables + k * q * d);
    for (size_t r = 0; r < rows; r++) {
        const int32_t *x = net->inputs + row_target(net, r) - f;
        for (size_t k = 0; k < f; k++)
            train_add(a + r * d, net->tables + (k * q + (size_t)x[k]) * d, d);
    }
    train_rows_set(net->hidden1, w->hidden1_bias, rows, d);
    gemm(false, false, rows, d, d, a, w->hidden1_kernel, 1.0f, net->hidden1);
    relu(net->hidden1, rows * d);
    train_rows_set(net->hidden2, w->hidden2_bias, rows, d);
    gemm(false, false, rows, d, d, net->hidden1, w->hidden2_kernel, 1.0f, net->hidden2);
    relu(net->hidden2, rows * d);
    train_rows_set(net->logits, w->output_bias, rows, q);
    gemm(false, false, rows, q, d, net->hidden2, w->output_kernel, 1.0f, net->logits);
    return softmax_cross_entropy(net, correct);
}

void train_net_backward(train_net *net, const train_weights *w, train_weights *g)
{
    const srnn_config *c = &net->config;
    size_t d = c->dim, q = c->q_levels, f = c->frame_size, rows = net->rows;
    const float *a = net->frame.upsampled;

    gemm(true, false, d, q, rows, net->hidden2, net->logits, 1.0f, g->output_kernel);
    train_column_sums_add(g->output_bias, net->logits, rows, q);
    gemm(false, true, rows, d, q, net->logits, w->output_kernel, 0.0f, net->d_a);
    relu_backward(net->d_a, net->hidden2, rows * d);
    gemm(true, false, d, d, rows, net->hidden1, net->d_a, 1.0f, g->hidden2_kernel);
    train_column_sums_add(g->hidden2_bias, net->d_a, rows, d);
    gemm(false, true, rows, d, d, net->d_a, w->hidden2_kernel, 0.0f, net->d_b);
    relu_backward(net->d_b, net->hidden1, rows * d);
    gemm(true, false, d, d, rows, a, net->d_b, 1.0f, g->hidden1_kernel);
    train_column_sums_add(g->hidden1_bias, net->d_b, rows, d);
    float *d_a = net->d_a; /* dLoss/da, also the gradient of the frame tier's upsampled output */
    gemm(false, true, rows, d, d, net->d_b, w->hidden1_kernel, 0.0f, d_a);

    /* the embedding and convolution through their table: scatter, then two products per tap */
    memset(net->d_tables, 0, f * q * d * sizeof(float));
    for (size_t r = 0; r < rows; r++) {
        const int32_t *x = net->inputs + row_target(net, r) - f;
        for (size_t k = 0; k < f; k++)
            train_add(net->d_tables + (k * q + (size_t)x[k]) * d, d_a + r * d, d);
    }
    for (size_t k = 0; k < f; k++) {
        const float *d_table = net->d_tables + k * q * d;
        gemm(true, false, q, d, q, w->embedding, d_table, 1.0f, g->conv_kernel + k * q * d);
        gemm(false, true, q, q, d, d_table, w->conv_kernel + k * q * d, 1.0f, g->embedding);
    }

    tier_backward(net, &net->frame, &w->frame, &g->frame, d_a);
    /* the big tier's upsampled output is not needed any more: it takes its gradient */
    float *d_big = net->big_frame.upsampled;
    conditioning_copy(net, net->frame.d_embedded, d_big, false);
    tier_backward(net, &net->big_frame, &w->big_frame, &g->big_frame, d_big);
}
