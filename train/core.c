#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

bool train_core_create(train_core *core, const srnn_config *config, size_t batch,
                       train_optimizer_kind kind, double learning_rate, double momentum,
                       char error[SRNN_ERROR_MAX])
{
    memset(core, 0, sizeof *core);
    if (train_layout_init(&core->layout, config, error) != SRNN_OK) return false;
    core->batch = batch;
    core->params = train_block_alloc(&core->layout);
    core->grads = train_block_alloc(&core->layout);
    core->net = train_net_create(config, batch);
    bool ok =
        core->params && core->grads && core->net &&
        train_optimizer_create(&core->opt, kind, learning_rate, momentum, core->layout.floats);
    if (!ok) {
        snprintf(error, SRNN_ERROR_MAX, "out of memory for the model's training state");
        train_core_free(core);
        return false;
    }
    train_weights_bind(&core->layout, core->params, &core->w);
    train_weights_bind(&core->layout, core->grads, &core->g);
    return true;
}

void train_core_free(train_core *core)
{
    free(core->params);
    free(core->grads);
    free(core->mask);
    train_optimizer_free(&core->opt);
    train_net_free(core->net);
    memset(core, 0, sizeof *core);
}

train_step_result train_core_evaluate(train_core *core, const int32_t *inputs, bool reset_states)
{
    train_step_result r = {0};
    r.count = (uint64_t)core->batch * core->layout.config.seq_len;
    r.loss_sum = train_net_forward(core->net, &core->w, inputs, reset_states, &r.correct);
    r.finite = isfinite(r.loss_sum);
    return r;
}

train_step_result train_core_gradients(train_core *core, const int32_t *inputs, bool reset_states)
{
    train_step_result r = train_core_evaluate(core, inputs, reset_states);
    memset(core->grads, 0, core->layout.floats * sizeof(float));
    train_net_backward(core->net, &core->w, &core->g);
    if (core->mask)
        for (size_t i = 0; i < core->layout.floats; i++) core->grads[i] *= core->mask[i];
    return r;
}

void train_core_apply(train_core *core, train_step_result *r)
{
    r->grad_norm = train_clip_global_norm(core->grads, core->layout.floats, TRAIN_CLIP_NORM);
    r->finite = r->finite && isfinite(r->grad_norm);
    if (r->finite) train_optimizer_update(&core->opt, core->params, core->grads);
}

train_step_result train_core_step(train_core *core, const int32_t *inputs, bool reset_states)
{
    train_step_result r = train_core_gradients(core, inputs, reset_states);
    train_core_apply(core, &r);
    return r;
}

bool train_core_load_params(train_core *core, const srnn_model *model, char error[SRNN_ERROR_MAX])
{
    const srnn_config *a = srnn_model_config(model), *b = &core->layout.config;
    bool same = a->frame_size == b->frame_size && a->big_frame_size == b->big_frame_size &&
                a->dim == b->dim && a->num_rnn_layers == b->num_rnn_layers &&
                a->rnn_type == b->rnn_type && a->q_type == b->q_type &&
                a->q_levels == b->q_levels && a->skip_conn == b->skip_conn;
    if (!same) {
        snprintf(error, SRNN_ERROR_MAX, "the model's configuration differs from the training one");
        return false;
    }
    for (size_t i = 0; i < core->layout.count; i++) {
        const float *data = srnn_model_tensor(model, core->layout.info[i].name, NULL);
        if (!data) {
            snprintf(error, SRNN_ERROR_MAX, "the model has no tensor %s",
                     core->layout.info[i].name);
            return false;
        }
        memcpy(core->params + core->layout.offset[i], data,
               core->layout.info[i].count * sizeof(float));
    }
    return true;
}

srnn_status train_core_write_model(const train_core *core, const char *path, const char *metadata,
                                   char error[SRNN_ERROR_MAX])
{
    const float *tensors[TRAIN_MAX_TENSORS];
    for (size_t i = 0; i < core->layout.count; i++)
        tensors[i] = core->params + core->layout.offset[i];
    /* pruned matrices' zero pieces are stored block-sparse: the engine plays the sparse model */
    return srnn_model_write_sparse(path, &core->layout.config, tensors, metadata,
                                   SRNN_PRECISION_F32, SRNN_PRECISION_AUTO, error);
}
