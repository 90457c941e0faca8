/* A model as PRiSM SampleRNN's checkpoint, so that training can go on in PRiSM. */
#ifndef CKPT_PRISM_EXPORT_H
#define CKPT_PRISM_EXPORT_H

#include "ckpt_error.h"
#include "srnn.h"

#define PRISM_EXPORT_NAME "model.ckpt-0"

/* Writes into directory outdir (created when absent): model.ckpt-0.index and
 * model.ckpt-0.data-00000-of-00001 as Keras' save_weights lays PRiSM's model out (weights
 * under PRiSM's names, the object graph TensorFlow's restore walks, the model's metadata),
 * `checkpoint` naming it as the latest, and config.json (prism_config.h). */
srnn_status prism_export(const srnn_model *model, const char *outdir,
                         char error[CKPT_ERROR_MAX]);

#endif
