/* The block-sparse int8 product (sparse.h) inside kernels_arch.h, compiled once per level
 * like the rest: a level's vec_*.h may give its own i8_sparse_octet (VEC_I8_SPARSE), else
 * the plain C one here. The integer sums are exact whatever the order, so every level gives
 * the I8 product's bits. */
#include "sparse.h"

#ifndef VEC_I8_SPARSE
/* acc[c] for the 8 columns c of an octet: the sum over its count pieces p (32 bytes each,
 * column after column, 4 rows each) of q[4 · groups[p] + j] · w[4c + j], j < 4. */
static inline void i8_sparse_octet(int32_t *acc, const int16_t *q, const uint16_t *groups,
                                   uint32_t count, const int8_t *w)
{
    for (int c = 0; c < SRNN_SPARSE_COLUMNS; c++) acc[c] = 0;
    for (uint32_t p = 0; p < count; p++, w += SRNN_SPARSE_PIECE) {
        const int16_t *x = q + SRNN_SPARSE_ROWS * (size_t)groups[p];
        for (int c = 0; c < SRNN_SPARSE_COLUMNS; c++)
            acc[c] += x[0] * w[4 * c] + x[1] * w[4 * c + 1] + x[2] * w[4 * c + 2] + x[3] * w[4 * c + 3];
    }
}
#endif

/* i8_block's sums for column block b of a block-sparse I8 matrix: octet after octet, each over
 * its kept pieces. */
static inline void i8_sparse_block(int32_t *acc, const int16_t *q, const srnn_matrix *w, uint32_t b)
{
    const uint16_t *counts = w->index + w->kept_before[b] + (size_t)SRNN_SPARSE_OCTETS * b;
    const uint16_t *groups = counts + SRNN_SPARSE_OCTETS;
    const int8_t *pieces = (const int8_t *)w->data + (size_t)w->kept_before[b] * SRNN_SPARSE_PIECE;
    for (int k = 0; k < SRNN_SPARSE_OCTETS; k++) {
        i8_sparse_octet(acc + k * SRNN_SPARSE_COLUMNS, q, groups, counts[k], pieces);
        groups += counts[k];
        pieces += (size_t)counts[k] * SRNN_SPARSE_PIECE;
    }
}
