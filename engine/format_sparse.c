/* Block-sparse tensors of the file (models/FORMAT.md, version 4): their masks, and pruning a
 * matrix to a density by the magnitude of its pieces. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

uint64_t srnn_format_kept_elements(const srnn_tensor_info *info, const uint8_t *mask)
{
    uint64_t rows = info->shape[0], columns = info->shape[1], kept = 0;
    uint64_t across = (columns + SRNN_FORMAT_PIECE_COLUMNS - 1) / SRNN_FORMAT_PIECE_COLUMNS;
    for (uint64_t piece = 0; piece < srnn_format_pieces(info); piece++) {
        if (!(mask[piece / 8] >> (piece % 8) & 1)) continue;
        uint64_t row = piece / across * SRNN_FORMAT_PIECE_ROWS, column = piece % across * SRNN_FORMAT_PIECE_COLUMNS;
        uint64_t height = rows - row < SRNN_FORMAT_PIECE_ROWS ? rows - row : SRNN_FORMAT_PIECE_ROWS;
        uint64_t width = columns - column < SRNN_FORMAT_PIECE_COLUMNS ? columns - column : SRNN_FORMAT_PIECE_COLUMNS;
        kept += height * width;
    }
    return kept;
}

uint64_t srnn_format_nonzero_pieces(const srnn_tensor_info *info, const float *x, uint8_t *mask)
{
    uint64_t columns = info->shape[1], kept = 0;
    uint64_t across = (columns + SRNN_FORMAT_PIECE_COLUMNS - 1) / SRNN_FORMAT_PIECE_COLUMNS;
    memset(mask, 0, srnn_format_mask_bytes(info));
    for (uint64_t i = 0; i < info->count; i++) {
        if (x[i] == 0.0f) continue;
        uint64_t piece = i / columns / SRNN_FORMAT_PIECE_ROWS * across + i % columns / SRNN_FORMAT_PIECE_COLUMNS;
        kept += !(mask[piece / 8] >> (piece % 8) & 1);
        mask[piece / 8] |= (uint8_t)(1u << (piece % 8));
    }
    return kept;
}

typedef struct {
    double energy;
    uint64_t piece;
} scored_piece;

/* Higher energy first; ties by position, so pruning is deterministic. */
static int by_energy(const void *a, const void *b)
{
    const scored_piece *x = a, *y = b;
    if (x->energy != y->energy) return x->energy < y->energy ? 1 : -1;
    return x->piece < y->piece ? -1 : x->piece > y->piece;
}

srnn_status srnn_format_prune(const srnn_tensor_info *info, const float *x, double density,
                              float *pruned, uint8_t *mask)
{
    uint64_t columns = info->shape[1], pieces = srnn_format_pieces(info);
    uint64_t across = (columns + SRNN_FORMAT_PIECE_COLUMNS - 1) / SRNN_FORMAT_PIECE_COLUMNS;
    scored_piece *scores = calloc(pieces, sizeof *scores);
    if (!scores) return SRNN_ERR_NOMEM;
    for (uint64_t p = 0; p < pieces; p++) scores[p].piece = p;
    for (uint64_t i = 0; i < info->count; i++) {
        uint64_t row = i / columns, column = i % columns;
        scores[row / SRNN_FORMAT_PIECE_ROWS * across + column / SRNN_FORMAT_PIECE_COLUMNS].energy +=
            (double)x[i] * x[i];
    }
    qsort(scores, pieces, sizeof *scores, by_energy);
    uint64_t keep = (uint64_t)ceil(density * (double)pieces);
    memset(mask, 0, srnn_format_mask_bytes(info));
    for (uint64_t k = 0; k < keep && k < pieces; k++)
        mask[scores[k].piece / 8] |= (uint8_t)(1u << (scores[k].piece % 8));
    for (uint64_t i = 0; i < info->count; i++) pruned[i] = srnn_format_kept(info, mask, i) ? x[i] : 0.0f;
    free(scores);
    return SRNN_OK;
}
