/* Float conversions by bit manipulation, so they are exact and the same on every CPU. */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "dtype.h"

size_t srnn_dtype_bits(srnn_dtype dtype)
{
    switch (dtype) {
    case SRNN_DTYPE_F32: return 32;
    case SRNN_DTYPE_F16:
    case SRNN_DTYPE_BF16: return 16;
    case SRNN_DTYPE_I8: return 8;
    case SRNN_DTYPE_I4: return 4;
    }
    return 0;
}

static uint32_t bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static float from_bits(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

uint16_t srnn_f32_to_f16(float x)
{
    uint32_t sign = (bits(x) >> 16) & 0x8000u;
    float a = fabsf(x);
    if (!(a >= 0x1p-14f)) return (uint16_t)sign; /* zero, subnormal range, NaN */
    if (a >= 65504.0f) return (uint16_t)(sign | 0x7bffu);
    uint32_t u = bits(a);
    uint32_t rounded = u + 0xfffu + ((u >> 13) & 1u); /* round the 13 dropped bits to even */
    uint32_t exponent = (rounded >> 23) - 112u, mantissa = (rounded >> 13) & 0x3ffu;
    if (exponent >= 31u) return (uint16_t)(sign | 0x7bffu); /* rounded up past 65504 */
    return (uint16_t)(sign | exponent << 10 | mantissa);
}

float srnn_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exponent = (h >> 10) & 0x1fu;
    if (exponent == 0) return from_bits(sign);
    return from_bits(sign | (exponent + 112u) << 23 | (uint32_t)(h & 0x3ffu) << 13);
}

uint16_t srnn_f32_to_bf16(float x)
{
    uint32_t u = bits(x);
    if (isnan(x)) return 0; /* weights are finite; keep the conversion total anyway */
    u += 0x7fffu + ((u >> 16) & 1u);
    uint16_t h = (uint16_t)(u >> 16);
    if ((h & 0x7f80u) == 0x7f80u) h = (uint16_t)((h & 0x8000u) | 0x7f7fu); /* no infinity */
    if ((h & 0x7f80u) == 0) h &= 0x8000u; /* no subnormals */
    return h;
}

float srnn_bf16_to_f32(uint16_t h) { return from_bits((uint32_t)h << 16); }

float srnn_i8_scale(float max_abs) { return max_abs > 0.0f ? max_abs / 127.0f : 1.0f; }

/* q clamped to [low, high] (integers), then rounded to nearest, ties to even, by adding and
 * subtracting 1.5 · 2^23 (IEEE arithmetic, which the compiler keeps): exact below 2^22, and
 * inline where nearbyintf is a library call (the int4 scale search rounds each weight eight
 * times). The comparisons compile to maxss and minss. */
static inline float clamp_round(float q, float low, float high)
{
    q = q > low ? q : low;
    q = q < high ? q : high;
    return (q + 0x1.8p23f) - 0x1.8p23f;
}

/* round(x / scale) clamped to [low, high] */
static int8_t to_integer(float x, float scale, float low, float high)
{
    return (int8_t)clamp_round(x / scale, low, high);
}

int8_t srnn_f32_to_i8(float x, float scale) { return to_integer(x, scale, -127.0f, 127.0f); }

int8_t srnn_f32_to_i4(float x, float scale) { return to_integer(x, scale, -8.0f, 7.0f); }

/* scale rounded to float16, its magnitude at least float16's smallest normal number */
static float half_scale(float scale)
{
    if (fabsf(scale) < 0x1p-14f) return copysignf(0x1p-14f, scale);
    return srnn_f16_to_f32(srnn_f32_to_f16(scale));
}

/* srnn_f32_to_i4 by the inverse of the scale: the scale search's rounding, a multiplication
 * where srnn_f32_to_i4 divides (values on a grid of the scale land on the same levels) */
static inline float i4_level(float x, float inverse)
{
    return clamp_round(x * inverse, -8.0f, 7.0f);
}

/* The largest group srnn_i4_group_scale takes: SRNN_I4_GROUP's choices (kernels.h). */
#define I4_GROUP_MOST 128

/* The squared error of the n values x as int4 of scale, or INFINITY where x[largest] leaves
 * level 7 or 8 (dtype.h). Four sums, so that the additions overlap. */
static float i4_error(const float *x, size_t n, size_t largest, float scale)
{
    float inverse = 1.0f / scale, error[4] = {0};
    if (fabsf(i4_level(x[largest], inverse)) < 7.0f) return INFINITY;
    for (size_t i = 0; i < n; i++) {
        float e = x[i] - i4_level(x[i], inverse) * scale;
        error[i % 4] += e * e;
    }
    return (error[0] + error[1]) + (error[2] + error[3]);
}

float srnn_i4_group_scale(const float *values, size_t stride, size_t n)
{
    assert(n <= I4_GROUP_MOST);
    float x[I4_GROUP_MOST]; /* the group, together */
    size_t largest = 0;
    for (size_t i = 0; i < n; i++) {
        x[i] = values[i * stride];
        if (fabsf(x[i]) > fabsf(x[largest])) largest = i;
    }
    float v = n ? x[largest] : 0.0f;
    if (v == 0.0f) return 1.0f;
    /* v at -8 unrefitted: always admissible, unless v is too small for a normal float16 */
    float best = half_scale(v / -8.0f), best_error = i4_error(x, n, largest, best);
    static const float depths[] = {7.0f, 7.5f, 8.0f, 8.5f};
    for (size_t d = 0; d < sizeof depths / sizeof *depths; d++) {
        float inverse = -depths[d] / v, dot[4] = {0}, norm[4] = {0};
        for (size_t i = 0; i < n; i++) { /* least squares: the s minimising |x - q·s|² */
            float q = i4_level(x[i], inverse);
            dot[i % 4] += q * x[i];
            norm[i % 4] += q * q;
        }
        float scale = half_scale(((dot[0] + dot[1]) + (dot[2] + dot[3])) / ((norm[0] + norm[1]) + (norm[2] + norm[3])));
        float error = i4_error(x, n, largest, scale);
        if (error < best_error) {
            best = scale;
            best_error = error;
        }
    }
    return best;
}

srnn_dtype srnn_precision_dtype(srnn_precision precision)
{
    switch (precision) {
    case SRNN_PRECISION_F16: return SRNN_DTYPE_F16;
    case SRNN_PRECISION_BF16: return SRNN_DTYPE_BF16;
    case SRNN_PRECISION_I8: return SRNN_DTYPE_I8;
    case SRNN_PRECISION_I4: return SRNN_DTYPE_I4;
    default: return SRNN_DTYPE_F32;
    }
}

const char *srnn_precision_name(srnn_precision precision)
{
    switch (precision) {
    case SRNN_PRECISION_AUTO: return "auto";
    case SRNN_PRECISION_F32: return "float32";
    case SRNN_PRECISION_F16: return "float16";
    case SRNN_PRECISION_BF16: return "bfloat16";
    case SRNN_PRECISION_I8: return "int8";
    case SRNN_PRECISION_I4: return "int4";
    }
    return "unknown";
}
