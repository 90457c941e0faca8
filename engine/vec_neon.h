/* Vector primitives for kernels_arch.h with NEON on 64-bit ARM (4 floats). Each operation is
 * the lane-wise twin of vec_generic.h's; no fused multiply-add (vmulq then vaddq). */
#ifndef SRNN_VEC_NEON_H
#define SRNN_VEC_NEON_H

#include <arm_neon.h>
#include <stdint.h>

#define VF_WIDTH 4
#define GEMM_CHUNK 16

typedef float32x4_t vf;
typedef uint32x4_t vmask;

static inline vf vf_set1(float x) { return vdupq_n_f32(x); }
static inline vf vf_load(const float *p) { return vld1q_f32(p); }
static inline void vf_store(float *p, vf a) { vst1q_f32(p, a); }
static inline vf vf_add(vf a, vf b) { return vaddq_f32(a, b); }
static inline vf vf_sub(vf a, vf b) { return vsubq_f32(a, b); }
static inline vf vf_mul(vf a, vf b) { return vmulq_f32(a, b); }
static inline vf vf_div(vf a, vf b) { return vdivq_f32(a, b); }
static inline vmask vf_less(vf a, vf b) { return vcltq_f32(a, b); }
static inline vf vf_select(vmask m, vf if_true, vf if_false) { return vbslq_f32(m, if_true, if_false); }
/* a < b ? a : b, as the generic level (vminq would differ for NaN) */
static inline vf vf_min(vf a, vf b) { return vf_select(vcltq_f32(a, b), a, b); }
static inline vf vf_max(vf a, vf b) { return vf_select(vcgtq_f32(a, b), a, b); }
static inline vf vf_abs(vf a) { return vabsq_f32(a); }
static inline vf vf_copysign(vf magnitude, vf sign)
{
    return vbslq_f32(vdupq_n_u32(0x80000000u), sign, vabsq_f32(magnitude));
}
static inline vf vf_pow2_from_shifted(vf t)
{
    uint32x4_t bits = vaddq_u32(vreinterpretq_u32_f32(t), vdupq_n_u32(127));
    return vreinterpretq_f32_u32(vshlq_n_u32(bits, 23));
}
static inline vf vf_load_f16(const uint16_t *p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }
static inline vf vf_load_bf16(const uint16_t *p) { return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(p), 16)); }
static inline void vf_store_int16(int16_t *p, vf a) { vst1_s16(p, vqmovn_s32(vcvtnq_s32_f32(a))); }
static inline float vf_reduce_max(vf a) { return vmaxvq_f32(a); }

typedef struct {
    float64x2_t v[4];
} vd8;
typedef struct {
    uint64x2_t v[4];
} vd8mask;

static inline vd8 vd8_set1(double x)
{
    float64x2_t d = vdupq_n_f64(x);
    return (vd8){{d, d, d, d}};
}
static inline vd8 vd8_from_floats(const float *p)
{
    vd8 r;
    for (int i = 0; i < 4; i++) r.v[i] = vcvt_f64_f32(vld1_f32(p + 2 * i));
    return r;
}
static inline void vd8_store(double *p, vd8 a)
{
    for (int i = 0; i < 4; i++) vst1q_f64(p + 2 * i, a.v[i]);
}
#define VD8_BINARY(name, intrinsic)                                                              \
    static inline vd8 name(vd8 a, vd8 b)                                                         \
    {                                                                                            \
        for (int i = 0; i < 4; i++) a.v[i] = intrinsic(a.v[i], b.v[i]);                          \
        return a;                                                                                \
    }
VD8_BINARY(vd8_add, vaddq_f64)
VD8_BINARY(vd8_sub, vsubq_f64)
VD8_BINARY(vd8_mul, vmulq_f64)
#undef VD8_BINARY
static inline vd8mask vd8_less(vd8 a, vd8 b)
{
    vd8mask m;
    for (int i = 0; i < 4; i++) m.v[i] = vcltq_f64(a.v[i], b.v[i]);
    return m;
}
static inline vd8 vd8_zero_where(vd8mask m, vd8 a)
{
    for (int i = 0; i < 4; i++)
        a.v[i] = vreinterpretq_f64_u64(vbicq_u64(vreinterpretq_u64_f64(a.v[i]), m.v[i]));
    return a;
}
static inline vd8 vd8_pow2_from_shifted(vd8 t)
{
    for (int i = 0; i < 4; i++) {
        uint64x2_t bits = vaddq_u64(vreinterpretq_u64_f64(t.v[i]), vdupq_n_u64(1023));
        t.v[i] = vreinterpretq_f64_u64(vshlq_n_u64(bits, 52));
    }
    return t;
}

/* One octet of a block-sparse I8 matrix (kernels_sparse.h's i8_sparse_octet): a piece's 32
 * bytes widen to four registers of two columns' four rows each, multiplied by the piece's four
 * inputs into one register of four partial sums per column, added across at the end. Exact. */
#define VEC_I8_SPARSE
static inline void i8_sparse_octet(int32_t *acc, const int16_t *q, const uint16_t *groups,
                                   uint32_t count, const int8_t *w)
{
    int32x4_t sums[8];
    for (int c = 0; c < 8; c++) sums[c] = vdupq_n_s32(0);
    for (uint32_t p = 0; p < count; p++, w += 32) {
        int16x4_t x = vld1_s16(q + 4 * (size_t)groups[p]);
        int8x16_t first = vld1q_s8(w), second = vld1q_s8(w + 16);
        int16x8_t pairs[4] = {vmovl_s8(vget_low_s8(first)), vmovl_s8(vget_high_s8(first)),
                              vmovl_s8(vget_low_s8(second)), vmovl_s8(vget_high_s8(second))};
        for (int k = 0; k < 4; k++) {
            sums[2 * k] = vmlal_s16(sums[2 * k], vget_low_s16(pairs[k]), x);
            sums[2 * k + 1] = vmlal_s16(sums[2 * k + 1], vget_high_s16(pairs[k]), x);
        }
    }
    for (int c = 0; c < 8; c++) acc[c] = vaddvq_s32(sums[c]);
}

#endif
