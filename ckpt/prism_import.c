#include "prism_import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prism_names.h"

#define SHOWN_PER_KIND 3 /* tensors named per kind of problem; the rest are counted */

static const char *const roots[] = {"", "model/"}; /* save_weights; older tf.train.Checkpoint */

static const tf_bundle_entry *find(const tf_bundle *bundle, const char *root,
                                   const char *tensor_name) {
    char path[PRISM_KEY_MAX], key[PRISM_KEY_MAX + 64];
    if (prism_object_path(tensor_name, path) < 0) return NULL;
    snprintf(key, sizeof key, "%s%s%s", root, path, PRISM_VARIABLE_SUFFIX);
    return tf_bundle_find(bundle, key);
}

/* The root under which more of the config's tensors are found. */
static const char *pick_root(const tf_bundle *bundle, const srnn_config *config) {
    size_t found[2] = {0, 0}, count = srnn_config_tensor_count(config);
    for (int r = 0; r < 2; r++)
        for (size_t i = 0; i < count; i++) {
            srnn_tensor_info info;
            if (srnn_config_tensor(config, i, &info) == SRNN_OK && find(bundle, roots[r], info.name))
                found[r]++;
        }
    return found[1] > found[0] ? roots[1] : roots[0];
}

static int same_shape(const tf_bundle_entry *e, const srnn_tensor_info *info) {
    if (e->dtype != TF_FLOAT || e->num_slices || e->ndim != (int)info->ndim) return 0;
    for (uint32_t d = 0; d < info->ndim; d++)
        if (e->shape[d] != (int64_t)info->shape[d]) return 0;
    return 1;
}

/* ---- Naming what is wrong, in one line ---------------------------------------------------- */

typedef struct {
    char text[CKPT_ERROR_MAX];
    size_t shown, more;
} problem_list;

