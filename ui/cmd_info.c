/* srnn info: what a model file holds and what it costs to play. One "key: value" per line. */
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cli.h"
#include "srnn.h"

static void print_metadata(const char *key, const char *value, void *user) {
    (void)user;
    printf("  %s: %s\n", key, value);
}

static int info_run(int argc, char **argv) {
    const char *positional[1];
    if (cli_parse(argc, argv, NULL, 0, positional, 1, 1, "MODEL") < 0) return CLI_EXIT_USAGE;
    const char *path = positional[0];
    srnn_model *model = cli_load_model(path);
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
    printf("metadata:\n");
    srnn_model_metadata_each(model, print_metadata, NULL);
    srnn_model_free(model);
    return CLI_EXIT_OK;
}

const cli_command cmd_info = {
    "info",
    "show a model's configuration, metadata and cost",
    "usage: srnn info MODEL\n"
    "\n"
    "Prints the model's configuration (PRiSM's config keys), its metadata, its number of\n"
    "parameters, the multiply-accumulates per generated sample and the GMAC/s that playing\n"
    "one voice in real time needs.\n",
    info_run,
};
