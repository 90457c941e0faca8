#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optimizer.h"
#include "tensor_ops.h"

#define ADAM_BETA1 0.9
#define ADAM_BETA2 0.999
#define ADAM_EPSILON 1e-4 /* train.py's create_adam_optimizer */
#define RMSPROP_RHO 0.9
#define RMSPROP_EPSILON 1e-5

static const char *const names[] = {"adam", "sgd", "rmsprop"};

bool train_optimizer_parse(const char *name, train_optimizer_kind *kind)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(name, names[i]) == 0) {
            *kind = (train_optimizer_kind)i;
            return true;
        }
    return false;
}

const char *train_optimizer_name(train_optimizer_kind kind) { return names[kind]; }

bool train_optimizer_create(train_optimizer *opt, train_optimizer_kind kind, double learning_rate,
                            double momentum, size_t floats)
{
    memset(opt, 0, sizeof *opt);
    opt->kind = kind;
    opt->learning_rate = learning_rate;
    opt->momentum = momentum;
    opt->floats = floats;
    opt->m = train_floats(floats);
    opt->v = train_floats(floats);
    if (!opt->m || !opt->v) {
        train_optimizer_free(opt);
        return false;
    }
    return true;
}

void train_optimizer_free(train_optimizer *opt)
{
    free(opt->m);
    free(opt->v);
    opt->m = opt->v = NULL;
}

double train_clip_global_norm(float *grads, size_t floats, double max_norm)
{
    double norm = sqrt(train_sum_squares(grads, floats));
    if (isfinite(norm) && norm > max_norm) {
        float scale = (float)(max_norm / norm);
        for (size_t i = 0; i < floats; i++) grads[i] *= scale;
    }
    return norm;
}

void train_optimizer_update(train_optimizer *opt, float *restrict p, const float *restrict g)
{
    size_t n = opt->floats;
    float *restrict m = opt->m, *restrict v = opt->v;
    float lr = (float)opt->learning_rate, momentum = (float)opt->momentum;
    opt->step++;
    switch (opt->kind) {
    case TRAIN_ADAM: {
        double t = (double)opt->step;
        float alpha = (float)(opt->learning_rate * sqrt(1.0 - pow(ADAM_BETA2, t)) /
                              (1.0 - pow(ADAM_BETA1, t)));
        const float one_minus_b1 = (float)(1.0 - ADAM_BETA1),
                    one_minus_b2 = (float)(1.0 - ADAM_BETA2);
        const float eps = (float)ADAM_EPSILON;
        for (size_t i = 0; i < n; i++) {
            m[i] += (g[i] - m[i]) * one_minus_b1;
            v[i] += (g[i] * g[i] - v[i]) * one_minus_b2;
            p[i] -= alpha * m[i] / (sqrtf(v[i]) + eps);
        }
        break;
    }
    case TRAIN_SGD:
        for (size_t i = 0; i < n; i++) {
            m[i] = momentum * m[i] - lr * g[i];
            p[i] += m[i];
        }
        break;
    case TRAIN_RMSPROP: {
        const float one_minus_rho = (float)(1.0 - RMSPROP_RHO), eps = (float)RMSPROP_EPSILON;
        for (size_t i = 0; i < n; i++) {
            m[i] += (g[i] * g[i] - m[i]) * one_minus_rho;
            if (momentum > 0.0f) {
                v[i] = momentum * v[i] + lr * g[i] / sqrtf(m[i] + eps);
                p[i] -= v[i];
            } else {
                p[i] -= lr * g[i] / (sqrtf(m[i]) + eps);
            }
        }
        break;
    }
    }
}
