/* The kernels, written once over the vector primitives of one level (vec_*.h) and compiled
 * once per level: a kernels_LEVEL.c file includes its vec_LEVEL.h, defines KERNELS_LEVEL (the
 * srnn_cpu value) and KERNELS_TABLE (the table's name), then includes this file.
 *
 * Bit-identical results across levels (kernels.h) come from three rules kept here:
 * - a matrix-vector product vectorises across output columns only; each output's sum runs
 *   over the inputs in index order, one multiply then one add per input;
 * - elementwise functions compute every lane with the same operations as a scalar, and the
 *   elements past the last full vector go through a padded vector rather than scalar code;
 * - the sampler's sums use eight double lanes in every level (lane j takes the elements
 *   with index = j mod 8). */
#if !defined(KERNELS_LEVEL) || !defined(KERNELS_TABLE) || !defined(VF_WIDTH)
#error "include a vec_*.h and define KERNELS_LEVEL and KERNELS_TABLE first"
#endif

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "dtype.h"
#include "kernels.h"
#include "kernels_sparse.h"

#define LANES (SRNN_BLOCK / VF_WIDTH)

/* ---- matrix-vector products ------------------------------------------------------------ */

/* The count vectors' products of a float matrix, block after block; the vectors take their
 * turns on each block while it is in L1. */
#define GEMV_BLOCKS(TYPE, LOAD)                                                                  \
    for (uint32_t b = block_begin; b < block_end; b++) {                                          \
        const TYPE *rows = (const TYPE *)w->data + (size_t)b * w->in * SRNN_BLOCK;                \
        for (unsigned v = 0; v < count; v++) {                                                    \
            const float *input = x[v];                                                            \
            vf acc[LANES];                                                                        \
            for (int j = 0; j < LANES; j++) acc[j] = vf_set1(0.0f);                               \
            for (uint32_t i = 0; i < w->in; i++) {                                                \
                vf xi = vf_set1(input[i]);                                                        \
                const TYPE *row = rows + (size_t)i * SRNN_BLOCK;                                  \
                for (int j = 0; j < LANES; j++)                                                   \
                    acc[j] = vf_add(acc[j], vf_mul(xi, LOAD(row + j * VF_WIDTH)));                \
            }                                                                                     \
            float *out = y[v] + (size_t)b * SRNN_BLOCK;                                           \
            for (int j = 0; j < LANES; j++)                                                       \
                vf_store(out + j * VF_WIDTH, vf_add(vf_load(out + j * VF_WIDTH), acc[j]));        \
        }                                                                                         \
    }

#ifndef VEC_I8_BLOCK
/* acc[o] = sum over groups g < groups and j < 4 of q[4g + j] · w[(g · 64 + o) · 4 + j]: one
 * column block of an I8 matrix (kernels.h) against quantised inputs, in exact integers. */
static inline void i8_block(int32_t *acc, const int16_t *q, const int8_t *w, uint32_t groups)
{
    for (int o = 0; o < SRNN_BLOCK; o++) acc[o] = 0;
    for (uint32_t g = 0; g < groups; g++) {
        const int16_t *x = q + 4 * (size_t)g;
        const int8_t *row = w + (size_t)g * 4 * SRNN_BLOCK;
        for (int o = 0; o < SRNN_BLOCK; o++)
            acc[o] += x[0] * row[4 * o] + x[1] * row[4 * o + 1] + x[2] * row[4 * o + 2] +
                      x[3] * row[4 * o + 3];
    }
}
#endif

/* round(x · inverse) clamped to +-127 (NaN to -127), as 16-bit integers: the magic constant
 * rounds to nearest even in every level alike. */
static inline void quantise_vector(int16_t *q, vf x, vf inverse)
{
    vf v = vf_mul(x, inverse);
    v = vf_max(v, vf_set1(-127.0f)); /* a > b ? a : b: NaN becomes -127 */
    v = vf_min(v, vf_set1(127.0f));
    vf_store_int16(q, vf_sub(vf_add(v, vf_set1(0x1.8p23f)), vf_set1(0x1.8p23f)));
}

/* q[i] for the n inputs x[first + i] (0 past the matrix's in rows). */
static void quantise_inputs(int16_t *q, const float *x, size_t first, size_t n, size_t in,
                            float inverse)
{
    size_t i = 0, real = first < in ? (in - first < n ? in - first : n) : 0;
    for (; i + VF_WIDTH <= real; i += VF_WIDTH) quantise_vector(q + i, vf_load(x + first + i), vf_set1(inverse));
    while (i < n) { /* the rest through one padded vector at a time */
        float staged[VF_WIDTH] = {0};
        int16_t out[VF_WIDTH];
        size_t count = n - i < VF_WIDTH ? n - i : VF_WIDTH;
        for (size_t k = 0; k < count && i + k < real; k++) staged[k] = x[first + i + k];
        quantise_vector(out, vf_load(staged), vf_set1(inverse));
        memcpy(q + i, out, count * sizeof *q);
        i += count;
    }
}

/* s for inputs x (0 when x is zero: nothing to add) and 1/s into *inverse. */
static float i8_input_step(const float *x, size_t in, float *inverse)
{
    vf top = vf_set1(0.0f); /* the largest |x|, NaN ignored: vf_max(a, top) keeps top for NaN */
    size_t i = 0;
    for (; i + VF_WIDTH <= in; i += VF_WIDTH) top = vf_max(vf_abs(vf_load(x + i)), top);
    float max = vf_reduce_max(top);
    for (; i < in; i++) {
        float a = fabsf(x[i]);
        max = a > max ? a : max;
    }
    if (!(max > 0.0f)) return 0.0f;
    *inverse = 127.0f / max;
    return max / 127.0f;
}

