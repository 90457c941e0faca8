/* The tensor list of models/FORMAT.md, derived from a configuration. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor_specs.h"

typedef struct {
    srnn_tensor_spec *items;
    size_t count;
} spec_list;

static void add_spec(spec_list *specs, const float **target, const char *prefix, const char *suffix,
                     uint32_t ndim, const uint32_t *shape)
{
    srnn_tensor_spec *spec = &specs->items[specs->count++];
    memset(spec, 0, sizeof *spec);
    snprintf(spec->info.name, sizeof spec->info.name, "%s/%s", prefix, suffix);
    spec->info.ndim = ndim;
    spec->info.count = 1;
    for (uint32_t i = 0; i < ndim; i++) {
        spec->info.shape[i] = shape[i];
        spec->info.count *= shape[i];
    }
    spec->target = target;
}

/* SPEC(&pointer, prefix, "name", dims...) */
#define SPEC(target, prefix, suffix, ...)                                                         \
    add_spec(specs, (target), (prefix), (suffix),                                                 \
             sizeof((uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t), (uint32_t[]){__VA_ARGS__})

static void tier_specs(spec_list *specs, srnn_tier *tier, const char *prefix, const srnn_config *c)
{
    uint32_t d = c->dim, gd = srnn_gates(c->rnn_type) * c->dim;
    SPEC(&tier->input_kernel, prefix, "input/kernel", tier->frame, d);
    SPEC(&tier->input_bias, prefix, "input/bias", d);
    for (uint32_t i = 0; i < c->num_rnn_layers; i++) {
        srnn_rnn_layer *layer = &tier->layers[i];
        layer->input_dim = (i == 0 && c->skip_conn) ? 2 * d : d;
        char layer_prefix[32]; /* "big_frame/rnn/layer_63" at most */
        snprintf(layer_prefix, sizeof layer_prefix, "%s/rnn/layer_%" PRIu32, prefix, i);
        SPEC(&layer->kernel, layer_prefix, "kernel", layer->input_dim, gd);
        SPEC(&layer->recurrent_kernel, layer_prefix, "recurrent_kernel", d, gd);
        if (c->rnn_type == SRNN_RNN_GRU)
            SPEC(&layer->bias, layer_prefix, "bias", 2, 3 * d);
        else
            SPEC(&layer->bias, layer_prefix, "bias", gd);
        if (c->skip_conn) {
            SPEC(&layer->skip_kernel, layer_prefix, "skip_out/kernel", d, d);
            if (i == 0) SPEC(&layer->skip_bias, layer_prefix, "skip_out/bias", d);
        }
    }
    SPEC(&tier->upsample, prefix, "upsample", tier->ratio, d, d);
}

size_t srnn_tensor_specs(srnn_model *m, srnn_tensor_spec *items)
{
    const srnn_config *c = &m->config;
    uint32_t d = c->dim, q = c->q_levels, f = c->frame_size;
    spec_list list = {items, 0}, *specs = &list;
    m->big_frame.frame = c->big_frame_size;
    m->big_frame.ratio = c->big_frame_size / f;
    m->frame.frame = f;
    m->frame.ratio = f;
    tier_specs(specs, &m->big_frame, "big_frame", c);
    tier_specs(specs, &m->frame, "frame", c);
    const char *mlp = "sample_mlp";
    SPEC(&m->embedding, mlp, "embedding", q, q);
    SPEC(&m->conv_kernel, mlp, "input/kernel", f, q, d);
    SPEC(&m->hidden1_kernel, mlp, "hidden1/kernel", d, d);
    SPEC(&m->hidden1_bias, mlp, "hidden1/bias", d);
    SPEC(&m->hidden2_kernel, mlp, "hidden2/kernel", d, d);
    SPEC(&m->hidden2_bias, mlp, "hidden2/bias", d);
    SPEC(&m->output_kernel, mlp, "output/kernel", d, q);
    SPEC(&m->output_bias, mlp, "output/bias", q);
    return list.count;
}

/* The public enumeration works on a scratch model: the list is short and this is not the
 * audio path. */
size_t srnn_config_tensor_count(const srnn_config *config)
{
    if (srnn_config_check(config, NULL) != SRNN_OK) return 0;
    srnn_model *scratch = calloc(1, sizeof *scratch);
    srnn_tensor_spec *specs = calloc(SRNN_MAX_TENSORS, sizeof *specs);
    size_t count = 0;
    if (scratch && specs) {
        scratch->config = *config;
        count = srnn_tensor_specs(scratch, specs);
    }
    free(specs);
    free(scratch);
    return count;
}

srnn_status srnn_config_tensor(const srnn_config *config, size_t index, srnn_tensor_info *info)
{
    if (srnn_config_check(config, NULL) != SRNN_OK) return SRNN_ERR_CONFIG;
    srnn_model *scratch = calloc(1, sizeof *scratch);
    srnn_tensor_spec *specs = calloc(SRNN_MAX_TENSORS, sizeof *specs);
    srnn_status status = SRNN_ERR_NOMEM;
    if (scratch && specs) {
        scratch->config = *config;
        status = index < srnn_tensor_specs(scratch, specs) ? SRNN_OK : SRNN_ERR_ARGUMENT;
        if (status == SRNN_OK) *info = specs[index].info;
    }
    free(specs);
    free(scratch);
    return status;
}

const float *srnn_model_tensor(const srnn_model *model, const char *name, srnn_tensor_info *info)
{
    srnn_model *scratch = calloc(1, sizeof *scratch);
    srnn_tensor_spec *specs = calloc(SRNN_MAX_TENSORS, sizeof *specs);
    const float *data = NULL;
    if (scratch && specs) {
        *scratch = *model; /* the pointers are the loaded model's */
        size_t count = srnn_tensor_specs(scratch, specs);
        for (size_t i = 0; i < count && !data; i++)
            if (strcmp(specs[i].info.name, name) == 0) {
                data = *specs[i].target;
                if (info) *info = specs[i].info;
            }
    }
    free(specs);
    free(scratch);
    return data;
}
