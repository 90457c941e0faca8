/* Pruning in the pieces the engine runs (prune.h), and the factors of the products the engine
 * multiplies out at load time (model.h): where the pruned factors would run unfolded, srnn
 * convert --density prunes them too, so that the pruned model reads the bytes it saves. The
 * same cost model as prepare.c's decision (srnn_matrix_bytes_kept, srnn_unfold_pays), with the
 * density the pruning will leave. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dtype.h"
#include "format.h"
#include "model.h"
#include "prune.h"
#include "sparse.h"

/* Whether an upsampling of ratio (D, D) matrices and a (D, out) map after it, both pruned to
 * density, run unfolded at dtype. */
static bool unfolds(uint32_t d, uint32_t out, uint32_t ratio, srnn_dtype dtype, double density)
{
    size_t up_pieces = (d + 3) / 4 * (size_t)((d + 7) / 8), follow_pieces = (d + 3) / 4 * (size_t)((out + 7) / 8);
    size_t up = srnn_matrix_bytes_kept(d, d, dtype, (size_t)ceil(density * (double)up_pieces));
    size_t follow = srnn_matrix_bytes_kept(d, out, dtype, (size_t)ceil(density * (double)follow_pieces));
    return srnn_unfold_pays(ratio * up, follow, srnn_matrix_bytes_kept(d, out, dtype, SIZE_MAX), ratio);
}

static srnn_tensor_info matrix_info(uint32_t rows, uint32_t columns)
{
    srnn_tensor_info info = {"", 2, {rows, columns, 0, 0}, (uint64_t)rows * columns};
    return info;
}

bool srnn_prune_runs_as_stored(const char *name)
{
    const char *layer = strstr(name, "/layer_");
    if (strcmp(name, "sample_mlp/hidden2/kernel") == 0 || strcmp(name, "sample_mlp/output/kernel") == 0)
        return true;
    if (!layer) return false;
    const char *leaf = strchr(layer + 1, '/');
    return strcmp(leaf, "/recurrent_kernel") == 0 || strcmp(leaf, "/skip_out/kernel") == 0 ||
           (strcmp(leaf, "/kernel") == 0 && strncmp(layer, "/layer_0/", 9) != 0);
}

srnn_prune_kind srnn_prune_kind_of(const char *name)
{
    if (strcmp(name, "big_frame/upsample") == 0 || strcmp(name, "frame/upsample") == 0)
        return SRNN_PRUNE_UPSAMPLING;
    if (strncmp(name, "sample_mlp/", 11) == 0)
        return srnn_prune_runs_as_stored(name) || strcmp(name, "sample_mlp/hidden1/kernel") == 0
                   ? SRNN_PRUNE_MLP
                   : SRNN_PRUNE_NONE;
    if (srnn_prune_runs_as_stored(name) || strcmp(name, "frame/rnn/layer_0/kernel") == 0)
        return SRNN_PRUNE_RNN;
    return SRNN_PRUNE_NONE;
}

/* A matrix pruned as stored, with its elements' keep flags. */
static srnn_status prune_matrix(const srnn_tensor_info *info, const float *x, double density,
                                float *pruned, uint8_t *keep)
{
    uint8_t *mask = malloc(srnn_format_mask_bytes(info));
    if (!mask) return SRNN_ERR_NOMEM;
    srnn_status status = srnn_format_prune(info, x, density, pruned, mask);
    for (uint64_t i = 0; keep && i < info->count; i++) keep[i] = (uint8_t)srnn_format_kept(info, mask, i);
    free(mask);
    return status;
}

/* The upsampling (R, D out, D in) pruned in the pieces the engine runs: those of U_j^T (4
 * inputs x 8 outputs). */
static srnn_status prune_upsampling(float *pruned, uint8_t *keep, const float *upsample, uint32_t ratio,
                                    uint32_t d, double density)
{
    srnn_tensor_info info = matrix_info(d, d);
    float *t = malloc((size_t)d * d * sizeof *t), *p = malloc((size_t)d * d * sizeof *p);
    uint8_t *kept = malloc((size_t)d * d);
    srnn_status status = t && p && kept ? SRNN_OK : SRNN_ERR_NOMEM;
    for (uint32_t j = 0; j < ratio && status == SRNN_OK; j++) {
        const float *u = upsample + (size_t)j * d * d;
        for (size_t o = 0; o < d; o++)
            for (size_t i = 0; i < d; i++) t[i * d + o] = u[o * d + i];
        status = prune_matrix(&info, t, density, p, kept);
        size_t at = (size_t)j * d * d;
        for (size_t o = 0; o < d && status == SRNN_OK; o++)
            for (size_t i = 0; i < d; i++) {
                pruned[at + o * d + i] = p[i * d + o];
                if (keep) keep[at + o * d + i] = kept[i * d + o];
            }
    }
    free(t);
    free(p);
    free(kept);
    return status;
}

