/* Vector primitives for kernels_arch.h with AVX-512F and BW (16 floats, 8 doubles). Each operation
 * is the lane-wise twin of vec_generic.h's; no fused multiply-add. */
#ifndef SRNN_VEC_AVX512_H
#define SRNN_VEC_AVX512_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define VF_WIDTH 16
#define GEMM_CHUNK 64 /* 4 rows x 4 registers of accumulators */

typedef __m512 vf;
typedef __mmask16 vmask;

static inline vf vf_set1(float x) { return _mm512_set1_ps(x); }
static inline vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void vf_store(float *p, vf a) { _mm512_storeu_ps(p, a); }
static inline vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm512_div_ps(a, b); }
static inline vf vf_min(vf a, vf b) { return _mm512_min_ps(a, b); }
static inline vf vf_max(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vmask vf_less(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
static inline vf vf_select(vmask m, vf if_true, vf if_false) { return _mm512_mask_blend_ps(m, if_false, if_true); }
static inline vf vf_abs(vf a)
{
    return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(a), _mm512_set1_epi32(0x7fffffff)));
}
static inline vf vf_copysign(vf magnitude, vf sign)
{
    __m512i sign_bit = _mm512_and_si512(_mm512_castps_si512(sign), _mm512_set1_epi32((int)0x80000000u));
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(vf_abs(magnitude)), sign_bit));
}
static inline vf vf_pow2_from_shifted(vf t)
{
    __m512i bits = _mm512_add_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(bits, 23));
}
static inline vf vf_load_f16(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }
static inline vf vf_load_bf16(const uint16_t *p)
{
    __m512i wide = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16));
}
static inline void vf_store_int16(int16_t *p, vf a)
{
    _mm256_storeu_si256((__m256i *)p, _mm512_cvtepi32_epi16(_mm512_cvtps_epi32(a))); /* a is integral */
}
static inline float vf_reduce_max(vf a) { return _mm512_reduce_max_ps(a); }

/* sum + the pairwise products of a and b summed in pairs (vpmaddwd), in exact integers: one
 * instruction with VNNI (kernels_avx512vnni.c defines VEC_AVX512_VNNI), two without. */
static inline __m512i i8_madd_add(__m512i sum, __m512i a, __m512i b)
{
#ifdef VEC_AVX512_VNNI
    return _mm512_dpwssd_epi32(sum, a, b);
#else
    return _mm512_add_epi32(sum, _mm512_madd_epi16(a, b));
#endif
}

/* One column block of an I8 matrix against quantised inputs (kernels_arch.h's i8_block):
 * vpmaddwd on 16-bit values leaves two partial sums per output in a 64-bit lane, joined by
 * a shift and an add at the end. Exact. */
#define VEC_I8_BLOCK
static inline void i8_block(int32_t *acc, const int16_t *q, const int8_t *w, uint32_t groups)
{
    __m512i sums[8];
    for (int k = 0; k < 8; k++) sums[k] = _mm512_setzero_si512();
    for (uint32_t g = 0; g < groups; g++) {
        int64_t inputs;
        memcpy(&inputs, q + 4 * (size_t)g, sizeof inputs);
        __m512i x = _mm512_set1_epi64(inputs);
        const int8_t *row = w + (size_t)g * 256;
        for (int k = 0; k < 8; k++) {
            __m512i weights = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(row + 32 * k)));
            sums[k] = i8_madd_add(sums[k], weights, x);
        }
    }
    for (int k = 0; k < 8; k++) {
        __m512i joined = _mm512_add_epi32(sums[k], _mm512_srli_epi64(sums[k], 32));
        _mm256_storeu_si256((__m256i *)(acc + 8 * k), _mm512_cvtepi64_epi32(joined));
    }
}

/* One octet of a block-sparse I8 matrix (kernels_sparse.h's i8_sparse_octet): a piece's 32
 * bytes widen to one register, its four inputs are broadcast to every column, vpmaddwd leaves
 * two partial sums per column; two accumulators take alternate pieces so that consecutive
 * multiply-adds do not wait on each other. Exact, so the order does not matter. */
