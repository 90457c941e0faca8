/* Constants of the .srnn file layout (models/FORMAT.md) shared by the loader and the writer,
 * and the one-line error reporting both use. Internal to the engine. */
#ifndef SRNN_FORMAT_H
#define SRNN_FORMAT_H

#include "dtype.h"
#include "srnn.h"

#define SRNN_FORMAT_MAGIC "SRNNMODL"
#define SRNN_FORMAT_HEADER_SIZE 128
#define SRNN_FORMAT_ENTRY_SIZE 96
#define SRNN_FORMAT_ALIGNMENT 64
#define SRNN_FORMAT_MAX_METADATA (1u << 20)
/* int4 tensors: one scale per this many consecutive elements of a row, as llama.cpp's Q4_0 */
#define SRNN_FORMAT_I4_GROUP 32

/* int4 groups of a row of n elements */
static inline uint64_t srnn_format_i4_groups(uint64_t n)
{
    return (n + SRNN_FORMAT_I4_GROUP - 1) / SRNN_FORMAT_I4_GROUP;
}

/* Bytes of a tensor of this shape stored as dtype: int8 the rows' scales and a byte per
 * element, int4 the groups' scales and half a byte per element (rounded up). */
static inline uint64_t srnn_format_tensor_bytes(const srnn_tensor_info *info, srnn_dtype dtype)
{
    uint64_t n = info->shape[info->ndim - 1], rows = info->count / n;
    switch (dtype) {
    case SRNN_DTYPE_I8: return rows * 4 + info->count;
    case SRNN_DTYPE_I4: return rows * srnn_format_i4_groups(n) * 4 + (info->count + 1) / 2;
    default: return info->count * srnn_dtype_bits(dtype) / 8;
    }
}

/* Formats one line into error (when not NULL, a buffer of error_max bytes) and returns status. */
srnn_status srnn_fail_sized(char *error, size_t error_max, srnn_status status,
                            const char *format, ...) __attribute__((format(printf, 4, 5)));

/* The same into the engine's buffers of SRNN_ERROR_MAX bytes. */
#define srnn_fail(error, ...) srnn_fail_sized(error, SRNN_ERROR_MAX, __VA_ARGS__)

#endif
