/* Block-sparse int8 matrices from dense ones, and the bytes a product reads (sparse.h). Load
 * time only. */
#include <string.h>

#include "dtype.h"
#include "sparse.h"

static const int8_t *piece_at(const srnn_matrix *dense, uint32_t block, uint32_t group, int octet)
{
    size_t rows = srnn_matrix_rows(dense);
    return (const int8_t *)dense->data + (size_t)block * rows * SRNN_BLOCK +
           (size_t)group * SRNN_SPARSE_ROWS * SRNN_BLOCK + (size_t)octet * SRNN_SPARSE_PIECE;
}

static int piece_is_zero(const int8_t *piece)
{
    for (int j = 0; j < SRNN_SPARSE_PIECE; j++)
        if (piece[j]) return 0;
    return 1;
}

size_t srnn_sparse_kept(const srnn_matrix *dense)
{
    uint32_t groups = (uint32_t)(srnn_matrix_rows(dense) / SRNN_SPARSE_ROWS);
    size_t kept = 0;
    for (uint32_t b = 0; b < dense->blocks; b++)
        for (int k = 0; k < SRNN_SPARSE_OCTETS; k++)
            for (uint32_t g = 0; g < groups; g++) kept += !piece_is_zero(piece_at(dense, b, g, k));
    return kept;
}

srnn_matrix srnn_sparse_from_dense(const srnn_matrix *dense, int8_t *data, uint16_t *index,
                                   uint32_t *kept_before, int32_t *column_sums)
{
    uint32_t groups = (uint32_t)(srnn_matrix_rows(dense) / SRNN_SPARSE_ROWS);
    size_t kept = 0;
    uint16_t *next = index;
    memset(column_sums, 0, (size_t)dense->blocks * SRNN_BLOCK * sizeof *column_sums);
    for (uint32_t b = 0; b < dense->blocks; b++) {
        kept_before[b] = (uint32_t)kept;
        uint16_t *counts = next;
        next += SRNN_SPARSE_OCTETS;
        for (int k = 0; k < SRNN_SPARSE_OCTETS; k++) {
            counts[k] = 0;
            for (uint32_t g = 0; g < groups; g++) {
                const int8_t *piece = piece_at(dense, b, g, k);
                if (piece_is_zero(piece)) continue;
                memcpy(data + kept * SRNN_SPARSE_PIECE, piece, SRNN_SPARSE_PIECE);
                for (int j = 0; j < SRNN_SPARSE_PIECE; j++) /* column j / 4 of the octet */
                    column_sums[(size_t)b * SRNN_BLOCK + (size_t)k * SRNN_SPARSE_COLUMNS + j / SRNN_SPARSE_ROWS] += piece[j];
                *next++ = (uint16_t)g;
                counts[k]++;
                kept++;
            }
        }
    }
    kept_before[dense->blocks] = (uint32_t)kept;
    srnn_matrix m = *dense;
    m.data = data;
    m.kept_before = kept_before;
    m.index = index;
    m.column_sums = column_sums;
    return m;
}

size_t srnn_matrix_bytes_kept(uint32_t in, uint32_t out, srnn_dtype dtype, size_t kept)
{
    srnn_matrix shape = {in, out, (out + SRNN_BLOCK - 1) / SRNN_BLOCK, dtype, NULL, NULL, NULL, NULL, NULL};
    size_t columns = (size_t)shape.blocks * SRNN_BLOCK, rows = srnn_matrix_rows(&shape);
    /* I8: a float per column; I4: float16 per group and column (kernels.h) */
    size_t bytes = dtype == SRNN_DTYPE_I8 ? columns * sizeof(float)
                   : dtype == SRNN_DTYPE_I4 ? rows / SRNN_I4_GROUP * columns * sizeof(uint16_t) : 0;
    if (dtype == SRNN_DTYPE_I8 && in <= SRNN_I8_CHUNK && srnn_sparse_worth(kept, srnn_sparse_pieces(&shape)))
        return bytes + kept * SRNN_SPARSE_PIECE + (kept + (size_t)SRNN_SPARSE_OCTETS * shape.blocks) * sizeof(uint16_t) +
               (shape.blocks + 1) * sizeof(uint32_t) + (size_t)shape.blocks * SRNN_BLOCK * sizeof(int32_t);
    return bytes + rows * columns * srnn_dtype_bits(dtype) / 8;
}

size_t srnn_matrix_bytes(const srnn_matrix *m)
{
    size_t kept = m->index ? m->kept_before[m->blocks] : srnn_sparse_pieces(m); /* dense: all */
    return srnn_matrix_bytes_kept(m->in, m->out, m->dtype, kept);
}
