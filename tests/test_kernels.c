/* The kernels of every instruction set level this CPU has, against plain C and against
 * double-precision arithmetic written out here:
 * - matrix-vector products of awkward sizes in every dtype: within 1e-5 (relative to the sum
 *   of |terms|) of the double-precision product of the stored weights, and bit-identical to
 *   the generic level; the load-time product equals gemv;
 * - block-sparse int8 products of block-pruned matrices: bit-identical to the generic level's
 *   dense int8 product of the same matrix, whole and in ranges of blocks, from x and from
 *   inputs quantised beforehand;
 * - exp, sigmoid and tanh through the GRU and LSTM gates over [-30, 30]: within 3e-7 of
 *   libm's double results, and bit-identical across levels, tails included;
 * - the categorical draw: the same samples from the same logits and seed on every level;
 * - the sample table's row sums (add_rows) from float32, float16 and bfloat16 rows: the bits
 *   of float32 sums in row order of the rows widened, written out here, at every level.
 * Levels the CPU lacks are listed as not tested. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dtype.h"
#include "kernels.h"
#include "sampler.h"
#include "sparse.h"

static uint64_t lcg = 12345;
static float uniform(float lo, float hi)
{
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (hi - lo) * (float)((lcg >> 40) / 16777216.0);
}

/* w (in, out) row-major, as the column-block layout of kernels.h in dtype; returns the
 * matrix and fills dequantised with the values it holds. */
static srnn_matrix make_matrix(const float *w, uint32_t in, uint32_t out, srnn_dtype dtype,
                               double *dequantised)
{
    srnn_matrix m = {in, out, (out + SRNN_BLOCK - 1) / SRNN_BLOCK, dtype, NULL, NULL, NULL, NULL, NULL};
    size_t padded = (size_t)m.blocks * SRNN_BLOCK, groups = (in + 3) / 4;
    size_t i4_groups = (in + SRNN_I4_GROUP - 1) / SRNN_I4_GROUP, i4_quads = i4_groups * SRNN_I4_GROUP / 4;
    void *data = calloc(i4_groups * SRNN_I4_GROUP * padded, 4); /* room for every dtype */
    float *scale = calloc(padded, sizeof *scale);                          /* I8 */
    uint16_t *scale_f16 = calloc(i4_groups * padded, sizeof *scale_f16); /* I4 */
    for (uint32_t o = 0; o < out; o++) {
        float max_abs = 0;
        for (uint32_t i = 0; i < in; i++) max_abs = fmaxf(max_abs, fabsf(w[i * out + o]));
        if (dtype == SRNN_DTYPE_I8) scale[o] = srnn_i8_scale(max_abs);
        for (size_t g = 0; dtype == SRNN_DTYPE_I4 && g < i4_groups; g++) { /* per group of rows */
            max_abs = 0;
            for (size_t i = g * SRNN_I4_GROUP; i < in && i < (g + 1) * SRNN_I4_GROUP; i++)
                max_abs = fmaxf(max_abs, fabsf(w[i * out + o]));
            /* an independent choice (not srnn_i4_group_scale's): the largest magnitude at 8,
             * so that values reach both -8 and 7 */
            scale_f16[((o / SRNN_BLOCK) * i4_groups + g) * SRNN_BLOCK + o % SRNN_BLOCK] =
                srnn_f32_to_f16(max_abs > 0 ? max_abs / 8 : 1);
        }
    }
    for (uint32_t i = 0; i < in; i++)
        for (uint32_t o = 0; o < out; o++) {
            size_t at = ((size_t)(o / SRNN_BLOCK) * in + i) * SRNN_BLOCK + o % SRNN_BLOCK;
            if (dtype == SRNN_DTYPE_I8) /* four rows of a column together */
                at = (((size_t)(o / SRNN_BLOCK) * groups + i / 4) * SRNN_BLOCK + o % SRNN_BLOCK) * 4 + i % 4;
            /* I4: value v = (o % 64) · 4 + i % 4 of a four-row group's 128 bytes, byte v % 128,
             * high nibble from v = 128 */
            size_t v = (o % SRNN_BLOCK) * 4 + i % 4;
            size_t byte = ((o / SRNN_BLOCK) * i4_quads + i / 4) * 128 + v % 128;
            float s4 = srnn_f16_to_f32(scale_f16[((o / SRNN_BLOCK) * i4_groups + i / SRNN_I4_GROUP) * SRNN_BLOCK + o % SRNN_BLOCK]);
            float x = w[i * out + o];
            double stored = x;
            switch (dtype) {
            case SRNN_DTYPE_F32: ((float *)data)[at] = x; break;
            case SRNN_DTYPE_F16:
                ((uint16_t *)data)[at] = srnn_f32_to_f16(x);
                stored = srnn_f16_to_f32(srnn_f32_to_f16(x));
                break;
            case SRNN_DTYPE_BF16:
                ((uint16_t *)data)[at] = srnn_f32_to_bf16(x);
                stored = srnn_bf16_to_f32(srnn_f32_to_bf16(x));
                break;
            case SRNN_DTYPE_I8:
                ((int8_t *)data)[at] = srnn_f32_to_i8(x, scale[o]);
                stored = (double)srnn_f32_to_i8(x, scale[o]) * scale[o];
                break;
            case SRNN_DTYPE_I4:
                ((uint8_t *)data)[byte] |= (uint8_t)((srnn_f32_to_i4(x, s4) & 15) << (v < 128 ? 0 : 4));
                stored = (double)srnn_f32_to_i4(x, s4) * s4;
                break;
            }
            dequantised[i * out + o] = stored;
        }
    m.data = data;
    m.scale = dtype == SRNN_DTYPE_I8 ? (const void *)scale : dtype == SRNN_DTYPE_I4 ? (const void *)scale_f16 : NULL;
    if (dtype != SRNN_DTYPE_I8) free(scale);
    if (dtype != SRNN_DTYPE_I4) free(scale_f16);
    return m;
}

