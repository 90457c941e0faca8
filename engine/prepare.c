/* From the file's weights to the run-time weights (model.h, srnn_runtime): the folds of
 * consecutive linear maps, then every matrix in the kernels' column-block layout at the
 * chosen precision. The products use the kernels' own load-time product, whose results do not
 * depend on the level, so every level runs the very same weights. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtype.h"
#include "model.h"
#include "sparse.h"

typedef struct {
    srnn_runtime *run;
    const srnn_kernels *kernels;
    srnn_dtype dtype, sample_dtype; /* the frame tiers', the sample MLP's */
    bool failed;
} builder;

/* 64-aligned memory the runtime owns (freed by srnn_free_runtime); NULL after a failure. */
static void *owned(builder *b, size_t bytes)
{
    srnn_runtime *run = b->run;
    if (b->failed) return NULL;
    if (run->allocation_count == run->allocation_capacity) {
        size_t capacity = run->allocation_capacity ? 2 * run->allocation_capacity : 64;
        void **grown = realloc(run->allocations, capacity * sizeof *grown);
        if (!grown) {
            b->failed = true;
            return NULL;
        }
        run->allocations = grown;
        run->allocation_capacity = capacity;
    }
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!p) {
        b->failed = true;
        return NULL;
    }
    memset(p, 0, (bytes + 63) / 64 * 64);
    run->allocations[run->allocation_count++] = p;
    return p;
}

/* Frees one block of owned memory before prepare returns. */
static void release(builder *b, const void *p)
{
    srnn_runtime *run = b->run;
    for (size_t i = run->allocation_count; i-- > 0;)
        if (run->allocations[i] == p) {
            free(run->allocations[i]);
            run->allocations[i] = run->allocations[--run->allocation_count];
            return;
        }
}

/* Scratch memory freed before prepare returns. */
static float *scratch(builder *b, size_t floats)
{
    if (b->failed) return NULL;
    float *p = malloc(floats * sizeof *p);
    if (!p) b->failed = true;
    return p;
}

/* The I4 scales of w (in, out) as float16 bits: per column block, group of SRNN_I4_GROUP rows
 * and column (kernels.h), as srnn_i4_group_scale chooses them; 1 for the padding columns. */
static void i4_scales(uint16_t *scale, const float *w, uint32_t in, uint32_t out, size_t groups)
{
    for (size_t g = 0; g < groups; g++) /* the columns inner: a group's rows stay in L1 */
        for (uint32_t o = 0; o < (out + SRNN_BLOCK - 1) / SRNN_BLOCK * SRNN_BLOCK; o++) {
            size_t first = g * SRNN_I4_GROUP, n = first >= in ? 0 : in - first < SRNN_I4_GROUP ? in - first : SRNN_I4_GROUP;
            float s = o < out && n ? srnn_i4_group_scale(w + first * out + o, out, n) : 1.0f;
            scale[((size_t)(o / SRNN_BLOCK) * groups + g) * SRNN_BLOCK + o % SRNN_BLOCK] = srnn_f32_to_f16(s);
        }
}

/* A row-major (in, out) float32 matrix w in the column-block layout, as dtype. int8 scales
 * each column by its largest magnitude, int4 each group of rows of a column. */
