/* srnn convert: rewrites a model with its weights at another precision (models/FORMAT.md):
 * float16 or bfloat16 halve the file, int8 with one scale per row quarters it, int4 with one
 * per group of 32 (some matrices at int8, engine/prepare.c) makes it smaller still, and the
 * engine then runs the model at that precision.
 * "P/S" puts the frame tiers at P and the sample MLP at S. --density prunes the matrices the
 * engine runs as stored to block-sparse ones, and the factors it would otherwise multiply out
 * where it then keeps them apart (srnn_prune_factors); --primer keeps a recording's loudest
 * second with the model (live/primer.h); --eval scores both models on an audio file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio_file.h"
#include "cli.h"
#include "primer.h"
#include "score.h"
#include "srnn.h"

typedef struct {
    char *text;
    bool new_primer; /* --primer: the file's primer, if any, is replaced */
} metadata_text;

static void append_metadata(const char *key, const char *value, void *user)
{
    metadata_text *metadata = user;
    char **text = &metadata->text;
    if (metadata->new_primer && strcmp(key, LIVE_PRIMER_KEY) == 0) return;
    size_t used = *text ? strlen(*text) : 0, more = strlen(key) + strlen(value) + 3;
    char *grown = realloc(*text, used + more);
    if (!grown) return; /* out of memory: that line is lost, the model is still right */
    snprintf(grown + used, more, "%s=%s\n", key, value);
    *text = grown;
}

/* The primer's metadata value from the recording at path (live_primer_encode), or NULL after
 * one line on stderr. */
static char *read_primer(const char *path, const srnn_config *config)
{
    float *audio = NULL;
    size_t count = 0;
    char error[AUDIO_ERROR_MAX];
    if (audio_read_mono(path, config->sample_rate, &audio, &count, error) != 0) {
        cli_error("convert: --primer %s", error);
        return NULL;
    }
    char *text = live_primer_encode(config, audio, count);
    if (!text)
        cli_error("convert: --primer %s: %zu samples at %u Hz, shorter than a big frame (%u)",
                  path, count, config->sample_rate, config->big_frame_size);
    free(audio);
    return text;
}

/* NLL in bits of the model at path on audio, or NAN after one line on stderr. */
static double nll_bits(srnn_model *model, const char *audio)
{
    score result;
    if (!model || score_audio(model, audio, &result) != 0) return NAN;
    return result.nll_nats / log(2.0);
}

/* The most models convert averages. */
#define MAX_AVERAGED 64

/* The first hyper-parameter that differs between a and b (their tensors differ then), or NULL. */
static const char *config_difference(const srnn_config *a, const srnn_config *b)
{
    if (a->sample_rate != b->sample_rate) return "sample_rate";
    if (a->frame_size != b->frame_size || a->big_frame_size != b->big_frame_size) return "frame sizes";
    if (a->dim != b->dim) return "dim";
    if (a->num_rnn_layers != b->num_rnn_layers) return "num_rnn_layers";
    if (a->rnn_type != b->rnn_type) return "rnn_type";
    if (a->q_type != b->q_type || a->q_levels != b->q_levels) return "quantisation";
    if (a->skip_conn != b->skip_conn) return "skip_conn";
    return NULL;
}

/* Each tensor of the models at paths (count > 1; the last is last, loaded already) averaged
 * into sums[i] (float32: the models' values added in their order, then divided by count, as
 * checkpoint averaging in fairseq or SWA does); 0, or -1 after one line on stderr. */
static int average_models(float **sums, const srnn_model *last, const char *const *paths, size_t count)
{
    const srnn_config *config = srnn_model_config(last);
    size_t tensors = srnn_config_tensor_count(config);
    for (size_t m = 0; m < count; m++) {
        srnn_model *model = m + 1 < count ? cli_load_model(paths[m]) : NULL;
        const srnn_model *source = m + 1 < count ? model : last;
        if (!source) return -1;
        const char *differs = config_difference(config, srnn_model_config(source));
        if (differs) {
            cli_error("convert: %s and %s differ in %s: only checkpoints of one model average", paths[m],
                      paths[count - 1], differs);
            srnn_model_free(model);
            return -1;
        }
        for (size_t i = 0; i < tensors; i++) {
            srnn_tensor_info info;
            srnn_config_tensor(config, i, &info);
            const float *values = srnn_model_tensor(source, info.name, NULL);
            for (uint64_t k = 0; k < info.count; k++) sums[i][k] = m == 0 ? values[k] : sums[i][k] + values[k];
        }
        srnn_model_free(model);
    }
    for (size_t i = 0; i < tensors; i++) {
        srnn_tensor_info info;
        srnn_config_tensor(config, i, &info);
        for (uint64_t k = 0; k < info.count; k++) sums[i][k] /= (float)count;
    }
    return 0;
}