static void free_matrix(srnn_matrix *m)
{
    free((void *)m->data);
    free((void *)m->scale);
}

/* A random matrix w (in, out) in [-1, 1], input x in [-2, 2], and room for the stored values. */
static void random_product(uint32_t in, uint32_t out, float **w, float **x, double **stored)
{
    *w = malloc(sizeof(float) * in * out);
    *x = malloc(sizeof(float) * in);
    *stored = malloc(sizeof(double) * in * out);
    for (size_t i = 0; i < (size_t)in * out; i++) (*w)[i] = uniform(-1, 1);
    for (uint32_t i = 0; i < in; i++) (*x)[i] = uniform(-2, 2);
}

static const srnn_kernels *levels[5];
static const char *names[5];
static int level_count;

/* The batched products of count vectors (one of them zero, one x itself), in two ranges of
 * blocks, against generic's gemv on each vector alone: the same bits at every level. */
static void check_batch(const srnn_matrix *m, const float *x, const char *name)
{
    static const unsigned counts[] = {2, 3, 5, SRNN_MAX_VOICES};
    size_t padded = (size_t)m->blocks * SRNN_BLOCK, rows = srnn_matrix_rows(m);
    int integer = m->dtype == SRNN_DTYPE_I8 || m->dtype == SRNN_DTYPE_I4;
    float *inputs[SRNN_MAX_VOICES], *reference[SRNN_MAX_VOICES], *y[SRNN_MAX_VOICES];
    int16_t *q[SRNN_MAX_VOICES];
    for (unsigned v = 0; v < SRNN_MAX_VOICES; v++) {
        inputs[v] = malloc(sizeof(float) * m->in);
        for (uint32_t i = 0; i < m->in; i++)
            inputs[v][i] = v == 0 ? x[i] : v == 1 ? 0.0f : uniform(-1, 1) * (float)v;
        reference[v] = malloc(sizeof(float) * padded);
        y[v] = malloc(sizeof(float) * padded);
        q[v] = malloc(sizeof(int16_t) * rows);
        for (size_t o = 0; o < padded; o++) reference[v][o] = 0.5f + (float)v;
        levels[0]->gemv(m, inputs[v], reference[v], 0, m->blocks);
    }
    for (int l = 0; l < level_count; l++)
        for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
            unsigned count = counts[c];
            for (unsigned v = 0; v < count; v++)
                for (size_t o = 0; o < padded; o++) y[v][o] = 0.5f + (float)v;
            uint32_t half = m->blocks / 2;
            if (integer) {
                float step[SRNN_MAX_VOICES];
                for (unsigned v = 0; v < count; v++) step[v] = levels[l]->quantise_i8(m, inputs[v], q[v]);
                const int16_t *const *quantised = (const int16_t *const *)q;
                levels[l]->gemv_quantised(m, quantised, step, y, count, 0, half);
                levels[l]->gemv_quantised(m, quantised, step, y, count, half, m->blocks);
            } else {
                const float *const *vectors = (const float *const *)inputs;
                levels[l]->gemv_batch(m, vectors, y, count, 0, half);
                levels[l]->gemv_batch(m, vectors, y, count, half, m->blocks);
            }
            int same = 1;
            for (unsigned v = 0; v < count; v++) same &= memcmp(reference[v], y[v], sizeof(float) * m->out) == 0;
            CHECK_SHOW(same, "%-8s batch of %u %s %ux%u: each vector's bits equal generic's gemv",
                       names[l], count, name, m->in, m->out);
        }
    for (unsigned v = 0; v < SRNN_MAX_VOICES; v++) {
        free(inputs[v]);
        free(reference[v]);
        free(y[v]);
        free(q[v]);
    }
}

