/* srnn eval: how well a model predicts an audio file (score.h). */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "score.h"
#include "srnn.h"

static int eval_run(int argc, char **argv) {
    const char *positional[2];
    if (cli_parse(argc, argv, NULL, 0, positional, 2, 2, "MODEL AUDIO") < 0)
        return CLI_EXIT_USAGE;
    srnn_model *model = cli_load_model(positional[0]);
    if (!model) return CLI_EXIT_ERROR;
    score result;
    int status = score_audio(model, positional[1], &result) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    if (status == CLI_EXIT_OK) {
        printf("samples: %zu\n", result.samples);
        printf("nll_nats: %.9g\n", result.nll_nats);
        printf("nll_bits: %.9g\n", result.nll_nats / log(2.0));
        printf("accuracy: %.6f\n", result.accuracy);
    }
    srnn_model_free(model);
    return status;
}

const cli_command cmd_eval = {
    "eval",
    "score a model on an audio file (teacher-forced NLL and accuracy)",
    "usage: srnn eval MODEL AUDIO\n"
    "\n"
    "Reads AUDIO (any format libsndfile reads; mixed to mono, resampled to the model's rate),\n"
    "quantises it, keeps whole big frames, and feeds it sample by sample to a voice that starts\n"
    "from silence, scoring the model's prediction of each sample. Prints on stdout:\n"
    "\n"
    "  samples: N         samples scored\n"
    "  nll_nats: X        mean negative log-likelihood per sample, in nats (PRiSM's loss)\n"
    "  nll_bits: X        the same in bits\n"
    "  accuracy: X        fraction of samples that were the model's most likely value\n",
    eval_run,
};