/* quads four-row groups of an I4 block (kernels.h) into the I8 layout: 128 bytes each, byte j
 * giving value j (low nibble) and value j + 128 (high nibble), sign-extended. */
static inline void i4_unpack(int8_t *out, const uint8_t *in, size_t quads)
{
    for (size_t k = 0; k < quads; k++, in += 128, out += 256)
        for (int j = 0; j < 128; j++) {
            out[j] = (int8_t)(((in[j] & 15) ^ 8) - 8);
            out[j + 128] = (int8_t)(((in[j] >> 4) ^ 8) - 8);
        }
}

#ifdef VI_BYTES
/* The I4 product, fused, on levels with integer vectors (VI_BYTES) and inputs quantised
 * already: each weight nibble n (two's complement, -8 … 7) becomes the unsigned n + 8 by an
 * xor, straight from the packed bytes, and vi_dot_add multiplies it by the signed input bytes,
 * four to a lane. A group's lane then holds the sum of (w + 8)·q = sum w·q + 8·sum q, and
 * 8·sum q, the same for every column, is subtracted. Each group's sum is exact, then
 * converted, scaled and added in group order, as integer_products does. */
#define VI_COLUMNS (VI_BYTES / 4) /* a vector holds four rows of this many columns */
#define VI_ACCUMULATORS (256 / VI_COLUMNS / 4) /* a four-row group's 256 values over vectors */
_Static_assert(VI_COLUMNS == VF_WIDTH, "a vector of sums converts to one of floats");
/* A tile of vectors shares each load and unpacking of the weights; VI_TILE of them keep
 * their sums in 16 registers. */
#define VI_TILE (16 / VI_ACCUMULATORS)
/* The I4 product's tiles: at most 2 vectors, its unpacking taking registers of its own
 * (measured, 4 vectors of a 256 x 768 int4 product on AVX-512 with VNNI: 4.6 us in tiles of 2,
 * 5.4 us in one tile of 4; 1024 x 3072 the same either way) */
#define I4_TILE_MAX (VI_TILE < 2 ? VI_TILE : 2)
_Static_assert(VI_TILE >= 1 && VI_TILE <= 4, "FOR_TILE_SIZE compiles tiles of 1 to 4");

/* Block b's products for tile vectors (bytes and bias from vi_bytes_and_sums) into their y. */
static inline __attribute__((always_inline)) void
i4_block_tile(const srnn_matrix *w, uint32_t b, const int tile, const int8_t *const *bytes,
              const int32_t *const *bias, const float *step, float *const *y)
{
    size_t rows = srnn_matrix_rows(w), groups = rows / SRNN_I4_GROUP;
    const vi nibble = vi_set1_i8(0x0f), flip = vi_set1_i8((int8_t)0x88);
    const uint8_t *block = (const uint8_t *)w->data + (size_t)b * rows / 2 * SRNN_BLOCK;
    const uint16_t *scale = (const uint16_t *)w->scale + (size_t)b * groups * SRNN_BLOCK;
    float total[VI_TILE][SRNN_BLOCK];
    for (int t = 0; t < tile; t++) memset(total[t], 0, sizeof total[t]);
    for (size_t g = 0; g < groups; g++) {
        /* the low nibbles of the quad's bytes [j, j + VI_BYTES) are columns j / 4 …, the
         * high nibbles 32 + j / 4 … (kernels.h) */
        vi acc[VI_TILE][VI_ACCUMULATORS];
        for (int t = 0; t < tile; t++)
            for (int j = 0; j < VI_ACCUMULATORS; j++) acc[t][j] = vi_set1_i32(0);
        const uint8_t *quads = block + g * SRNN_I4_GROUP / 4 * 128;
        for (int k = 0; k < SRNN_I4_GROUP / 4; k++) {
            vi x[VI_TILE];
            for (int t = 0; t < tile; t++) {
                int32_t four;
                memcpy(&four, bytes[t] + g * SRNN_I4_GROUP + 4 * k, sizeof four);
                x[t] = vi_set1_i32(four);
            }
            for (int j = 0; j < VI_ACCUMULATORS / 2; j++) {
                vi packed = vi_xor(vi_load(quads + 128 * k + VI_BYTES * j), flip);
                vi low = vi_and(packed, nibble), high = vi_and(vi_shift_right_16(packed, 4), nibble);
                for (int t = 0; t < tile; t++) {
                    acc[t][j] = vi_dot_add(acc[t][j], low, x[t]);
                    acc[t][j + VI_ACCUMULATORS / 2] = vi_dot_add(acc[t][j + VI_ACCUMULATORS / 2], high, x[t]);
                }
            }
        }
        for (int t = 0; t < tile; t++) {
            vi correction = vi_set1_i32(8 * bias[t][g]);
            for (int j = 0; j < VI_ACCUMULATORS; j++) {
                float *sums = total[t] + VI_COLUMNS * j;
                vf sum = vf_from_i32(vi_sub_i32(acc[t][j], correction));
                vf_store(sums, vf_add(vf_load(sums), vf_mul(sum, vf_load_f16(scale + g * SRNN_BLOCK + VI_COLUMNS * j))));
            }
        }
    }
    for (int t = 0; t < tile; t++) {
        float *out = y[t] + (size_t)b * SRNN_BLOCK;
        for (int j = 0; j < SRNN_BLOCK; j += VF_WIDTH)
            vf_store(out + j, vf_add(vf_load(out + j), vf_mul(vf_load(total[t] + j), vf_set1(step[t]))));
    }
}

