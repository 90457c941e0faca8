/* How well a model predicts an audio file, teacher-forced (srnn eval, srnn convert --eval). */
#ifndef SRNN_UI_SCORE_H
#define SRNN_UI_SCORE_H

#include <stddef.h>

#include "srnn.h"

typedef struct {
    size_t samples;  /* scored: whole big frames of the file */
    double nll_nats; /* mean negative log-likelihood per sample (PRiSM's loss) */
    double accuracy; /* share of samples that were the most likely value */
} score;

/* Scores model on the audio file at path (read at the model's rate). 0, or -1 after one line
 * on stderr. */
int score_audio(srnn_model *model, const char *path, score *result);

#endif
