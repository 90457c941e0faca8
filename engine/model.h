/* The loaded model: configuration, pointers to the file's weights, and the weights as the
 * kernels run them (prepare.c). Internal to the engine. Shapes use the letters of
 * models/FORMAT.md: F frame, BF big frame, R upsampling ratio of a tier (BF/F for the big
 * frame tier, F for the frame tier), D dim, Q q_levels, G gates (3 GRU, 4 LSTM), GD = G·D,
 * I a layer's input width (2D for layer 0 with skip connections, else D). The file's weights
 * are float32, row-major, Keras layout (y = x·K + b). */
#ifndef SRNN_MODEL_H
#define SRNN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels.h"
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

/* A frame tier as the kernels run it. Linear maps that follow each other with nothing in
 * between are multiplied out at load time (exact algebra, rounded once):
 * - the input Dense on the scaled frame, then layer 0's kernel: one (frame, GD) matrix;
 * - skip connections feed layer 0 concat(e, e): its kernel's two halves are added;
 * - the big frame tier's upsampling, then the frame tier's layer-0 kernel: R matrices
 *   U_j^T·K (D, GD), so the big frame tier hands the frame tier gate pre-activations;
 * - the frame tier's upsampling, then the sample MLP's hidden1 kernel: F matrices
 *   U_k^T·W1 (D, D), so the frame tier hands the MLP hidden1 pre-activations.
 * The last two are kept apart (unfolded) where the product would read more bytes than its
 * factors: a product of block-sparse factors is dense, so pruned int8 factors (srnn convert
 * --density) usually run unfolded. Then the tier computes its upsampled vectors c_j = U_j·h
 * (R matrices U_j^T (D, D)) and `follow` (K or W1) is applied to each c_j. Each of the two
 * products quantises its own input at int8 and int4, so an unfolded model rounds differently
 * from the folded one (both stay within the bounds of the reduced precisions, tests/
 * test_cpu_levels.c); every level still gives the same bits. */
typedef struct {
    srnn_matrix input;       /* (frame, GD) */
    float *input_bias;       /* (GD): the input bias through layer 0's kernel + layer 0's input bias */
    srnn_matrix kernel[SRNN_MAX_LAYERS];          /* (D, GD), layers 1 … L-1 */
    const float *kernel_bias[SRNN_MAX_LAYERS];    /* (GD), layers 1 … L-1 */
    srnn_matrix recurrent[SRNN_MAX_LAYERS];       /* (D, GD) */
    const float *recurrent_bias[SRNN_MAX_LAYERS]; /* (GD): GRU's second bias row; NULL (zero) for LSTM */
    srnn_matrix skip[SRNN_MAX_LAYERS];            /* (D, D), with skip connections */
    const float *skip_bias;                       /* (D), with skip connections */
    /* R matrices: folded, (D, GD) for the big frame tier, (D, D) for the frame tier;
     * unfolded, U_j^T (D, D) */
    srnn_matrix *conditioning;
    bool unfolded;
    srnn_matrix follow; /* unfolded: the frame tier's layer-0 kernel (D, GD) or hidden1's (D, D) */
} srnn_tier_run;

/* Everything the forward pass reads, derived from the file's weights when a model is loaded. */
typedef struct {
    const srnn_kernels *kernels;
    srnn_precision precision, sample_precision; /* the frame tiers', the sample MLP's */
    srnn_tier_run big_frame, frame;
    /* the embedding, the input convolution and hidden1's kernel multiplied out: tap k of
     * sample value q adds row sample_table[k][q] (F, Q, D) to hidden1's pre-activation.
     * float32; float16 or bfloat16 where the sample MLP runs at a reduced precision
     * (prepare.c), half the bytes each voice reads per sample */
    srnn_dtype sample_table_dtype;
    void *sample_table;
    srnn_matrix hidden2, output; /* (D, D), (D, Q) */
    void **allocations;          /* what free_runtime frees */
    size_t allocation_count, allocation_capacity;
} srnn_runtime;

struct srnn_model {
    srnn_config config;
    srnn_tier big_frame;
    srnn_tier frame;
    const float *embedding;    /* (Q, Q) */
    const float *conv_kernel;  /* (F, Q, D) */
    const float *hidden1_kernel, *hidden1_bias; /* (D, D), (D) */
    const float *hidden2_kernel, *hidden2_bias; /* (D, D), (D) */
    const float *output_kernel, *output_bias;   /* (D, Q), (Q) */

    srnn_runtime run;
    /* what the file stores (header, versions 2 and 3), the defaults: the frame tiers', the MLP's */
    srnn_precision file_precision, file_sample_precision;
    float **converted;             /* float32 copies of the tensors stored in other dtypes */
    size_t converted_count;

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

/* Floats of a vector of n elements that kernels write in whole column blocks. */
static inline size_t srnn_padded(size_t n) { return (n + SRNN_BLOCK - 1) / SRNN_BLOCK * SRNN_BLOCK; }

/* Builds model->run from the file's weights for these kernels and precisions (not AUTO): the
 * frame tiers' (RNNs, and the big frame tier's upsampling with the frame tier's layer-0
 * kernel) and the sample MLP's (the frame tier's upsampling with hidden1, hidden2 and the
 * output). */
srnn_status srnn_prepare(srnn_model *model, const srnn_kernels *kernels, srnn_precision precision,
                         srnn_precision sample_precision, char *error);
void srnn_free_runtime(srnn_runtime *run);

/* Whether an upsampling and the map after it read fewer bytes per tier step unfolded: R
 * matrices of upsample_bytes in all, and the one after it R times, against R folded products
 * of folded_bytes each. */
static inline bool srnn_unfold_pays(size_t upsample_bytes, size_t follow_bytes, size_t folded_bytes,
                                    uint32_t ratio)
{
    return upsample_bytes + (size_t)ratio * follow_bytes < (size_t)ratio * folded_bytes;
}

#endif