static void test_gemv(void)
{
    static const uint32_t sizes[][2] = {{1, 1},     {17, 51},  {64, 64},   {65, 129},
                                        {200, 300}, {3, 700},  {5000, 70}};
    static const char *const dtype_names[] = {"f32", "f16", "bf16", "i8", "i4"};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        uint32_t in = sizes[s][0], out = sizes[s][1];
        size_t padded = (out + SRNN_BLOCK - 1) / SRNN_BLOCK * SRNN_BLOCK;
        float *w, *x;
        double *stored;
        random_product(in, out, &w, &x, &stored);
        for (int dtype = 0; dtype <= SRNN_DTYPE_I4; dtype++) {
            srnn_matrix m = make_matrix(w, in, out, (srnn_dtype)dtype, stored);
            float *reference = NULL;
            for (int l = 0; l < level_count; l++) {
                float *y = malloc(sizeof(float) * padded);
                for (size_t o = 0; o < padded; o++) y[o] = o < out ? 0.5f : 0.0f;
                /* in two ranges of blocks, as the spread work does it */
                levels[l]->gemv(&m, x, y, 0, m.blocks / 2);
                levels[l]->gemv(&m, x, y, m.blocks / 2, m.blocks);
                /* int8 and int4 products quantise x too (kernels.h): round(x / s) · s,
                 * s = max|x|/127; against those inputs and the stored weights the sum in
                 * double is what the exact integer sums give, up to float32 rounding */
                int integer = dtype == SRNN_DTYPE_I8 || dtype == SRNN_DTYPE_I4;
                double *input = malloc(sizeof(double) * in), max = 0, worst = 0;
                for (uint32_t i = 0; i < in; i++) max = fmax(max, fabs(x[i]));
                for (uint32_t i = 0; i < in; i++)
                    input[i] = integer ? nearbyint(x[i] * 127.0 / max) * (max / 127) : x[i];
                for (uint32_t o = 0; o < out; o++) {
                    double sum = 0.5, magnitude = 0.5;
                    for (uint32_t i = 0; i < in; i++) {
                        sum += input[i] * stored[i * out + o];
                        magnitude += fabs(input[i] * stored[i * out + o]);
                    }
                    worst = fmax(worst, fabs(y[o] - sum) / magnitude);
                }
                free(input);
                CHECK_SHOW(worst < 1e-5, "%-8s gemv %s %ux%u: max relative error %.2g", names[l],
                           dtype_names[dtype], in, out, worst);
                if (l == 0) {
                    reference = y;
                } else {
                    CHECK_SHOW(memcmp(reference, y, sizeof(float) * out) == 0,
                               "%-8s gemv %s %ux%u: bits equal generic's", names[l],
                               dtype_names[dtype], in, out);
                    free(y);
                }
                if (dtype == SRNN_DTYPE_F32) { /* the load-time product, three rows */
                    float *rows = malloc(sizeof(float) * 3 * in),
                          *products = malloc(sizeof(float) * 3 * out);
                    for (uint32_t r = 0; r < 3; r++) memcpy(rows + r * in, x, sizeof(float) * in);
                    levels[l]->gemm(&m, rows, in, products, out, 3);
                    int same = 1;
                    for (uint32_t r = 0; r < 3; r++)
                        for (uint32_t o = 0; o < out; o++)
                            same &= products[r * out + o] + 0.5f == reference[o];
                    CHECK_SHOW(same, "%-8s gemm %ux%u: rows equal gemv's", names[l], in, out);
                    free(rows);
                    free(products);
                }
            }
            free(reference);
            check_batch(&m, x, dtype_names[dtype]);
            free_matrix(&m);
        }
        free(w);
        free(x);
        free(stored);
    }
}

