/* The tensors a configuration requires: names, shapes, and where the loader points each. */
#ifndef SRNN_TENSOR_SPECS_H
#define SRNN_TENSOR_SPECS_H

#include "model.h"

/* per tier: input kernel and bias, 5 per layer at most, upsample; 8 in the sample MLP */
#define SRNN_MAX_TENSORS (2 * (3 + 5 * SRNN_MAX_LAYERS) + 8)

typedef struct {
    srnn_tensor_info info;
    const float **target; /* the model's pointer this tensor fills */
} srnn_tensor_spec;

/* Fills specs (SRNN_MAX_TENSORS entries) in file order for model->config, which must be valid;
 * also sets the tiers' frame, ratio and layer input widths. Returns the count. */
size_t srnn_tensor_specs(srnn_model *model, srnn_tensor_spec *specs);

#endif
