/* The numeric kernels of the hot loop: matrix-vector products, gate activations and the
 * categorical draw. One source (kernels_arch.h) is compiled once per instruction set level
 * (kernels_generic.c, kernels_avx2.c, kernels_avx512.c, kernels_neon.c; kernels_avx512vnni.c
 * is the avx512 level on CPUs with VNNI); the level is chosen once, when a model is loaded,
 * from what the CPU supports, capped by SRNN_CPU.
 *
 * Every level performs the same floating-point operations in the same order: products are
 * multiplied then added (never fused), each output of a matrix-vector product sums its
 * inputs in index order whatever the vector width, and the approximations of exp, sigmoid
 * and tanh are the same polynomials in every lane. So all levels give bit-identical logits,
 * and a seed gives the same samples on every machine. */
#ifndef SRNN_KERNELS_H
#define SRNN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "sampler.h"
#include "srnn.h"

/* Output columns per block of a matrix: a multiple of every level's vector width. */
#define SRNN_BLOCK 64

/* How the elements of a matrix are stored. */
typedef enum {
    SRNN_DTYPE_F32 = 0,
    SRNN_DTYPE_F16 = 1,  /* IEEE half; subnormal halves are stored as zero */
    SRNN_DTYPE_BF16 = 2, /* the upper half of a float32 */
    SRNN_DTYPE_I8 = 3,   /* value = q * scale[column] */
    SRNN_DTYPE_I4 = 4,   /* value = q * scale[group of SRNN_I4_GROUP rows][column] */
} srnn_dtype;

/* A weight matrix for y[out] += x[in] · W (a Keras Dense kernel), in column blocks: block b
 * holds columns [64b, 64b + 64) row after row, so element (i, o) is at index
 * ((o / 64) · in + i) · 64 + o % 64; the columns past out are zero. Streaming a block reads
 * contiguous memory, and a range of blocks is a piece of work that can be done on its own.
 *
 * I8 keeps four consecutive rows of a column together, as integer dot-product instructions
 * read them: element (i, o) is at ((o / 64) · G + i / 4) · 256 + (o % 64) · 4 + i % 4, with
 * G = ceil(in / 4) groups of rows (rows past in are zero). Its product quantises x too:
 * s = max|x| / 127, q_i = round(x_i / s) computed as x_i · (127 / max|x|), and
 * y[o] += (sum_i q_i · w_io) · scale[o] · s, the sum exact in integers (in chunks of
 * SRNN_I8_CHUNK rows, each converted to float and added in order).
 *
 * I4 holds values -8 … 7 (srnn_i4_group_scale puts a group's largest magnitude at 7 or 8)
 * with one scale per column and group of SRNN_I4_GROUP rows (rows past in are zero), a
 * float16 (scale is uint16_t bits: the scales are a tenth of an I4 matrix's bytes, a fifth as
 * floats). Each four-row group of a block is the I8 layout's 256 values in 128 bytes: byte j
 * holds value j in its low nibble and value j + 128 in its high one, so a vector of bytes
 * unpacks with a mask and a shift. Block b starts at byte b · (R / 4) · 128, R = in rounded up
 * to SRNN_I4_GROUP; scale of group g, column o: scale[(o / 64 · R / SRNN_I4_GROUP + g) · 64 +
 * o % 64], as float. Its product quantises x as I8 does and adds y[o] += (sum over groups g, in order, of float(sum_i q_i · w_io over the
 * group's rows) · scale_go) · s: each group's integer sum exact, then one multiply and one
 * add per group, the same on every level.
 *
 * An I8 matrix may be block-sparse (index not NULL): the pieces of 8 columns x 4 rows (32
 * bytes of a four-row group) that are all zero are left out (sparse.h has the layout). Its
 * product is the dense one's, bit for bit: the integer sums skip only zero terms. It needs
 * in <= SRNN_I8_CHUNK (one integer sum). */
typedef struct {
    uint32_t in, out, blocks; /* blocks = ceil(out / 64) */
    srnn_dtype dtype;
    const void *data;
    /* I8: a float per column, blocks · 64 of them; I4: float16 bits (uint16_t) per group and
     * column, half the bytes of floats, which int4's products stream; else NULL */
    const void *scale;
    /* block-sparse I8 only, else NULL (sparse.h): pieces kept before column block b (blocks + 1
     * of them), and per column block the 8 octets' counts then their pieces' row groups */
    const uint32_t *kept_before;
    const uint16_t *index;
    /* block-sparse I8 only, else NULL: per column (blocks · 64), the sum of its weights, for
     * the levels whose product takes the inputs as unsigned bytes (sparse.h) */
    const int32_t *column_sums;
} srnn_matrix;

