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
/* int4 tensors: one scale per group of this many elements, as llama.cpp's Q4_0 */
#define SRNN_FORMAT_I4_GROUP 32

static inline uint64_t srnn_format_i4_groups(uint64_t n)
{
    return (n + SRNN_FORMAT_I4_GROUP - 1) / SRNN_FORMAT_I4_GROUP;
}

/* An int4 tensor's groups. Version 4 groups the rows of each column (shape (..., rows,
 * columns), a stack of matrices; a vector is one column): the inputs of a Keras kernel, as
 * the engine groups them at run time, so loading a converted file rounds no weight a second
 * time. Version 3 grouped consecutive elements of each row. Version 4's matrices: */
static inline void srnn_format_i4_matrix(const srnn_tensor_info *info, uint64_t *rows, uint64_t *columns)
{
    *columns = info->ndim == 1 ? 1 : info->shape[info->ndim - 1];
    *rows = info->ndim == 1 ? info->shape[0] : info->shape[info->ndim - 2];
}
/* The scale of element i (row-major) is number: */
static inline uint64_t srnn_format_i4_scale_index(const srnn_tensor_info *info, uint32_t version,
                                                  uint64_t i)
{
    uint64_t last = info->shape[info->ndim - 1], rows, columns;
    if (version < 4) return i / last * srnn_format_i4_groups(last) + i % last / SRNN_FORMAT_I4_GROUP;
    srnn_format_i4_matrix(info, &rows, &columns);
    uint64_t matrix = rows * columns, row = i % matrix / columns;
    return (i / matrix * srnn_format_i4_groups(rows) + row / SRNN_FORMAT_I4_GROUP) * columns + i % columns;
}
static inline uint64_t srnn_format_i4_scales(const srnn_tensor_info *info, uint32_t version)
{
    uint64_t last = info->shape[info->ndim - 1], rows, columns;
    if (version < 4) return info->count / last * srnn_format_i4_groups(last);
    srnn_format_i4_matrix(info, &rows, &columns);
    return info->count / (rows * columns) * srnn_format_i4_groups(rows) * columns;
}

/* Version 4: a tensor's dtype field with this bit set holds a block-sparse matrix (ndim 2):
 * pieces of SRNN_FORMAT_PIECE_ROWS x SRNN_FORMAT_PIECE_COLUMNS elements, a bit per piece
 * (set: kept), and only the kept pieces' elements. */
#define SRNN_FORMAT_SPARSE 0x100u
#define SRNN_FORMAT_PIECE_ROWS 4
#define SRNN_FORMAT_PIECE_COLUMNS 8

/* Bytes of the scales that precede a tensor's elements in a file of version: int8 one per
 * row, int4 one per group, none for the float types. */
static inline uint64_t srnn_format_scale_bytes(const srnn_tensor_info *info, srnn_dtype dtype,
                                               uint32_t version)
{
    switch (dtype) {
    case SRNN_DTYPE_I8: return info->count / info->shape[info->ndim - 1] * 4;
    case SRNN_DTYPE_I4: return srnn_format_i4_scales(info, version) * 4;
    default: return 0;
    }
}

/* Bytes of count elements of dtype: int4 two to a byte (rounded up). */
static inline uint64_t srnn_format_element_bytes(uint64_t count, srnn_dtype dtype)
{
    return dtype == SRNN_DTYPE_I4 ? (count + 1) / 2 : count * srnn_dtype_bits(dtype) / 8;
}

/* Bytes of a tensor of this shape stored densely as dtype: its scales and its elements. */
static inline uint64_t srnn_format_tensor_bytes(const srnn_tensor_info *info, srnn_dtype dtype,
                                                uint32_t version)
{
    return srnn_format_scale_bytes(info, dtype, version) + srnn_format_element_bytes(info->count, dtype);
}

/* The pieces of a matrix (ndim 2) and the bytes of its mask, a bit per piece. */
static inline uint64_t srnn_format_pieces(const srnn_tensor_info *info)
{
    uint64_t rows = info->shape[0], columns = info->shape[1];
    return (rows + SRNN_FORMAT_PIECE_ROWS - 1) / SRNN_FORMAT_PIECE_ROWS *
           ((columns + SRNN_FORMAT_PIECE_COLUMNS - 1) / SRNN_FORMAT_PIECE_COLUMNS);
}
static inline uint64_t srnn_format_mask_bytes(const srnn_tensor_info *info)
{
    return (srnn_format_pieces(info) + 7) / 8;
}

/* Whether element i (row-major) of a block-sparse matrix is in a kept piece of mask. */
static inline int srnn_format_kept(const srnn_tensor_info *info, const uint8_t *mask, uint64_t i)
{
    uint64_t columns = info->shape[1], row = i / columns, column = i % columns;
    uint64_t across = (columns + SRNN_FORMAT_PIECE_COLUMNS - 1) / SRNN_FORMAT_PIECE_COLUMNS;
    uint64_t piece = row / SRNN_FORMAT_PIECE_ROWS * across + column / SRNN_FORMAT_PIECE_COLUMNS;
    return mask[piece / 8] >> (piece % 8) & 1;
}

/* The elements of a block-sparse matrix's kept pieces. */
uint64_t srnn_format_kept_elements(const srnn_tensor_info *info, const uint8_t *mask);

/* Marks in mask (srnn_format_mask_bytes) the pieces of a matrix x (ndim 2) that hold a nonzero
 * element, and returns their count. */
uint64_t srnn_format_nonzero_pieces(const srnn_tensor_info *info, const float *x, uint8_t *mask);

/* Prunes a matrix x (ndim 2) to a density (0 < density <= 1) of its pieces: keeps the
 * ceil(density · pieces) with the largest L2 norm (ties: the first), into mask
 * (srnn_format_mask_bytes) and pruned (x with the other pieces zero). SRNN_ERR_NOMEM else OK. */
srnn_status srnn_format_prune(const srnn_tensor_info *info, const float *x, double density,
                              float *pruned, uint8_t *mask);

/* Formats one line into error (when not NULL, a buffer of error_max bytes) and returns status. */
srnn_status srnn_fail_sized(char *error, size_t error_max, srnn_status status,
                            const char *format, ...) __attribute__((format(printf, 4, 5)));

/* The same into the engine's buffers of SRNN_ERROR_MAX bytes. */
#define srnn_fail(error, ...) srnn_fail_sized(error, SRNN_ERROR_MAX, __VA_ARGS__)

#endif
