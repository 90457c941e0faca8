/* The baseline of the speed benchmark: the same model generated the plain way, one OpenBLAS
 * sgemv per Dense layer on the file's weights as they are (no folds, no spreading; the
 * embedding and input convolution as a table, which any implementation does), libm's
 * activations and a float64 softmax draw. GRU models without skip connections only (the
 * benchmark's own). */
#ifndef SRNN_SPEED_BLAS_H
#define SRNN_SPEED_BLAS_H

#include <stddef.h>
#include <stdint.h>

#include "srnn.h"

typedef struct blas_voice blas_voice;

/* NULL when out of memory or the model is not a GRU without skip connections. */
blas_voice *blas_voice_create(const srnn_model *model, uint64_t seed);
void blas_voice_generate(blas_voice *voice, float temperature, int32_t *samples, size_t count);
void blas_voice_free(blas_voice *voice);

#endif