#define SRNN_I8_CHUNK 4096 /* rows whose integer sum cannot overflow 32 bits: 4096 · 127² < 2³¹ */
/* I4 rows per scale: chosen by measurement (README, Speed) among 32, 64 and 128. A divisor
 * of SRNN_I8_CHUNK, so the chunks of quantised inputs hold whole groups. */
#ifndef SRNN_I4_GROUP
#define SRNN_I4_GROUP 32
#endif

/* The rows a product of w reads: in rounded up to whole groups (4 for I8, SRNN_I4_GROUP for
 * I4); the quantised input has this many values, zero past in. */
static inline size_t srnn_matrix_rows(const srnn_matrix *w)
{
    size_t group = w->dtype == SRNN_DTYPE_I4 ? SRNN_I4_GROUP : 4;
    return ((size_t)w->in + group - 1) / group * group;
}

typedef struct {
    srnn_cpu level;
    /* y[64b .. 64e) += x · W for the column blocks [b, e). y has room for whole blocks. */
    void (*gemv)(const srnn_matrix *w, const float *x, float *y, uint32_t block_begin,
                 uint32_t block_end);
    /* For rows r < rows: y[r · y_stride ...] = x[r · x_stride ...] · W, W float32; each
     * output equals what gemv computes from zero. Load time only. */
    void (*gemm)(const srnn_matrix *w, const float *x, size_t x_stride, float *y,
                 size_t y_stride, size_t rows);
    /* Batched products, for the voices of a group (srnn_voices): for v < count (at most
     * SRNN_MAX_VOICES), y[v] += x[v] · W over the column blocks [b, e), each y[v] bit for bit
     * what gemv gives on x[v]. Each column block of W is read from memory once for all the
     * vectors (kept in registers where a level can, else in L1 while the vectors take their
     * turns). gemv_batch takes F32, F16 and BF16 matrices. */
    void (*gemv_batch)(const srnn_matrix *w, const float *const *x, float *const *y,
                       unsigned count, uint32_t block_begin, uint32_t block_end);
    /* An I8 or I4 gemv in two steps, so that a product shared by threads or voices quantises
     * each x once: quantise_i8 fills q (srnn_matrix_rows values) and returns s (0: x is zero,
     * nothing to add); gemv_quantised on count such inputs (q[v], step[v]; a step of 0 adds
     * nothing to y[v]) then equals gemv on each x[v], batched as gemv_batch is. */
    float (*quantise_i8)(const srnn_matrix *w, const float *x, int16_t *q);
    void (*gemv_quantised)(const srnn_matrix *w, const int16_t *const *q, const float *step,
                           float *const *y, unsigned count, uint32_t block_begin,
                           uint32_t block_end);
    /* y[o] += rows[r][o] for r = 0 .. count-1 in order, o < d: the table look-ups. The rows
     * hold F32, F16 or BF16 elements (dtype), each widened to float32 before it is added. */
    void (*add_rows)(float *y, const void *const *rows, srnn_dtype dtype, size_t count, size_t d);
    /* Keras GRU (reset_after): h = z·h + (1 - z)·tanh(xh + r·hh), z and r sigmoids of
     * x + h parts; xg, hg are (3D) pre-activations in gate order z, r, h. */
    void (*gru_gates)(float *h, const float *xg, const float *hg, size_t d);
    /* Keras LSTM: g (4D) pre-activations in gate order i, f, c, o; updates c and h. */
    void (*lstm_gates)(float *h, float *c, const float *g, size_t d);
    /* One draw from softmax(logits / temperature) in double precision (argmax when the
     * temperature is <= SRNN_ARGMAX_TEMPERATURE or NaN; capped at SRNN_MAX_TEMPERATURE).
     * weights is scratch for srnn_sample_scratch(count) doubles. */
    int32_t (*sample)(srnn_rng *rng, const float *logits, size_t count, float temperature,
                      double *weights);
} srnn_kernels;

/* The sampler's scratch size for count logits: whole groups of the 32 it exponentiates
 * together (four vectors of 8 doubles). */
static inline size_t srnn_sample_scratch(size_t count) { return (count + 31) & ~(size_t)31; }

/* The highest level this CPU runs and this build has. */
srnn_cpu srnn_cpu_detect(void);

/* The kernels of a level, or NULL when this build or this CPU lacks it. */
const srnn_kernels *srnn_kernels_get(srnn_cpu level);

/* Each level's table; NULL where the build leaves a level out. */
extern const srnn_kernels *const srnn_kernels_generic;
extern const srnn_kernels *const srnn_kernels_avx2;
extern const srnn_kernels *const srnn_kernels_avx512;
extern const srnn_kernels *const srnn_kernels_avx512_vnni; /* the avx512 level where VNNI is */
extern const srnn_kernels *const srnn_kernels_neon;

#endif
