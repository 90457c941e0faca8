/* Teacher forcing (score.h): the voice is fed the file's own samples and scored on each one,
 * giving the mean negative log-likelihood that PRiSM's training reports as its loss, and the
 * accuracy of the most likely value. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "audio_file.h"
#include "cli.h"
#include "score.h"

/* -log softmax(logits)[target], with the log-sum-exp in double like the reference. */
static double negative_log_likelihood(const float *logits, uint32_t q, int32_t target) {
    double max = logits[0];
    for (uint32_t i = 1; i < q; i++)
        if (logits[i] > max) max = logits[i];
    double sum = 0.0;
    for (uint32_t i = 0; i < q; i++) sum += exp((double)logits[i] - max);
    return max + log(sum) - (double)logits[target];
}

/* The first index of the largest logit. */
static int32_t argmax(const float *logits, uint32_t q) {
    uint32_t best = 0;
    for (uint32_t i = 1; i < q; i++)
        if (logits[i] > logits[best]) best = i;
    return (int32_t)best;
}

int score_audio(srnn_model *model, const char *path, score *result) {
    const srnn_config *config = srnn_model_config(model);
    int status = -1;
    float *audio = NULL;
    int32_t *targets = NULL;
    srnn_voice *voice = NULL;
    size_t count;
    char error[AUDIO_ERROR_MAX];
    if (audio_read_mono(path, config->sample_rate, &audio, &count, error) != 0) {
        cli_error("%s", error);
        goto done;
    }
    /* Whole big frames only, as training cuts its sequences. */
    size_t bf = config->big_frame_size;
    if (count < bf) {
        cli_error("%s: too short to evaluate: %zu samples at %" PRIu32 " Hz, a big frame is %zu",
                  path, count, config->sample_rate, bf);
        goto done;
    }
    count -= count % bf;
    targets = malloc(count * sizeof *targets);
    if (!targets) {
        cli_error("out of memory");
        goto done;
    }
    srnn_status created = srnn_voice_create(model, 0, &voice);
    if (created != SRNN_OK) {
        cli_error("cannot create a voice: %s", srnn_status_string(created));
        goto done;
    }
    for (size_t i = 0; i < count; i++) targets[i] = srnn_quantise(config, audio[i]);

    double nll = 0.0;
    size_t correct = 0;
    for (size_t i = 0; i < count; i++) {
        const float *logits = srnn_voice_predict(voice);
        nll += negative_log_likelihood(logits, config->q_levels, targets[i]);
        correct += argmax(logits, config->q_levels) == targets[i];
        srnn_voice_feed(voice, targets[i]);
    }
    result->samples = count;
    result->nll_nats = nll / (double)count;
    result->accuracy = (double)correct / (double)count;
    status = 0;
done:
    srnn_voice_free(voice);
    free(targets);
    free(audio);
    return status;
}
