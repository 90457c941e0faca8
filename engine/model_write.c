/* Writing .srnn files (models/FORMAT.md): tensors in the config's order, each 64-aligned,
 * metadata at the end. Atomic (atomic_file.h): a temporary file beside the target, fsync,
 * rename, fsync of the directory, so a crash leaves either the old file or the complete new one. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "atomic_file.h"
#include "dtype.h"
#include "format.h"
#include "prune.h"
#include "tensor_specs.h"


static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)v);
    put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t align_up(uint64_t x) { return (x + SRNN_FORMAT_ALIGNMENT - 1) / SRNN_FORMAT_ALIGNMENT * SRNN_FORMAT_ALIGNMENT; }

static srnn_status check_metadata(const char *text, size_t size, char *error)
{
    if (size > SRNN_FORMAT_MAX_METADATA) return srnn_fail(error, SRNN_ERR_ARGUMENT, "metadata exceeds 1 MiB");
    if (size > 0 && text[size - 1] != '\n')
        return srnn_fail(error, SRNN_ERR_ARGUMENT, "metadata does not end with a newline");
    for (const char *line = text; line < text + size; line = strchr(line, '\n') + 1) {
        const char *equals = strchr(line, '='), *end = strchr(line, '\n');
        if (!equals || equals == line || equals > end)
            return srnn_fail(error, SRNN_ERR_ARGUMENT, "metadata line '%.*s' is not key=value",
                        (int)(end - line), line);
    }
    return SRNN_OK;
}

/* The weights' dtypes: the frame tiers' and the sample MLP's. */
typedef struct {
    srnn_dtype frame, sample;
} tier_dtypes;

/* A tensor's dtype: its tier's, but biases stay float32 (few, and added as they are), and
 * int4 stores at int8 the tensors the engine folds into others at load time (models/FORMAT.md:
 * their products are rounded to int4 again, and a first rounding at int4 would add to it) and
 * those the engine runs at int8 in an int4 model (prepare.c: the recurrent kernels and the
 * output layer). */
static srnn_dtype stored_dtype(const srnn_tensor_info *info, tier_dtypes weights)
{
    const char *leaf = strrchr(info->name, '/');
    if (leaf && strcmp(leaf, "/bias") == 0) return SRNN_DTYPE_F32;
    srnn_dtype dtype = strncmp(info->name, "sample_mlp/", 11) == 0 ? weights.sample : weights.frame;
    bool folded = strstr(info->name, "/upsample") || strstr(info->name, "/input/kernel") ||
                  strstr(info->name, "layer_0/kernel") || strcmp(info->name, "sample_mlp/embedding") == 0 ||
                  strcmp(info->name, "sample_mlp/hidden1/kernel") == 0;
    bool spared = strstr(info->name, "/recurrent_kernel") || strcmp(info->name, "sample_mlp/output/kernel") == 0;
    return dtype == SRNN_DTYPE_I4 && (folded || spared) ? SRNN_DTYPE_I8 : dtype;
}

static void put_f32(uint8_t *p, float x)
{
    uint32_t bits;
    memcpy(&bits, &x, 4);
    put_u32(p, bits);
}

/* The int4 scales of a tensor in version 4's groups (format.h): SRNN_FORMAT_I4_GROUP rows of
 * each column, as srnn_i4_group_scale chooses them. */
static void i4_group_scales(float *scale, const float *x, const srnn_tensor_info *info)
{
    uint64_t rows, columns;
    srnn_format_i4_matrix(info, &rows, &columns);
    uint64_t groups = srnn_format_i4_groups(rows);
    for (uint64_t m = 0; m < info->count / (rows * columns); m++)
        for (uint64_t g = 0; g < groups; g++) {
            uint64_t first = g * SRNN_FORMAT_I4_GROUP;
            uint64_t n = rows - first < SRNN_FORMAT_I4_GROUP ? rows - first : SRNN_FORMAT_I4_GROUP;
            for (uint64_t c = 0; c < columns; c++)
                scale[(m * groups + g) * columns + c] =
                    srnn_i4_group_scale(x + (m * rows + first) * columns + c, columns, (size_t)n);
        }
}

/* A tensor's float32 values as dtype at p (models/FORMAT.md, in a file of version), p
 * zeroed: its scales, then with a mask (block-sparse) the mask and the elements of the kept
 * pieces, else every element. */