/* Layer 0's kernel (I, GD): with skip connections the engine runs the sum of its two halves
 * (prepare.c), so both keep the pieces where the sum is largest and the sum keeps the density. */
static srnn_status prune_layer0(float *pruned, uint8_t *keep, const float *k, uint32_t d, uint32_t gd,
                                bool skip, double density)
{
    srnn_tensor_info info = matrix_info(d, gd);
    float *sum = malloc(info.count * sizeof *sum), *p = malloc(info.count * sizeof *p);
    uint8_t *kept = malloc(info.count);
    srnn_status status = sum && p && kept ? SRNN_OK : SRNN_ERR_NOMEM;
    if (status == SRNN_OK) {
        for (uint64_t i = 0; i < info.count; i++) sum[i] = skip ? k[i] + k[info.count + i] : k[i];
        status = prune_matrix(&info, sum, density, p, kept);
    }
    for (uint64_t i = 0; i < info.count && status == SRNN_OK; i++)
        for (uint64_t half = 0; half < (skip ? 2u : 1u); half++) {
            uint64_t at = half * info.count + i;
            pruned[at] = kept[i] ? k[at] : 0.0f;
            if (keep) keep[at] = kept[i];
        }
    free(sum);
    free(p);
    free(kept);
    return status;
}

srnn_status srnn_prune_tensor(const srnn_config *config, const srnn_tensor_info *info,
                              const float *x, double density, float *pruned, uint8_t *keep)
{
    uint32_t d = config->dim, gd = srnn_gates(config->rnn_type) * d;
    if (strstr(info->name, "/upsample"))
        return prune_upsampling(pruned, keep, x, (uint32_t)info->shape[0], d, density);
    if (strcmp(info->name, "frame/rnn/layer_0/kernel") == 0)
        return prune_layer0(pruned, keep, x, d, gd, config->skip_conn, density);
    return prune_matrix(info, x, density, pruned, keep);
}

srnn_status srnn_prune_factors(const srnn_config *config, const float *const *tensors,
                               srnn_precision precision, srnn_precision sample_precision,
                               double density, float **pruned, char error[SRNN_ERROR_MAX])
{
    size_t count = srnn_config_tensor_count(config);
    for (size_t i = 0; i < count; i++) pruned[i] = NULL;
    if (!(density > 0.0 && density <= 1.0))
        return srnn_fail(error, SRNN_ERR_ARGUMENT, "density %g is not in (0, 1]", density);
    if (precision <= SRNN_PRECISION_AUTO || precision > SRNN_PRECISION_I4 ||
        sample_precision < SRNN_PRECISION_AUTO || sample_precision > SRNN_PRECISION_I4)
        return srnn_fail(error, SRNN_ERR_ARGUMENT, "precisions %d/%d: the ones the model will run at",
                         (int)precision, (int)sample_precision);
    if (sample_precision == SRNN_PRECISION_AUTO) sample_precision = precision;
    uint32_t d = config->dim, gd = srnn_gates(config->rnn_type) * d;
    uint32_t f = config->frame_size, ratio = config->big_frame_size / config->frame_size;
    bool big = density < 1.0 && unfolds(d, gd, ratio, srnn_precision_dtype(precision), density);
    bool frame = density < 1.0 && unfolds(d, d, f, srnn_precision_dtype(sample_precision), density);
    srnn_status status = SRNN_OK;
    for (size_t i = 0; i < count && status == SRNN_OK; i++) {
        srnn_tensor_info info;
        srnn_config_tensor(config, i, &info);
        bool big_factor = strcmp(info.name, "big_frame/upsample") == 0 ||
                          strcmp(info.name, "frame/rnn/layer_0/kernel") == 0;
        bool frame_factor = strcmp(info.name, "frame/upsample") == 0 ||
                            strcmp(info.name, "sample_mlp/hidden1/kernel") == 0;
        if (!(big && big_factor) && !(frame && frame_factor)) continue;
        pruned[i] = malloc(info.count * sizeof *pruned[i]);
        status = pruned[i] ? srnn_prune_tensor(config, &info, tensors[i], density, pruned[i], NULL)
                           : SRNN_ERR_NOMEM;
        if (status != SRNN_OK) srnn_fail(error, status, "out of memory pruning '%s'", info.name);
    }
    if (status != SRNN_OK)
        for (size_t i = 0; i < count; i++) {
            free(pruned[i]);
            pruned[i] = NULL;
        }
    return status;
}
