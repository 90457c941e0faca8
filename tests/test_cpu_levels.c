/* Every instruction set level this CPU has, on every golden model and every precision, gives
 * the generic level's logits bit for bit (teacher-forced on the golden targets) and the same
 * samples for the same seed (3000 generated samples), and so does a voice with a helper
 * thread at the best level; reduced precisions stay near float32 (bounds below). SRNN_CPU caps
 * the level and a bad value is refused with one line. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "golden.h"
#include "srnn.h"

#define GENERATED 3000

/* Largest |logit difference| from float32 each precision may show, relative to the largest
 * |logit|: float16 and bfloat16 round weights to 11 and 8 significant bits, int8 to 7 bits of
 * a row's range. A broken conversion errs by the size of the logits themselves. */
static const double precision_bound[] = {0, 0, 0.01, 0.05, 0.1};

static const srnn_cpu levels[] = {SRNN_CPU_GENERIC, SRNN_CPU_AVX2, SRNN_CPU_AVX512, SRNN_CPU_NEON};
enum { LEVELS = sizeof levels / sizeof *levels };

/* Logits for every golden target and GENERATED samples at the default temperature from seed 7. */
typedef struct {
    float *logits;
    int32_t samples[GENERATED];
} run_result;

static int run(const char *path, srnn_cpu cpu, srnn_precision precision, unsigned threads,
               const int32_t *targets, size_t n, run_result *out, srnn_cpu *got)
{
    srnn_load_options options = {cpu, precision};
    char error[SRNN_ERROR_MAX];
    srnn_model *model;
    if (srnn_model_load_with(path, &options, &model, error) != SRNN_OK) {
        fprintf(stderr, "%s: %s\n", path, error);
        return -1;
    }
    *got = srnn_model_cpu(model);
    size_t q = srnn_model_config(model)->q_levels;
    srnn_voice *voice;
    if (srnn_voice_create_threads(model, 7, threads, &voice) != SRNN_OK) return -1;
    out->logits = malloc(n * q * sizeof(float));
    for (size_t t = 0; t < n; t++) {
        memcpy(out->logits + t * q, srnn_voice_predict(voice), q * sizeof(float));
        srnn_voice_feed(voice, targets[t]);
    }
    srnn_voice_reset(voice, 7);
    srnn_voice_generate(voice, SRNN_DEFAULT_TEMPERATURE, NULL, out->samples, GENERATED);
    srnn_voice_free(voice);
    srnn_model_free(model);
    return (int)q;
}

static int check_case(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.srnn", dir, name);
    size_t size = 0;
    int32_t *targets = golden_read(dir, name, ".q.i32", &size);
    if (!targets) return 1;
    size_t n = size / sizeof *targets;
    run_result f32 = {0};
    for (srnn_precision p = SRNN_PRECISION_F32; p <= SRNN_PRECISION_I8; p++) {
        run_result generic = {0};
        srnn_cpu got;
        int q = run(path, SRNN_CPU_GENERIC, p, 1, targets, n, &generic, &got);
        if (!CHECK(q >= 0, "%s: cannot load or create a voice at the generic level", name)) break;
        if (p == SRNN_PRECISION_F32) {
            f32 = generic;
        } else {
            double worst = 0, largest = 0;
            for (size_t i = 0; i < n * (size_t)q; i++) {
                worst = fmax(worst, fabs((double)generic.logits[i] - f32.logits[i]));
                largest = fmax(largest, fabs((double)f32.logits[i]));
            }
            CHECK_SHOW(
                worst <= precision_bound[p] * largest,
                "%-12s %-8s max |logit - float32 logit| %.3g = %.2g of max |logit| (bound %g)",
                name, srnn_precision_name(p), worst, worst / largest, precision_bound[p]);
        }
        for (int l = 1; l <= LEVELS; l++) { /* the last round: the best level, two threads */
            run_result other = {0};
            srnn_cpu level = l < LEVELS ? levels[l] : SRNN_CPU_AUTO;
            unsigned threads = l < LEVELS ? 1 : 2;
            if (!CHECK(run(path, level, p, threads, targets, n, &other, &got) >= 0,
                       "%s: cannot load or create a voice at %s", name, srnn_cpu_name(level)))
                continue;
            if (l < LEVELS && got != levels[l]) { /* the CPU lacks it: loading fell back */
                free(other.logits);
                continue;
            }
            int same_logits = memcmp(generic.logits, other.logits, n * q * sizeof(float)) == 0;
            int same_samples = memcmp(generic.samples, other.samples, sizeof other.samples) == 0;
            CHECK_SHOW(
                same_logits && same_samples, "%-12s %-8s %-7s %u thread%s: logits %s, samples %s",
                name, srnn_precision_name(p), srnn_cpu_name(got), threads, threads > 1 ? "s" : "",
                same_logits ? "bit-identical" : "DIFFER", same_samples ? "identical" : "DIFFER");
            free(other.logits);
        }
        if (p != SRNN_PRECISION_F32) free(generic.logits);
    }
    free(f32.logits);
    free(targets);
    return 0;
}

/* SRNN_CPU caps the level; a value it does not know is refused with one line. */
static void check_environment(const char *dir)
{
    char path[1024], error[SRNN_ERROR_MAX] = "";
    snprintf(path, sizeof path, "%s/gru.srnn", dir);
    srnn_model *model;
    setenv("SRNN_CPU", "generic", 1);
    srnn_load_options best = {SRNN_CPU_AVX512, SRNN_PRECISION_AUTO};
    int ok = srnn_model_load_with(path, &best, &model, error) == SRNN_OK &&
             srnn_model_cpu(model) == SRNN_CPU_GENERIC &&
             srnn_model_precision(model) == SRNN_PRECISION_F32;
    srnn_model_free(model);
    CHECK_SHOW(ok, "SRNN_CPU=generic caps a request for avx512");

    setenv("SRNN_CPU", "avx9000", 1);
    srnn_status status = srnn_model_load(path, &model, error);
    CHECK_SHOW(status == SRNN_ERR_ARGUMENT && !model && strstr(error, "avx9000") && one_line(error),
               "SRNN_CPU=avx9000 is refused: '%s'", error);
    unsetenv("SRNN_CPU");

    srnn_load_options bad = {SRNN_CPU_AUTO, (srnn_precision)99};
    status = srnn_model_load_with(path, &bad, &model, error);
    CHECK_SHOW(status == SRNN_ERR_ARGUMENT && !model, "an unknown precision is refused: '%s'",
               error);
}

int main(void)
{
    unsetenv("SRNN_CPU"); /* the test itself chooses the levels */
    CHECK(golden_each_case(golden_dir(), check_case) == 0, "the golden cases (%s)", golden_dir());
    check_environment(golden_dir());
    return check_summary();
}