/* Sparse pieces (8 columns x 4 rows) of w zeroed, each with probability 1 - density, and a
 * few single elements of kept pieces zeroed too (a piece is left out only when all of it is). */
static void prune_pieces(float *w, uint32_t in, uint32_t out, float density)
{
    for (uint32_t g = 0; g < (in + 3) / 4; g++)
        for (uint32_t c = 0; c < (out + 7) / 8; c++) {
            int drop = uniform(0, 1) >= density;
            for (uint32_t i = 4 * g; i < in && i < 4 * g + 4; i++)
                for (uint32_t o = 8 * c; o < out && o < 8 * c + 8; o++)
                    if (drop || uniform(0, 1) < 0.05f) w[i * out + o] = 0.0f;
        }
}

static void test_sparse(void)
{
    static const uint32_t sizes[][2] = {{1, 1}, {17, 51}, {65, 129}, {200, 300}, {3, 700}, {1024, 192}};
    static const float densities[] = {0.0f, 0.1f, 0.5f, 1.0f};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (size_t d = 0; d < sizeof densities / sizeof *densities; d++) {
            uint32_t in = sizes[s][0], out = sizes[s][1];
            float *w, *x;
            double *stored;
            random_product(in, out, &w, &x, &stored);
            prune_pieces(w, in, out, densities[d]);
            srnn_matrix dense = make_matrix(w, in, out, SRNN_DTYPE_I8, stored);
            size_t padded = (size_t)dense.blocks * SRNN_BLOCK;
            size_t kept = srnn_sparse_kept(&dense);
            int8_t *data = malloc(kept * SRNN_SPARSE_PIECE + 1);
            uint16_t *index = malloc(sizeof *index * (kept + SRNN_SPARSE_OCTETS * dense.blocks));
            uint32_t *kept_before = malloc(sizeof *kept_before * (dense.blocks + 1));
            int32_t *column_sums = malloc(sizeof *column_sums * padded);
            srnn_matrix sparse = srnn_sparse_from_dense(&dense, data, index, kept_before, column_sums);
            float *reference = malloc(sizeof(float) * padded), *y = malloc(sizeof(float) * padded);
            int16_t *q = malloc(sizeof *q * srnn_matrix_rows(&dense));
            for (size_t o = 0; o < padded; o++) reference[o] = 0.25f;
            levels[0]->gemv(&dense, x, reference, 0, dense.blocks);
            for (int l = 0; l < level_count; l++) {
                for (size_t o = 0; o < padded; o++) y[o] = 0.25f;
                levels[l]->gemv(&sparse, x, y, 0, sparse.blocks / 2); /* in two ranges */
                levels[l]->gemv(&sparse, x, y, sparse.blocks / 2, sparse.blocks);
                int same = memcmp(reference, y, sizeof(float) * out) == 0;
                for (size_t o = 0; o < padded; o++) y[o] = 0.25f;
                float step = levels[l]->quantise_i8(&sparse, x, q);
                const int16_t *inputs = q;
                levels[l]->gemv_quantised(&sparse, &inputs, &step, &y, 1, 0, sparse.blocks);
                same &= memcmp(reference, y, sizeof(float) * out) == 0;
                CHECK_SHOW(same, "%-8s sparse i8 %ux%u, %zu of %zu pieces kept: bits equal generic's dense i8",
                           names[l], in, out, kept, srnn_sparse_pieces(&dense));
            }
            if (d == 1 || d == 2) check_batch(&sparse, x, "sparse i8");
            free_matrix(&dense);
            void *buffers[] = {q, y, reference, kept_before, column_sums, index, data, stored, x, w};
            for (size_t i = 0; i < sizeof buffers / sizeof *buffers; i++) free(buffers[i]);
        }
}

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* GRU with x parts only (h = 0 and hg = 0 except the reset gate), LSTM with c = 0, so the
 * outputs are the activations themselves: GRU h = (1 - z)·tanh(xh), LSTM h = o·tanh(i·g). */
