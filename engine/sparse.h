/* Block-sparse int8 matrices (kernels.h): an I8 matrix without the
 * pieces that hold only zeros. A piece is 8 columns x 4 rows, the 32 bytes an octet of
 * columns takes in a four-row group of the I8 layout (column after column, four rows each),
 * which is one vector load at every level; xiph/opus's sparse_cgemv8x4 and WaveRNN's blocks
 * are of this kind. Pruned weights (srnn convert --density) are zero in such pieces.
 *
 * Layout, walked forward only by the product: a column block's 64 columns are 8 octets.
 * - data: the kept pieces, 32 bytes each, column block by column block, octet by octet, in
 *   the order of their row groups;
 * - kept_before[b]: the pieces kept in the column blocks before b (blocks + 1 entries);
 * - index: for column block b, from index[kept_before[b] + 8·b]: its 8 octets' piece counts,
 *   then the row group (4 rows) of each of its pieces, in data's order.
 * Scales are the I8 matrix's, one per column. */
#ifndef SRNN_SPARSE_H
#define SRNN_SPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels.h"

#define SRNN_SPARSE_COLUMNS 8 /* a piece's columns: outputs */
#define SRNN_SPARSE_ROWS 4    /* a piece's rows: inputs */
#define SRNN_SPARSE_PIECE (SRNN_SPARSE_COLUMNS * SRNN_SPARSE_ROWS)
#define SRNN_SPARSE_OCTETS (SRNN_BLOCK / SRNN_SPARSE_COLUMNS)

/* The share of its pieces an I8 matrix may keep and still run block-sparse: above it the
 * dense product is faster. Measured on D x GD products alone, best of 15 x 200 (README
 * "Speed"): sparse and dense take the same time at 0.45 of the pieces for 256 x 768 and 512 x
 * 1536 (in L2), at 0.6 for 1024 x 3072 (from L3); at 0.7 sparse took 1.16-1.6 times as long.
 * The results are the same bits either way. */
#define SRNN_SPARSE_MAX_DENSITY 0.45

static inline bool srnn_sparse_worth(size_t kept, size_t pieces)
{
    return (double)kept <= SRNN_SPARSE_MAX_DENSITY * (double)pieces;
}

/* The pieces of an I8 matrix that hold a nonzero value. */
size_t srnn_sparse_kept(const srnn_matrix *dense);

/* The pieces of an I8 matrix with in rows: blocks · 8 octets · ceil(in / 4) groups. */
static inline size_t srnn_sparse_pieces(const srnn_matrix *dense)
{
    return (size_t)dense->blocks * SRNN_SPARSE_OCTETS * ((dense->in + SRNN_SPARSE_ROWS - 1) / SRNN_SPARSE_ROWS);
}

/* The bytes a product of an (in, out) matrix of dtype reads (weights, scales and, block-sparse,
 * indices): block-sparse with kept pieces when it is I8 and srnn_sparse_worth, else dense. */
size_t srnn_matrix_bytes_kept(uint32_t in, uint32_t out, srnn_dtype dtype, size_t kept);

/* The same for a run-time matrix. */
size_t srnn_matrix_bytes(const srnn_matrix *m);

/* dense (I8, in <= SRNN_I8_CHUNK) without its all-zero pieces, in memory the caller gives:
 * data for srnn_sparse_kept(dense) pieces, index for that many + 8 · blocks entries,
 * kept_before for blocks + 1, column_sums for blocks · 64. The result shares dense's scales. */
srnn_matrix srnn_sparse_from_dense(const srnn_matrix *dense, int8_t *data, uint16_t *index,
                                   uint32_t *kept_before, int32_t *column_sums);

#endif
