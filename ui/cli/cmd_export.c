/* srnn export: a model as a checkpoint PRiSM SampleRNN (TensorFlow) loads, to train on. */
#include <stdio.h>

#include "cli.h"
#include "prism_export.h"

static int export_run(int argc, char **argv) {
    cli_option options[] = {{"--prism", NULL, NULL}};
    const char *positional[1];
    if (cli_parse(argc, argv, options, 1, positional, 1, 1, "--prism OUTDIR MODEL") < 0)
        return CLI_EXIT_USAGE;
    const char *outdir = options[0].value;
    if (!outdir) {
        cli_error("export: --prism OUTDIR is required (the only format; see srnn help export)");
        return CLI_EXIT_USAGE;
    }
    srnn_model *model = cli_load_model(positional[0]);
    if (!model) return CLI_EXIT_ERROR;
    char error[CKPT_ERROR_MAX];
    srnn_status status = prism_export(model, outdir, error);
    srnn_model_free(model);
    if (status != SRNN_OK) {
        cli_error("%s", error);
        return CLI_EXIT_ERROR;
    }
    printf("%s/%s (.index, .data-00000-of-00001), %s/config.json, %s/checkpoint\n", outdir,
           PRISM_EXPORT_NAME, outdir, outdir);
    return CLI_EXIT_OK;
}

const cli_command cmd_export = {
    "export",
    "write a model as a PRiSM SampleRNN checkpoint",
    "usage: srnn export --prism OUTDIR MODEL\n"
    "\n"
    "Writes the model into directory OUTDIR (created when absent) as PRiSM SampleRNN's\n"
    "training saves it (Keras save_weights in TensorFlow's format):\n"
    "  model.ckpt-0.index, model.ckpt-0.data-00000-of-00001   the weights\n"
    "  checkpoint                                             names model.ckpt-0 as the latest\n"
    "  config.json                                            PRiSM's config, plus sample_rate\n"
    "Train on in PRiSM with: python train.py --config_file OUTDIR/config.json --resume True\n"
    "--resume_from OUTDIR/model.ckpt-0 ... The checkpoint holds no optimizer state (Adam starts\n"
    "afresh) and carries the model's metadata, so srnn import gives back the same model file.\n",
    export_run,
};