/* Calls TILE(n) with the size n (at most most, VI_TILE or less) of the tile that starts at
 * vector t of live: each size is compiled apart, its loops over the tile's vectors unrolled. */
#if VI_TILE >= 4
#define FOR_TILE_SIZE(live, t, most, TILE)                                                         \
    switch ((live) - (t) < (most) ? (live) - (t) : (most)) {                                      \
    case 1: TILE(1); break;                                                                       \
    case 2: TILE(2); break;                                                                       \
    case 3: TILE(3); break;                                                                       \
    case 4: TILE(4); break;                                                                       \
    }
#else
#define FOR_TILE_SIZE(live, t, most, TILE)                                                         \
    switch ((live) - (t) < (most) ? (live) - (t) : (most)) {                                      \
    case 1: TILE(1); break;                                                                       \
    case 2: TILE(2); break;                                                                       \
    }
#endif

/* The vectors of a batched integer product with something to add (a step other than 0): their
 * indices (live[]), steps and outputs, in order; returns how many. */
static unsigned live_vectors(const float *step, float *const *y, unsigned count, unsigned *live,
                             float *steps, float **outputs)
{
    unsigned n = 0;
    for (unsigned v = 0; v < count; v++)
        if (step[v] != 0.0f) {
            live[n] = v;
            steps[n] = step[v];
            outputs[n++] = y[v];
        }
    return n;
}

/* The I4 products of count quantised inputs (rows within one chunk), block after block, the
 * vectors in tiles of I4_TILE_MAX. */
static void i4_products(const srnn_matrix *w, const int16_t *const *q, const float *step,
                        float *const *y, unsigned count, uint32_t block_begin, uint32_t block_end)
{
    size_t rows = srnn_matrix_rows(w);
    int8_t bytes[SRNN_MAX_VOICES][SRNN_I8_CHUNK];
    int32_t bias[SRNN_MAX_VOICES][SRNN_I8_CHUNK / SRNN_I4_GROUP];
    const int8_t *byte_rows[SRNN_MAX_VOICES];
    const int32_t *bias_rows[SRNN_MAX_VOICES];
    float steps[SRNN_MAX_VOICES];
    float *outputs[SRNN_MAX_VOICES];
    unsigned which[SRNN_MAX_VOICES], live = live_vectors(step, y, count, which, steps, outputs);
    for (unsigned l = 0; l < live; l++) {
        vi_bytes_and_sums(bytes[l], bias[l], q[which[l]], rows);
        byte_rows[l] = bytes[l];
        bias_rows[l] = bias[l];
    }
#define I4_TILE(n) i4_block_tile(w, b, n, byte_rows + t, bias_rows + t, steps + t, outputs + t)
    for (uint32_t b = block_begin; b < block_end; b++)
        for (unsigned t = 0; t < live; t += I4_TILE_MAX) FOR_TILE_SIZE(live, t, I4_TILE_MAX, I4_TILE)
#undef I4_TILE
}

#ifdef VI_DOT_ANY_BYTE
/* The dense I8 product, fused, where vi_dot_add is exact for any unsigned byte (VNNI's
 * vpdpbusd): four rows of a column are the four bytes of a lane in the I8 layout, each weight
 * w becomes the unsigned w + 128 by an xor, and the lane sums (w + 128)·q = sum w·q +
 * 128·sum q, from which 128·sum q is subtracted: the exact sum of i8_block, one chunk,
 * converted, scaled and added as integer_block does. Half the instructions of widening the
 * weights to 16 bits, and a tile of vectors shares each load. */
static inline __attribute__((always_inline)) void
i8_block_tile(const srnn_matrix *w, uint32_t b, const int tile, const int8_t *const *bytes,
              const int32_t *sums, const float *step, float *const *y)
{
    size_t groups = srnn_matrix_rows(w) / 4;
    const uint8_t *block = (const uint8_t *)w->data + (size_t)b * groups * 4 * SRNN_BLOCK;
    const vi flip = vi_set1_i8((int8_t)0x80);
    vi acc[VI_TILE][VI_ACCUMULATORS];
    for (int t = 0; t < tile; t++)
        for (int j = 0; j < VI_ACCUMULATORS; j++) acc[t][j] = vi_set1_i32(0);
    for (size_t g = 0; g < groups; g++) {
        vi x[VI_TILE];
        for (int t = 0; t < tile; t++) {
            int32_t four;
            memcpy(&four, bytes[t] + 4 * g, sizeof four);
            x[t] = vi_set1_i32(four);
        }
        for (int j = 0; j < VI_ACCUMULATORS; j++) {
            vi weights = vi_xor(vi_load(block + g * 4 * SRNN_BLOCK + VI_BYTES * j), flip);
            for (int t = 0; t < tile; t++) acc[t][j] = vi_dot_add(acc[t][j], weights, x[t]);
        }
    }
    const float *scale = (const float *)w->scale + (size_t)b * SRNN_BLOCK;
    for (int t = 0; t < tile; t++) {
        vi correction = vi_set1_i32(128 * sums[t]);
        float *out = y[t] + (size_t)b * SRNN_BLOCK;
        for (int j = 0; j < VI_ACCUMULATORS; j++) {
            vf total = vf_from_i32(vi_sub_i32(acc[t][j], correction));
            vf product = vf_mul(vf_mul(total, vf_load(scale + VI_COLUMNS * j)), vf_set1(step[t]));
            vf_store(out + VI_COLUMNS * j, vf_add(vf_load(out + VI_COLUMNS * j), product));
        }
    }
}

