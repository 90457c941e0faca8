/* The engine's per-sample logits against PyTorch's (tests/reference) on the same weights,
 * teacher-forced on the same quantised audio: max |difference| <= 1e-4 for every case. And
 * the pruned case whose upsamplings the engine keeps apart at int8 (model.h, unfolded) against
 * PyTorch within the int8 bounds of tests/test_cpu_levels.c, with a dense case staying folded. */
#include <math.h>
#include <stdint.h>

#include "check.h"
#include "golden.h"
#include "model.h"
#include "srnn.h"

#define TOLERANCE 1e-4f
/* int8 against the reference: the largest |difference| relative to the largest |logit| and
 * the root mean square of the differences relative to that of the logits (test_cpu_levels.c) */
#define I8_BOUND 0.1
#define I8_RMS_BOUND 0.1

static int check_case(const char *dir, const char *name)
{
    srnn_model *model = golden_load_model(dir, name);
    if (!CHECK(model, "%s: cannot load", name)) return 1;
    size_t targets_size = 0, logits_size = 0;
    int32_t *targets = golden_read(dir, name, ".q.i32", &targets_size);
    float *expected = golden_read(dir, name, ".logits.f32", &logits_size);
    const srnn_config *config = srnn_model_config(model);
    size_t n = targets_size / sizeof *targets, q = config->q_levels;
    srnn_voice *voice = NULL;
    int ready = CHECK(targets && expected && n > 0 && logits_size == n * q * sizeof(float) &&
                          srnn_voice_create(model, 1, &voice) == SRNN_OK,
                      "%s: missing or inconsistent golden files", name);

    double worst = 0.0; /* NaN counts as the worst (max_abs_diff) */
    size_t worst_at = 0;
    for (size_t t = 0; ready && t < n; t++) {
        double d = max_abs_diff(srnn_voice_predict(voice), expected + t * q, q, NULL);
        if (d > worst) worst = d, worst_at = t;
        srnn_voice_feed(voice, targets[t]);
    }
    if (ready)
        CHECK_SHOW(worst <= TOLERANCE,
                   "%-12s %5zu samples x %4zu logits: max |diff| %.3g (at sample %zu)", name, n, q,
                   worst, worst_at);
    srnn_voice_free(voice);
    free(targets);
    free(expected);
    srnn_model_free(model);
    return 0;
}

/* A case loaded at int8; NULL (and says why) on failure. */
static srnn_model *load_i8(const char *dir, const char *name)
{
    char path[1024], error[SRNN_ERROR_MAX];
    snprintf(path, sizeof path, "%s/%s.srnn", dir, name);
    srnn_load_options options = {SRNN_CPU_AUTO, SRNN_PRECISION_I8, SRNN_PRECISION_I8};
    srnn_model *model;
    if (srnn_model_load_with(path, &options, &model, error) != SRNN_OK) {
        fprintf(stderr, "%s: %s\n", path, error);
        return NULL;
    }
    return model;
}

static void check_unfolded(const char *dir)
{
    srnn_model *dense = load_i8(dir, "gru");
    if (CHECK(dense, "gru at int8: cannot load"))
        CHECK_SHOW(!dense->run.big_frame.unfolded && !dense->run.frame.unfolded,
                   "gru          int8: dense factors stay folded");
    srnn_model_free(dense);

    const char *name = "gru_unfold";
    srnn_model *model = load_i8(dir, name);
    if (!CHECK(model, "%s at int8: cannot load", name)) return;
    CHECK_SHOW(model->run.big_frame.unfolded && model->run.frame.unfolded,
               "%-12s int8: both upsamplings run unfolded (big frame %d, frame %d)", name,
               model->run.big_frame.unfolded, model->run.frame.unfolded);
    size_t targets_size = 0, logits_size = 0;
    int32_t *targets = golden_read(dir, name, ".q.i32", &targets_size);
    float *expected = golden_read(dir, name, ".logits.f32", &logits_size);
    size_t n = targets_size / sizeof *targets, q = model->config.q_levels;
    srnn_voice *voice = NULL;
    if (CHECK(targets && expected && n > 0 && logits_size == n * q * sizeof(float) &&
                  srnn_voice_create(model, 1, &voice) == SRNN_OK,
              "%s: missing or inconsistent golden files", name)) {
        double worst = 0, largest = 0, squares = 0, reference_squares = 0;
        for (size_t t = 0; t < n; t++) {
            const float *logits = srnn_voice_predict(voice), *want = expected + t * q;
            for (size_t i = 0; i < q; i++) {
                double difference = (double)logits[i] - want[i];
                worst = isnan(difference) ? INFINITY : fmax(worst, fabs(difference));
                largest = fmax(largest, fabs((double)want[i]));
                squares += difference * difference;
                reference_squares += (double)want[i] * want[i];
            }
            srnn_voice_feed(voice, targets[t]);
        }
        double rms = sqrt(squares / reference_squares);
        CHECK_SHOW(worst <= I8_BOUND * largest && rms <= I8_RMS_BOUND,
                   "%-12s int8 unfolded: max |logit - PyTorch logit| %.3g = %.2g of max |logit| "
                   "(bound %g), rms %.2g of rms logit (bound %g)",
                   name, worst, worst / largest, I8_BOUND, rms, I8_RMS_BOUND);
    }
    srnn_voice_free(voice);
    free(targets);
    free(expected);
    srnn_model_free(model);
}

int main(void)
{
    CHECK(golden_each_case(golden_dir(), check_case) == 0, "the golden cases (%s)", golden_dir());
    check_unfolded(golden_dir());
    return check_summary();
}
