/* Every instruction set level this CPU has, on every golden model and every precision, gives
 * the generic level's logits bit for bit (teacher-forced on the golden targets) and the same
 * samples for the same seed (3000 generated samples; 1000 under ASan), and so does a voice with a helper
 * thread at the best level; reduced precisions stay near float32 (bounds below). SRNN_CPU caps
 * the level and a bad value is refused with one line. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "golden.h"
#include "srnn.h"

/* Samples generated. The ASan/UBSan build, whose slow int4 path in plain C took two minutes
 * of the suite, checks memory on a tenth of them; the plain build checks the bits on all. */
#if defined(__SANITIZE_ADDRESS__)
#define GENERATED 300
#else
#define GENERATED 3000
#endif

/* The precisions run (the frame tiers', the sample MLP's) and how far from float32 their
 * logits may be: the largest |logit difference| relative to the largest |logit|, and the root
 * mean square of the differences relative to that of the logits. float16 and bfloat16 round
 * weights to 11 and 8 significant bits, int8 to 7 bits of a row's range, int4 to 3 bits of a
 * group's: a step 18 times int8's, and these random models amplify it (measured: int8 at most
 * 0.067 of max |logit| and 0.034 rms; int4, whose recurrent kernels, output layer and input
 * products stay int8, everywhere 0.32 and 0.26, with an int8 MLP 0.33 and 0.23). A broken
 * conversion errs by the size of the logits themselves, 1 and more. */
static const struct {
    srnn_precision precision, sample_precision;
    double bound, rms_bound;
} cases[] = {
    {SRNN_PRECISION_F32, SRNN_PRECISION_F32, 0, 0},         {SRNN_PRECISION_F16, SRNN_PRECISION_F16, 0.01, 0.01},
    {SRNN_PRECISION_BF16, SRNN_PRECISION_BF16, 0.05, 0.05}, {SRNN_PRECISION_I8, SRNN_PRECISION_I8, 0.1, 0.1},
    {SRNN_PRECISION_I4, SRNN_PRECISION_I4, 0.5, 0.4},       {SRNN_PRECISION_I4, SRNN_PRECISION_I8, 0.5, 0.4},
};

static const srnn_cpu levels[] = {SRNN_CPU_GENERIC, SRNN_CPU_AVX2, SRNN_CPU_AVX512, SRNN_CPU_NEON};
enum { LEVELS = sizeof levels / sizeof *levels };

/* Logits for every golden target and GENERATED samples at the default temperature from seed 7. */
typedef struct {
    float *logits;
    int32_t samples[GENERATED];
} run_result;

static int run(const char *path, srnn_cpu cpu, size_t precision, unsigned threads,
               const int32_t *targets, size_t n, run_result *out, srnn_cpu *got)
{
    srnn_load_options options = {cpu, cases[precision].precision, cases[precision].sample_precision};
    char error[SRNN_ERROR_MAX];
    srnn_model *model;
    if (srnn_model_load_with(path, &options, &model, error) != SRNN_OK ||
        srnn_model_precision(model) != options.precision ||
        srnn_model_sample_precision(model) != options.sample_precision) {
        fprintf(stderr, "%s: %s\n", path, model ? "not at the precisions asked for" : error);
        srnn_model_free(model);
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
    for (size_t p = 0; p < sizeof cases / sizeof *cases; p++) {
        char precision[32];
        snprintf(precision, sizeof precision, "%s/%s", srnn_precision_name(cases[p].precision),
                 srnn_precision_name(cases[p].sample_precision));
        run_result generic = {0};
        srnn_cpu got;
        int q = run(path, SRNN_CPU_GENERIC, p, 1, targets, n, &generic, &got);
        if (!CHECK(q >= 0, "%s: cannot load or create a voice at the generic level", name)) break;
        if (p == 0) {
            f32 = generic;
        } else {
            double worst = 0, largest = 0, squares = 0, f32_squares = 0;
            for (size_t i = 0; i < n * (size_t)q; i++) {
                double difference = (double)generic.logits[i] - f32.logits[i];
                worst = fmax(worst, fabs(difference));
                largest = fmax(largest, fabs((double)f32.logits[i]));
                squares += difference * difference;
                f32_squares += (double)f32.logits[i] * f32.logits[i];
            }
            double rms = sqrt(squares / f32_squares);
            CHECK_SHOW(worst <= cases[p].bound * largest && rms <= cases[p].rms_bound,
                       "%-12s %-17s max |logit - float32 logit| %.3g = %.2g of max |logit| (bound "
                       "%g), rms %.2g of rms logit (bound %g)",
                       name, precision, worst, worst / largest, cases[p].bound, rms, cases[p].rms_bound);
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
                same_logits && same_samples, "%-12s %-17s %-7s %u thread%s: logits %s, samples %s",
                name, precision, srnn_cpu_name(got), threads, threads > 1 ? "s" : "",
                same_logits ? "bit-identical" : "DIFFER", same_samples ? "identical" : "DIFFER");
            free(other.logits);
        }
        if (p != 0) free(generic.logits);
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
    srnn_load_options best = {.cpu = SRNN_CPU_AVX512};
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

    srnn_load_options bad = {.precision = (srnn_precision)99};
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