#define VEC_I8_SPARSE
static inline void i8_sparse_octet(int32_t *acc, const int16_t *q, const uint16_t *groups,
                                   uint32_t count, const int8_t *w)
{
    __m512i even = _mm512_setzero_si512(), odd = _mm512_setzero_si512();
    uint32_t p = 0;
    for (; p + 2 <= count; p += 2, w += 64) {
        int64_t first, second;
        memcpy(&first, q + 4 * (size_t)groups[p], sizeof first);
        memcpy(&second, q + 4 * (size_t)groups[p + 1], sizeof second);
        __m512i a = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)w));
        __m512i b = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(w + 32)));
        even = i8_madd_add(even, a, _mm512_set1_epi64(first));
        odd = i8_madd_add(odd, b, _mm512_set1_epi64(second));
    }
    if (p < count) {
        int64_t last;
        memcpy(&last, q + 4 * (size_t)groups[p], sizeof last);
        __m512i a = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)w));
        even = i8_madd_add(even, a, _mm512_set1_epi64(last));
    }
    __m512i sums = _mm512_add_epi32(even, odd);
    __m512i joined = _mm512_add_epi32(sums, _mm512_srli_epi64(sums, 32));
    _mm256_storeu_si256((__m256i *)acc, _mm512_cvtepi64_epi32(joined));
}

#ifdef VEC_AVX512_VNNI
/* The 8 columns' sums of one octet of a block-sparse I8 matrix with VNNI, for a tile of
 * vectors that share each load of the weights (kernels_arch.h's i8_sparse_products): two
 * pieces fill a register, each half's weights multiplied by the four input bytes of its
 * piece's row group (vpdpbusd), four pieces a turn over two accumulators per vector. The
 * inputs come as the unsigned bytes x + 128, so the lanes hold the sum of (x + 128)·w, and
 * 128 · the column's sum of weights (column_sums, fixed at load) is subtracted: no work per
 * piece besides its product (the weights made unsigned instead needed each piece's input sum:
 * L at 25% ran at 1.5x real time that way, 2.1x this way). Exact, so the order does not
 * matter. */
#define VEC_I8_SPARSE_BYTES
static inline __m512i i8_sparse_pair_inputs(const uint8_t *bytes, uint16_t first, uint16_t second)
{
    int32_t low, high;
    memcpy(&low, bytes + 4 * (size_t)first, sizeof low);
    memcpy(&high, bytes + 4 * (size_t)second, sizeof high);
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_set1_epi32(low)), _mm256_set1_epi32(high), 1);
}
static inline __attribute__((always_inline)) void
i8_sparse_octet_bytes(int32_t *const *acc, const int tile, const uint8_t *const *bytes,
                      const int32_t *column_sums, const uint16_t *groups, uint32_t count,
                      const int8_t *w)
{
    __m512i sums[4][2]; /* a tile is at most 4 vectors (kernels_arch.h's VI_TILE) */
    for (int t = 0; t < tile; t++) sums[t][0] = sums[t][1] = _mm512_setzero_si512();
    uint32_t p = 0;
    for (; p + 4 <= count; p += 4, w += 128) {
        __m512i first = _mm512_loadu_si512((const void *)w), second = _mm512_loadu_si512((const void *)(w + 64));
        for (int t = 0; t < tile; t++) {
            sums[t][0] = _mm512_dpbusd_epi32(sums[t][0], i8_sparse_pair_inputs(bytes[t], groups[p], groups[p + 1]), first);
            sums[t][1] = _mm512_dpbusd_epi32(sums[t][1], i8_sparse_pair_inputs(bytes[t], groups[p + 2], groups[p + 3]), second);
        }
    }
    for (; p + 2 <= count; p += 2, w += 64) {
        __m512i pair = _mm512_loadu_si512((const void *)w);
        for (int t = 0; t < tile; t++)
            sums[t][0] = _mm512_dpbusd_epi32(sums[t][0], i8_sparse_pair_inputs(bytes[t], groups[p], groups[p + 1]), pair);
    }
    if (p < count) { /* the last piece alone: its upper half's weights and inputs are zero */
        __m512i last = _mm512_zextsi256_si512(_mm256_loadu_si256((const __m256i *)w));
        for (int t = 0; t < tile; t++) {
            int32_t four;
            memcpy(&four, bytes[t] + 4 * (size_t)groups[p], sizeof four);
            sums[t][1] = _mm512_dpbusd_epi32(sums[t][1], _mm512_zextsi256_si512(_mm256_set1_epi32(four)), last);
        }
    }
    __m256i correction = _mm256_slli_epi32(_mm256_loadu_si256((const __m256i *)column_sums), 7);
    for (int t = 0; t < tile; t++) {
        __m512i both = _mm512_add_epi32(sums[t][0], sums[t][1]);
        __m256i eight = _mm256_add_epi32(_mm512_castsi512_si256(both), _mm512_extracti64x4_epi64(both, 1));
        _mm256_storeu_si256((__m256i *)acc[t], _mm256_sub_epi32(eight, correction));
    }
}
#endif

