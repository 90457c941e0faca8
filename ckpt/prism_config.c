#include "prism_config.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "atomic_file.h"

#define MAX_CONFIG_SIZE (1u << 20)

/* item as a whole number in [min, 2^32), or -1 after naming the problem. */
static int to_count(const cJSON *item, const char *name, uint32_t min, uint32_t *value,
                    const char *path, char *error) {
    double v = cJSON_IsNumber(item) ? item->valuedouble : NAN;
    if (!(v >= min && v <= UINT32_MAX && v == floor(v))) {
        ckpt_fail(error, SRNN_ERR_CONFIG, "%s: '%s' must be a whole number from %u to %u", path,
                  name, min, UINT32_MAX);
        return -1;
    }
    *value = (uint32_t)v;
    return 0;
}

/* The count under key; an absent (or null) one is an error only when required. */
static int read_count(const cJSON *root, const char *key, uint32_t min, int required,
                      uint32_t *value, const char *path, char *error) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
    if (item && !cJSON_IsNull(item)) return to_count(item, key, min, value, path, error);
    if (!required) return 0;
    ckpt_fail(error, SRNN_ERR_CONFIG, "%s: '%s' is missing", path, key);
    return -1;
}

static const char *read_text(const cJSON *root, const char *key, const char *path,
                             char *error) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!cJSON_IsString(item)) {
        ckpt_fail(error, SRNN_ERR_CONFIG, "%s: '%s' %s", path, key,
                  item ? "must be a string" : "is missing");
        return NULL;
    }
    return item->valuestring;
}

static srnn_status from_json(const cJSON *root, srnn_config *c, const char *path,
                             char *error) {
    if (!cJSON_IsObject(root))
        return ckpt_fail(error, SRNN_ERR_CONFIG, "%s: not a JSON object", path);
    const cJSON *frames = cJSON_GetObjectItemCaseSensitive(root, "frame_sizes");
    if (!cJSON_IsArray(frames) || cJSON_GetArraySize(frames) != 2)
        return ckpt_fail(error, SRNN_ERR_CONFIG,
                         "%s: 'frame_sizes' must be [frame_size, big_frame_size]", path);
    *c = (srnn_config){.sample_rate = PRISM_DEFAULT_SAMPLE_RATE, .emb_size = 256};
    const char *rnn, *q_type;
    if (to_count(cJSON_GetArrayItem(frames, 0), "frame_sizes[0]", 1, &c->frame_size, path,
                 error) < 0 ||
        to_count(cJSON_GetArrayItem(frames, 1), "frame_sizes[1]", 1, &c->big_frame_size, path,
                 error) < 0 ||
        read_count(root, "seq_len", 1, 1, &c->seq_len, path, error) < 0 ||
        read_count(root, "dim", 1, 1, &c->dim, path, error) < 0 ||
        read_count(root, "num_rnn_layers", 1, 1, &c->num_rnn_layers, path, error) < 0 ||
        read_count(root, "emb_size", 0, 0, &c->emb_size, path, error) < 0 ||
        read_count(root, "sample_rate", 1, 0, &c->sample_rate, path, error) < 0 ||
        !(rnn = read_text(root, "rnn_type", path, error)) ||
        !(q_type = read_text(root, "q_type", path, error)))
        return SRNN_ERR_CONFIG;
    /* PRiSM looks the type up as getattr(tf.keras.layers, rnn_type.upper()) */
    if (strcasecmp(rnn, "gru") == 0)
        c->rnn_type = SRNN_RNN_GRU;
    else if (strcasecmp(rnn, "lstm") == 0)
        c->rnn_type = SRNN_RNN_LSTM;
    else
        return ckpt_fail(error, SRNN_ERR_CONFIG, "%s: rnn_type '%.40s' is not gru or lstm", path,
                         rnn);
    if (strcmp(q_type, "mu-law") == 0) {
        c->q_type = SRNN_Q_MULAW;
        c->q_levels = 256;
    } else if (strcmp(q_type, "linear") == 0) {
        c->q_type = SRNN_Q_LINEAR;
        if (read_count(root, "q_levels", 1, 1, &c->q_levels, path, error) < 0)
            return SRNN_ERR_CONFIG;
    } else {
        return ckpt_fail(error, SRNN_ERR_CONFIG, "%s: q_type '%.40s' is not mu-law or linear",
                         path, q_type);
    }
    const cJSON *skip = cJSON_GetObjectItemCaseSensitive(root, "skip_conn");
    if (skip && !cJSON_IsNull(skip) && !cJSON_IsBool(skip))
        return ckpt_fail(error, SRNN_ERR_CONFIG, "%s: 'skip_conn' must be true or false", path);
    c->skip_conn = cJSON_IsTrue(skip);
    char detail[SRNN_ERROR_MAX];
    srnn_status status = srnn_config_check(c, detail);
    if (status != SRNN_OK) return ckpt_fail(error, status, "%s: %s", path, detail);
    return SRNN_OK;
}

srnn_status prism_config_read(const char *path, srnn_config *config,
                              char error[CKPT_ERROR_MAX]) {
    FILE *file = fopen(path, "rb");
    if (!file) return ckpt_fail(error, SRNN_ERR_IO, "%s: %s", path, strerror(errno));
    char *text = malloc(MAX_CONFIG_SIZE + 1);
    size_t size = text ? fread(text, 1, MAX_CONFIG_SIZE + 1, file) : 0;
    int failed = !text || ferror(file);
    fclose(file);
    if (failed || size > MAX_CONFIG_SIZE) {
        free(text);
        return ckpt_fail(error, SRNN_ERR_IO, "%s: unreadable or over 1 MiB", path);
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, size, &end, 0);
    srnn_status status;
    if (!root) {
        size_t at = end && end >= text && end <= text + size ? (size_t)(end - text) : 0;
        status = ckpt_fail(error, SRNN_ERR_CONFIG, "%s: not valid JSON (near byte %zu)", path,
                           at);
    } else {
        status = from_json(root, config, path, error);
    }
    cJSON_Delete(root);
    free(text);
    return status;
}

srnn_status prism_config_write(const char *path, const srnn_config *c,
                               char error[CKPT_ERROR_MAX]) {
    char text[1024];
    int n = snprintf(text, sizeof text,
                     "{\n"
                     "    \"seq_len\": %u,\n"
                     "    \"frame_sizes\": [%u, %u],\n"
                     "    \"dim\": %u,\n"
                     "    \"rnn_type\": \"%s\",\n"
                     "    \"num_rnn_layers\": %u,\n"
                     "    \"q_type\": \"%s\",\n"
                     "    \"q_levels\": %u,\n"
                     "    \"emb_size\": %u,\n"
                     "    \"skip_conn\": %s,\n"
                     "    \"sample_rate\": %u\n"
                     "}\n",
                     c->seq_len, c->frame_size, c->big_frame_size, c->dim,
                     c->rnn_type == SRNN_RNN_LSTM ? "lstm" : "gru", c->num_rnn_layers,
                     c->q_type == SRNN_Q_LINEAR ? "linear" : "mu-law", c->q_levels, c->emb_size,
                     c->skip_conn ? "true" : "false", c->sample_rate);
    return srnn_atomic_file_put(path, text, (size_t)n, error, CKPT_ERROR_MAX);
}
