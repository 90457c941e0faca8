/* Float conversions by bit manipulation, so they are exact and the same on every CPU. */
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

/* round(x / scale) clamped to +-limit */
static int8_t to_integer(float x, float scale, float limit)
{
    float q = nearbyintf(x / scale);
    if (q > limit) q = limit;
    if (q < -limit) q = -limit;
    return (int8_t)q;
}

int8_t srnn_f32_to_i8(float x, float scale) { return to_integer(x, scale, 127.0f); }

float srnn_i4_scale(float max_abs) { return max_abs > 0.0f ? max_abs / 7.0f : 1.0f; }

int8_t srnn_f32_to_i4(float x, float scale) { return to_integer(x, scale, 7.0f); }

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
