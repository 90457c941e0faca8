/* The engine's per-sample logits against PyTorch's (tests/reference) on the same weights,
 * teacher-forced on the same quantised audio: max |difference| <= 1e-4 for every case. */
#include <math.h>
#include <stdint.h>

#include "golden.h"
#include "srnn.h"

#define TOLERANCE 1e-4f

static int check_case(const char *dir, const char *name)
{
    srnn_model *model = golden_load_model(dir, name);
    if (!model) return 1;
    size_t targets_size = 0, logits_size = 0;
    int32_t *targets = golden_read(dir, name, ".q.i32", &targets_size);
    float *expected = golden_read(dir, name, ".logits.f32", &logits_size);
    const srnn_config *config = srnn_model_config(model);
    size_t n = targets_size / sizeof *targets, q = config->q_levels;
    srnn_voice *voice = NULL;
    int failed = !targets || !expected || n == 0 || logits_size != n * q * sizeof(float) ||
                 srnn_voice_create(model, 1, &voice) != SRNN_OK;
    if (failed) fprintf(stderr, "%s: missing or inconsistent golden files\n", name);

    float worst = 0.0f;
    size_t worst_at = 0;
    for (size_t t = 0; !failed && t < n; t++) {
        const float *logits = srnn_voice_predict(voice);
        for (size_t i = 0; i < q; i++) {
            float difference = fabsf(logits[i] - expected[t * q + i]);
            if (!(difference <= worst)) { /* NaN counts as worst */
                worst = isnan(difference) ? INFINITY : difference;
                worst_at = t;
            }
        }
        srnn_voice_feed(voice, targets[t]);
    }
    if (!failed) {
        failed = !(worst <= TOLERANCE);
        printf("%-12s %5zu samples x %4zu logits: max |diff| %.3g (at sample %zu) %s\n", name, n,
               q, worst, worst_at, failed ? "FAIL" : "ok");
    }
    srnn_voice_free(voice);
    free(targets);
    free(expected);
    srnn_model_free(model);
    return failed;
}

int main(void)
{
    int failures = golden_each_case(golden_dir(), check_case);
    printf("%s\n", failures ? "FAIL" : "all cases within 1e-4");
    return failures != 0;
}