static srnn_status store_tensor(uint8_t *p, const float *x, const srnn_tensor_info *info,
                                srnn_dtype dtype, uint32_t version, const uint8_t *mask, char *error)
{
    uint64_t row_length = info->shape[info->ndim - 1], rows = info->count / row_length, at = 0;
    float *i4_scale = NULL; /* int4 (written in version 4 only): its groups' scales */
    if (dtype == SRNN_DTYPE_I4) {
        uint64_t scales = srnn_format_i4_scales(info, version);
        i4_scale = malloc(scales * sizeof *i4_scale);
        if (!i4_scale) return srnn_fail(error, SRNN_ERR_NOMEM, "out of memory for tensor '%s''s scales", info->name);
        i4_group_scales(i4_scale, x, info);
        for (uint64_t g = 0; g < scales; g++) put_f32(p + 4 * g, i4_scale[g]);
    }
    uint8_t *values = p + srnn_format_scale_bytes(info, dtype, version);
    if (mask) {
        memcpy(values, mask, srnn_format_mask_bytes(info));
        values += srnn_format_mask_bytes(info);
    }
    for (uint64_t r = 0; r < rows; r++) {
        const float *row = x + r * row_length;
        float scale = 1.0f;
        if (dtype == SRNN_DTYPE_I8) {
            float max_abs = 0.0f;
            for (uint64_t k = 0; k < row_length; k++) max_abs = fmaxf(max_abs, fabsf(row[k]));
            scale = srnn_i8_scale(max_abs);
            put_f32(p + 4 * r, scale);
        }
        for (uint64_t k = 0; k < row_length; k++) {
            uint64_t i = r * row_length + k;
            uint32_t bits;
            if (mask && !srnn_format_kept(info, mask, i)) continue;
            switch (dtype) {
            case SRNN_DTYPE_F32:
                memcpy(&bits, &row[k], 4);
                put_u32(values + 4 * at, bits);
                break;
            case SRNN_DTYPE_F16:
            case SRNN_DTYPE_BF16: {
                uint16_t h = dtype == SRNN_DTYPE_F16 ? srnn_f32_to_f16(row[k]) : srnn_f32_to_bf16(row[k]);
                values[2 * at] = (uint8_t)h;
                values[2 * at + 1] = (uint8_t)(h >> 8);
                break;
            }
            case SRNN_DTYPE_I8: values[at] = (uint8_t)srnn_f32_to_i8(row[k], scale); break;
            case SRNN_DTYPE_I4: {
                float group_scale = i4_scale[srnn_format_i4_scale_index(info, version, i)];
                values[at / 2] |= (uint8_t)((srnn_f32_to_i4(row[k], group_scale) & 15) << (at % 2 * 4));
                break;
            }
            }
            at++;
        }
    }
    free(i4_scale);
    return SRNN_OK;
}

/* Bytes of a tensor as stored in a file of version: dense, or block-sparse with mask. */
static uint64_t stored_bytes(const srnn_tensor_info *info, srnn_dtype dtype, uint32_t version,
                             const uint8_t *mask)
{
    if (!mask) return srnn_format_tensor_bytes(info, dtype, version);
    return srnn_format_scale_bytes(info, dtype, version) + srnn_format_mask_bytes(info) +
           srnn_format_element_bytes(srnn_format_kept_elements(info, mask), dtype);
}

/* The whole file in memory: simple, and models are written rarely (export, checkpoints).
 * The lowest version that holds the dtypes, so files stay readable by older readers: 1 when
 * every tensor is float32, 2 for one dtype of its, 3 for the tiers in two dtypes, 4 for int4
 * (grouped as the engine groups it) or block-sparse tensors (masks[i] not NULL: tensor i is
 * stored block-sparse). */
