/* TensorFlow's TrackableObjectGraph (trackable_object_graph.proto), saved in a checkpoint as
 * the string tensor _CHECKPOINTABLE_OBJECT_GRAPH. Object-based restore (Keras' load_weights)
 * walks it from the root, node 0, by child names, and finds each variable's value under the
 * checkpoint key its node names. Only what a model's weights need: children and variables. */
#ifndef CKPT_OBJECT_GRAPH_H
#define CKPT_OBJECT_GRAPH_H

#include "byte_buffer.h"

typedef struct object_graph object_graph;

object_graph *object_graph_new(void); /* NULL when out of memory */
void object_graph_free(object_graph *graph);

/* Adds a variable at path ("frame_rnn/inputs/kernel": its nodes are created as needed), with
 * its variable name (informative only) and checkpoint key. -1 when out of memory. */
int object_graph_add_variable(object_graph *graph, const char *path, const char *full_name,
                              const char *checkpoint_key);

/* The serialised TrackableObjectGraph; out->failed when out of memory. */
void object_graph_encode(const object_graph *graph, byte_buffer *out);

#endif
