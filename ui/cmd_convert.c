/* srnn convert: rewrites a model with its weights at another precision (models/FORMAT.md):
 * float16 or bfloat16 halve the file, int8 with one scale per row quarters it, int4 with one
 * per group of 32 makes it about a sixth, and the engine then runs the model at that precision.
 * "P/S" puts the frame tiers at P and the sample MLP at S. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "srnn.h"

static void append_metadata(const char *key, const char *value, void *user)
{
    char **text = user;
    size_t used = *text ? strlen(*text) : 0, more = strlen(key) + strlen(value) + 3;
    char *grown = realloc(*text, used + more);
    if (!grown) return; /* out of memory: that line is lost, the model is still right */
    snprintf(grown + used, more, "%s=%s\n", key, value);
    *text = grown;
}

static int convert_run(int argc, char **argv)
{
    cli_option options[] = {{"--output", "-o", NULL}, {"--precision", NULL, NULL}};
    enum { OUTPUT, PRECISION, NUM_OPTIONS };
    const char *positional[1];
    if (cli_parse(argc, argv, options, NUM_OPTIONS, positional, 1, 1,
                  "MODEL -o OUT --precision P") < 0)
        return CLI_EXIT_USAGE;
    if (!options[OUTPUT].value || !options[PRECISION].value) {
        cli_error("convert: missing %s (usage: srnn convert MODEL -o OUT --precision "
                  "P or P/S, each float32, float16, bfloat16, int8 or int4)",
                  options[OUTPUT].value ? "--precision" : "-o OUT");
        return CLI_EXIT_USAGE;
    }
    srnn_precision precision, sample_precision;
    if (cli_parse_precision("convert", options[PRECISION].value, &precision, &sample_precision))
        return CLI_EXIT_USAGE;
    srnn_model *model = cli_load_model(positional[0]);
    if (!model) return CLI_EXIT_ERROR;
    const srnn_config *config = srnn_model_config(model);
    size_t count = srnn_config_tensor_count(config);
    const float **tensors = calloc(count, sizeof *tensors);
    char *metadata = NULL, error[SRNN_ERROR_MAX] = "";
    int status = CLI_EXIT_ERROR;
    if (!tensors) {
        cli_error("out of memory");
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        srnn_tensor_info info;
        srnn_config_tensor(config, i, &info);
        tensors[i] = srnn_model_tensor(model, info.name, NULL); /* float32, whatever the file */
    }
    srnn_model_metadata_each(model, append_metadata, &metadata);
    srnn_status written = srnn_model_write_tiers(options[OUTPUT].value, config, tensors, metadata,
                                                 precision, sample_precision, error);
    if (written != SRNN_OK) {
        cli_error("%s: %s", options[OUTPUT].value, error[0] ? error : srnn_status_string(written));
        goto done;
    }
    status = CLI_EXIT_OK;
done:
    free(metadata);
    free(tensors);
    srnn_model_free(model);
    return status;
}

const cli_command cmd_convert = {
    "convert",
    "rewrite a model with its weights in float16, bfloat16, int8 or int4",
    "usage: srnn convert MODEL -o OUT --precision P|P/S\n"
    "       (P, S: float32, float16, bfloat16, int8 or int4)\n"
    "\n"
    "Writes MODEL's weights to OUT (atomically) at the precision: float16 (IEEE half) and\n"
    "bfloat16 halve the file, int8 with one float scale per row quarters it, int4 with one\n"
    "per group of 32 makes it about a sixth; biases stay float32, and the metadata is kept.\n"
    "P/S puts the frame tiers (their RNNs and upsamplings) at P and the sample MLP at S, e.g.\n"
    "int4/int8. srnn plays OUT at those precisions. float32 writes a version 1 file, which\n"
    "every version of srnn reads; int4 or two precisions write version 3. The cost in\n"
    "quality is the change of srnn eval's NLL on held-out audio (see the README's table).\n",
    convert_run,
};