/* The dense I8 products of count quantised inputs (rows within one chunk), block after block,
 * the vectors in tiles of VI_TILE. */
static void i8_products(const srnn_matrix *w, const int16_t *const *q, const float *step,
                        float *const *y, unsigned count, uint32_t block_begin, uint32_t block_end)
{
    size_t rows = srnn_matrix_rows(w);
    int8_t bytes[SRNN_MAX_VOICES][SRNN_I8_CHUNK];
    const int8_t *byte_rows[SRNN_MAX_VOICES];
    int32_t sums[SRNN_MAX_VOICES];
    float steps[SRNN_MAX_VOICES];
    float *outputs[SRNN_MAX_VOICES];
    unsigned which[SRNN_MAX_VOICES], live = live_vectors(step, y, count, which, steps, outputs);
    for (unsigned l = 0; l < live; l++) {
        const int16_t *x = q[which[l]];
        size_t whole = rows / 32 * 32; /* vi_bytes_and_sums takes 32 at a time */
        int32_t part[SRNN_I8_CHUNK / 32], sum = 0;
        vi_bytes_and_sums(bytes[l], part, x, whole);
        for (size_t k = 0; k < whole / 32; k++) sum += part[k];
        for (size_t i = whole; i < rows; i++) {
            bytes[l][i] = (int8_t)x[i];
            sum += x[i];
        }
        byte_rows[l] = bytes[l];
        sums[l] = sum;
    }
#define I8_TILE(n) i8_block_tile(w, b, n, byte_rows + t, sums + t, steps + t, outputs + t)
    for (uint32_t b = block_begin; b < block_end; b++)
        for (unsigned t = 0; t < live; t += VI_TILE) FOR_TILE_SIZE(live, t, VI_TILE, I8_TILE)
#undef I8_TILE
}

#ifdef VEC_I8_SPARSE_BYTES
/* Block b of a block-sparse I8 matrix for tile vectors (unsigned input bytes from
 * i8_sparse_products), octet after octet: i8_sparse_block's exact sums by the level's
 * i8_sparse_octet_bytes, each load of the weights serving every vector of the tile, then
 * converted, scaled and added as integer_block does. */
static inline __attribute__((always_inline)) void
i8_sparse_block_tile(const srnn_matrix *w, uint32_t b, const int tile, const uint8_t *const *bytes,
                     const float *step, float *const *y)
{
    const uint16_t *counts = w->index + w->kept_before[b] + (size_t)SRNN_SPARSE_OCTETS * b;
    const uint16_t *groups = counts + SRNN_SPARSE_OCTETS;
    const int8_t *pieces = (const int8_t *)w->data + (size_t)w->kept_before[b] * SRNN_SPARSE_PIECE;
    int32_t acc[VI_TILE][SRNN_BLOCK];
    for (int k = 0; k < SRNN_SPARSE_OCTETS; k++) {
        int32_t *octet[VI_TILE];
        for (int t = 0; t < tile; t++) octet[t] = acc[t] + k * SRNN_SPARSE_COLUMNS;
        const int32_t *sums = w->column_sums + (size_t)b * SRNN_BLOCK + (size_t)k * SRNN_SPARSE_COLUMNS;
        i8_sparse_octet_bytes(octet, tile, bytes, sums, groups, counts[k], pieces);
        groups += counts[k];
        pieces += (size_t)counts[k] * SRNN_SPARSE_PIECE;
    }
    const float *scale = (const float *)w->scale + (size_t)b * SRNN_BLOCK;
    for (int t = 0; t < tile; t++) {
        float *out = y[t] + (size_t)b * SRNN_BLOCK;
        for (int j = 0; j < SRNN_BLOCK; j += VF_WIDTH) {
            vf product = vf_mul(vf_mul(vf_from_i32(vi_load(acc[t] + j)), vf_load(scale + j)), vf_set1(step[t]));
            vf_store(out + j, vf_add(vf_load(out + j), product));
        }
    }
}

/* The block-sparse I8 products of count quantised inputs (rows within one chunk), block after
 * block, the vectors in tiles of VI_TILE: each input as the unsigned bytes x + 128, whose
 * excess the octets take back with the matrix's column sums. */
static void i8_sparse_products(const srnn_matrix *w, const int16_t *const *q, const float *step,
                               float *const *y, unsigned count, uint32_t block_begin,
                               uint32_t block_end)
{
    size_t rows = srnn_matrix_rows(w);
    uint8_t bytes[SRNN_MAX_VOICES][SRNN_I8_CHUNK];
    const uint8_t *byte_rows[SRNN_MAX_VOICES];
    float steps[SRNN_MAX_VOICES];
    float *outputs[SRNN_MAX_VOICES];
    unsigned which[SRNN_MAX_VOICES], live = live_vectors(step, y, count, which, steps, outputs);
    for (unsigned l = 0; l < live; l++) {
        const int16_t *x = q[which[l]];
        for (size_t i = 0; i < rows; i++) bytes[l][i] = (uint8_t)(x[i] + 128);
        byte_rows[l] = bytes[l];
    }
#define SPARSE_TILE(n) i8_sparse_block_tile(w, b, n, byte_rows + t, steps + t, outputs + t)
    for (uint32_t b = block_begin; b < block_end; b++)
        for (unsigned t = 0; t < live; t += VI_TILE) FOR_TILE_SIZE(live, t, VI_TILE, SPARSE_TILE)
#undef SPARSE_TILE
}
#endif
#endif
#endif

