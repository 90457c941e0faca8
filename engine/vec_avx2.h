/* Vector primitives for kernels_arch.h with AVX2 (8 floats) and F16C. Each operation is the
 * lane-wise twin of vec_generic.h's; no fused multiply-add. */
#ifndef SRNN_VEC_AVX2_H
#define SRNN_VEC_AVX2_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define VF_WIDTH 8
#define GEMM_CHUNK 16 /* 4 rows x 2 registers of accumulators */

typedef __m256 vf;
typedef __m256 vmask;

static inline vf vf_set1(float x) { return _mm256_set1_ps(x); }
static inline vf vf_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void vf_store(float *p, vf a) { _mm256_storeu_ps(p, a); }
static inline vf vf_add(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm256_div_ps(a, b); }
static inline vf vf_min(vf a, vf b) { return _mm256_min_ps(a, b); }
static inline vf vf_max(vf a, vf b) { return _mm256_max_ps(a, b); }
static inline vmask vf_less(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
static inline vf vf_select(vmask m, vf if_true, vf if_false) { return _mm256_blendv_ps(if_false, if_true, m); }
static inline vf vf_abs(vf a) { return _mm256_and_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff))); }
static inline vf vf_copysign(vf magnitude, vf sign)
{
    __m256 sign_bit = _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u));
    return _mm256_or_ps(vf_abs(magnitude), _mm256_and_ps(sign, sign_bit));
}
static inline vf vf_pow2_from_shifted(vf t)
{
    __m256i bits = _mm256_add_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(bits, 23));
}
static inline vf vf_load_f16(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }
static inline vf vf_load_bf16(const uint16_t *p)
{
    __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
}
static inline void vf_store_int16(int16_t *p, vf a)
{
    __m256i i = _mm256_cvtps_epi32(a); /* exact: a is integral */
    _mm_storeu_si128((__m128i *)p, _mm_packs_epi32(_mm256_castsi256_si128(i), _mm256_extracti128_si256(i, 1)));
}
static inline float vf_reduce_max(vf a)
{
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}

/* One column block of an I8 matrix against quantised inputs (kernels_arch.h's i8_block):
 * vpmaddwd multiplies the 16-bit inputs with the weights widened to 16 bits and adds pairs,
 * leaving two partial sums per output, which a horizontal add joins at the end. Exact. */
#define VEC_I8_BLOCK
static inline void i8_block(int32_t *acc, const int16_t *q, const int8_t *w, uint32_t groups)
{
    for (int half = 0; half < 2; half++) { /* 32 columns in 8 registers at a time */
        __m256i sums[8];
        for (int k = 0; k < 8; k++) sums[k] = _mm256_setzero_si256();
        const int8_t *columns = w + half * 128;
        for (uint32_t g = 0; g < groups; g++) {
            int64_t inputs;
            memcpy(&inputs, q + 4 * (size_t)g, sizeof inputs);
            __m256i x = _mm256_set1_epi64x(inputs);
            const int8_t *row = columns + (size_t)g * 256;
            for (int k = 0; k < 8; k++) {
                __m256i weights = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(row + 16 * k)));
                sums[k] = _mm256_add_epi32(sums[k], _mm256_madd_epi16(weights, x));
            }
        }
        for (int k = 0; k < 8; k += 2) {
            __m256i joined = _mm256_permute4x64_epi64(_mm256_hadd_epi32(sums[k], sums[k + 1]), 0xd8);
            _mm256_storeu_si256((__m256i *)(acc + half * 32 + k * 4), joined);
        }
    }
}

/* One octet of a block-sparse I8 matrix (kernels_sparse.h's i8_sparse_octet): a piece's 32
 * bytes widen to two registers of four columns, its four inputs are broadcast to every column,
 * vpmaddwd leaves two partial sums per column, joined by a horizontal add at the end. Exact. */
#define VEC_I8_SPARSE
static inline void i8_sparse_octet(int32_t *acc, const int16_t *q, const uint16_t *groups,
                                   uint32_t count, const int8_t *w)
{
    __m256i low = _mm256_setzero_si256(), high = _mm256_setzero_si256();
    for (uint32_t p = 0; p < count; p++, w += 32) {
        int64_t inputs;
        memcpy(&inputs, q + 4 * (size_t)groups[p], sizeof inputs);
        __m256i x = _mm256_set1_epi64x(inputs);
        __m256i a = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)w));
        __m256i b = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w + 16)));
        low = _mm256_add_epi32(low, _mm256_madd_epi16(a, x));
        high = _mm256_add_epi32(high, _mm256_madd_epi16(b, x));
    }
    __m256i joined = _mm256_permute4x64_epi64(_mm256_hadd_epi32(low, high), 0xd8);
    _mm256_storeu_si256((__m256i *)acc, joined);
}

