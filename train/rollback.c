#include <stdlib.h>
#include <string.h>

#include "rollback.h"

bool train_rollback_create(train_rollback *r, const train_core *core)
{
    size_t bytes = core->layout.floats * sizeof(float);
    r->params = malloc(bytes);
    r->m = malloc(bytes);
    r->v = malloc(bytes);
    r->mask = core->mask ? malloc(bytes) : NULL;
    r->opt_step = 0;
    return r->params && r->m && r->v && (r->mask || !core->mask);
}

void train_rollback_free(train_rollback *r)
{
    free(r->params);
    free(r->m);
    free(r->v);
    free(r->mask);
    r->params = r->m = r->v = r->mask = NULL;
}

void train_rollback_save(train_rollback *r, const train_core *core)
{
    size_t bytes = core->layout.floats * sizeof(float);
    memcpy(r->params, core->params, bytes);
    memcpy(r->m, core->opt.m, bytes);
    memcpy(r->v, core->opt.v, bytes);
    if (r->mask) memcpy(r->mask, core->mask, bytes);
    r->opt_step = core->opt.step;
}

void train_rollback_restore(const train_rollback *r, train_core *core)
{
    size_t bytes = core->layout.floats * sizeof(float);
    memcpy(core->params, r->params, bytes);
    memcpy(core->opt.m, r->m, bytes);
    memcpy(core->opt.v, r->v, bytes);
    if (r->mask) memcpy(core->mask, r->mask, bytes);
    core->opt.step = r->opt_step;
}
