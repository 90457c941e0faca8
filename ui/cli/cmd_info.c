/* srnn info: what a model file holds and what it costs to play. One "key: value" per line. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "primer.h"
#include "srnn.h"

/* Each key and value; the primer's samples (live/primer.h) as their count and length. */
static void print_metadata(const char *key, const char *value, void *user) {
    const srnn_config *config = user;
    if (strcmp(key, LIVE_PRIMER_KEY) == 0) {
        size_t samples = strlen(value) / LIVE_PRIMER_DIGITS;
        printf("  %s: %zu samples (%.2f s)\n", key, samples, (double)samples / config->sample_rate);
        return;
    }
    printf("  %s: %s\n", key, value);
}

/* CPU time the --speed measurement takes (srnn_model_measure_speed). */
#define SPEED_SECONDS 0.5

/* The speed lines: what srnn play shows on its status line, measured the same way. */
static int print_speed(const srnn_model *model, unsigned threads) {
    double rate;
    srnn_status status = srnn_model_measure_speed(model, threads, SPEED_SECONDS, &rate);
    if (status != SRNN_OK) {
        cli_error("info: cannot measure the speed with %u threads: %s", threads,
                  srnn_status_string(status));
        return -1;
    }
    double factor = rate / srnn_model_config(model)->sample_rate;
    char advice[SRNN_ERROR_MAX];
    printf("speed:           %.0f samples/s (%s, sample MLP %s, %u thread%s, %s)\n", rate,
           srnn_precision_name(srnn_model_precision(model)),
           srnn_precision_name(srnn_model_sample_precision(model)), threads,
           threads == 1 ? "" : "s", srnn_cpu_name(srnn_model_cpu(model)));
    printf("realtime_factor: %.2f\n", factor);
    if (srnn_speed_advice(factor, srnn_model_precision(model), threads, srnn_cores(), advice))
        printf("warning:         %s\n", advice);
    return 0;
}

static int info_run(int argc, char **argv) {
    cli_option options[] = {{"--threads", NULL, NULL}, {"--precision", NULL, NULL}};
    enum { THREADS, PRECISION, NUM_OPTIONS };
    const char *positional[1];
    int speed = cli_take_flag(&argc, argv, "--speed");
    if (cli_parse(argc, argv, options, NUM_OPTIONS, positional, 1, 1, "MODEL") < 0)
        return CLI_EXIT_USAGE;
    uint64_t threads = 1;
    srnn_load_options load = {0};
    if ((options[THREADS].value || options[PRECISION].value) && !speed) {
        cli_error("info: --threads and --precision go with --speed");
        return CLI_EXIT_USAGE;
    }
    if (options[THREADS].value && cli_parse_u64_range("--threads", options[THREADS].value, 1,
                                                      SRNN_MAX_THREADS, &threads))
        return CLI_EXIT_USAGE;
    if (options[PRECISION].value && cli_parse_precision("info", options[PRECISION].value,
                                                        &load.precision, &load.sample_precision))
        return CLI_EXIT_USAGE;
    const char *path = positional[0];
    srnn_model *model = cli_load_model_with(path, &load);
    if (!model) return CLI_EXIT_ERROR;
    const srnn_config *c = srnn_model_config(model);
    const char *name = srnn_model_metadata(model, "name");
    uint64_t macs = srnn_model_macs_per_sample(model);
    struct stat st;
    long long size = stat(path, &st) == 0 ? (long long)st.st_size : -1;

    printf("file:            %s\n", path);
    printf("file_size:       %lld bytes\n", size);
    printf("name:            %s\n", name ? name : "(none)");
    printf("sample_rate:     %" PRIu32 " Hz\n", c->sample_rate);
    printf("frame_size:      %" PRIu32 "\n", c->frame_size);
    printf("big_frame_size:  %" PRIu32 "\n", c->big_frame_size);
    printf("dim:             %" PRIu32 "\n", c->dim);
    printf("num_rnn_layers:  %" PRIu32 "\n", c->num_rnn_layers);
    printf("rnn_type:        %s\n", c->rnn_type == SRNN_RNN_LSTM ? "lstm" : "gru");
    printf("skip_conn:       %s\n", c->skip_conn ? "yes" : "no");
    printf("q_type:          %s\n", c->q_type == SRNN_Q_LINEAR ? "linear" : "mu-law");
    printf("q_levels:        %" PRIu32 "\n", c->q_levels);
    printf("seq_len:         %" PRIu32 "\n", c->seq_len);
    printf("parameters:      %" PRIu64 "\n", srnn_model_parameter_count(model));
    printf("macs_per_sample: %" PRIu64 "\n", macs);
    /* The compute real time needs: a CPU must sustain this to play one voice. */
    printf("realtime_needs:  %.3f GMAC/s\n", (double)macs * c->sample_rate / 1e9);
    /* What real time reads of the weights, at the precision loaded: the bound of a model whose
     * weights stream from a cache level or memory. */
    double weight_bytes;
    uint64_t resident;
    srnn_model_weight_traffic(model, &weight_bytes, &resident);
    printf("weights_read:    %.0f bytes per sample (%.1f GB/s in real time)\n", weight_bytes,
           weight_bytes * c->sample_rate / 1e9);
    printf("weights_size:    %" PRIu64 " bytes as loaded\n", resident);
    if (speed && print_speed(model, (unsigned)threads) != 0) {
        srnn_model_free(model);
        return CLI_EXIT_ERROR;
    }
    printf("metadata:\n");
    srnn_model_metadata_each(model, print_metadata, (void *)srnn_model_config(model));
    srnn_model_free(model);
    return CLI_EXIT_OK;
}

const cli_command cmd_info = {
    "info",
    "show a model's configuration, metadata and cost",
    "usage: srnn info MODEL [--speed [--threads N] [--precision P|P/S]]\n"
    "\n"
    "Prints the model's configuration (PRiSM's config keys), its metadata, its number of\n"
    "parameters, the multiply-accumulates per generated sample and the GMAC/s that playing\n"
    "one voice in real time needs.\n"
    "\n"
    "  --speed             also generate for half a second of CPU time, as srnn play does\n"
    "                      when a model loads, and print the samples per second and the\n"
    "                      real-time factor at the model's rate on this machine; below 1 a\n"
    "                      warning line says the model cannot play live here and what would\n"
    "  --threads N         measure a voice of N threads, 1 to 8 (default 1)\n"
    "  --precision P|P/S   measure at this precision (float32, float16, bfloat16, int8, int4;\n"
    "                      P/S: the frame tiers' and the sample MLP's; default the file's)\n",
    info_run,
};