/* Block b of the I8 or I4 product into out: of inputs quantised already (q, every row; always
 * for block-sparse I8, whose rows fit one chunk), or with q NULL quantised here a chunk at a
 * time from x. Every integer sum is exact; I8 converts one per chunk and scales the total per
 * column, I4 one per group, each times its scale, added in group order. */
static void integer_block(const srnn_matrix *w, const int16_t *q, const float *x, float inverse,
                          float step, float *out, uint32_t b)
{
    bool i4 = w->dtype == SRNN_DTYPE_I4, sparse = w->index != NULL;
    size_t rows = srnn_matrix_rows(w), groups = rows / SRNN_I4_GROUP;
    size_t block_bytes = i4 ? rows / 2 * SRNN_BLOCK : rows * SRNN_BLOCK;
    int16_t staged[SRNN_I8_CHUNK];
    int8_t unpacked[SRNN_I4_GROUP * SRNN_BLOCK];
    int32_t acc[SRNN_BLOCK];
    float total[SRNN_BLOCK] = {0};
    if (sparse) { /* one chunk (kernels.h), quantised already */
        i8_sparse_block(acc, q, w, b);
        for (int o = 0; o < SRNN_BLOCK; o++) total[o] += (float)acc[o];
    }
    const uint8_t *block = sparse ? NULL : (const uint8_t *)w->data + (size_t)b * block_bytes;
    for (size_t first = 0; first < rows && !sparse; first += SRNN_I8_CHUNK) {
        size_t n = rows - first < SRNN_I8_CHUNK ? rows - first : SRNN_I8_CHUNK;
        const int16_t *chunk = q ? q + first : staged;
        if (!q) quantise_inputs(staged, x, first, n, w->in, inverse);
        if (!i4) {
            i8_block(acc, chunk, (const int8_t *)block + first * SRNN_BLOCK, (uint32_t)(n / 4));
            for (int o = 0; o < SRNN_BLOCK; o++) total[o] += (float)acc[o];
            continue;
        }
        for (size_t g = 0; g < n; g += SRNN_I4_GROUP) {
            size_t row = first + g;
            i4_unpack(unpacked, block + row / 2 * SRNN_BLOCK, SRNN_I4_GROUP / 4);
            i8_block(acc, chunk + g, unpacked, SRNN_I4_GROUP / 4);
            const uint16_t *scale = (const uint16_t *)w->scale + ((size_t)b * groups + row / SRNN_I4_GROUP) * SRNN_BLOCK;
            for (int o = 0; o < SRNN_BLOCK; o++) total[o] += (float)acc[o] * srnn_f16_to_f32(scale[o]);
        }
    }
    if (i4) {
        for (int o = 0; o < SRNN_BLOCK; o++) out[o] += total[o] * step;
    } else {
        const float *scale = (const float *)w->scale + (size_t)b * SRNN_BLOCK;
        for (int o = 0; o < SRNN_BLOCK; o++) out[o] += total[o] * scale[o] * step;
    }
}

static void gemv_quantised(const srnn_matrix *w, const int16_t *const *q, const float *step,
                           float *const *y, unsigned count, uint32_t block_begin,
                           uint32_t block_end)
{
#ifdef VI_BYTES
    if (w->dtype == SRNN_DTYPE_I4 && srnn_matrix_rows(w) <= SRNN_I8_CHUNK) {
        i4_products(w, q, step, y, count, block_begin, block_end);
        return;
    }
#endif
#ifdef VEC_I8_SPARSE_BYTES
    if (w->dtype == SRNN_DTYPE_I8 && w->index) { /* rows within one chunk (sparse.h) */
        i8_sparse_products(w, q, step, y, count, block_begin, block_end);
        return;
    }
#endif
#ifdef VI_DOT_ANY_BYTE
    if (w->dtype == SRNN_DTYPE_I8 && !w->index && srnn_matrix_rows(w) <= SRNN_I8_CHUNK) {
        i8_products(w, q, step, y, count, block_begin, block_end);
        return;
    }
#endif
    for (uint32_t b = block_begin; b < block_end; b++) /* the vectors take turns on a block */
        for (unsigned v = 0; v < count; v++)
            if (step[v] != 0.0f) integer_block(w, q[v], NULL, 0.0f, step[v], y[v] + (size_t)b * SRNN_BLOCK, b);
}

static void gemv_integer(const srnn_matrix *w, const float *x, float *y, uint32_t block_begin,
                         uint32_t block_end)
{
    float inverse = 0.0f, step = i8_input_step(x, w->in, &inverse);
    if (step == 0.0f) return;
    size_t rows = srnn_matrix_rows(w);
    if (rows > SRNN_I8_CHUNK) { /* quantised chunk by chunk, for every block */
        for (uint32_t b = block_begin; b < block_end; b++)
            integer_block(w, NULL, x, inverse, step, y + (size_t)b * SRNN_BLOCK, b);
        return;
    }
    int16_t q[SRNN_I8_CHUNK]; /* quantised once for all blocks */
    quantise_inputs(q, x, 0, rows, w->in, inverse);
    const int16_t *inputs = q;
    gemv_quantised(w, &inputs, &step, &y, 1, block_begin, block_end);
}

static float quantise_i8(const srnn_matrix *w, const float *x, int16_t *q)
{
    float inverse = 0.0f, step = i8_input_step(x, w->in, &inverse);
    if (step != 0.0f) quantise_inputs(q, x, 0, srnn_matrix_rows(w), w->in, inverse);
    return step;
}

