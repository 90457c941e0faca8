/* A PRiSM SampleRNN checkpoint's weights as our model's tensors (prism_names.h maps the
 * names; the shapes are Keras' in both). */
#ifndef CKPT_PRISM_IMPORT_H
#define CKPT_PRISM_IMPORT_H

#include "ckpt_error.h"
#include "srnn.h"
#include "tf_bundle.h"

typedef struct {
    float **tensors; /* in srnn_config_tensor order */
    size_t count;
    char *metadata; /* "key=value\n" lines an exported checkpoint carries, or NULL */
} prism_weights;

/* Finds every tensor config requires (under PRiSM's names, at the root or under "model/"),
 * checks dtype and shape, checks that every other tensor is training state (the optimizer's,
 * counters), then reads them, verifying their CRC-32C. A mismatch names the missing, misshapen
 * and unused tensors and what configuration the checkpoint seems to hold. */
srnn_status prism_import(const tf_bundle *bundle, const srnn_config *config,
                         prism_weights *weights, char error[CKPT_ERROR_MAX]);

void prism_weights_free(prism_weights *weights);

#endif
