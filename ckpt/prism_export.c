#include "prism_export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "object_graph.h"
#include "prism_config.h"
#include "prism_names.h"
#include "tf_bundle.h"

typedef struct {
    char path[PRISM_KEY_MAX];
    char key[PRISM_KEY_MAX + sizeof PRISM_VARIABLE_SUFFIX];
    int64_t shape[4];
} variable_names;

static void add_metadata_line(const char *key, const char *value, void *user) {
    byte_buffer *text = user;
    buffer_append(text, key, strlen(key));
    buffer_append(text, "=", 1);
    buffer_append(text, value, strlen(value));
    buffer_append(text, "\n", 1);
}

static char *in_directory(const char *outdir, const char *name) {
    char *path = malloc(strlen(outdir) + strlen(name) + 2);
    if (path) sprintf(path, "%s/%s", outdir, name);
    return path;
}

/* The tensors: every weight under its PRiSM key, the object graph, the metadata. */
static srnn_status write_bundle(const srnn_model *model, const char *prefix, char *error) {
    const srnn_config *config = srnn_model_config(model);
    size_t count = srnn_config_tensor_count(config);
    tf_bundle_tensor *tensors = calloc(count + 2, sizeof *tensors);
    variable_names *names = calloc(count, sizeof *names);
    object_graph *graph = object_graph_new();
    byte_buffer graph_bytes = {0}, metadata = {0};
    srnn_status status = SRNN_OK;
    if (!tensors || !names || !graph) status = ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < count && status == SRNN_OK; i++) {
        srnn_tensor_info info;
        srnn_config_tensor(config, i, &info);
        const float *data = srnn_model_tensor(model, info.name, NULL);
        if (!data || prism_object_path(info.name, names[i].path) < 0) {
            status = ckpt_fail(error, SRNN_ERR_TENSOR, "no PRiSM name for tensor '%s'",
                               info.name);
            break;
        }
        snprintf(names[i].key, sizeof names[i].key, "%s%s", names[i].path,
                 PRISM_VARIABLE_SUFFIX);
        for (int d = 0; d < 4; d++) names[i].shape[d] = info.shape[d];
        tensors[i] = (tf_bundle_tensor){names[i].key, TF_FLOAT, (int)info.ndim, names[i].shape,
                                        data, info.count * sizeof(float)};
        if (object_graph_add_variable(graph, names[i].path, names[i].path, names[i].key) < 0)
            status = ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
    }
    size_t total = count;
    if (status == SRNN_OK) {
        object_graph_encode(graph, &graph_bytes);
        tensors[total++] = (tf_bundle_tensor){"_CHECKPOINTABLE_OBJECT_GRAPH", TF_STRING, 0, NULL,
                                              graph_bytes.data, graph_bytes.size};
        srnn_model_metadata_each(model, add_metadata_line, &metadata);
        if (metadata.size)
            tensors[total++] = (tf_bundle_tensor){PRISM_METADATA_KEY, TF_STRING, 0, NULL,
                                                  metadata.data, metadata.size};
        if (graph_bytes.failed || metadata.failed)
            status = ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
    }
    if (status == SRNN_OK) status = tf_bundle_write(prefix, tensors, total, error);
    buffer_free(&graph_bytes);
    buffer_free(&metadata);
    object_graph_free(graph);
    free(names);
    free(tensors);
    return status;
}

srnn_status prism_export(const srnn_model *model, const char *outdir,
                         char error[CKPT_ERROR_MAX]) {
    struct stat st;
    if (mkdir(outdir, 0777) != 0 && !(errno == EEXIST && stat(outdir, &st) == 0 &&
                                       S_ISDIR(st.st_mode)))
        return ckpt_fail(error, SRNN_ERR_IO, "cannot create directory %s: %s", outdir,
                         errno == EEXIST ? "a file is in the way" : strerror(errno));
    char *prefix = in_directory(outdir, PRISM_EXPORT_NAME);
    char *state = in_directory(outdir, "checkpoint");
    char *config = in_directory(outdir, "config.json");
    srnn_status status = prefix && state && config
                             ? write_bundle(model, prefix, error)
                             : ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
    if (status == SRNN_OK) status = prism_config_write(config, srnn_model_config(model), error);
    if (status == SRNN_OK) {
        /* last: a reader that finds the latest checkpoint finds a complete one */
        static const char text[] = "model_checkpoint_path: \"" PRISM_EXPORT_NAME "\"\n"
                                   "all_model_checkpoint_paths: \"" PRISM_EXPORT_NAME "\"\n";
        status = srnn_atomic_file_put(state, text, sizeof text - 1, error, CKPT_ERROR_MAX);
    }
    free(prefix);
    free(state);
    free(config);
    return status;
}