static void append(char *text, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void append(char *text, const char *format, ...) {
    size_t used = strlen(text);
    if (used + 1 >= CKPT_ERROR_MAX) return;
    va_list args;
    va_start(args, format);
    vsnprintf(text + used, CKPT_ERROR_MAX - used, format, args);
    va_end(args);
}

/* A key without PRiSM's suffix, for reading. */
static void short_name(const char *key, char *out, size_t size) {
    size_t n = strlen(key), m = strlen(PRISM_VARIABLE_SUFFIX);
    if (n >= m && strcmp(key + n - m, PRISM_VARIABLE_SUFFIX) == 0) n -= m;
    snprintf(out, size, "%.*s", (int)n, key);
}

static void shape_text(int ndim, const int64_t *shape, char *out, size_t size) {
    size_t n = (size_t)snprintf(out, size, "[");
    for (int i = 0; i < ndim && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%lld", i ? "," : "", (long long)shape[i]);
    if (n < size) snprintf(out + n, size - n, "]");
}

static void note(problem_list *list, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void note(problem_list *list, const char *format, ...) {
    if (list->shown == SHOWN_PER_KIND) {
        list->more++;
        return;
    }
    char item[400];
    va_list args;
    va_start(args, format);
    vsnprintf(item, sizeof item, format, args);
    va_end(args);
    append(list->text, "%s%s", list->shown++ ? ", " : "", item);
}

static void report(char *out, const char *kind, const problem_list *list) {
    if (!list->shown) return;
    append(out, "%s%s %s", out[0] ? "; " : "", kind, list->text);
    if (list->more) append(out, " (and %zu more)", list->more);
}

/* What a PRiSM checkpoint's shapes say about its configuration, for the error message. */
static void describe_checkpoint(const tf_bundle *bundle, const char *root, char *out) {
    char key[PRISM_KEY_MAX + 64];
#define ENTRY(path) (snprintf(key, sizeof key, "%s%s%s", root, path, PRISM_VARIABLE_SUFFIX), \
                     tf_bundle_find(bundle, key))
    const tf_bundle_entry *big = ENTRY("big_frame_rnn/inputs/kernel");
    const tf_bundle_entry *conv = ENTRY("sample_mlp/inputs/kernel");
    const tf_bundle_entry *bias = ENTRY("big_frame_rnn/rnn/layer_0/cell/bias");
    const tf_bundle_entry *skip = ENTRY("big_frame_rnn/rnn/layer_0_skip_out/kernel");
    if (!big || big->ndim != 2 || !conv || conv->ndim != 3 || !bias) {
        append(out, "; the checkpoint does not look like a PRiSM SampleRNN");
        return;
    }
    unsigned layers = 0;
    char path[64];
    do snprintf(path, sizeof path, "big_frame_rnn/rnn/layer_%u/cell/kernel", layers);
    while (ENTRY(path) && ++layers < 1000);
#undef ENTRY
    append(out, "; the checkpoint holds frame_sizes [%lld, %lld], dim %lld, q_levels %lld, "
           "num_rnn_layers %u, rnn_type %s, skip_conn %s",
           (long long)conv->shape[0], (long long)big->shape[0], (long long)big->shape[1],
           (long long)conv->shape[1], layers, bias->ndim == 2 ? "gru" : "lstm",
           skip ? "true" : "false");
}

/* Sorts the checkpoint's tensors into used, training state and unused, and the config's into
 * found and missing or misshapen; fills error and fails when anything does not fit. */
static srnn_status match(const tf_bundle *bundle, const srnn_config *config, const char *root,
                         const tf_bundle_entry **found, char *error) {
    size_t count = srnn_config_tensor_count(config), entries = tf_bundle_count(bundle);
    char *used = calloc(entries ? entries : 1, 1);
    if (!used) return ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
    problem_list missing = {0}, misshapen = {0}, unused = {0};
    char name[PRISM_KEY_MAX + 64], have[200], need[200];
    for (size_t i = 0; i < count; i++) {
        srnn_tensor_info info;
        srnn_config_tensor(config, i, &info);
        const tf_bundle_entry *e = find(bundle, root, info.name);
        int64_t shape[4];
        for (int d = 0; d < 4; d++) shape[d] = info.shape[d];
        shape_text((int)info.ndim, shape, need, sizeof need);
        found[i] = e;
        if (!e) {
            char path[PRISM_KEY_MAX];
            prism_object_path(info.name, path);
            note(&missing, "%s%s %s", root, path, need);
            continue;
        }
        used[e - tf_bundle_entry_at(bundle, 0)] = 1;
        if (!same_shape(e, &info)) {
            char dtype[16];
            short_name(e->name, name, sizeof name);
            shape_text(e->ndim, e->shape, have, sizeof have);
            note(&misshapen, "%s is %s %s%s (the config needs float32 %s)", name,
                 tf_dtype_name(e->dtype, dtype), have, e->num_slices ? " partitioned" : "",
                 need);
        }
    }
    for (size_t i = 0; i < entries; i++) {
        const tf_bundle_entry *e = tf_bundle_entry_at(bundle, i);
        if (used[i] || prism_is_training_state(e->name)) continue;
        short_name(e->name, name, sizeof name);
        note(&unused, "%s", name);
    }
    free(used);
    if (!missing.shown && !misshapen.shown && !unused.shown) return SRNN_OK;
    char text[CKPT_ERROR_MAX] = "";
    report(text, "missing", &missing);
    report(text, "wrong shape:", &misshapen);
    report(text, "unused weights", &unused);
    describe_checkpoint(bundle, root, text);
    return ckpt_fail(error, SRNN_ERR_TENSOR, "checkpoint and config do not match: %s", text);
}

srnn_status prism_import(const tf_bundle *bundle, const srnn_config *config,
                         prism_weights *weights, char error[CKPT_ERROR_MAX]) {
    *weights = (prism_weights){0};
    char detail[SRNN_ERROR_MAX];
    if (srnn_config_check(config, detail) != SRNN_OK)
        return ckpt_fail(error, SRNN_ERR_CONFIG, "%s", detail);
    size_t count = srnn_config_tensor_count(config);
    const tf_bundle_entry **found = calloc(count, sizeof *found);
    weights->tensors = calloc(count, sizeof *weights->tensors);
    if (!found || !weights->tensors) {
        free(found);
        free(weights->tensors);
        weights->tensors = NULL;
        return ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
    }
    weights->count = count;
    srnn_status status = match(bundle, config, pick_root(bundle, config), found, error);
    for (size_t i = 0; i < count && status == SRNN_OK; i++) {
        weights->tensors[i] = malloc(found[i]->size ? (size_t)found[i]->size : 1);
        status = weights->tensors[i] ? tf_bundle_read(bundle, found[i], weights->tensors[i], error)
                                     : ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
    }
    const tf_bundle_entry *metadata = tf_bundle_find(bundle, PRISM_METADATA_KEY);
    size_t size;
    if (status == SRNN_OK && metadata)
        status = tf_bundle_read_string(bundle, metadata, &weights->metadata, &size, error);
    if (status == SRNN_OK && weights->metadata && strlen(weights->metadata) != size)
        status = ckpt_fail(error, SRNN_ERR_FORMAT, "%s holds a NUL byte", PRISM_METADATA_KEY);
    free(found);
    if (status != SRNN_OK) prism_weights_free(weights);
    return status;
}

void prism_weights_free(prism_weights *weights) {
    for (size_t i = 0; weights->tensors && i < weights->count; i++) free(weights->tensors[i]);
    free(weights->tensors);
    free(weights->metadata);
    *weights = (prism_weights){0};
}
