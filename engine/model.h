/* The loaded model: configuration, pointers into the weights, and tables derived at load time.
 * Internal to the engine. Shapes use the letters of models/FORMAT.md: F frame, BF big frame,
 * R upsampling ratio of a tier (BF/F for the big frame tier, F for the frame tier), D dim,
 * Q q_levels, G gates (3 GRU, 4 LSTM), I a layer's input width (2D for layer 0 with skip
 * connections, else D). All weights are float32, row-major, Keras layout (y = x·K + b). */
#ifndef SRNN_MODEL_H
#define SRNN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srnn.h"

#define SRNN_MAX_LAYERS 64

typedef struct {
    uint32_t input_dim;            /* I */
    const float *kernel;           /* (I, G*D) */
    const float *recurrent_kernel; /* (D, G*D) */
    const float *bias;             /* GRU (2, 3D): input row, recurrent row; LSTM (4D) */
    const float *skip_kernel;      /* (D, D), only with skip connections */
    const float *skip_bias;        /* (D), layer 0 with skip connections, else NULL */
} srnn_rnn_layer;

/* A frame tier: the big frame tier or the frame tier. */
typedef struct {
    uint32_t frame;          /* samples per input frame: BF or F */
    uint32_t ratio;          /* R, conditioning vectors produced per step */
    const float *input_kernel; /* (frame, D) */
    const float *input_bias;   /* (D) */
    srnn_rnn_layer layers[SRNN_MAX_LAYERS];
    const float *upsample;     /* (R, D, D): output j is U[j] · h */
} srnn_tier;

struct srnn_model {
    srnn_config config;
    srnn_tier big_frame;
    srnn_tier frame;
    const float *embedding;    /* (Q, Q) */
    const float *conv_kernel;  /* (F, Q, D) */
    const float *hidden1_kernel, *hidden1_bias; /* (D, D), (D) */
    const float *hidden2_kernel, *hidden2_bias; /* (D, D), (D) */
    const float *output_kernel, *output_bias;   /* (D, Q), (Q) */

    /* embedding followed by the input convolution, folded: tap k of sample value q adds
     * sample_table[k][q] (F, Q, D), so the sample MLP's input is F row additions. */
    float *sample_table;

    uint64_t parameter_count;

    /* metadata: pairs of NUL-terminated key and value inside metadata_text */
    char *metadata_text;
    const char **metadata_keys;
    const char **metadata_values;
    size_t metadata_count;

    /* the file's bytes: mapped (mapped_size > 0) or owned (a copy made by load_memory) */
    void *mapped;
    size_t mapped_size;
    void *owned;
};

/* Gates per RNN layer. */
static inline uint32_t srnn_gates(srnn_rnn_type type) { return type == SRNN_RNN_LSTM ? 4 : 3; }

#endif
