/* srnn_model_write against the independent Python writer: each golden model, loaded and
 * written back with its metadata, is the same file byte for byte; bad input leaves no file. */
#include <math.h>
#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include "golden.h"
#include "srnn.h"

static void append_metadata(const char *key, const char *value, void *user)
{
    char *text = user;
    size_t used = strlen(text);
    snprintf(text + used, 65536 - used, "%s=%s\n", key, value);
}

static int check_case(const char *dir, const char *name)
{
    /* srnn_model_write writes dense tensors; files the Python writer stored block-sparse
     * (version 4) are for the block-sparse writer, checked against it byte for byte in
     * test_convert.sh */
    size_t stored_size = 0;
    uint8_t *stored = golden_read(dir, name, ".srnn", &stored_size);
    int sparse = stored && stored_size > 12 && stored[8] == 4;
    free(stored);
    if (sparse) return 0;
    char path[1024], copy[1100], error[SRNN_ERROR_MAX];
    snprintf(path, sizeof path, "%s/%s.srnn", dir, name);
    snprintf(copy, sizeof copy, "%s/%s.rewritten.srnn", dir, name);
    srnn_model *model;
    if (!CHECK(srnn_model_load(path, &model, error) == SRNN_OK, "%s: %s", path, error)) return 1;
    const srnn_config *config = srnn_model_config(model);
    size_t count = srnn_config_tensor_count(config);
    const float **tensors = calloc(count, sizeof *tensors);
    static char metadata[65536];
    metadata[0] = '\0';
    srnn_model_metadata_each(model, append_metadata, metadata);
    for (size_t i = 0; i < count; i++) {
        srnn_tensor_info info;
        srnn_config_tensor(config, i, &info);
        tensors[i] = srnn_model_tensor(model, info.name, NULL);
    }
    srnn_status status = srnn_model_write(copy, config, tensors, metadata, error);
    size_t original_size = 0, written_size = 0;
    uint8_t *original = golden_read(dir, name, ".srnn", &original_size);
    char suffix[64];
    snprintf(suffix, sizeof suffix, ".rewritten.srnn");
    uint8_t *written = status == SRNN_OK ? golden_read(dir, name, suffix, &written_size) : NULL;
    int same = original && written && original_size == written_size &&
               memcmp(original, written, original_size) == 0;
    CHECK(status == SRNN_OK, "%s: %s", copy, error);
    CHECK_SHOW(same, "%-12s %zu tensors, %zu bytes: %s", name, count, original_size,
               same ? "identical to the Python writer's file" : "DIFFERENT");
    unlink(copy);
    free(original);
    free(written);
    free(tensors);
    srnn_model_free(model);
    return 0;
}

/* A NaN weight, bad metadata and an unwritable place are refused without leaving a file. */
static void check_refusals(const char *dir)
{
    char path[1024], target[1100], error[SRNN_ERROR_MAX];
    snprintf(path, sizeof path, "%s/gru.srnn", dir);
    srnn_model *model;
    if (!CHECK(srnn_model_load(path, &model, error) == SRNN_OK, "%s: %s", path, error)) return;
    const srnn_config *config = srnn_model_config(model);
    size_t count = srnn_config_tensor_count(config);
    const float **tensors = calloc(count, sizeof *tensors);
    for (size_t i = 0; i < count; i++) {
        srnn_tensor_info info;
        srnn_config_tensor(config, i, &info);
        tensors[i] = srnn_model_tensor(model, info.name, NULL);
    }
    snprintf(target, sizeof target, "%s/refused.srnn", dir);
    unlink(target);
    float nan_bias[1024];
    for (int i = 0; i < 1024; i++) nan_bias[i] = 0.0f;
    nan_bias[3] = NAN;
    const float *saved = tensors[1];
    tensors[1] = nan_bias; /* big_frame/input/bias */
    CHECK_SHOW(srnn_model_write(target, config, tensors, NULL, error) == SRNN_ERR_VALUE,
               "NaN weight: %s", error);
    tensors[1] = saved;
    CHECK_SHOW(srnn_model_write(target, config, tensors, "no equals sign\n", error) ==
                   SRNN_ERR_ARGUMENT,
               "bad metadata: %s", error);
    CHECK(access(target, F_OK) != 0, "a refused write left %s", target);
    CHECK_SHOW(srnn_model_write("/nonexistent-dir/x.srnn", config, tensors, NULL, error) ==
                   SRNN_ERR_IO,
               "unwritable: %s", error);
    srnn_config bad = *config;
    bad.big_frame_size = bad.frame_size + 1;
    CHECK_SHOW(srnn_model_write(target, &bad, tensors, NULL, error) == SRNN_ERR_CONFIG,
               "bad config: %s", error);
    CHECK(access(target, F_OK) != 0, "a refused write left %s", target);
    free(tensors);
    srnn_model_free(model);
}

int main(void)
{
    CHECK(golden_each_case(golden_dir(), check_case) == 0, "the golden cases (%s)", golden_dir());
    check_refusals(golden_dir());
    return check_summary();
}