static void gemv_batch(const srnn_matrix *w, const float *const *x, float *const *y,
                       unsigned count, uint32_t block_begin, uint32_t block_end)
{
    switch (w->dtype) {
    case SRNN_DTYPE_F32: GEMV_BLOCKS(float, vf_load) break;
    case SRNN_DTYPE_F16: GEMV_BLOCKS(uint16_t, vf_load_f16) break;
    case SRNN_DTYPE_BF16: GEMV_BLOCKS(uint16_t, vf_load_bf16) break;
    case SRNN_DTYPE_I8:
    case SRNN_DTYPE_I4: break; /* quantised first: gemv_quantised */
    }
}

static void gemv(const srnn_matrix *w, const float *x, float *y, uint32_t block_begin,
                 uint32_t block_end)
{
    if (w->dtype == SRNN_DTYPE_I8 || w->dtype == SRNN_DTYPE_I4)
        gemv_integer(w, x, y, block_begin, block_end);
    else
        gemv_batch(w, &x, &y, 1, block_begin, block_end);
}

/* Four rows of x share each load of W; a GEMM_CHUNK of columns stays in registers. The order
 * of each output's sum is gemv's, so the results are equal. */
#define GEMM_ROWS 4
#define CHUNK_LANES (GEMM_CHUNK / VF_WIDTH)

static void gemm(const srnn_matrix *w, const float *x, size_t x_stride, float *y,
                 size_t y_stride, size_t rows)
{
    const float *data = w->data;
    for (size_t r0 = 0; r0 < rows; r0 += GEMM_ROWS) {
        size_t count = rows - r0 < GEMM_ROWS ? rows - r0 : GEMM_ROWS;
        const float *xs[GEMM_ROWS];
        for (size_t r = 0; r < GEMM_ROWS; r++)
            xs[r] = x + (r0 + (r < count ? r : 0)) * x_stride; /* spare rows repeat row 0 */
        for (uint32_t b = 0; b < w->blocks; b++) {
            for (int c0 = 0; c0 < SRNN_BLOCK; c0 += GEMM_CHUNK) {
                vf acc[GEMM_ROWS][CHUNK_LANES];
                for (int r = 0; r < GEMM_ROWS; r++)
                    for (int j = 0; j < CHUNK_LANES; j++) acc[r][j] = vf_set1(0.0f);
                const float *column = data + (size_t)b * w->in * SRNN_BLOCK + c0;
                for (uint32_t i = 0; i < w->in; i++) {
                    const float *row = column + (size_t)i * SRNN_BLOCK;
                    for (int r = 0; r < GEMM_ROWS; r++) {
                        vf xi = vf_set1(xs[r][i]);
                        for (int j = 0; j < CHUNK_LANES; j++)
                            acc[r][j] = vf_add(acc[r][j], vf_mul(xi, vf_load(row + j * VF_WIDTH)));
                    }
                }
                size_t start = (size_t)b * SRNN_BLOCK + (size_t)c0;
                size_t valid = start < w->out ? w->out - start : 0; /* y has out columns */
                for (size_t r = 0; r < count && valid > 0; r++) {
                    float *out = y + (r0 + r) * y_stride + start;
                    if (valid >= GEMM_CHUNK) {
                        for (int j = 0; j < CHUNK_LANES; j++) vf_store(out + j * VF_WIDTH, acc[r][j]);
                    } else {
                        float staged[GEMM_CHUNK];
                        for (int j = 0; j < CHUNK_LANES; j++) vf_store(staged + j * VF_WIDTH, acc[r][j]);
                        memcpy(out, staged, valid * sizeof *out);
                    }
                }
            }
        }
    }
}

/* ---- activations ----------------------------------------------------------------------- */

/* e^x, |relative error| < 2e-7 on [-87, 88] (clamped outside): x = n·ln2 + r, then the
 * polynomial of Cephes' expf for e^r on |r| <= ln2/2, scaled by 2^n. */
static inline vf vexp(vf x)
{
    x = vf_min(vf_max(x, vf_set1(-87.0f)), vf_set1(88.0f));
    vf shifted = vf_add(vf_mul(x, vf_set1(1.44269504088896341f)), vf_set1(0x1.8p23f));
    vf n = vf_sub(shifted, vf_set1(0x1.8p23f));
    vf r = vf_sub(x, vf_mul(n, vf_set1(0.693359375f)));
    r = vf_sub(r, vf_mul(n, vf_set1(-2.12194440e-4f)));
    vf p = vf_set1(1.9875691500e-4f);
    p = vf_add(vf_mul(p, r), vf_set1(1.3981999507e-3f));
    p = vf_add(vf_mul(p, r), vf_set1(8.3334519073e-3f));
    p = vf_add(vf_mul(p, r), vf_set1(4.1665795894e-2f));
    p = vf_add(vf_mul(p, r), vf_set1(1.6666665459e-1f));
    p = vf_add(vf_mul(p, r), vf_set1(5.0000001201e-1f));
    vf e = vf_add(vf_add(vf_mul(vf_mul(p, r), r), r), vf_set1(1.0f));
    return vf_mul(e, vf_pow2_from_shifted(shifted));
}

static inline vf vsigmoid(vf x)
{
    return vf_div(vf_set1(1.0f), vf_add(vf_set1(1.0f), vexp(vf_sub(vf_set1(0.0f), x))));
}

