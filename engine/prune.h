/* Which matrices pruning may thin, in which pieces, and pruning one of them: the engine's
 * block-sparse int8 product skips pieces of 4 inputs x 8 outputs of the matrices it runs, so
 * a matrix is pruned in the pieces of the matrix the engine runs it as. Shared by srnn convert
 * --density (one shot, after training) and srnn train's gradual pruning (train/prune.c). */
#ifndef SRNN_PRUNE_H
#define SRNN_PRUNE_H

#include <stdbool.h>
#include <stdint.h>

#include "srnn.h"

/* The kinds of matrices that can be pruned to different densities. */
typedef enum {
    SRNN_PRUNE_NONE = -1,   /* biases, and what the engine looks up or folds into small dense
                               products: the embedding, the convolution, the input kernels,
                               the big frame tier's layer-0 kernel */
    SRNN_PRUNE_RNN = 0,     /* the RNN kernels (the frame tier's layer 0 included), recurrent
                               kernels and skip kernels */
    SRNN_PRUNE_UPSAMPLING,  /* big_frame/upsample, frame/upsample */
    SRNN_PRUNE_MLP,         /* the sample MLP's hidden1, hidden2 and output kernels */
    SRNN_PRUNE_KINDS
} srnn_prune_kind;

/* Whether the engine runs the tensor as it is stored, so that its pruned pieces are left out of
 * the products (the RNN kernels past layer 0, the recurrent and skip kernels, hidden2, the
 * output); the other prunable ones are factors of products it multiplies out at load time,
 * unless their pruned pieces make keeping them apart pay (model.h). */
bool srnn_prune_runs_as_stored(const char *name);

srnn_prune_kind srnn_prune_kind_of(const char *name);

/* Prunes tensor x of config (info from srnn_config_tensor; a kind other than NONE) to density
 * (0 < density <= 1) of the pieces of the matrix the engine runs it as, keeping those of the
 * largest L2 norm: pruned gets x with the other pieces zero and keep, when not NULL, one byte
 * per element, 1 where kept. The upsampling U (R, D, D) runs as the R matrices U_j^T; the frame
 * tier's layer-0 kernel with skip connections as the sum of its halves (prepare.c), which both
 * keep the pieces where the sum is largest. SRNN_ERR_NOMEM, or SRNN_OK. */
srnn_status srnn_prune_tensor(const srnn_config *config, const srnn_tensor_info *info,
                              const float *x, double density, float *pruned, uint8_t *keep);

#endif
