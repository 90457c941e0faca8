/* The optimisers PRiSM's train.py offers, with Keras' (TF 2 optimizer_v2) update rules, and
 * clipping to a global norm. They run over whole parameter blocks (layout.h). */
#ifndef TRAIN_OPTIMIZER_H
#define TRAIN_OPTIMIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { TRAIN_ADAM = 0, TRAIN_SGD = 1, TRAIN_RMSPROP = 2 } train_optimizer_kind;

typedef struct {
    train_optimizer_kind kind;
    double learning_rate;
    double momentum; /* SGD and RMSprop */
    uint64_t step;   /* updates applied so far */
    size_t floats;   /* length of each block */
    float *m;        /* Adam first moment; SGD velocity; RMSprop mean square */
    float *v;        /* Adam second moment; RMSprop momentum */
} train_optimizer;

/* Parses "adam", "sgd" or "rmsprop"; false for anything else. */
bool train_optimizer_parse(const char *name, train_optimizer_kind *kind);
const char *train_optimizer_name(train_optimizer_kind kind);

/* Zeroed moments for blocks of floats floats; false when out of memory. */
bool train_optimizer_create(train_optimizer *opt, train_optimizer_kind kind, double learning_rate,
                            double momentum, size_t floats);
void train_optimizer_free(train_optimizer *opt);

/* Scales grads so that their global L2 norm is at most max_norm (tf.clip_by_global_norm) and
 * returns the norm before clipping (not finite when a gradient is not). */
double train_clip_global_norm(float *grads, size_t floats, double max_norm);

/* One update of params with grads:
 *   Adam (beta 0.9, 0.999, epsilon 1e-4 as PRiSM sets it): m += (g - m)(1 - b1),
 *     v += (g² - v)(1 - b2), p -= lr·sqrt(1 - b2^t)/(1 - b1^t) · m / (sqrt(v) + eps)
 *   SGD: m = momentum·m - lr·g, p += m
 *   RMSprop (rho 0.9, epsilon 1e-5): ms += (g² - ms)(1 - rho); with momentum
 *     v = momentum·v + lr·g / sqrt(ms + eps), p -= v; without, p -= lr·g / (sqrt(ms) + eps) */
void train_optimizer_update(train_optimizer *opt, float *params, const float *grads);

#endif
