/* Vector primitives for kernels_arch.h in plain C: a "vector" is one float, and the eight
 * double lanes of the sampler are an array. The reference every other level must equal bit
 * for bit, so each operation here is one IEEE operation (min/max as x86's minps/maxps:
 * a < b ? a : b) and the bit tricks are spelt out with memcpy. */
#ifndef SRNN_VEC_GENERIC_H
#define SRNN_VEC_GENERIC_H

#include <stdint.h>
#include <string.h>

#define VF_WIDTH 1
/* columns of a block one load-time product step keeps in registers */
#define GEMM_CHUNK 64

typedef float vf;
typedef int vmask;

static inline vf vf_set1(float x) { return x; }
static inline vf vf_load(const float *p) { return *p; }
static inline void vf_store(float *p, vf a) { *p = a; }
static inline vf vf_add(vf a, vf b) { return a + b; }
static inline vf vf_sub(vf a, vf b) { return a - b; }
static inline vf vf_mul(vf a, vf b) { return a * b; }
static inline vf vf_div(vf a, vf b) { return a / b; }
static inline vf vf_min(vf a, vf b) { return a < b ? a : b; }
static inline vf vf_max(vf a, vf b) { return a > b ? a : b; }
static inline vmask vf_less(vf a, vf b) { return a < b; }
static inline vf vf_select(vmask m, vf if_true, vf if_false) { return m ? if_true : if_false; }

static inline uint32_t vf_bits_(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline float vf_from_bits_(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static inline vf vf_abs(vf a) { return vf_from_bits_(vf_bits_(a) & 0x7fffffffu); }
/* |magnitude| with the sign of sign */
static inline vf vf_copysign(vf magnitude, vf sign)
{
    return vf_from_bits_((vf_bits_(magnitude) & 0x7fffffffu) | (vf_bits_(sign) & 0x80000000u));
}
/* 2^n for t = n + 1.5·2^23 (n an integer in [-126, 127]): the exponent field built from t's
 * low mantissa bits */
static inline vf vf_pow2_from_shifted(vf t) { return vf_from_bits_((vf_bits_(t) + 127u) << 23); }

static inline vf vf_load_f16(const uint16_t *p)
{
    uint32_t h = *p, sign = (h & 0x8000u) << 16, exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
    /* subnormal halves are never stored (kernels.h), so zero and normal numbers suffice */
    if (exponent == 0) return vf_from_bits_(sign);
    return vf_from_bits_(sign | (exponent + 112u) << 23 | mantissa << 13);
}
static inline vf vf_load_bf16(const uint16_t *p) { return vf_from_bits_((uint32_t)*p << 16); }

/* an integral value in int16 range, stored */
static inline void vf_store_int16(int16_t *p, vf a) { *p = (int16_t)a; }

/* the largest lane */
static inline float vf_reduce_max(vf a) { return a; }

/* eight double lanes */
typedef struct {
    double v[8];
} vd8;
typedef struct {
    int v[8];
} vd8mask;

static inline vd8 vd8_set1(double x)
{
    vd8 r;
    for (int i = 0; i < 8; i++) r.v[i] = x;
    return r;
}
static inline vd8 vd8_from_floats(const float *p)
{
    vd8 r;
    for (int i = 0; i < 8; i++) r.v[i] = (double)p[i];
    return r;
}
static inline void vd8_store(double *p, vd8 a) { memcpy(p, a.v, sizeof a.v); }
#define VD8_BINARY(name, op)                                                                     \
    static inline vd8 name(vd8 a, vd8 b)                                                         \
    {                                                                                            \
        for (int i = 0; i < 8; i++) a.v[i] = a.v[i] op b.v[i];                                   \
        return a;                                                                                \
    }
VD8_BINARY(vd8_add, +)
VD8_BINARY(vd8_sub, -)
VD8_BINARY(vd8_mul, *)
#undef VD8_BINARY
static inline vd8mask vd8_less(vd8 a, vd8 b)
{
    vd8mask m;
    for (int i = 0; i < 8; i++) m.v[i] = a.v[i] < b.v[i];
    return m;
}
static inline vd8 vd8_zero_where(vd8mask m, vd8 a)
{
    for (int i = 0; i < 8; i++)
        if (m.v[i]) a.v[i] = 0.0;
    return a;
}
/* 2^n for t = n + 1.5·2^52 (n an integer in [-1022, 1023]) */
static inline vd8 vd8_pow2_from_shifted(vd8 t)
{
    for (int i = 0; i < 8; i++) {
        uint64_t u;
        memcpy(&u, &t.v[i], sizeof u);
        u = (u + 1023u) << 52;
        memcpy(&t.v[i], &u, sizeof u);
    }
    return t;
}

#endif
