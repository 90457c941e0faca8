/* How PRiSM SampleRNN's Keras model names its weights in a checkpoint. Keras' object-based
 * saving keys a variable by the attribute names leading to it from the model (samplernn/
 * model.py, frame_rnn.py, nn.py, sample_mlp.py) plus "/.ATTRIBUTES/VARIABLE_VALUE":
 *   big_frame/input/kernel           big_frame_rnn/inputs/kernel
 *   frame/rnn/layer_0/kernel         frame_rnn/rnn/layer_0/cell/kernel
 *   frame/rnn/layer_0/skip_out/bias  frame_rnn/rnn/layer_0_skip_out/bias
 *   frame/upsample                   frame_rnn/upsample
 *   sample_mlp/embedding             sample_mlp/embedding/embeddings
 *   sample_mlp/input/kernel          sample_mlp/inputs/kernel
 *   sample_mlp/output/bias           sample_mlp/outputs/bias
 * Older PRiSM versions saved tf.train.Checkpoint(epoch, optimizer, model): the same under
 * "model/". */
#ifndef CKPT_PRISM_NAMES_H
#define CKPT_PRISM_NAMES_H

#include <stddef.h>

#define PRISM_VARIABLE_SUFFIX "/.ATTRIBUTES/VARIABLE_VALUE"
#define PRISM_KEY_MAX 128

/* Where our metadata (models/FORMAT.md) travels in an exported checkpoint: a scalar string,
 * outside the object graph, so TensorFlow ignores it. */
#define PRISM_METADATA_KEY "_SRNN_MODEL_METADATA"

/* The object path of one of our tensors (models/FORMAT.md names) in PRiSM's model, e.g.
 * "frame_rnn/rnn/layer_0/cell/kernel"; -1 for a name that is not ours. */
int prism_object_path(const char *tensor_name, char path[PRISM_KEY_MAX]);

/* Whether a checkpoint key holds training state or bookkeeping rather than a weight: the
 * optimizer's variables and slots, counters, the object graph, Keras' configs, metadata. */
int prism_is_training_state(const char *key);

#endif