static srnn_status encode(const srnn_config *c, const srnn_tensor_spec *specs, size_t count,
                          const float *const *tensors, const uint8_t *const *masks,
                          const char *metadata, tier_dtypes weights, uint8_t **out,
                          size_t *out_size, char *error)
{
    size_t metadata_size = metadata ? strlen(metadata) : 0;
    srnn_status status = check_metadata(metadata ? metadata : "", metadata_size, error);
    if (status != SRNN_OK) return status;
    bool sparse = false;
    for (size_t i = 0; i < count; i++) sparse |= masks[i] != NULL;
    bool int4 = weights.frame == SRNN_DTYPE_I4 || weights.sample == SRNN_DTYPE_I4;
    uint32_t version = sparse || int4                    ? 4
                       : weights.frame != weights.sample ? 3
                       : weights.frame != SRNN_DTYPE_F32 ? 2
                                                         : 1;
    uint64_t end = SRNN_FORMAT_HEADER_SIZE + (uint64_t)count * SRNN_FORMAT_ENTRY_SIZE;
    for (size_t i = 0; i < count; i++)
        end = align_up(end) + stored_bytes(&specs[i].info, stored_dtype(&specs[i].info, weights), version, masks[i]);
    uint64_t metadata_offset = metadata_size ? end : 0, file_size = end + metadata_size;
    if (file_size > SIZE_MAX) return srnn_fail(error, SRNN_ERR_NOMEM, "model too large for memory");
    uint8_t *bytes = calloc(1, (size_t)file_size);
    if (!bytes) return srnn_fail(error, SRNN_ERR_NOMEM, "out of memory for %llu bytes",
                            (unsigned long long)file_size);

    memcpy(bytes, SRNN_FORMAT_MAGIC, 8);
    put_u32(bytes + 8, version);
    if (version >= 2) put_u32(bytes + 100, (uint32_t)weights.frame); /* the precisions */
    if (version >= 3) put_u32(bytes + 104, (uint32_t)weights.sample);
    put_u32(bytes + 12, SRNN_FORMAT_HEADER_SIZE);
    put_u64(bytes + 16, file_size);
    put_u32(bytes + 28, (uint32_t)count);
    put_u64(bytes + 32, SRNN_FORMAT_HEADER_SIZE);
    put_u64(bytes + 40, metadata_offset);
    put_u64(bytes + 48, metadata_size);
    uint32_t fields[] = {c->sample_rate, c->frame_size, c->big_frame_size, c->dim,
                         c->num_rnn_layers, (uint32_t)c->rnn_type, (uint32_t)c->q_type,
                         c->q_levels, c->skip_conn, c->seq_len, c->emb_size};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) put_u32(bytes + 56 + 4 * i, fields[i]);

    uint64_t offset = SRNN_FORMAT_HEADER_SIZE + (uint64_t)count * SRNN_FORMAT_ENTRY_SIZE;
    for (size_t i = 0; i < count && status == SRNN_OK; i++) {
        const srnn_tensor_info *info = &specs[i].info;
        uint8_t *entry = bytes + SRNN_FORMAT_HEADER_SIZE + i * SRNN_FORMAT_ENTRY_SIZE;
        memcpy(entry, info->name, strlen(info->name));
        srnn_dtype dtype = stored_dtype(info, weights);
        put_u32(entry + 56, (uint32_t)dtype | (masks[i] ? SRNN_FORMAT_SPARSE : 0));
        put_u32(entry + 60, info->ndim);
        for (int k = 0; k < 4; k++) put_u32(entry + 64 + 4 * k, info->shape[k]);
        offset = align_up(offset);
        put_u64(entry + 80, offset);
        put_u64(entry + 88, stored_bytes(info, dtype, version, masks[i]));
        for (uint64_t k = 0; k < info->count; k++)
            if (!isfinite(tensors[i][k])) {
                status = srnn_fail(error, SRNN_ERR_VALUE, "tensor '%s' element %llu is not finite",
                              info->name, (unsigned long long)k);
                break;
            }
        if (status == SRNN_OK) status = store_tensor(bytes + offset, tensors[i], info, dtype, version, masks[i], error);
        offset += stored_bytes(info, dtype, version, masks[i]);
    }
    if (metadata_size) memcpy(bytes + offset, metadata, metadata_size);
    put_u32(bytes + 24, (uint32_t)crc32_z(crc32(0L, Z_NULL, 0), bytes, (size_t)file_size));
    if (status != SRNN_OK) {
        free(bytes);
        return status;
    }
    *out = bytes;
    *out_size = (size_t)file_size;
    return SRNN_OK;
}

srnn_status srnn_model_write(const char *path, const srnn_config *config,
                             const float *const *tensors, const char *metadata,
                             char error[SRNN_ERROR_MAX])
{
    return srnn_model_write_with(path, config, tensors, metadata, SRNN_PRECISION_F32, error);
}

srnn_status srnn_model_write_with(const char *path, const srnn_config *config,
                                  const float *const *tensors, const char *metadata,
                                  srnn_precision precision, char error[SRNN_ERROR_MAX])
{
    return srnn_model_write_tiers(path, config, tensors, metadata, precision, SRNN_PRECISION_AUTO,
                                  error);
}

/* The model at path, the matrices the engine runs as stored pruned to density (1: as they
 * are); with zero_pieces_sparse, each of them whose zeros fill whole pieces (pruned now or
 * before, as sparse training leaves them) is stored block-sparse without those pieces. */
