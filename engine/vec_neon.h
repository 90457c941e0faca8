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

#endif