static int convert_run(int argc, char **argv)
{
    cli_option options[] = {{"--output", "-o", NULL}, {"--precision", NULL, NULL},
                            {"--density", NULL, NULL}, {"--eval", NULL, NULL},
                            {"--primer", NULL, NULL}};
    enum { OUTPUT, PRECISION, DENSITY, EVAL, PRIMER, NUM_OPTIONS };
    const char *positional[MAX_AVERAGED];
    int models = cli_parse(argc, argv, options, NUM_OPTIONS, positional, 1, MAX_AVERAGED,
                           "MODEL [MODEL ...] -o OUT --precision P [--density D] [--primer AUDIO] [--eval AUDIO]");
    if (models < 0) return CLI_EXIT_USAGE;
    if (!options[OUTPUT].value ||
        (models == 1 && !options[PRECISION].value && !options[DENSITY].value && !options[PRIMER].value)) {
        cli_error("convert: missing %s (usage: srnn convert MODEL -o OUT --precision "
                  "P or P/S, each float32, float16, bfloat16, int8 or int4, and/or --density D, "
                  "and/or --primer AUDIO)",
                  options[OUTPUT].value ? "--precision" : "-o OUT");
        return CLI_EXIT_USAGE;
    }
    double density = 1.0;
    if (options[DENSITY].value &&
        cli_parse_positive("--density", options[DENSITY].value, 1.0, " (the share of blocks kept)", &density) != 0)
        return CLI_EXIT_USAGE;
    srnn_precision precision = SRNN_PRECISION_AUTO, sample_precision = SRNN_PRECISION_AUTO;
    if (options[PRECISION].value &&
        cli_parse_precision("convert", options[PRECISION].value, &precision, &sample_precision))
        return CLI_EXIT_USAGE;
    if (options[EVAL].value && access(options[EVAL].value, R_OK) != 0) { /* before any work */
        cli_error("convert: --eval %s: cannot read it", options[EVAL].value);
        return CLI_EXIT_ERROR;
    }
    srnn_model *model = cli_load_model(positional[models - 1]); /* several: the last, whose metadata is kept */
    if (!model) return CLI_EXIT_ERROR;
    if (!options[PRECISION].value) { /* --density, --primer or averaging alone keep the precisions */
        precision = srnn_model_precision(model);
        sample_precision = srnn_model_sample_precision(model);
    }
    const srnn_config *config = srnn_model_config(model);
    size_t count = srnn_config_tensor_count(config);
    const float **tensors = calloc(count, sizeof *tensors);
    float **pruned = calloc(count, sizeof *pruned);
    float **averaged = calloc(count, sizeof *averaged);
    metadata_text metadata = {NULL, options[PRIMER].value != NULL};
    char error[SRNN_ERROR_MAX] = "";
    char *primer = NULL;
    int status = CLI_EXIT_ERROR;
    if (!tensors || !pruned || !averaged) {
        cli_error("out of memory");
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        srnn_tensor_info info;
        srnn_config_tensor(config, i, &info);
        tensors[i] = srnn_model_tensor(model, info.name, NULL); /* float32, whatever the file */
        if (models > 1 && !(averaged[i] = malloc(info.count * sizeof **averaged))) {
            cli_error("out of memory for %d models' average", models);
            goto done;
        }
    }
    if (models > 1) {
        if (average_models(averaged, model, positional, (size_t)models) != 0) goto done;
        for (size_t i = 0; i < count; i++) tensors[i] = averaged[i];
    }
    srnn_model_metadata_each(model, append_metadata, &metadata);
    if (options[PRIMER].value) {
        if (!(primer = read_primer(options[PRIMER].value, config))) goto done;
        metadata.new_primer = false;
        append_metadata(LIVE_PRIMER_KEY, primer, &metadata);
    }
    if (density < 1.0)
        fprintf(stderr, "convert: warning: pruning to a density of %g without training costs quality "
                        "(50%% on every matrix of the default model: +2.35 bits/sample); --eval measures it\n",
                density);
    srnn_status written = srnn_prune_factors(config, tensors, precision, sample_precision, density,
                                             pruned, error);
    for (size_t i = 0; i < count && written == SRNN_OK; i++)
        if (pruned[i]) tensors[i] = pruned[i];
    if (written == SRNN_OK)
        written = srnn_model_write_pruned(options[OUTPUT].value, config, tensors, metadata.text,
                                          precision, sample_precision, density, error);
    if (written != SRNN_OK) {
        cli_error("%s: %s", options[OUTPUT].value, error[0] ? error : srnn_status_string(written));
        goto done;
    }
    status = CLI_EXIT_OK;
    if (options[EVAL].value) {
        srnn_model *converted = cli_load_model(options[OUTPUT].value);
        double before = nll_bits(model, options[EVAL].value), after = nll_bits(converted, options[EVAL].value);
        srnn_model_free(converted);
        if (isnan(before) || isnan(after)) {
            status = CLI_EXIT_ERROR;
        } else {
            printf("nll_bits_before: %.6f\n", before);
            printf("nll_bits_after: %.6f\n", after);
            printf("nll_bits_change: %+.6f\n", after - before);
        }
    }
done:
    for (size_t i = 0; pruned && i < count; i++) free(pruned[i]);
    for (size_t i = 0; averaged && i < count; i++) free(averaged[i]);
    free(pruned);
    free(averaged);
    free(metadata.text);
    free(primer);
    free(tensors);
    srnn_model_free(model);
    return status;
}

