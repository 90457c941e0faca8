/* The engine's per-sample logits against PyTorch's (tests/reference) on the same weights,
 * teacher-forced on the same quantised audio: max |difference| <= 1e-4 for every case. */
#include <math.h>
#include <stdint.h>

#include "check.h"
#include "golden.h"
#include "srnn.h"

#define TOLERANCE 1e-4f

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

int main(void)
{
    CHECK(golden_each_case(golden_dir(), check_case) == 0, "the golden cases (%s)", golden_dir());
    return check_summary();
}
