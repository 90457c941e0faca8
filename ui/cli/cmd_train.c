/* srnn train: trains a model from audio files (train/), with PRiSM's train.py options. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "srnn.h"
#include "train.h"

#define MAX_BATCH 65536
#define MAX_SECONDS 3600.0

/* PRiSM's check_bool: a prefix of true or false, any case. */
static int parse_bool(const char *option, const char *text, bool *value) {
    size_t n = strlen(text);
    if (n > 0 && strncasecmp(text, "true", n) == 0) {
        *value = true;
        return 0;
    }
    if (n > 0 && strncasecmp(text, "false", n) == 0) {
        *value = false;
        return 0;
    }
    cli_error("%s: '%s' is neither true nor false", option, text);
    return -1;
}

/* A number in (low, high] (or [low, high] when low_inclusive). */
static int parse_range(const char *option, const char *text, double low, bool low_inclusive,
                       double high, double *value) {
    if (cli_parse_double(option, text, value) != 0) return -1;
    if (!(low_inclusive ? *value >= low : *value > low) || *value > high) {
        cli_error("%s must be %s %g and at most %g, not %s", option, low_inclusive ? ">=" : ">",
                  low, high, text);
        return -1;
    }
    return 0;
}

/* "0.9,0.95,1": up to TRAIN_MAX_TEMPERATURES values in (0, SRNN_MAX_TEMPERATURE]. */
static int parse_temperatures(const char *text, train_options *o) {
    char copy[256];
    if (strlen(text) >= sizeof copy) {
        cli_error("--temperature: '%s' is too long", text);
        return -1;
    }
    strcpy(copy, text);
    o->temperature_count = 0;
    for (char *save = NULL, *item = strtok_r(copy, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        if (o->temperature_count == TRAIN_MAX_TEMPERATURES) {
            cli_error("--temperature: at most %d values", TRAIN_MAX_TEMPERATURES);
            return -1;
        }
        if (parse_range("--temperature", item, 0.0, false, SRNN_MAX_TEMPERATURE,
                        &o->temperatures[o->temperature_count++]) != 0)
            return -1;
    }
    if (o->temperature_count == 0) {
        cli_error("--temperature: no value in '%s'", text);
        return -1;
    }
    return 0;
}

enum {
    DATA,
    CONFIG,
    OUT,
    VAL_DATA,
    NUM_EPOCHS,
    BATCH_SIZE,
    OPTIMIZER,
    LEARNING_RATE,
    MOMENTUM,
    REDUCE_LR_AFTER,
    VAL_FRAC,
    CHECKPOINT_EVERY,
    CHECKPOINT_POLICY,
    MAX_CHECKPOINTS,
    EARLY_STOPPING,
    MONITOR,
    RESUME,
    RESUME_FROM,
    GENERATE,
    TEMPERATURE,
    OUTPUT_FILE_DUR,
    THREADS,
    SEED,
    CHUNK_LENGTH,
    CHUNK_OVERLAP,
    CHECKPOINT_EVERY_BATCHES,
    MAX_BATCHES,
    LOG_EVERY,
    INJECT_NAN,
    PRUNE_DENSITY,
    PRUNE_DENSITY_RNN,
    PRUNE_DENSITY_UPSAMPLING,
    PRUNE_DENSITY_MLP,
    PRUNE_START,
    PRUNE_END,
    PRUNE_EVERY,
    NUM_OPTIONS
};

/* --prune_density D for every kind, then a kind's own; the schedule's steps. */
static int parse_pruning(const cli_option *options, train_prune_options *o) {
    static const int kinds[SRNN_PRUNE_KINDS] = {
        [SRNN_PRUNE_RNN] = PRUNE_DENSITY_RNN,
        [SRNN_PRUNE_UPSAMPLING] = PRUNE_DENSITY_UPSAMPLING,
        [SRNN_PRUNE_MLP] = PRUNE_DENSITY_MLP,
    };
    const char *v;
    double all = 1.0;
    if ((v = options[PRUNE_DENSITY].value) &&
        parse_range("--prune_density", v, 0.0, false, 1.0, &all))
        return -1;
    for (int k = 0; k < SRNN_PRUNE_KINDS; k++) {
        o->density[k] = all;
        if ((v = options[kinds[k]].value) &&
            parse_range(options[kinds[k]].name, v, 0.0, false, 1.0, &o->density[k]))
            return -1;
    }
    if ((v = options[PRUNE_START].value) &&
        cli_parse_u64_range("--prune_start", v, 0, UINT64_MAX - 1, &o->start))
        return -1;
    if ((v = options[PRUNE_END].value) &&
        cli_parse_u64_range("--prune_end", v, 1, UINT64_MAX, &o->end))
        return -1;
    if ((v = options[PRUNE_EVERY].value) &&
        cli_parse_u64_range("--prune_every", v, 1, UINT32_MAX, &o->every))
        return -1;
    if (o->start >= o->end) {
        cli_error("--prune_start (%" PRIu64 ") must come before --prune_end (%" PRIu64 ")",
                  o->start, o->end);
        return -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, train_options *o) {
    cli_option options[NUM_OPTIONS] = {
        [DATA] = {"--data", NULL, NULL},
        [CONFIG] = {"--config", NULL, NULL},
        [OUT] = {"--out", NULL, NULL},
        [VAL_DATA] = {"--val_data", NULL, NULL},
        [NUM_EPOCHS] = {"--num_epochs", NULL, NULL},
        [BATCH_SIZE] = {"--batch_size", NULL, NULL},
        [OPTIMIZER] = {"--optimizer", NULL, NULL},
        [LEARNING_RATE] = {"--learning_rate", NULL, NULL},
        [MOMENTUM] = {"--momentum", NULL, NULL},
        [REDUCE_LR_AFTER] = {"--reduce_learning_rate_after", NULL, NULL},
        [VAL_FRAC] = {"--val_frac", NULL, NULL},
        [CHECKPOINT_EVERY] = {"--checkpoint_every", NULL, NULL},
        [CHECKPOINT_POLICY] = {"--checkpoint_policy", NULL, NULL},
        [MAX_CHECKPOINTS] = {"--max_checkpoints", NULL, NULL},
        [EARLY_STOPPING] = {"--early_stopping_patience", NULL, NULL},
        [MONITOR] = {"--monitor", NULL, NULL},
        [RESUME] = {"--resume", NULL, NULL},
        [RESUME_FROM] = {"--resume_from", NULL, NULL},
        [GENERATE] = {"--generate", NULL, NULL},
        [TEMPERATURE] = {"--temperature", NULL, NULL},
        [OUTPUT_FILE_DUR] = {"--output_file_dur", NULL, NULL},
        [THREADS] = {"--threads", NULL, NULL},
        [SEED] = {"--seed", NULL, NULL},
        [CHUNK_LENGTH] = {"--chunk_length", NULL, NULL},
        [CHUNK_OVERLAP] = {"--chunk_overlap", NULL, NULL},
        [CHECKPOINT_EVERY_BATCHES] = {"--checkpoint_every_batches", NULL, NULL},
        [MAX_BATCHES] = {"--max_batches", NULL, NULL},
        [LOG_EVERY] = {"--log_every", NULL, NULL},
        [INJECT_NAN] = {"--inject_nan_at_step", NULL, NULL},
        [PRUNE_DENSITY] = {"--prune_density", NULL, NULL},
        [PRUNE_DENSITY_RNN] = {"--prune_density_rnn", NULL, NULL},
        [PRUNE_DENSITY_UPSAMPLING] = {"--prune_density_upsampling", NULL, NULL},
        [PRUNE_DENSITY_MLP] = {"--prune_density_mlp", NULL, NULL},
        [PRUNE_START] = {"--prune_start", NULL, NULL},
        [PRUNE_END] = {"--prune_end", NULL, NULL},
        [PRUNE_EVERY] = {"--prune_every", NULL, NULL},
    };
    if (cli_parse(argc, argv, options, NUM_OPTIONS, NULL, 0, 0,
                  "--data DIR --config CFG.json --out RUNDIR [options]") < 0)
        return -1;
    train_options_default(o);
    const char *v;
    for (int required = DATA; required <= OUT; required++)
        if (!options[required].value) {
            cli_error("train: missing %s (usage: srnn train --data DIR --config CFG.json --out "
                      "RUNDIR [options])",
                      options[required].name);
            return -1;
        }
    o->data_dir = options[DATA].value;
    o->config_path = options[CONFIG].value;
    o->out_dir = options[OUT].value;
    o->val_dir = options[VAL_DATA].value;
    o->resume_from = options[RESUME_FROM].value;
    uint64_t n;
    if ((v = options[NUM_EPOCHS].value) &&
        cli_parse_u64_range("--num_epochs", v, 1, UINT32_MAX, &o->num_epochs))
        return -1;
    if ((v = options[BATCH_SIZE].value) &&
        cli_parse_u64_range("--batch_size", v, 1, MAX_BATCH, &o->batch_size))
        return -1;
    if ((v = options[OPTIMIZER].value) && !train_optimizer_parse(v, &o->optimizer)) {
        cli_error("--optimizer must be adam, sgd or rmsprop, not %s", v);
        return -1;
    }
    if ((v = options[LEARNING_RATE].value) &&
        parse_range("--learning_rate", v, 0.0, false, 1e6, &o->learning_rate))
        return -1;
    o->learning_rate_set = options[LEARNING_RATE].value != NULL;
    if ((v = options[MOMENTUM].value) && parse_range("--momentum", v, 0.0, true, 1.0, &o->momentum))
        return -1;
    if ((v = options[REDUCE_LR_AFTER].value) &&
        cli_parse_u64_range("--reduce_learning_rate_after", v, 1, UINT32_MAX,
                            &o->reduce_learning_rate_after))
        return -1;
    if ((v = options[VAL_FRAC].value) &&
        parse_range("--val_frac", v, 0.0, false, 0.9, &o->val_frac))
        return -1;
    if ((v = options[CHECKPOINT_EVERY].value) &&
        cli_parse_u64_range("--checkpoint_every", v, 1, UINT32_MAX, &o->checkpoint_every))
        return -1;
    if ((v = options[CHECKPOINT_POLICY].value)) {
        if (strcasecmp(v, "always") != 0 && strcasecmp(v, "best") != 0) {
            cli_error("--checkpoint_policy must be Always or Best, not %s", v);
            return -1;
        }
        o->checkpoint_best_only = strcasecmp(v, "best") == 0;
    }
    if ((v = options[MAX_CHECKPOINTS].value)) {
        if (strcasecmp(v, "none") == 0)
            o->max_checkpoints = 0;
        else if (cli_parse_u64_range("--max_checkpoints", v, 1, UINT32_MAX, &o->max_checkpoints))
            return -1;
    }
    if ((v = options[EARLY_STOPPING].value) &&
        cli_parse_u64_range("--early_stopping_patience", v, 1, UINT32_MAX,
                            &o->early_stopping_patience))
        return -1;
    if ((v = options[MONITOR].value)) {
        static const char *const names[] = {"loss", "accuracy", "val_loss", "val_accuracy"};
        int found = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(v, names[i]) == 0) found = i;
        if (found < 0) {
            cli_error("--monitor must be loss, accuracy, val_loss or val_accuracy, not %s", v);
            return -1;
        }
        o->monitor = (train_monitor)found;
    }
    if ((v = options[RESUME].value) && parse_bool("--resume", v, &o->resume)) return -1;
    if ((v = options[GENERATE].value) && parse_bool("--generate", v, &o->generate)) return -1;
    if ((v = options[TEMPERATURE].value) && parse_temperatures(v, o)) return -1;
    if ((v = options[OUTPUT_FILE_DUR].value) &&
        parse_range("--output_file_dur", v, 0.0, false, MAX_SECONDS, &o->output_file_dur))
        return -1;
    if ((v = options[THREADS].value)) {
        if (cli_parse_u64_range("--threads", v, 1, 1024, &n)) return -1;
        o->threads = (int)n;
    }
    if ((v = options[SEED].value) && cli_parse_u64("--seed", v, &o->seed)) return -1;
    if ((v = options[CHUNK_LENGTH].value) &&
        parse_range("--chunk_length", v, 0.0, false, 36e5, &o->chunk_ms))
        return -1;
    if ((v = options[CHUNK_OVERLAP].value) &&
        parse_range("--chunk_overlap", v, 0.0, true, 36e5, &o->overlap_ms))
        return -1;
    if (o->overlap_ms >= o->chunk_ms) {
        cli_error("--chunk_overlap (%g ms) must be shorter than --chunk_length (%g ms)",
                  o->overlap_ms, o->chunk_ms);
        return -1;
    }
    if ((v = options[CHECKPOINT_EVERY_BATCHES].value) &&
        cli_parse_u64_range("--checkpoint_every_batches", v, 1, UINT32_MAX,
                            &o->checkpoint_every_batches))
        return -1;
    if ((v = options[MAX_BATCHES].value) &&
        cli_parse_u64_range("--max_batches", v, 1, UINT64_MAX, &o->max_batches))
        return -1;
    if ((v = options[LOG_EVERY].value) &&
        cli_parse_u64_range("--log_every", v, 1, UINT32_MAX, &o->log_every))
        return -1;
    if ((v = options[INJECT_NAN].value) &&
        cli_parse_u64_range("--inject_nan_at_step", v, 1, UINT64_MAX, &o->inject_nan_at_step))
        return -1;
    return parse_pruning(options, &o->prune);
}

static int train_command(int argc, char **argv) {
    train_options options;
    if (parse_args(argc, argv, &options) != 0) return CLI_EXIT_USAGE;
    return train_run(&options) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}

const cli_command cmd_train = {
    "train",
    "train a model on audio files (PRiSM SampleRNN's train.py)",
    "usage: srnn train --data DIR --config CFG.json --out RUNDIR [options]\n"
    "\n"
    "Trains a three-tier SampleRNN as PRiSM's train.py does, on every audio file libsndfile\n"
    "reads under DIR (mixed to mono, resampled to the config's sample_rate, default 16000),\n"
    "cut into chunks (silent ones left out). CFG.json is a PRiSM config (seq_len, frame_sizes,\n"
    "dim, rnn_type, num_rnn_layers, q_type, q_levels, skip_conn; plus sample_rate). RUNDIR gets\n"
    "checkpoints ckpt-STEP.srnn (models the engine plays) with ckpt-STEP.state beside them\n"
    "(what resuming needs), best.srnn (best monitored metric), steps.csv, epochs.csv, a\n"
    "TensorBoard event file (tensorboard --logdir RUNDIR) and generated/ previews.\n"
    "\n"
    "PRiSM's options (defaults as train.py):\n"
    "  --num_epochs N                100\n"
    "  --batch_size N                64\n"
    "  --optimizer adam|sgd|rmsprop  adam (Keras' rules; Adam epsilon 1e-4, as PRiSM)\n"
    "  --learning_rate X             0.001 (given with a resume, it replaces the checkpoint's)\n"
    "  --momentum X                  0.9 (sgd, rmsprop)\n"
    "  --reduce_learning_rate_after N  from epoch N on, lr x exp(-0.1) each epoch (default off)\n"
    "  --val_frac X                  0.1 of the chunks validate (rounded to whole batches)\n"
    "  --checkpoint_every N          epochs between checkpoints: 1\n"
    "  --checkpoint_policy Always|Best  Always\n"
    "  --max_checkpoints N|None      5 checkpoints kept\n"
    "  --early_stopping_patience N   3 epochs without improvement of the monitored metric\n"
    "  --monitor M                   val_loss (loss, accuracy, val_loss, val_accuracy)\n"
    "  --resume true|false           true: continue from RUNDIR's newest checkpoint exactly\n"
    "  --resume_from PATH            a checkpoint (with its .state), or any model's weights\n"
    "  --generate true|false         true: previews at each epoch checkpoint\n"
    "  --temperature T[,T...]        0.95\n"
    "  --output_file_dur S           3 seconds per preview\n"
    "\n"
    "Options PRiSM lacks:\n"
    "  --val_data DIR                validate on the audio under DIR instead of val_frac\n"
    "  --chunk_length MS             8000 (chunk_audio.py's milliseconds)\n"
    "  --chunk_overlap MS            1000\n"
    "  --threads N                   OpenBLAS threads (default: every core; under mpirun, the\n"
    "                                cores each process may use, shared on its machine)\n"
    "  --seed N                      1: initial weights, split and batch order\n"
    "  --checkpoint_every_batches N  also a resume point every N batches (default off)\n"
    "  --max_batches N               stop after N batches, with a checkpoint\n"
    "  --log_every N                 50 steps between log lines, CSV rows, TensorBoard points\n"
    "  --inject_nan_at_step N        testing: make step N's gradient NaN, to see the recovery\n"
    "\n"
    "Sparse training (gradual block pruning, as WaveRNN and LPCNet; default off):\n"
    "  --prune_density D             final share of the pieces kept, every prunable matrix\n"
    "  --prune_density_rnn D         ... of the RNN kernels, recurrent and skip kernels\n"
    "  --prune_density_upsampling D  ... of the upsamplings\n"
    "  --prune_density_mlp D         ... of the sample MLP (hidden1, hidden2, output)\n"
    "  --prune_start N               0: the step pruning starts at\n"
    "  --prune_end N                 10000: the step the final density is reached at\n"
    "  --prune_every N               100 steps between choices of the pieces\n"
    "From start to end a matrix keeps 1 - (1 - D)(1 - (1 - (t - start)/(end - start))^3) of\n"
    "its pieces of 4 inputs x 8 outputs (those the int8 engine skips), those of the largest\n"
    "L2 norm; pruned weights stay zero. Checkpoints are block-sparse models (convert them to\n"
    "int8 to play them sparse); the mask and schedule are in the .state, so resuming is exact.\n"
    "With --resume_from any model (a PRiSM import too) is fine-tuned to a density.\n"
    "\n"
    "A non-finite loss or gradient restores the weights and optimiser of the batch's start,\n"
    "cuts the learning rate x0.1 and repeats the batch. Resuming reproduces the losses of an\n"
    "uninterrupted run (same --threads). SIGINT (Ctrl-C), SIGTERM or SIGUSR1 stops after the\n"
    "step under way with a checkpoint; a second one stops at once.\n"
    "\n"
    "mpirun -np N [--hostfile H] srnn train ... trains on N processes (a build with MPI), each\n"
    "on its share of every batch: the same global --batch_size, the gradients summed. Rank 0\n"
    "alone writes RUNDIR; every machine needs the same audio under --data. Stop it with\n"
    "pkill -USR1 -x mpirun (forwarded to every process): Ctrl-C on mpirun kills the processes\n"
    "a second after asking them to stop.\n",
    train_command,
};