static srnn_matrix block_matrix(builder *b, const float *w, uint32_t in, uint32_t out,
                                srnn_dtype dtype)
{
    srnn_matrix m = {in, out, (out + SRNN_BLOCK - 1) / SRNN_BLOCK, dtype, NULL, NULL, NULL, NULL, NULL};
    size_t padded = (size_t)m.blocks * SRNN_BLOCK, rows = srnn_matrix_rows(&m);
    size_t groups = rows / SRNN_I4_GROUP; /* I4's scales per column */
    void *data = owned(b, rows * padded * srnn_dtype_bits(dtype) / 8);
    float *scale = dtype == SRNN_DTYPE_I8 ? owned(b, padded * sizeof *scale) : NULL;
    uint16_t *scale_f16 = dtype == SRNN_DTYPE_I4 ? owned(b, groups * padded * sizeof *scale_f16) : NULL;
    if (!data || (dtype == SRNN_DTYPE_I8 && !scale) || (dtype == SRNN_DTYPE_I4 && !scale_f16)) return m;
    if (dtype == SRNN_DTYPE_I8) { /* each column's largest magnitude, gathered row by row */
        for (uint32_t i = 0; i < in; i++)
            for (uint32_t o = 0; o < out; o++) {
                float a = fabsf(w[(size_t)i * out + o]);
                scale[o] = a > scale[o] ? a : scale[o];
            }
        for (uint32_t o = 0; o < out; o++) scale[o] = srnn_i8_scale(scale[o]);
    }
    if (dtype == SRNN_DTYPE_I4) i4_scales(scale_f16, w, in, out, groups);
    for (uint32_t i = 0; i < in; i++)
        for (uint32_t o = 0; o < out; o++) {
            size_t block = o / SRNN_BLOCK, column = o % SRNN_BLOCK;
            /* I8 and I4: four rows of a column together (kernels.h) */
            size_t quad = (block * (rows / 4) + i / 4) * 4 * SRNN_BLOCK + column * 4 + i % 4;
            size_t at = ((size_t)(o / SRNN_BLOCK) * in + i) * SRNN_BLOCK + o % SRNN_BLOCK;
            float x = w[(size_t)i * out + o];
            switch (dtype) {
            case SRNN_DTYPE_F32: ((float *)data)[at] = x; break;
            case SRNN_DTYPE_F16: ((uint16_t *)data)[at] = srnn_f32_to_f16(x); break;
            case SRNN_DTYPE_BF16: ((uint16_t *)data)[at] = srnn_f32_to_bf16(x); break;
            case SRNN_DTYPE_I8: ((int8_t *)data)[quad] = srnn_f32_to_i8(x, scale[o]); break;
            case SRNN_DTYPE_I4: {
                float s = srnn_f16_to_f32(scale_f16[(block * groups + i / SRNN_I4_GROUP) * SRNN_BLOCK + column]);
                size_t j = quad % 256; /* value j of its quad: byte j % 128, high nibble from 128 */
                uint8_t nibble = (uint8_t)(srnn_f32_to_i4(x, s) & 15);
                ((uint8_t *)data)[(quad - j) / 2 + j % 128] |= (uint8_t)(j < 128 ? nibble : nibble << 4);
                break;
            }
            }
        }
    m.data = data;
    m.scale = dtype == SRNN_DTYPE_I4 ? (const void *)scale_f16 : scale;
    return m;
}

/* An int8 matrix block-sparse when few enough of its pieces hold a nonzero (sparse.h): pruned
 * weights (srnn convert --density) used as they are, and products whose zeros happen to fall
 * in whole pieces. */
static srnn_matrix sparse_if_worth(builder *b, srnn_matrix dense)
{
    if (b->failed || dense.dtype != SRNN_DTYPE_I8 || dense.in > SRNN_I8_CHUNK) return dense;
    size_t kept = srnn_sparse_kept(&dense);
    if (!srnn_sparse_worth(kept, srnn_sparse_pieces(&dense))) return dense;
    int8_t *data = owned(b, kept * SRNN_SPARSE_PIECE + 1); /* + 1: never 0 bytes */
    uint16_t *index = owned(b, (kept + (size_t)SRNN_SPARSE_OCTETS * dense.blocks) * sizeof *index);
    uint32_t *kept_before = owned(b, (dense.blocks + 1) * sizeof *kept_before);
    int32_t *column_sums = owned(b, (size_t)dense.blocks * SRNN_BLOCK * sizeof *column_sums);
    if (b->failed) return dense;
    srnn_matrix sparse = srnn_sparse_from_dense(&dense, data, index, kept_before, column_sums);
    release(b, dense.data);
    return sparse;
}

/* A matrix the kernels run: block_matrix's, block-sparse where that is worth it. */
static srnn_matrix runtime_matrix(builder *b, const float *w, uint32_t in, uint32_t out,
                                  srnn_dtype dtype)
{
    return sparse_if_worth(b, block_matrix(b, w, in, out, dtype));
}

/* Frees a run-time matrix before prepare returns. */
static void release_matrix(builder *b, const srnn_matrix *m)
{
    const void *parts[] = {m->data, m->scale, m->kept_before, m->index, m->column_sums};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        if (parts[i]) release(b, parts[i]);
}

/* y (rows, out) = x (rows, in) · w, w row-major (in, out) float32. */
static void multiply(builder *b, float *y, const float *x, size_t rows, const float *w,
                     uint32_t in, uint32_t out)
{
    if (b->failed) return;
    srnn_runtime *run = b->run;
    size_t before = run->allocation_count;
    srnn_matrix blocked = block_matrix(b, w, in, out, SRNN_DTYPE_F32);
    if (!b->failed) b->kernels->gemm(&blocked, x, in, y, out, rows);
    /* the blocked copy was only needed here */
    while (run->allocation_count > before) free(run->allocations[--run->allocation_count]);
}

/* m (d, d) transposed into t. */
static void transpose(float *t, const float *m, size_t d)
{
    for (size_t i = 0; i < d; i++)
        for (size_t o = 0; o < d; o++) t[o * d + i] = m[i * d + o];
}

