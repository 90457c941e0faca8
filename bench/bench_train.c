/* Training throughput of the C trainer: samples per second of full training steps (forward,
 * backward, clipping, Adam) on one configuration, batch and thread count.
 *
 *   bench_train --dim D --layers L --batch B --threads N --steps K [--rnn gru|lstm]
 *               [--frame-sizes F BF] [--seq-len T]
 *
 * Prints samples_per_second=X. bench/bench_train.sh runs it beside the PyTorch reference. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "init.h"
#include "sampler.h"

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    srnn_config c = {.sample_rate = 16000,
                     .frame_size = 16,
                     .big_frame_size = 64,
                     .dim = 256,
                     .num_rnn_layers = 2,
                     .rnn_type = SRNN_RNN_GRU,
                     .q_type = SRNN_Q_MULAW,
                     .q_levels = 256,
                     .seq_len = 1024,
                     .emb_size = 256};
    unsigned long batch = 32, threads = 1, steps = 10;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        unsigned long n = strtoul(v, NULL, 10);
        if (!strcmp(a, "--dim"))
            c.dim = (uint32_t)n, i++;
        else if (!strcmp(a, "--layers"))
            c.num_rnn_layers = (uint32_t)n, i++;
        else if (!strcmp(a, "--rnn"))
            c.rnn_type = strcmp(v, "lstm") ? SRNN_RNN_GRU : SRNN_RNN_LSTM, i++;
        else if (!strcmp(a, "--batch"))
            batch = n, i++;
        else if (!strcmp(a, "--threads"))
            threads = n, i++;
        else if (!strcmp(a, "--steps"))
            steps = n, i++;
        else if (!strcmp(a, "--seq-len"))
            c.seq_len = (uint32_t)n, i++;
        else if (!strcmp(a, "--frame-sizes") && i + 2 < argc) {
            c.frame_size = (uint32_t)n;
            c.big_frame_size = (uint32_t)strtoul(argv[i + 2], NULL, 10);
            i += 2;
        } else {
            fprintf(stderr, "bench_train: unknown argument %s\n", a);
            return 2;
        }
    }
    openblas_set_num_threads((int)threads);
    train_core core;
    char error[SRNN_ERROR_MAX];
    if (batch == 0 || steps == 0 ||
        !train_core_create(&core, &c, batch, TRAIN_ADAM, 1e-3, 0.9, error) ||
        !train_init_weights(&core.layout, core.params, 1)) {
        fprintf(stderr, "bench_train: %s\n", batch && steps ? error : "batch, steps must be > 0");
        return 1;
    }
    size_t width = c.big_frame_size + c.seq_len;
    int32_t *inputs = malloc(batch * width * sizeof *inputs);
    srnn_rng rng;
    srnn_rng_seed(&rng, 7);
    for (size_t i = 0; i < batch * width; i++) { /* a random walk: audio-like, not noise */
        int32_t step = srnn_rng_uniform(&rng) < 0.5 ? -3 : 3;
        inputs[i] = i % width == 0 ? 128 : (inputs[i - 1] + step) & 255;
    }
    train_core_step(&core, inputs, true); /* warm-up */
    double start = now_seconds();
    for (unsigned long s = 0; s < steps; s++) train_core_step(&core, inputs, s == 0);
    double seconds = now_seconds() - start;
    printf("samples_per_second=%.1f\n", (double)batch * c.seq_len * steps / seconds);
    free(inputs);
    train_core_free(&core);
    return 0;
}