const cli_command cmd_convert = {
    "convert",
    "rewrite a model with its weights in float16, bfloat16, int8 or int4, or block-sparse",
    "usage: srnn convert MODEL [MODEL ...] -o OUT [--precision P|P/S] [--density D]\n"
    "                    [--primer AUDIO] [--eval AUDIO]\n"
    "       (P, S: float32, float16, bfloat16, int8 or int4; 0 < D <= 1)\n"
    "\n"
    "Writes MODEL's weights to OUT (atomically) at the precision: float16 (IEEE half) and\n"
    "bfloat16 halve the file, int8 with one float scale per row quarters it, int4 with one\n"
    "per group of 32 makes it smaller still (the recurrent kernels and the output layer stay\n"
    "int8: they carry most of int4's error); biases stay float32, and the metadata is kept.\n"
    "P/S puts the frame tiers (their RNNs and upsamplings) at P and the sample MLP at S, e.g.\n"
    "int4/int8. srnn plays OUT at those precisions. float32 writes a version 1 file, which\n"
    "every version of srnn reads; two precisions write version 3, int4 version 4. The cost in\n"
    "quality is the change of srnn eval's NLL on held-out audio (see the README's table).\n"
    "\n"
    "--density D keeps the share D of the pieces of 4 inputs x 8 outputs, those of the largest\n"
    "L2 norm, of each matrix the engine runs as stored (the RNN kernels past layer 0, the\n"
    "recurrent and skip kernels, hidden2, the output), stores them block-sparse (version 4),\n"
    "and at int8 the engine then skips the pruned pieces. Where the engine multiplies two\n"
    "matrices out at load time (an upsampling and the map after it: hidden1, or the frame\n"
    "tier's first layer), their product would be dense; when at D and these precisions\n"
    "the pruned factors read fewer bytes, they are pruned too (stored dense, their pieces\n"
    "zero) and the engine runs them apart. Without --precision the model's\n"
    "precisions are kept. Pruning without training costs quality: --eval AUDIO prints the\n"
    "NLL in bits per sample of MODEL and OUT on AUDIO and the change.\n"
    "\n"
    "--primer AUDIO keeps the loudest second of AUDIO (at the model's rate, quantised) in\n"
    "OUT's metadata as its primer: srnn render, play and the plugin start every voice from a\n"
    "big frame of it, and start a voice again from another when it has stayed below -40 dBFS\n"
    "for half a second (a SampleRNN started from silence tends to stay silent at low\n"
    "temperatures). Alone, it keeps the weights as they are.\n"
    "\n"
    "With several MODELs (checkpoints of one training run, up to 64, the same configuration),\n"
    "OUT holds the average of their weights, with the last one's metadata and precisions\n"
    "unless --precision is given; --eval then compares the last with OUT. Averaging the last\n"
    "checkpoints of a run at a low learning rate gives a better model than any of them\n"
    "(the default model's 8 last: -0.004 bits per sample on the test split, README).\n",
    convert_run,
};