/* Layer 0's kernel as it acts on e: with skip connections its input is concat(e, e). */
static const float *layer0_kernel(builder *b, const srnn_model *m, const srnn_tier *tier,
                                  float **made)
{
    size_t d = m->config.dim, gd = srnn_gates(m->config.rnn_type) * d;
    const float *k = tier->layers[0].kernel;
    *made = NULL;
    if (!m->config.skip_conn) return k;
    float *sum = scratch(b, d * gd);
    if (!sum) return NULL;
    for (size_t i = 0; i < d * gd; i++) sum[i] = k[i] + k[d * gd + i];
    *made = sum;
    return sum;
}

/* int4 keeps int8 where four bits cost the most quality for the fewest bytes (measured on the
 * shipped model's test split, README): each tier's input from the samples (16 or 64 inputs),
 * the recurrent kernels (whose rounding errors the recurrence carries on from frame to frame)
 * and the output layer (the logits). */
static srnn_dtype int4_spares(srnn_dtype dtype)
{
    return dtype == SRNN_DTYPE_I4 ? SRNN_DTYPE_I8 : dtype;
}

static void prepare_tier(builder *b, const srnn_model *m, const srnn_tier *tier,
                         srnn_tier_run *run)
{
    const srnn_config *c = &m->config;
    uint32_t d = c->dim, gd = srnn_gates(c->rnn_type) * d;
    float *made, *folded = scratch(b, (size_t)tier->frame * gd);
    const float *k0 = layer0_kernel(b, m, tier, &made);
    multiply(b, folded, tier->input_kernel, tier->frame, k0, d, gd);
    run->input = runtime_matrix(b, folded, tier->frame, gd, int4_spares(b->dtype));
    run->input_bias = owned(b, srnn_padded(gd) * sizeof(float));
    multiply(b, run->input_bias, tier->input_bias, 1, k0, d, gd);
    if (run->input_bias)
        for (uint32_t o = 0; o < gd; o++) run->input_bias[o] += tier->layers[0].bias[o];
    for (uint32_t l = 0; l < c->num_rnn_layers; l++) {
        const srnn_rnn_layer *layer = &tier->layers[l];
        if (l > 0) {
            run->kernel[l] = runtime_matrix(b, layer->kernel, d, gd, b->dtype);
            run->kernel_bias[l] = layer->bias;
        }
        run->recurrent[l] = runtime_matrix(b, layer->recurrent_kernel, d, gd, int4_spares(b->dtype));
        run->recurrent_bias[l] = c->rnn_type == SRNN_RNN_GRU ? layer->bias + gd : NULL;
        if (c->skip_conn) run->skip[l] = runtime_matrix(b, layer->skip_kernel, d, d, b->dtype);
    }
    run->skip_bias = c->skip_conn ? tier->layers[0].skip_bias : NULL;
    free(folded);
    free(made);
}

/* The upsampling U (R, D, D), c_j = U_j · h, followed by the linear map next (D, out), at
 * dtype, into run->conditioning: R matrices U_j^T · next (D, out), or the factors apart where
 * that reads fewer bytes (model.h). Only block-sparse factors can make it so, and only I8 runs
 * block-sparse: with dense ones the upsampling alone reads as much as the products. */
static void prepare_upsampling(builder *b, srnn_tier_run *run, const float *upsample,
                               uint32_t ratio, uint32_t d, const float *next, uint32_t out,
                               srnn_dtype dtype)
{
    srnn_matrix *matrices = owned(b, ratio * sizeof *matrices);
    float *transposed = scratch(b, (size_t)d * d), *product = NULL;
    run->conditioning = matrices;
    if (dtype == SRNN_DTYPE_I8) {
        size_t upsample_bytes = 0;
        for (uint32_t j = 0; j < ratio && !b->failed; j++) {
            transpose(transposed, upsample + (size_t)j * d * d, d);
            matrices[j] = runtime_matrix(b, transposed, d, d, dtype);
            upsample_bytes += srnn_matrix_bytes(&matrices[j]);
        }
        run->follow = runtime_matrix(b, next, d, out, dtype);
        size_t folded = srnn_matrix_bytes_kept(d, out, dtype, SIZE_MAX); /* dense */
        run->unfolded = !b->failed &&
                        srnn_unfold_pays(upsample_bytes, srnn_matrix_bytes(&run->follow), folded, ratio);
        if (!run->unfolded && !b->failed) {
            for (uint32_t j = 0; j < ratio; j++) release_matrix(b, &matrices[j]);
            release_matrix(b, &run->follow);
            memset(&run->follow, 0, sizeof run->follow);
        }
    }
    if (!run->unfolded) {
        product = scratch(b, (size_t)d * out);
        for (uint32_t j = 0; j < ratio && !b->failed; j++) {
            transpose(transposed, upsample + (size_t)j * d * d, d);
            multiply(b, product, transposed, d, next, d, out);
            matrices[j] = runtime_matrix(b, product, d, out, dtype);
        }
    }
    free(transposed);
    free(product);
}