/* tanh: Cephes' odd polynomial below |x| = 0.625, where 1 - 2/(e^2|x| + 1) would cancel;
 * that formula above; the sign of x restored. */
static inline vf vtanh(vf x)
{
    vf a = vf_abs(x);
    vf z = vf_mul(x, x);
    vf p = vf_set1(-5.70498872745e-3f);
    p = vf_add(vf_mul(p, z), vf_set1(2.06390887954e-2f));
    p = vf_add(vf_mul(p, z), vf_set1(-5.37397155531e-2f));
    p = vf_add(vf_mul(p, z), vf_set1(1.33314422036e-1f));
    p = vf_add(vf_mul(p, z), vf_set1(-3.33332819422e-1f));
    vf small = vf_add(vf_mul(vf_mul(p, z), x), x);
    vf e = vexp(vf_add(a, a));
    vf large = vf_sub(vf_set1(1.0f), vf_div(vf_set1(2.0f), vf_add(e, vf_set1(1.0f))));
    return vf_select(vf_less(a, vf_set1(0.625f)), small, vf_copysign(large, x));
}

static inline void gru_vector(float *h, const float *xg, const float *hg, size_t d)
{
    vf z = vsigmoid(vf_add(vf_load(xg), vf_load(hg)));
    vf r = vsigmoid(vf_add(vf_load(xg + d), vf_load(hg + d)));
    vf n = vtanh(vf_add(vf_load(xg + 2 * d), vf_mul(r, vf_load(hg + 2 * d))));
    vf keep = vf_mul(z, vf_load(h));
    vf_store(h, vf_add(keep, vf_mul(vf_sub(vf_set1(1.0f), z), n)));
}

static void gru_gates(float *h, const float *xg, const float *hg, size_t d)
{
    size_t i = 0;
    for (; i + VF_WIDTH <= d; i += VF_WIDTH) gru_vector(h + i, xg + i, hg + i, d);
    if (i < d) { /* the last elements through one padded vector */
        size_t left = d - i;
        float hs[VF_WIDTH] = {0}, xs[3 * VF_WIDTH] = {0}, gs[3 * VF_WIDTH] = {0};
        memcpy(hs, h + i, left * sizeof *hs);
        for (int g = 0; g < 3; g++) {
            memcpy(xs + g * VF_WIDTH, xg + g * d + i, left * sizeof *xs);
            memcpy(gs + g * VF_WIDTH, hg + g * d + i, left * sizeof *gs);
        }
        gru_vector(hs, xs, gs, VF_WIDTH);
        memcpy(h + i, hs, left * sizeof *hs);
    }
}

static inline void lstm_vector(float *h, float *c, const float *g, size_t d)
{
    vf in = vsigmoid(vf_load(g)), forget = vsigmoid(vf_load(g + d));
    vf cell = vtanh(vf_load(g + 2 * d)), out = vsigmoid(vf_load(g + 3 * d));
    vf state = vf_add(vf_mul(forget, vf_load(c)), vf_mul(in, cell));
    vf_store(c, state);
    vf_store(h, vf_mul(out, vtanh(state)));
}

static void lstm_gates(float *h, float *c, const float *g, size_t d)
{
    size_t i = 0;
    for (; i + VF_WIDTH <= d; i += VF_WIDTH) lstm_vector(h + i, c + i, g + i, d);
    if (i < d) {
        size_t left = d - i;
        float hs[VF_WIDTH] = {0}, cs[VF_WIDTH] = {0}, gs[4 * VF_WIDTH] = {0};
        memcpy(cs, c + i, left * sizeof *cs);
        for (int k = 0; k < 4; k++) memcpy(gs + k * VF_WIDTH, g + k * d + i, left * sizeof *gs);
        lstm_vector(hs, cs, gs, VF_WIDTH);
        memcpy(h + i, hs, left * sizeof *hs);
        memcpy(c + i, cs, left * sizeof *cs);
    }
}

/* ---- the categorical draw ---------------------------------------------------------------- */

/* The vectors the sampler exponentiates together: their polynomials interleaved step by step,
 * so that each multiply and add waits on its own vector's previous one while the others'
 * run (one vector at a time, the sampler waited on that latency: 13% of S's time with two
 * voices). */
#define EXP_VECTORS 4

/* e^x[v] for x <= 0 in double (0 below -708, where it would leave the normal range), for
 * EXP_VECTORS vectors: x = n·ln2 + r, the Taylor polynomial of degree 12 for e^r on |r| <=
 * ln2/2 (error < 2e-16), times 2^n. Each vector gets the same operations whatever the others. */
static inline void vexp_double(vd8 *e, const vd8 *x)
{
    static const double inverse_factorial[] = {
        1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880, 1.0 / 40320, 1.0 / 5040,
        1.0 / 720,       1.0 / 120,      1.0 / 24,      1.0 / 6,      1.0 / 2,     1.0,
        1.0,
    };
    vd8 shifted[EXP_VECTORS], r[EXP_VECTORS], p[EXP_VECTORS];
    for (int v = 0; v < EXP_VECTORS; v++) {
        shifted[v] = vd8_add(vd8_mul(x[v], vd8_set1(1.4426950408889634)), vd8_set1(0x1.8p52));
        vd8 n = vd8_sub(shifted[v], vd8_set1(0x1.8p52));
        r[v] = vd8_sub(x[v], vd8_mul(n, vd8_set1(6.93147180369123816490e-01)));
        r[v] = vd8_sub(r[v], vd8_mul(n, vd8_set1(1.90821492927058770002e-10)));
        p[v] = vd8_set1(inverse_factorial[0]);
    }
    for (int k = 1; k < 13; k++)
        for (int v = 0; v < EXP_VECTORS; v++) p[v] = vd8_add(vd8_mul(p[v], r[v]), vd8_set1(inverse_factorial[k]));
    for (int v = 0; v < EXP_VECTORS; v++)
        e[v] = vd8_zero_where(vd8_less(x[v], vd8_set1(-708.0)), vd8_mul(p[v], vd8_pow2_from_shifted(shifted[v])));
}

