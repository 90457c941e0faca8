#include "object_graph.h"

#include <stdlib.h>
#include <string.h>

#include "proto_wire.h"

typedef struct {
    size_t parent; /* the root is its own parent */
    char *name;    /* the child name its parent knows it by */
    char *full_name, *checkpoint_key; /* a variable's; NULL otherwise */
} node;

struct object_graph {
    node *nodes;
    size_t count, capacity;
};

object_graph *object_graph_new(void) {
    object_graph *graph = calloc(1, sizeof *graph);
    if (graph && !(graph->nodes = calloc(1, sizeof *graph->nodes))) {
        free(graph);
        return NULL;
    }
    if (graph) graph->count = graph->capacity = 1;
    return graph;
}

void object_graph_free(object_graph *graph) {
    if (!graph) return;
    for (size_t i = 0; i < graph->count; i++) {
        free(graph->nodes[i].name);
        free(graph->nodes[i].full_name);
        free(graph->nodes[i].checkpoint_key);
    }
    free(graph->nodes);
    free(graph);
}

/* The child of parent called name[0..length), created when absent; SIZE_MAX when out of
 * memory. */
static size_t child(object_graph *graph, size_t parent, const char *name, size_t length) {
    for (size_t i = 1; i < graph->count; i++)
        if (graph->nodes[i].parent == parent && strlen(graph->nodes[i].name) == length &&
            memcmp(graph->nodes[i].name, name, length) == 0)
            return i;
    if (graph->count == graph->capacity) {
        node *grown = realloc(graph->nodes, 2 * graph->capacity * sizeof *grown);
        if (!grown) return SIZE_MAX;
        graph->nodes = grown;
        graph->capacity *= 2;
    }
    char *copy = strndup(name, length);
    if (!copy) return SIZE_MAX;
    graph->nodes[graph->count] = (node){parent, copy, NULL, NULL};
    return graph->count++;
}

int object_graph_add_variable(object_graph *graph, const char *path, const char *full_name,
                              const char *checkpoint_key) {
    size_t at = 0;
    for (const char *part = path; at != SIZE_MAX; part++) {
        const char *end = strchr(part, '/');
        size_t length = end ? (size_t)(end - part) : strlen(part);
        at = child(graph, at, part, length);
        if (!end) break;
        part = end;
    }
    if (at == SIZE_MAX) return -1;
    node *n = &graph->nodes[at];
    free(n->full_name);
    free(n->checkpoint_key);
    n->full_name = strdup(full_name);
    n->checkpoint_key = strdup(checkpoint_key);
    return n->full_name && n->checkpoint_key ? 0 : -1;
}

/* TrackableObject: children (1) = ObjectReference {node_id 1, local_name 2}; attributes (2)
 * = SerializedTensor {name 1, full_name 2, checkpoint_key 3}. */
void object_graph_encode(const object_graph *graph, byte_buffer *out) {
    byte_buffer object = {0}, item = {0};
    for (size_t i = 0; i < graph->count; i++) {
        object.size = 0;
        for (size_t j = 1; j < graph->count; j++) {
            if (graph->nodes[j].parent != i) continue;
            item.size = 0;
            pb_put_varint_field(&item, 1, j);
            pb_put_bytes_field(&item, 2, graph->nodes[j].name, strlen(graph->nodes[j].name));
            pb_put_bytes_field(&object, 1, item.data, item.size);
        }
        const node *n = &graph->nodes[i];
        if (n->checkpoint_key) {
            item.size = 0;
            pb_put_bytes_field(&item, 1, "VARIABLE_VALUE", strlen("VARIABLE_VALUE"));
            pb_put_bytes_field(&item, 2, n->full_name, strlen(n->full_name));
            pb_put_bytes_field(&item, 3, n->checkpoint_key, strlen(n->checkpoint_key));
            pb_put_bytes_field(&object, 2, item.data, item.size);
        }
        pb_put_bytes_field(out, 1, object.data, object.size);
    }
    if (object.failed || item.failed) out->failed = 1;
    buffer_free(&object);
    buffer_free(&item);
}
