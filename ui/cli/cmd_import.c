/* srnn import: a PRiSM SampleRNN checkpoint (TensorFlow) as a model file, without TensorFlow. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byte_buffer.h"
#include "ckpt_path.h"
#include "cli.h"
#include "prism_config.h"
#include "prism_import.h"
#include "tf_bundle.h"

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The model's metadata: what an exported checkpoint carried, else where it came from; the
 * name replaced when one is given. */
static char *metadata_for(const char *carried, const char *prefix, const char *name) {
    byte_buffer text = {0};
    if (name) {
        buffer_append(&text, "name=", 5);
        buffer_append(&text, name, strlen(name));
        buffer_append(&text, "\n", 1);
    }
    if (carried) {
        for (const char *line = carried; *line;) {
            const char *end = strchr(line, '\n');
            size_t length = end ? (size_t)(end - line) + 1 : strlen(line);
            if (!(name && strncmp(line, "name=", 5) == 0)) buffer_append(&text, line, length);
            line += length;
        }
    } else {
        const char *base = base_name(prefix);
        if (!name) {
            buffer_append(&text, "name=", 5);
            buffer_append(&text, base, strlen(base));
            buffer_append(&text, "\n", 1);
        }
        const char *description = "description=imported from the PRiSM SampleRNN checkpoint ";
        buffer_append(&text, description, strlen(description));
        buffer_append(&text, base, strlen(base));
        buffer_append(&text, "\ncreated_by=srnn import\n", strlen("\ncreated_by=srnn import\n"));
    }
    buffer_put_u8(&text, 0);
    if (text.failed) {
        buffer_free(&text);
        return NULL;
    }
    return (char *)text.data;
}

static int import_run(int argc, char **argv) {
    cli_option options[] = {{"--config", NULL, NULL}, {"--checkpoint", NULL, NULL},
                            {"--output", "-o", NULL}, {"--sample-rate", NULL, NULL},
                            {"--name", NULL, NULL}};
    enum { CONFIG, CHECKPOINT, OUTPUT, RATE, NAME, NUM_OPTIONS };
    if (cli_parse(argc, argv, options, NUM_OPTIONS, NULL, 0, 0,
                  "--config CFG.json --checkpoint PATH [-o MODEL]") < 0)
        return CLI_EXIT_USAGE;
    for (int i = CONFIG; i <= CHECKPOINT; i++)
        if (!options[i].value) {
            cli_error("import: %s is required (see srnn help import)", options[i].name);
            return CLI_EXIT_USAGE;
        }
    uint64_t rate = 0;
    if (options[RATE].value && cli_parse_u64("--sample-rate", options[RATE].value, &rate) < 0)
        return CLI_EXIT_USAGE;
    if (options[NAME].value && (strchr(options[NAME].value, '\n') || !options[NAME].value[0])) {
        cli_error("import: --name must be one line of text");
        return CLI_EXIT_USAGE;
    }

    char error[CKPT_ERROR_MAX], engine_error[SRNN_ERROR_MAX], *prefix = NULL, *output = NULL;
    char *metadata = NULL;
    srnn_config config;
    tf_bundle *bundle = NULL;
    prism_weights weights = {0};
    int exit_code = CLI_EXIT_ERROR;
    if (prism_config_read(options[CONFIG].value, &config, error) != SRNN_OK ||
        ckpt_resolve(options[CHECKPOINT].value, &prefix, error) != SRNN_OK ||
        tf_bundle_open(prefix, &bundle, error) != SRNN_OK) {
        cli_error("%s", error);
        goto done;
    }
    if (rate) {
        config.sample_rate = rate > UINT32_MAX ? 0 : (uint32_t)rate;
        if (srnn_config_check(&config, engine_error) != SRNN_OK) {
            cli_error("--sample-rate: %s", engine_error);
            goto done;
        }
    }
    if (prism_import(bundle, &config, &weights, error) != SRNN_OK) {
        cli_error("%s: %s", prefix, error);
        goto done;
    }
    output = options[OUTPUT].value ? strdup(options[OUTPUT].value)
                                   : malloc(strlen(base_name(prefix)) + sizeof ".srnn");
    if (output && !options[OUTPUT].value) sprintf(output, "%s.srnn", base_name(prefix));
    metadata = metadata_for(weights.metadata, prefix, options[NAME].value);
    if (!output || !metadata) {
        cli_error("out of memory");
        goto done;
    }
    if (srnn_model_write(output, &config, (const float *const *)weights.tensors, metadata,
                         engine_error) != SRNN_OK) {
        cli_error("%s: %s", output, engine_error);
        goto done;
    }
    printf("%s: %s %s, frame sizes %" PRIu32 "/%" PRIu32 ", dim %" PRIu32 ", %" PRIu32
           " layers%s, %" PRIu32 " levels, %" PRIu32 " Hz, from %s\n",
           output, config.rnn_type == SRNN_RNN_LSTM ? "lstm" : "gru",
           config.q_type == SRNN_Q_LINEAR ? "linear" : "mu-law", config.frame_size,
           config.big_frame_size, config.dim, config.num_rnn_layers,
           config.skip_conn ? " with skip connections" : "", config.q_levels,
           config.sample_rate, prefix);
    exit_code = CLI_EXIT_OK;
done:
    prism_weights_free(&weights);
    tf_bundle_close(bundle);
    free(metadata);
    free(output);
    free(prefix);
    return exit_code;
}

const cli_command cmd_import = {
    "import",
    "make a model from a PRiSM SampleRNN checkpoint",
    "usage: srnn import --config CFG.json --checkpoint PATH [-o MODEL] [--sample-rate HZ]\n"
    "                   [--name NAME]\n"
    "\n"
    "Reads a checkpoint saved by PRiSM SampleRNN (TensorFlow; no TensorFlow needed) and the\n"
    "*.config.json it was trained with, and writes a model file.\n"
    "\n"
    "  --config CFG.json   PRiSM's model configuration (for mu-law, q_levels is 256 whatever\n"
    "                      it says, as in PRiSM's training)\n"
    "  --checkpoint PATH   the checkpoint: its prefix (logdir/run/model.ckpt-12), its .index\n"
    "                      file, or a run directory, whose 'checkpoint' file names the latest\n"
    "  -o, --output MODEL  the model file to write (default: the checkpoint's name + .srnn)\n"
    "  --sample-rate HZ    the rate the model was trained at (default: the config's\n"
    "                      \"sample_rate\", else 16000 as in PRiSM)\n"
    "  --name NAME         the model's name in its metadata\n"
    "\n"
    "Every weight the configuration needs must be in the checkpoint with Keras' shape, and\n"
    "every weight there must be used (the optimizer's state is ignored); otherwise the error\n"
    "names the tensors that do not fit and what the checkpoint seems to hold.\n",
    import_run,
};
