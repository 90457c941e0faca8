/* Parameter layout: the public tensor list of a configuration, packed into one block. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"

#define ALIGN_FLOATS 16 /* 64 bytes */

srnn_status train_layout_init(train_layout *layout, const srnn_config *config,
                              char error[SRNN_ERROR_MAX])
{
    memset(layout, 0, sizeof *layout);
    srnn_status status = srnn_config_check(config, error);
    if (status != SRNN_OK) return status;
    layout->config = *config;
    layout->count = srnn_config_tensor_count(config);
    if (layout->count == 0 || layout->count > TRAIN_MAX_TENSORS) {
        if (error) snprintf(error, SRNN_ERROR_MAX, "configuration has no tensor list");
        return SRNN_ERR_CONFIG;
    }
    size_t next = 0;
    for (size_t i = 0; i < layout->count; i++) {
        status = srnn_config_tensor(config, i, &layout->info[i]);
        if (status != SRNN_OK) {
            if (error)
                snprintf(error, SRNN_ERROR_MAX, "tensor %zu: %s", i, srnn_status_string(status));
            return status;
        }
        layout->offset[i] = next;
        next += (layout->info[i].count + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
        layout->parameters += layout->info[i].count;
    }
    layout->floats = next;
    return SRNN_OK;
}

static float *find(const train_layout *layout, float *block, const char *name)
{
    for (size_t i = 0; i < layout->count; i++)
        if (strcmp(layout->info[i].name, name) == 0) return block + layout->offset[i];
    return NULL;
}

static void bind_tier(const train_layout *layout, float *block, train_tier_weights *tier,
                      const char *prefix)
{
    const srnn_config *c = &layout->config;
    char name[SRNN_TENSOR_NAME_MAX];
    bool big = strcmp(prefix, "big_frame") == 0;
    tier->frame = big ? c->big_frame_size : c->frame_size;
    tier->ratio = big ? c->big_frame_size / c->frame_size : c->frame_size;
#define FIND(field, ...)                                                                           \
    (snprintf(name, sizeof name, __VA_ARGS__), (field) = find(layout, block, name))
    FIND(tier->input_kernel, "%s/input/kernel", prefix);
    FIND(tier->input_bias, "%s/input/bias", prefix);
    FIND(tier->upsample, "%s/upsample", prefix);
    for (uint32_t i = 0; i < c->num_rnn_layers; i++) {
        train_rnn_weights *layer = &tier->layers[i];
        layer->input_dim = (i == 0 && c->skip_conn) ? 2 * (size_t)c->dim : c->dim;
        FIND(layer->kernel, "%s/rnn/layer_%u/kernel", prefix, i);
        FIND(layer->recurrent_kernel, "%s/rnn/layer_%u/recurrent_kernel", prefix, i);
        FIND(layer->bias, "%s/rnn/layer_%u/bias", prefix, i);
        FIND(layer->skip_kernel, "%s/rnn/layer_%u/skip_out/kernel", prefix, i);
        FIND(layer->skip_bias, "%s/rnn/layer_%u/skip_out/bias", prefix, i);
    }
#undef FIND
}

void train_weights_bind(const train_layout *layout, float *block, train_weights *w)
{
    memset(w, 0, sizeof *w);
    bind_tier(layout, block, &w->big_frame, "big_frame");
    bind_tier(layout, block, &w->frame, "frame");
    w->embedding = find(layout, block, "sample_mlp/embedding");
    w->conv_kernel = find(layout, block, "sample_mlp/input/kernel");
    w->hidden1_kernel = find(layout, block, "sample_mlp/hidden1/kernel");
    w->hidden1_bias = find(layout, block, "sample_mlp/hidden1/bias");
    w->hidden2_kernel = find(layout, block, "sample_mlp/hidden2/kernel");
    w->hidden2_bias = find(layout, block, "sample_mlp/hidden2/bias");
    w->output_kernel = find(layout, block, "sample_mlp/output/kernel");
    w->output_bias = find(layout, block, "sample_mlp/output/bias");
}

float *train_block_alloc(const train_layout *layout)
{
    size_t bytes = layout->floats * sizeof(float);
    float *block = aligned_alloc(64, bytes > 0 ? bytes : 64);
    if (block) memset(block, 0, bytes);
    return block;
}