/* The sample table's dtype for the sample MLP's: a float32 MLP keeps float32, so its outputs
 * do not change; the reduced precisions store half the bytes each voice reads per sample:
 * float16 at float16 (11 significant bits, as its weights), the others at bfloat16, whose
 * range is float32's. Measured on the shipped model (README, Speed): against a float32 table,
 * NLL +0.0002 bits at int8 (int8 itself costs +0.004), float16 +0.00003 (a bfloat16 table
 * there: +0.00016). */
static srnn_dtype sample_table_dtype(srnn_dtype sample_dtype)
{
    if (sample_dtype == SRNN_DTYPE_F32 || sample_dtype == SRNN_DTYPE_F16) return sample_dtype;
    return SRNN_DTYPE_BF16;
}

/* embedding (Q, Q) · conv tap k (Q, D) · hidden1 kernel (D, D) for every tap, in float32, then
 * rounded to the table's dtype (to nearest even) one tap at a time. */
static void fold_sample_table(builder *b, const srnn_model *m)
{
    uint32_t f = m->config.frame_size, q = m->config.q_levels, d = m->config.dim;
    size_t tap = (size_t)q * d;
    srnn_dtype dtype = sample_table_dtype(b->sample_dtype);
    void *table = owned(b, f * tap * srnn_dtype_bits(dtype) / 8);
    float *embedded = scratch(b, tap), *folded = dtype == SRNN_DTYPE_F32 ? NULL : scratch(b, tap);
    for (uint32_t k = 0; k < f && !b->failed; k++) {
        float *into = dtype == SRNN_DTYPE_F32 ? (float *)table + k * tap : folded;
        multiply(b, embedded, m->embedding, q, m->conv_kernel + k * tap, q, d);
        multiply(b, into, embedded, q, m->hidden1_kernel, d, d);
        if (dtype == SRNN_DTYPE_F32 || b->failed) continue;
        uint16_t *narrow = (uint16_t *)table + k * tap;
        for (size_t i = 0; i < tap; i++)
            narrow[i] = dtype == SRNN_DTYPE_F16 ? srnn_f32_to_f16(folded[i]) : srnn_f32_to_bf16(folded[i]);
    }
    free(embedded);
    free(folded);
    b->run->sample_table_dtype = dtype;
    b->run->sample_table = table;
}

srnn_status srnn_prepare(srnn_model *m, const srnn_kernels *kernels, srnn_precision precision,
                         srnn_precision sample_precision, char *error)
{
    const srnn_config *c = &m->config;
    uint32_t d = c->dim, gd = srnn_gates(c->rnn_type) * d;
    srnn_runtime *run = &m->run;
    memset(run, 0, sizeof *run);
    run->kernels = kernels;
    run->precision = precision;
    run->sample_precision = sample_precision;
    builder b = {run, kernels, srnn_precision_dtype(precision), srnn_precision_dtype(sample_precision),
                 false};
    prepare_tier(&b, m, &m->big_frame, &run->big_frame);
    prepare_tier(&b, m, &m->frame, &run->frame);

    float *made;
    const float *frame_k0 = layer0_kernel(&b, m, &m->frame, &made);
    prepare_upsampling(&b, &run->big_frame, m->big_frame.upsample, m->big_frame.ratio, d, frame_k0,
                       gd, b.dtype);
    free(made);
    /* the frame tier's upsampling and hidden1: at the sample MLP's precision, as hidden1 */
    prepare_upsampling(&b, &run->frame, m->frame.upsample, m->frame.ratio, d, m->hidden1_kernel, d,
                       b.sample_dtype);
    fold_sample_table(&b, m);
    run->hidden2 = runtime_matrix(&b, m->hidden2_kernel, d, d, b.sample_dtype);
    run->output = runtime_matrix(&b, m->output_kernel, d, c->q_levels, int4_spares(b.sample_dtype));
    if (b.failed) {
        srnn_free_runtime(run);
        if (error) snprintf(error, SRNN_ERROR_MAX, "out of memory for the run-time weights");
        return SRNN_ERR_NOMEM;
    }
    return SRNN_OK;
}

void srnn_free_runtime(srnn_runtime *run)
{
    for (size_t i = 0; i < run->allocation_count; i++) free(run->allocations[i]);
    free(run->allocations);
    memset(run, 0, sizeof *run);
}