/* Integer vectors for kernels_arch.h's fused I4 product: 32 bytes, 8 32-bit lanes. */
#define VI_BYTES 32
typedef __m256i vi;
static inline vi vi_load(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }
static inline vi vi_set1_i8(int8_t x) { return _mm256_set1_epi8(x); }
static inline vi vi_set1_i32(int32_t x) { return _mm256_set1_epi32(x); }
static inline vi vi_and(vi a, vi b) { return _mm256_and_si256(a, b); }
static inline vi vi_xor(vi a, vi b) { return _mm256_xor_si256(a, b); }
static inline vi vi_shift_right_16(vi a, int n) { return _mm256_srli_epi16(a, n); }
static inline vi vi_sub_i32(vi a, vi b) { return _mm256_sub_epi32(a, b); }
static inline vf vf_from_i32(vi a) { return _mm256_cvtepi32_ps(a); }
/* sum + the products of the unsigned bytes of a and the signed bytes of b, four to a 32-bit
 * lane: vpmaddubsw, exact only while a pair's sum fits 16 bits (I4's a ≤ 15: 2 · 15 · 127 <
 * 2¹⁵), then vpmaddwd by ones. */
static inline vi vi_dot_add(vi sum, vi a, vi b)
{
    return _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), _mm256_set1_epi16(1)));
}
/* bytes[i] = q[i] for count values (a multiple of 32) in -127 … 127, and each 32 values' sum */
static inline void vi_bytes_and_sums(int8_t *bytes, int32_t *sums, const int16_t *q, size_t count)
{
    const __m256i ones = _mm256_set1_epi16(1);
    for (size_t i = 0; i < count; i += 32) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(q + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(q + i + 16));
        /* packs interleaves the halves of a and b; the permute puts them back in order */
        __m256i packed = _mm256_permute4x64_epi64(_mm256_packs_epi16(a, b), 0xd8);
        _mm256_storeu_si256((__m256i *)(bytes + i), packed);
        __m256i pairs = _mm256_add_epi32(_mm256_madd_epi16(a, ones), _mm256_madd_epi16(b, ones));
        __m128i four = _mm_add_epi32(_mm256_castsi256_si128(pairs), _mm256_extracti128_si256(pairs, 1));
        four = _mm_add_epi32(four, _mm_shuffle_epi32(four, 0x4e));
        four = _mm_add_epi32(four, _mm_shuffle_epi32(four, 0xb1));
        sums[i / 32] = _mm_cvtsi128_si32(four);
    }
}

/* eight double lanes in two registers */
typedef struct {
    __m256d lo, hi;
} vd8;
typedef vd8 vd8mask;

static inline vd8 vd8_set1(double x) { return (vd8){_mm256_set1_pd(x), _mm256_set1_pd(x)}; }
static inline vd8 vd8_from_floats(const float *p)
{
    return (vd8){_mm256_cvtps_pd(_mm_loadu_ps(p)), _mm256_cvtps_pd(_mm_loadu_ps(p + 4))};
}
static inline void vd8_store(double *p, vd8 a)
{
    _mm256_storeu_pd(p, a.lo);
    _mm256_storeu_pd(p + 4, a.hi);
}
static inline vd8 vd8_add(vd8 a, vd8 b) { return (vd8){_mm256_add_pd(a.lo, b.lo), _mm256_add_pd(a.hi, b.hi)}; }
static inline vd8 vd8_sub(vd8 a, vd8 b) { return (vd8){_mm256_sub_pd(a.lo, b.lo), _mm256_sub_pd(a.hi, b.hi)}; }
static inline vd8 vd8_mul(vd8 a, vd8 b) { return (vd8){_mm256_mul_pd(a.lo, b.lo), _mm256_mul_pd(a.hi, b.hi)}; }
static inline vd8mask vd8_less(vd8 a, vd8 b)
{
    return (vd8){_mm256_cmp_pd(a.lo, b.lo, _CMP_LT_OQ), _mm256_cmp_pd(a.hi, b.hi, _CMP_LT_OQ)};
}
static inline vd8 vd8_zero_where(vd8mask m, vd8 a)
{
    return (vd8){_mm256_andnot_pd(m.lo, a.lo), _mm256_andnot_pd(m.hi, a.hi)};
}
static inline __m256d vd4_pow2_from_shifted(__m256d t)
{
    __m256i bits = _mm256_add_epi64(_mm256_castpd_si256(t), _mm256_set1_epi64x(1023));
    return _mm256_castsi256_pd(_mm256_slli_epi64(bits, 52));
}
static inline vd8 vd8_pow2_from_shifted(vd8 t)
{
    return (vd8){vd4_pow2_from_shifted(t.lo), vd4_pow2_from_shifted(t.hi)};
}

#endif
