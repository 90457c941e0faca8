/* Random-weight models (random_model.h). Weights are uniform in +-1/sqrt(rows), enough for
 * every tier to move the logits, so the model sounds (as noise). */
#include "random_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int random_model_write(const char *path, uint32_t rate, srnn_rnn_type rnn, srnn_q_type q_type,
                       uint32_t q_levels, uint64_t seed)
{
    srnn_config config = {
        .sample_rate = rate, .frame_size = 4, .big_frame_size = 16, .dim = 24,
        .num_rnn_layers = 1, .rnn_type = rnn, .q_type = q_type, .q_levels = q_levels,
        .skip_conn = 0, .seq_len = 64, .emb_size = 256,
    };
    size_t count = srnn_config_tensor_count(&config);
    float **tensors = calloc(count, sizeof *tensors);
    uint64_t state = seed * 2862933555777941757ull + 3037000493ull;
    int failed = !tensors;
    for (size_t i = 0; i < count && !failed; i++) {
        srnn_tensor_info info;
        failed = srnn_config_tensor(&config, i, &info) != SRNN_OK ||
                 !(tensors[i] = malloc(info.count * sizeof(float)));
        float scale = 1.0f / sqrtf((float)info.shape[0]);
        for (uint64_t k = 0; !failed && k < info.count; k++) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            float uniform = (float)(state >> 40) / (float)(1u << 24); /* [0, 1) */
            tensors[i][k] = (2.0f * uniform - 1.0f) * scale;
        }
    }
    char error[SRNN_ERROR_MAX];
    if (!failed &&
        srnn_model_write(path, &config, (const float *const *)tensors, "name=random\n", error) !=
            SRNN_OK) {
        fprintf(stderr, "%s: %s\n", path, error);
        failed = 1;
    }
    for (size_t i = 0; tensors && i < count; i++) free(tensors[i]);
    free(tensors);
    return failed ? -1 : 0;
}
