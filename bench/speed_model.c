/* Random models for the speed benchmark: every tensor of the config filled with uniform
 * random numbers of variance 1/fan-in (biases small), then written as a .srnn file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "speed_model.h"

srnn_config speed_config(uint32_t dim, uint32_t layers)
{
    return (srnn_config){.sample_rate = 16000, .frame_size = 16, .big_frame_size = 64,
                         .dim = dim, .num_rnn_layers = layers, .rnn_type = SRNN_RNN_GRU,
                         .q_type = SRNN_Q_MULAW, .q_levels = 256, .skip_conn = 0,
                         .seq_len = 1024, .emb_size = 256};
}

static uint64_t next_random(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return *state >> 11;
}

srnn_status speed_write_model(const char *path, const srnn_config *config,
                              srnn_precision precision, char error[SRNN_ERROR_MAX])
{
    size_t count = srnn_config_tensor_count(config);
    float **tensors = calloc(count, sizeof *tensors);
    srnn_status status = tensors ? SRNN_OK : SRNN_ERR_NOMEM;
    uint64_t state = 2024;
    for (size_t i = 0; i < count && status == SRNN_OK; i++) {
        srnn_tensor_info info;
        srnn_config_tensor(config, i, &info);
        tensors[i] = malloc(info.count * sizeof(float));
        if (!tensors[i]) {
            status = SRNN_ERR_NOMEM;
            break;
        }
        const char *leaf = strrchr(info.name, '/') + 1;
        /* uniform on [-a, a] has variance a^2/3: a = sqrt(3 / fan_in) */
        uint32_t fan_in = info.ndim == 3 ? info.shape[2] : info.shape[0];
        double range = strcmp(leaf, "bias") == 0 ? 0.1 : sqrt(3.0 / fan_in);
        for (uint64_t k = 0; k < info.count; k++)
            tensors[i][k] = (float)(range * (2.0 * (double)next_random(&state) * 0x1p-53 - 1.0));
    }
    if (status == SRNN_OK)
        status = srnn_model_write_with(path, config, (const float *const *)tensors,
                                       "name=speed benchmark (random weights)\n", precision,
                                       error);
    for (size_t i = 0; tensors && i < count; i++) free(tensors[i]);
    free(tensors);
    return status;
}