static void test_gates(void)
{
    enum { D = 6001 }; /* not a multiple of any width: the tail is exercised */
    static float xg[3 * D], hg[3 * D], g[4 * D], h[D], c[D], gru0[D], lstm0[D], c0[D];
    for (int l = 0; l < level_count; l++) {
        double worst_gru = 0, worst_lstm = 0;
        for (int i = 0; i < D; i++) {
            float v = -30.0f + 60.0f * (float)i / (D - 1);
            xg[i] = v / 3;         /* z */
            xg[D + i] = 0;         /* r */
            xg[2 * D + i] = v;     /* h */
            hg[i] = hg[D + i] = hg[2 * D + i] = 0;
            g[i] = v / 2;          /* i */
            g[D + i] = 0;          /* f */
            g[2 * D + i] = v;      /* c */
            g[3 * D + i] = -v / 5; /* o */
            h[i] = c[i] = 0;
        }
        levels[l]->gru_gates(h, xg, hg, D);
        for (int i = 0; i < D; i++) {
            double want = (1 - sigmoid(xg[i])) * tanh(xg[2 * D + i]);
            worst_gru = fmax(worst_gru, fabs(h[i] - want));
        }
        CHECK_SHOW(worst_gru < 3e-7, "%-8s GRU gates over [-30, 30]: max |error| %.2g", names[l],
                   worst_gru);
        if (l == 0)
            memcpy(gru0, h, sizeof h);
        else
            CHECK_SHOW(memcmp(gru0, h, sizeof h) == 0, "%-8s GRU gates: bits equal generic's",
                       names[l]);
        for (int i = 0; i < D; i++) h[i] = 0;
        levels[l]->lstm_gates(h, c, g, D);
        for (int i = 0; i < D; i++) {
            double cell = sigmoid(g[i]) * tanh(g[2 * D + i]);
            double want = sigmoid(g[3 * D + i]) * tanh(cell);
            worst_lstm = fmax(worst_lstm, fabs(h[i] - want) + fabs(c[i] - cell));
        }
        CHECK_SHOW(worst_lstm < 3e-7, "%-8s LSTM gates over [-30, 30]: max |error| %.2g", names[l],
                   worst_lstm);
        if (l == 0) {
            memcpy(lstm0, h, sizeof h);
            memcpy(c0, c, sizeof c);
        } else {
            int same = memcmp(lstm0, h, sizeof h) == 0 && memcmp(c0, c, sizeof c) == 0;
            CHECK_SHOW(same, "%-8s LSTM gates: bits equal generic's", names[l]);
        }
    }
}

static void test_sampler(void)
{
    enum { Q = 301, DRAWS = 20000 };
    static float logits[Q];
    double *weights = malloc(srnn_sample_scratch(Q) * sizeof *weights); /* as a voice's */
    static int32_t reference[DRAWS], drawn[DRAWS];
    for (int i = 0; i < Q; i++) logits[i] = uniform(-8, 8);
    static const float temperatures[] = {1.0f, SRNN_DEFAULT_TEMPERATURE, 0.3f, 5.0f};
    for (int l = 0; l < level_count; l++) {
        srnn_rng rng;
        srnn_rng_seed(&rng, 99);
        for (int n = 0; n < DRAWS; n++)
            drawn[n] = levels[l]->sample(&rng, logits, Q, temperatures[n % 4], weights);
        int in_range = 1;
        for (int n = 0; n < DRAWS; n++) in_range &= drawn[n] >= 0 && drawn[n] < Q;
        CHECK_SHOW(in_range, "%-8s sampler: %d draws in range", names[l], DRAWS);
        if (l == 0)
            memcpy(reference, drawn, sizeof drawn);
        else
            CHECK_SHOW(memcmp(reference, drawn, sizeof drawn) == 0,
                       "%-8s sampler draws: bits equal generic's", names[l]);
    }
    free(weights);
}