static srnn_status write_model(const char *path, const srnn_config *config,
                               const float *const *tensors, const char *metadata,
                               srnn_precision precision, srnn_precision sample_precision,
                               double density, bool zero_pieces_sparse, char error[SRNN_ERROR_MAX])
{
    if (precision < SRNN_PRECISION_AUTO || precision > SRNN_PRECISION_I4)
        return srnn_fail(error, SRNN_ERR_ARGUMENT, "unknown precision %d", (int)precision);
    if (sample_precision < SRNN_PRECISION_AUTO || sample_precision > SRNN_PRECISION_I4)
        return srnn_fail(error, SRNN_ERR_ARGUMENT, "unknown sample precision %d", (int)sample_precision);
    if (!(density > 0.0 && density <= 1.0))
        return srnn_fail(error, SRNN_ERR_ARGUMENT, "density %g is not in (0, 1]", density);
    if (sample_precision == SRNN_PRECISION_AUTO) sample_precision = precision;
    tier_dtypes weights = {srnn_precision_dtype(precision), srnn_precision_dtype(sample_precision)};
    srnn_status status = srnn_config_check(config, error);
    if (status != SRNN_OK) return status;
    srnn_model *scratch = calloc(1, sizeof *scratch);
    srnn_tensor_spec *specs = calloc(SRNN_MAX_TENSORS, sizeof *specs);
    const float **stored = calloc(SRNN_MAX_TENSORS, sizeof *stored);
    float **pruned = calloc(SRNN_MAX_TENSORS, sizeof *pruned);
    uint8_t **masks = calloc(SRNN_MAX_TENSORS, sizeof *masks);
    uint8_t *bytes = NULL;
    size_t size = 0, count = 0;
    if (!scratch || !specs || !stored || !pruned || !masks) status = srnn_fail(error, SRNN_ERR_NOMEM, "out of memory");
    if (status == SRNN_OK) {
        scratch->config = *config;
        count = srnn_tensor_specs(scratch, specs);
    }
    for (size_t i = 0; i < count && status == SRNN_OK; i++) {
        const srnn_tensor_info *info = &specs[i].info;
        stored[i] = tensors[i];
        if (!(density < 1.0 || zero_pieces_sparse) || !srnn_prune_runs_as_stored(info->name)) continue;
        masks[i] = malloc(srnn_format_mask_bytes(info));
        if (density < 1.0) {
            pruned[i] = malloc(info->count * sizeof **pruned);
            if (!pruned[i] || !masks[i] || srnn_format_prune(info, tensors[i], density, pruned[i], masks[i]) != SRNN_OK)
                status = srnn_fail(error, SRNN_ERR_NOMEM, "out of memory pruning '%s'", info->name);
            stored[i] = pruned[i];
        } else if (!masks[i]) {
            status = srnn_fail(error, SRNN_ERR_NOMEM, "out of memory");
        } else if (srnn_format_nonzero_pieces(info, tensors[i], masks[i]) == srnn_format_pieces(info)) {
            free(masks[i]); /* nothing to leave out: dense */
            masks[i] = NULL;
        }
    }
    if (status == SRNN_OK)
        status = encode(config, specs, count, stored, (const uint8_t *const *)masks, metadata, weights,
                        &bytes, &size, error);
    if (status == SRNN_OK) status = srnn_atomic_file_put(path, bytes, size, error, SRNN_ERROR_MAX);
    for (size_t i = 0; i < count; i++) {
        free(pruned[i]);
        free(masks[i]);
    }
    free(bytes);
    free(masks);
    free(pruned);
    free(stored);
    free(specs);
    free(scratch);
    return status;
}

srnn_status srnn_model_write_tiers(const char *path, const srnn_config *config,
                                   const float *const *tensors, const char *metadata,
                                   srnn_precision precision, srnn_precision sample_precision,
                                   char error[SRNN_ERROR_MAX])
{
    return write_model(path, config, tensors, metadata, precision, sample_precision, 1.0, false, error);
}

srnn_status srnn_model_write_pruned(const char *path, const srnn_config *config,
                                    const float *const *tensors, const char *metadata,
                                    srnn_precision precision, srnn_precision sample_precision,
                                    double density, char error[SRNN_ERROR_MAX])
{
    return write_model(path, config, tensors, metadata, precision, sample_precision, density, false,
                       error);
}

srnn_status srnn_model_write_sparse(const char *path, const srnn_config *config,
                                    const float *const *tensors, const char *metadata,
                                    srnn_precision precision, srnn_precision sample_precision,
                                    char error[SRNN_ERROR_MAX])
{
    return write_model(path, config, tensors, metadata, precision, sample_precision, 1.0, true, error);
}
