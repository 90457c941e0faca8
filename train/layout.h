/* The trainer's parameters: every tensor of a configuration (srnn_config_tensor order) in one
 * contiguous float block, each tensor starting on a 64-byte boundary. Gradients and optimiser
 * moments are blocks of the same layout, so the optimiser is one flat loop over them.
 *
 * Letters as in models/FORMAT.md: F frame, BF big frame, D dim, Q q_levels, L layers, G gates
 * (3 GRU, 4 LSTM), I a layer's input width (2D for layer 0 with skip connections, else D),
 * R a tier's upsampling ratio (BF/F for the big frame tier, F for the frame tier). */
#ifndef TRAIN_LAYOUT_H
#define TRAIN_LAYOUT_H

#include <stddef.h>

#include "srnn.h"

#define TRAIN_MAX_LAYERS 64
#define TRAIN_MAX_TENSORS (2 * (3 + 5 * TRAIN_MAX_LAYERS) + 8)

typedef struct {
    srnn_config config;
    size_t count; /* tensors */
    srnn_tensor_info info[TRAIN_MAX_TENSORS];
    size_t offset[TRAIN_MAX_TENSORS]; /* in floats from the block's start, multiples of 16 */
    size_t floats;                    /* the block's length, padding included */
    size_t parameters;                /* real weights, padding excluded */
} train_layout;

typedef struct {
    size_t input_dim;        /* I */
    float *kernel;           /* (I, G*D) */
    float *recurrent_kernel; /* (D, G*D) */
    float *bias;             /* GRU (2, 3D): input row, recurrent row; LSTM (4D) */
    float *skip_kernel;      /* (D, D), only with skip connections */
    float *skip_bias;        /* (D), layer 0 with skip connections, else NULL */
} train_rnn_weights;

typedef struct {
    size_t frame;        /* samples per input frame: BF or F */
    size_t ratio;        /* R */
    float *input_kernel; /* (frame, D) */
    float *input_bias;   /* (D) */
    train_rnn_weights layers[TRAIN_MAX_LAYERS];
    float *upsample; /* (R, D, D): output j is U[j] · h */
} train_tier_weights;

/* Named views into one block (parameters, gradients or a moment). */
typedef struct {
    train_tier_weights big_frame, frame;
    float *embedding;                     /* (Q, Q) */
    float *conv_kernel;                   /* (F, Q, D) */
    float *hidden1_kernel, *hidden1_bias; /* (D, D), (D) */
    float *hidden2_kernel, *hidden2_bias; /* (D, D), (D) */
    float *output_kernel, *output_bias;   /* (D, Q), (Q) */
} train_weights;

/* Fills layout for a valid configuration; SRNN_ERR_CONFIG (error filled) otherwise. */
srnn_status train_layout_init(train_layout *layout, const srnn_config *config,
                              char error[SRNN_ERROR_MAX]);

/* Points every field of weights into block, which holds layout->floats floats. */
void train_weights_bind(const train_layout *layout, float *block, train_weights *weights);

/* A zeroed, 64-byte aligned block of layout->floats floats (NULL when out of memory). */
float *train_block_alloc(const train_layout *layout);

#endif
