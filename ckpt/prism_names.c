#include "prism_names.h"

#include <stdio.h>
#include <string.h>

static int starts_with(const char *text, const char *prefix) {
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

static int ends_with(const char *text, const char *suffix) {
    size_t n = strlen(text), m = strlen(suffix);
    return n >= m && strcmp(text + n - m, suffix) == 0;
}

/* A frame tier's part of a name ("input/kernel", "rnn/layer_2/bias", ...) as PRiSM's. */
static int tier_path(const char *tier, const char *rest, char *path) {
    unsigned layer;
    int end = 0;
    char weight[32];
    if (strcmp(rest, "input/kernel") == 0 || strcmp(rest, "input/bias") == 0)
        return snprintf(path, PRISM_KEY_MAX, "%s/inputs/%s", tier, rest + strlen("input/"));
    if (strcmp(rest, "upsample") == 0) return snprintf(path, PRISM_KEY_MAX, "%s/upsample", tier);
    if (sscanf(rest, "rnn/layer_%u/%31[a-z_]%n", &layer, weight, &end) == 2 && !rest[end]) {
        if (strcmp(weight, "kernel") == 0 || strcmp(weight, "recurrent_kernel") == 0 ||
            strcmp(weight, "bias") == 0)
            return snprintf(path, PRISM_KEY_MAX, "%s/rnn/layer_%u/cell/%s", tier, layer, weight);
        return -1;
    }
    if (sscanf(rest, "rnn/layer_%u/skip_out/%31[a-z]%n", &layer, weight, &end) == 2 &&
        !rest[end] && (strcmp(weight, "kernel") == 0 || strcmp(weight, "bias") == 0))
        return snprintf(path, PRISM_KEY_MAX, "%s/rnn/layer_%u_skip_out/%s", tier, layer,
                        weight);
    return -1;
}

static int mlp_path(const char *rest, char *path) {
    static const char *const renamed[][2] = {
        {"embedding", "embedding/embeddings"}, {"input/kernel", "inputs/kernel"},
        {"hidden1/kernel", "hidden1/kernel"},  {"hidden1/bias", "hidden1/bias"},
        {"hidden2/kernel", "hidden2/kernel"},  {"hidden2/bias", "hidden2/bias"},
        {"output/kernel", "outputs/kernel"},   {"output/bias", "outputs/bias"},
    };
    for (size_t i = 0; i < sizeof renamed / sizeof *renamed; i++)
        if (strcmp(rest, renamed[i][0]) == 0)
            return snprintf(path, PRISM_KEY_MAX, "sample_mlp/%s", renamed[i][1]);
    return -1;
}

int prism_object_path(const char *tensor_name, char path[PRISM_KEY_MAX]) {
    int n = -1;
    if (starts_with(tensor_name, "big_frame/"))
        n = tier_path("big_frame_rnn", tensor_name + strlen("big_frame/"), path);
    else if (starts_with(tensor_name, "frame/"))
        n = tier_path("frame_rnn", tensor_name + strlen("frame/"), path);
    else if (starts_with(tensor_name, "sample_mlp/"))
        n = mlp_path(tensor_name + strlen("sample_mlp/"), path);
    return n < 0 || n >= PRISM_KEY_MAX ? -1 : 0;
}

int prism_is_training_state(const char *key) {
    if (!ends_with(key, PRISM_VARIABLE_SUFFIX)) return 1; /* object graph, configs, metadata */
    if (strstr(key, "/.OPTIMIZER_SLOT/")) return 1;
    if (starts_with(key, "model/")) key += strlen("model/");
    static const char *const state[] = {"optimizer/", "save_counter/", "epoch/"};
    for (size_t i = 0; i < sizeof state / sizeof *state; i++)
        if (starts_with(key, state[i])) return 1;
    return 0;
}