/* Integer vectors for kernels_arch.h's fused I4 product: 64 bytes, 16 32-bit lanes. */
#define VI_BYTES 64
typedef __m512i vi;
static inline vi vi_load(const void *p) { return _mm512_loadu_si512(p); }
static inline vi vi_set1_i8(int8_t x) { return _mm512_set1_epi8(x); }
static inline vi vi_set1_i32(int32_t x) { return _mm512_set1_epi32(x); }
static inline vi vi_and(vi a, vi b) { return _mm512_and_si512(a, b); }
static inline vi vi_xor(vi a, vi b) { return _mm512_xor_si512(a, b); }
static inline vi vi_shift_right_16(vi a, int n) { return _mm512_srli_epi16(a, (unsigned)n); }
static inline vi vi_sub_i32(vi a, vi b) { return _mm512_sub_epi32(a, b); }
static inline vf vf_from_i32(vi a) { return _mm512_cvtepi32_ps(a); }
/* sum + the products of the unsigned bytes of a and the signed bytes of b, four to a 32-bit
 * lane: VNNI's vpdpbusd, exact for any bytes (VI_DOT_ANY_BYTE); without VNNI vpmaddubsw,
 * exact only while a pair's sum fits 16 bits (I4's a ≤ 15: 2 · 15 · 127 < 2¹⁵), then
 * vpmaddwd by ones. */
#ifdef VEC_AVX512_VNNI
#define VI_DOT_ANY_BYTE
#endif
static inline vi vi_dot_add(vi sum, vi a, vi b)
{
#ifdef VEC_AVX512_VNNI
    return _mm512_dpbusd_epi32(sum, a, b);
#else
    return _mm512_add_epi32(sum, _mm512_madd_epi16(_mm512_maddubs_epi16(a, b), _mm512_set1_epi16(1)));
#endif
}
/* bytes[i] = q[i] for count values (a multiple of 32) in -127 … 127, and each 32 values' sum */
static inline void vi_bytes_and_sums(int8_t *bytes, int32_t *sums, const int16_t *q, size_t count)
{
    for (size_t i = 0; i < count; i += 32) {
        __m512i x = _mm512_loadu_si512((const void *)(q + i));
        _mm256_storeu_si256((__m256i *)(bytes + i), _mm512_cvtepi16_epi8(x));
        sums[i / 32] = _mm512_reduce_add_epi32(_mm512_madd_epi16(x, _mm512_set1_epi16(1)));
    }
}

typedef __m512d vd8;
typedef __mmask8 vd8mask;

static inline vd8 vd8_set1(double x) { return _mm512_set1_pd(x); }
static inline vd8 vd8_from_floats(const float *p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
static inline void vd8_store(double *p, vd8 a) { _mm512_storeu_pd(p, a); }
static inline vd8 vd8_add(vd8 a, vd8 b) { return _mm512_add_pd(a, b); }
static inline vd8 vd8_sub(vd8 a, vd8 b) { return _mm512_sub_pd(a, b); }
static inline vd8 vd8_mul(vd8 a, vd8 b) { return _mm512_mul_pd(a, b); }
static inline vd8mask vd8_less(vd8 a, vd8 b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
static inline vd8 vd8_zero_where(vd8mask m, vd8 a) { return _mm512_maskz_mov_pd((__mmask8)~m, a); }
static inline vd8 vd8_pow2_from_shifted(vd8 t)
{
    __m512i bits = _mm512_add_epi64(_mm512_castpd_si512(t), _mm512_set1_epi64(1023));
    return _mm512_castsi512_pd(_mm512_slli_epi64(bits, 52));
}

#endif
