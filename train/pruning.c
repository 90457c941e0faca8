#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pruning.h"
#include "tensor_ops.h"

void train_prune_defaults(train_prune_options *o)
{
    for (int k = 0; k < SRNN_PRUNE_KINDS; k++) o->density[k] = 1.0;
    o->start = 0;
    o->end = 10000;
    o->every = 100;
}

bool train_prune_active(const train_prune_options *o)
{
    for (int k = 0; k < SRNN_PRUNE_KINDS; k++)
        if (o->density[k] < 1.0) return true;
    return false;
}

double train_prune_density(const train_prune_options *o, srnn_prune_kind kind, uint64_t step)
{
    double final = o->density[kind];
    if (step <= o->start) return 1.0;
    if (step >= o->end) return final;
    double left = 1.0 - (double)(step - o->start) / (double)(o->end - o->start);
    return 1.0 - (1.0 - final) * (1.0 - left * left * left);
}

bool train_prune_due(const train_prune_options *o, uint64_t step)
{
    return train_prune_active(o) && step >= o->start && step <= o->end &&
           ((step - o->start) % o->every == 0 || step == o->end);
}

bool train_prune_begin(train_core *core)
{
    core->mask = train_floats(core->layout.floats);
    if (!core->mask) return false;
    for (size_t i = 0; i < core->layout.floats; i++) core->mask[i] = 1.0f;
    return true;
}

bool train_prune(train_core *core, const train_prune_options *o, uint64_t step)
{
    const train_layout *layout = &core->layout;
    size_t largest = 0;
    for (size_t i = 0; i < layout->count; i++)
        if (layout->info[i].count > largest) largest = layout->info[i].count;
    float *pruned = malloc(largest * sizeof *pruned);
    uint8_t *keep = malloc(largest);
    bool ok = pruned && keep;
    for (size_t i = 0; i < layout->count && ok; i++) {
        const srnn_tensor_info *info = &layout->info[i];
        srnn_prune_kind kind = srnn_prune_kind_of(info->name);
        if (kind == SRNN_PRUNE_NONE || o->density[kind] >= 1.0) continue;
        size_t at = layout->offset[i];
        ok = srnn_prune_tensor(&layout->config, info, core->params + at,
                               train_prune_density(o, kind, step), pruned, keep) == SRNN_OK;
        for (uint64_t e = 0; e < info->count && ok; e++) {
            float m = keep[e] ? 1.0f : 0.0f;
            core->mask[at + e] = m;
            core->params[at + e] = pruned[e];
            core->opt.m[at + e] *= m;
            core->opt.v[at + e] *= m;
        }
    }
    free(pruned);
    free(keep);
    return ok;
}

double train_prune_kept(const train_core *core)
{
    if (!core->mask) return 1.0;
    const train_layout *layout = &core->layout;
    double kept = 0.0, all = 0.0;
    for (size_t i = 0; i < layout->count; i++) {
        if (srnn_prune_kind_of(layout->info[i].name) == SRNN_PRUNE_NONE) continue;
        const float *m = core->mask + layout->offset[i];
        for (uint64_t e = 0; e < layout->info[i].count; e++) kept += m[e];
        all += (double)layout->info[i].count;
    }
    return all > 0.0 ? kept / all : 1.0;
}