/* The first index of the largest logit, max (0 for NaN logits: any index is as good): the
 * argmax draw, and the safe pick where a draw cannot be made; searched only then, as it is a
 * scalar scan of every logit. */
static int32_t mode(const float *logits, size_t count, float max)
{
    size_t best = 0;
    while (best < count && !(logits[best] == max)) best++;
    return best == count ? 0 : (int32_t)best;
}

/* PRiSM draws from log_softmax(logits)/T in float64; (l - max)/T differs from it by a
 * constant, which the normalisation removes. The index space is split into eight groups
 * (index mod 8), whose sums are the eight lanes: a draw picks a group by its sum, then an
 * index inside it, which is exactly a draw from the whole distribution. */
static int32_t sample(srnn_rng *rng, const float *logits, size_t count, float temperature,
                      double *weights)
{
    vf top = vf_set1(-INFINITY);
    size_t i = 0;
    for (; i + VF_WIDTH <= count; i += VF_WIDTH) top = vf_max(top, vf_load(logits + i));
    float max = vf_reduce_max(top);
    for (; i < count; i++) max = logits[i] > max ? logits[i] : max;
    if (!(temperature > SRNN_ARGMAX_TEMPERATURE)) return mode(logits, count, max);

    double inverse_t =
        1.0 / (double)(temperature < SRNN_MAX_TEMPERATURE ? temperature : SRNN_MAX_TEMPERATURE);
    vd8 scale = vd8_set1(inverse_t), offset = vd8_set1((double)max), lanes = vd8_set1(0.0);
    size_t padded = srnn_sample_scratch(count);
    for (i = 0; i < padded; i += 8 * EXP_VECTORS) {
        vd8 x[EXP_VECTORS], e[EXP_VECTORS];
        for (int v = 0; v < EXP_VECTORS; v++) {
            size_t at = i + 8 * (size_t)v;
            float staged[8];
            const float *source = logits + at;
            if (at + 8 > count) { /* past the end: -inf, whose weight is exactly 0 */
                for (size_t k = 0; k < 8; k++) staged[k] = at + k < count ? logits[at + k] : -INFINITY;
                source = staged;
            }
            x[v] = vd8_mul(vd8_sub(vd8_from_floats(source), offset), scale);
        }
        vexp_double(e, x);
        for (int v = 0; v < EXP_VECTORS; v++) {
            vd8_store(weights + i + 8 * (size_t)v, e[v]);
            lanes = vd8_add(lanes, e[v]);
        }
    }
    double sums[8], total = 0.0;
    vd8_store(sums, lanes);
    for (int j = 0; j < 8; j++) total += sums[j];
    if (!(total > 0.0) || !isfinite(total)) return mode(logits, count, max);

    double target = srnn_rng_uniform(rng) * total, before = 0.0;
    for (int j = 0; j < 8; j++) {
        if (target < before + sums[j]) {
            double rest = target - before, cumulative = 0.0;
            for (size_t k = (size_t)j; k < padded; k += 8) {
                cumulative += weights[k];
                if (rest < cumulative) return (int32_t)k;
            }
            break; /* rounding left rest at the group's very top */
        }
        before += sums[j];
    }
    return mode(logits, count, max); /* rounding left target on top */
}

/* y[o] += rows[r][o] for each row in order, each element widened to float32 (exactly: every
 * float16 and bfloat16 is a float32): elementwise, so every level adds alike */
#define ADD_ROWS(type, load, widen)                                                       \
    {                                                                                     \
        const type *const *typed = (const type *const *)rows;                             \
        size_t o = 0;                                                                     \
        for (; o + VF_WIDTH <= d; o += VF_WIDTH) {                                        \
            vf sum = vf_load(y + o);                                                      \
            for (size_t r = 0; r < count; r++) sum = vf_add(sum, load(typed[r] + o));     \
            vf_store(y + o, sum);                                                         \
        }                                                                                 \
        for (; o < d; o++)                                                                \
            for (size_t r = 0; r < count; r++) y[o] += widen(typed[r][o]);                \
    }

static inline float same_float(float x) { return x; }

static void add_rows(float *y, const void *const *rows, srnn_dtype dtype, size_t count, size_t d)
{
    switch (dtype) {
    case SRNN_DTYPE_F32: ADD_ROWS(float, vf_load, same_float) break;
    case SRNN_DTYPE_F16: ADD_ROWS(uint16_t, vf_load_f16, srnn_f16_to_f32) break;
    case SRNN_DTYPE_BF16: ADD_ROWS(uint16_t, vf_load_bf16, srnn_bf16_to_f32) break;
    case SRNN_DTYPE_I8:
    case SRNN_DTYPE_I4: break; /* a table's rows are floats (kernels.h) */
    }
}

static const srnn_kernels table = {KERNELS_LEVEL, gemv,       gemm,      gemv_batch, quantise_i8,
                                   gemv_quantised, add_rows, gru_gates, lstm_gates, sample};
const srnn_kernels *const KERNELS_TABLE = &table;