/* 16 rows (as the sample table's F taps) of an odd width, so that the rows after the first
 * start off every vector alignment and each level's tail is used, from a table of dtype; the
 * values span magnitudes from 2^-12 to 2^12, so an order of addition other than row order
 * changes the bits. */
static void test_add_rows(void)
{
    enum { D = 1003, TABLE_ROWS = 37, COUNT = 16 };
    static const srnn_dtype dtypes[] = {SRNN_DTYPE_F32, SRNN_DTYPE_F16, SRNN_DTYPE_BF16};
    static const char *const dtype_names[] = {"f32", "f16", "bf16"};
    static float values[TABLE_ROWS * D], stored[TABLE_ROWS * D], start[D], want[D], y[D];
    static uint16_t narrow[TABLE_ROWS * D];
    for (size_t i = 0; i < TABLE_ROWS * D; i++)
        values[i] = uniform(-1, 1) * ldexpf(1.0f, (int)uniform(-12, 12));
    for (int o = 0; o < D; o++) start[o] = uniform(-100, 100);
    for (size_t t = 0; t < sizeof dtypes / sizeof *dtypes; t++) {
        srnn_dtype dtype = dtypes[t];
        for (size_t i = 0; i < TABLE_ROWS * D; i++) { /* the table, and what it holds widened */
            narrow[i] = dtype == SRNN_DTYPE_F16 ? srnn_f32_to_f16(values[i]) : srnn_f32_to_bf16(values[i]);
            stored[i] = dtype == SRNN_DTYPE_F32   ? values[i]
                        : dtype == SRNN_DTYPE_F16 ? srnn_f16_to_f32(narrow[i])
                                                  : srnn_bf16_to_f32(narrow[i]);
        }
        const void *rows[COUNT];
        size_t starts[COUNT];
        for (int r = 0; r < COUNT; r++) {
            starts[r] = (size_t)(r == COUNT - 1 ? 2 : r * 7 % TABLE_ROWS) * D; /* one row twice */
            rows[r] = dtype == SRNN_DTYPE_F32 ? (const void *)(values + starts[r])
                                              : (const void *)(narrow + starts[r]);
        }
        for (int o = 0; o < D; o++) {
            want[o] = start[o];
            for (int r = 0; r < COUNT; r++) want[o] += stored[starts[r] + o];
        }
        for (int l = 0; l < level_count; l++) {
            memcpy(y, start, sizeof y);
            levels[l]->add_rows(y, rows, dtype, COUNT, D);
            CHECK_SHOW(memcmp(y, want, sizeof y) == 0,
                       "%-8s add_rows, %d %s rows of %d: the bits of float32 sums in row order",
                       names[l], COUNT, dtype_names[t], D);
        }
    }
}

int main(void)
{
    static const srnn_cpu all[] = {SRNN_CPU_GENERIC, SRNN_CPU_AVX2, SRNN_CPU_AVX512, SRNN_CPU_NEON};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        const srnn_kernels *k = srnn_kernels_get(all[i]);
        if (k && k == srnn_kernels_avx512_vnni) { /* the avx512 level without VNNI too */
            names[level_count] = "avx512 (no VNNI)";
            levels[level_count++] = srnn_kernels_avx512;
        }
        if (k) {
            names[level_count] = k == srnn_kernels_avx512_vnni ? "avx512 (VNNI)" : srnn_cpu_name(all[i]);
            levels[level_count++] = k;
        }
        printf("level %-8s %s\n", srnn_cpu_name(all[i]),
               !k ? "not on this CPU or build: not tested"
                  : k == srnn_kernels_avx512_vnni ? "tested, with and without VNNI" : "tested");
    }
    if (!CHECK(levels[0] && levels[0]->level == SRNN_CPU_GENERIC, "no generic level"))
        return check_summary();
    test_gemv();
    test_sparse();
    test_gates();
    test_sampler();
    test_add_rows();
    return check_summary();
}
