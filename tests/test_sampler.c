/* Statistical test of srnn_voice_sample.
 *
 * For fixed logits of several shapes and temperatures T, DRAWS samples must follow
 * softmax(logits / T) (computed here in double): a chi-square goodness-of-fit test at a
 * significance of 1e-4. To show the test has the power to notice a wrong sampler, the same
 * counts must FAIL against softmax(logits / 2T). Seeds are fixed, so the outcome is the same on
 * every run. Also: T <= SRNN_ARGMAX_TEMPERATURE (1e-6) and NaN pick the argmax, T is capped at
 * SRNN_MAX_TEMPERATURE (1000), a seed fixes the sequence, and different seeds (also in the high
 * 32 bits) give different ones.
 * Needs GOLDEN (the directory with gru.srnn, Q = 256, and linear512.srnn, Q = 512) for voices.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "srnn.h"

#define DRAWS 60000
#define MIN_EXPECTED 5.0
/* z with P(Z > z) = 1e-4 for a standard normal Z */
#define Z_CRITICAL 3.719016485455709

static void *checked_calloc(size_t count, size_t size) {
    void *p = calloc(count, size);
    if (!p) {
        FAIL("out of memory");
        exit(1);
    }
    return p;
}

/* Upper 1e-4 quantile of chi-square with k degrees of freedom, by Wilson–Hilferty:
 * (X/k)^(1/3) is nearly normal with mean 1 - 2/(9k) and variance 2/(9k). For small k it errs
 * on the high side (k = 1: 16.2 against the exact 15.1), i.e. it rejects a little less. */
static double chi2_critical(int k) {
    double v = 2.0 / (9.0 * k);
    double c = 1.0 - v + Z_CRITICAL * sqrt(v);
    return k * c * c * c;
}

/* softmax(logits / t) in double */
static void softmax(const float *logits, int q, double t, double *p) {
    double max = -INFINITY, sum = 0;
    for (int i = 0; i < q; i++)
        max = fmax(max, logits[i] / t);
    for (int i = 0; i < q; i++)
        sum += p[i] = exp(logits[i] / t - max);
    for (int i = 0; i < q; i++)
        p[i] /= sum;
}

/* Pearson's statistic of counts against probabilities p. Bins expecting fewer than
 * MIN_EXPECTED draws are pooled into one, which if still short joins the smallest other bin;
 * *df is the number of bins after pooling, less one. */
static double chi_square(const long *counts, const double *p, int q, long n, int *df) {
    double pool_e = 0, pool_o = 0;
    int smallest = -1; /* the bin with the least expected count of those not pooled */
    for (int i = 0; i < q; i++) {
        if (p[i] * n < MIN_EXPECTED) {
            pool_e += p[i] * n;
            pool_o += counts[i];
        } else if (smallest < 0 || p[i] < p[smallest]) {
            smallest = i;
        }
    }
    int join = pool_e > 0 && pool_e < MIN_EXPECTED ? smallest : -1;
    if (join >= 0) {
        pool_e += p[join] * n;
        pool_o += counts[join];
    }
    double stat = 0;
    int bins = 0;
    for (int i = 0; i < q; i++) {
        double e = p[i] * n;
        if (e >= MIN_EXPECTED && i != join) {
            stat += (counts[i] - e) * (counts[i] - e) / e;
            bins++;
        }
    }
    if (pool_e > 0) {
        stat += (pool_o - pool_e) * (pool_o - pool_e) / pool_e;
        bins++;
    }
    *df = bins - 1;
    return stat;
}

/* splitmix64, for logits that do not depend on the engine's random numbers */
static uint64_t next_random(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static double normal(uint64_t *state) {
    double u1 = ((next_random(state) >> 11) + 0.5) / 9007199254740992.0;
    double u2 = (next_random(state) >> 11) / 9007199254740992.0;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

enum { PEAKED, FLAT, RANDOM, MASKED, WIDE, SHAPES };
static const char *const shape_names[SHAPES] = {"peaked", "flat", "random", "masked", "wide"};

static void make_logits(int shape, int q, float *logits) {
    uint64_t state = 1234 + (uint64_t)shape;
    for (int i = 0; i < q; i++) {
        double x = normal(&state);
        switch (shape) {
        case PEAKED: logits[i] = (float)x + (i == q / 3 ? 8.0f : 0.0f); break;
        case FLAT: logits[i] = (float)(0.3 * x); break;
        case RANDOM: logits[i] = (float)(3.0 * x); break;
        /* a few plausible values among ones that must never be drawn */
        case MASKED: logits[i] = i % 16 == 5 ? (float)x : -1e4f; break;
        /* for the cap: spread enough that T = 1000 is far from uniform */
        default: logits[i] = (float)(3000.0 * i / (q - 1) - 1500.0); break;
        }
    }
}

static int argmax(const float *logits, int q) {
    int best = 0;
    for (int i = 1; i < q; i++)
        if (logits[i] > logits[best])
            best = i;
    return best;
}

/* Draws DRAWS samples at temperature t and tests them against softmax(logits / expected_t),
 * and (to show the test can fail) against softmax(logits / 2 expected_t). */
static void check_distribution(srnn_voice *voice, const char *model, int shape, int q,
                               float t, double expected_t, uint64_t seed) {
    float *logits = checked_calloc(q, sizeof *logits);
    double *p = checked_calloc(q, sizeof *p);
    long *counts = checked_calloc(q, sizeof *counts);
    make_logits(shape, q, logits);
    srnn_voice_reset(voice, seed);
    long out_of_range = 0;
    for (long n = 0; n < DRAWS; n++) {
        int32_t s = srnn_voice_sample(voice, logits, t);
        if (s < 0 || s >= q)
            out_of_range++;
        else
            counts[s]++;
    }

    softmax(logits, q, expected_t, p);
    int df, wrong_df;
    double stat = chi_square(counts, p, q, DRAWS, &df);
    /* sharper than chi-square at the edges: outcomes that must (almost) never be drawn, and
     * outcomes expected 30 times or more never drawn (chance e^-30 each) */
    long impossible = 0, never = 0;
    for (int i = 0; i < q; i++) {
        if (p[i] * DRAWS < 1e-9)
            impossible += counts[i];
        never += p[i] * DRAWS >= 30 && counts[i] == 0;
    }
    softmax(logits, q, 2 * expected_t, p);
    double wrong = chi_square(counts, p, q, DRAWS, &wrong_df);

    char what[160];
    snprintf(what, sizeof what, "%s %-6s T=%-5g", model, shape_names[shape], t);
    printf("%s chi2 %9.1f df %3d crit %6.1f | against T=%g: chi2 %11.1f crit %6.1f\n", what,
           stat, df, df > 0 ? chi2_critical(df) : 0.0, 2 * expected_t, wrong,
           wrong_df > 0 ? chi2_critical(wrong_df) : 0.0);
    CHECK(out_of_range == 0, "%s: %ld draws outside [0, %d)", what, out_of_range, q);
    CHECK(impossible == 0, "%s: %ld draws of outcomes of probability < %g", what, impossible,
          1e-9 / DRAWS);
    CHECK(never == 0, "%s: %ld likely outcomes never drawn", what, never);
    CHECK(!(df > 0 && stat > chi2_critical(df)), "%s: the draws do not follow softmax(logits / T)",
          what);
    CHECK(!(wrong_df < 1 || wrong <= chi2_critical(wrong_df)), "%s: the test cannot tell T from 2T",
          what);
    free(logits);
    free(p);
    free(counts);
}

static void check_argmax(srnn_voice *voice, const char *model, int q) {
    static const float temperatures[] = {SRNN_ARGMAX_TEMPERATURE, 1e-7f, 0.0f, -1.0f, NAN};
    float *logits = checked_calloc(q, sizeof *logits);
    for (int shape = 0; shape < SHAPES; shape++) {
        make_logits(shape, q, logits);
        int best = argmax(logits, q);
        for (size_t k = 0; k < sizeof temperatures / sizeof *temperatures; k++) {
            long wrong = 0;
            for (int n = 0; n < 1000; n++)
                wrong += srnn_voice_sample(voice, logits, temperatures[k]) != best;
            CHECK(wrong == 0, "%s %s T=%g: %ld of 1000 draws are not the argmax", model,
                  shape_names[shape], (double)temperatures[k], wrong);
        }
    }
    printf("%s argmax at T = %g, 1e-7, 0, -1, NaN: checked\n", model,
           (double)SRNN_ARGMAX_TEMPERATURE);
    free(logits);
}

/* Fraction of equal positions in two runs of n flat-logit draws with seeds a and b, the
 * second run from srnn_voice_reset (the first from srnn_voice_create's state when fresh). */
static double agreement(srnn_voice *first, uint64_t a, srnn_voice *second, uint64_t b,
                        const float *logits, int n, int reset_first) {
    if (reset_first)
        srnn_voice_reset(first, a);
    srnn_voice_reset(second, b);
    int same = 0;
    for (int i = 0; i < n; i++)
        same += srnn_voice_sample(first, logits, 1.0f) == srnn_voice_sample(second, logits, 1.0f);
    return (double)same / n;
}

static void check_seeds(const srnn_model *model, const char *name, int q) {
    enum { N = 10000 };
    float *logits = checked_calloc(q, sizeof *logits);
    srnn_voice *a = NULL, *b = NULL;
    if (srnn_voice_create(model, 42, &a) != SRNN_OK ||
        srnn_voice_create(model, 7, &b) != SRNN_OK) {
        FAIL("cannot create voices");
        exit(1);
    }
    make_logits(FLAT, q, logits);
    /* a fresh voice seeded 42 and one reset to 42 draw the same */
    double fresh = agreement(a, 42, b, 42, logits, N, 0);
    double same = agreement(a, 9, b, 9, logits, N, 1);
    double other = agreement(a, 1, b, 2, logits, N, 1);
    double high = agreement(a, 1, b, 1 + (1ull << 32), logits, N, 1);
    printf("%s seeds: fresh vs reset %.4f, same %.4f, 1 vs 2 %.4f, 1 vs 1+2^32 %.4f equal\n",
           name, fresh, same, other, high);
    /* flat logits: two independent runs agree about 1/Q of the time */
    CHECK(fresh == 1.0, "a fresh voice and a reset one with the same seed differ");
    CHECK(same == 1.0, "the same seed gives different sequences");
    CHECK(other <= 0.05, "seeds 1 and 2 give nearly the same sequence");
    CHECK(high <= 0.05, "seeds that differ in the high 32 bits give nearly the same sequence");
    srnn_voice_free(a);
    srnn_voice_free(b);
    free(logits);
}

static void check_model(const char *golden, const char *file, int expected_q) {
    char path[1024], error[SRNN_ERROR_MAX];
    snprintf(path, sizeof path, "%s/%s", golden, file);
    srnn_model *model = NULL;
    srnn_voice *voice = NULL;
    if (srnn_model_load(path, &model, error) != SRNN_OK) {
        FAIL("%s: %s", path, error);
        exit(1);
    }
    int q = (int)srnn_model_config(model)->q_levels;
    if (q != expected_q || srnn_voice_create(model, 1, &voice) != SRNN_OK) {
        FAIL("%s: Q = %d, expected %d, or no voice", path, q, expected_q);
        exit(1);
    }
    static const float temperatures[] = {0.5f, SRNN_DEFAULT_TEMPERATURE, 1.0f, 1.5f};
    uint64_t seed = 100;
    for (int shape = 0; shape < WIDE; shape++)
        for (size_t k = 0; k < sizeof temperatures / sizeof *temperatures; k++)
            check_distribution(voice, file, shape, q, temperatures[k], temperatures[k], seed++);
    check_distribution(voice, file, WIDE, q, 1e6f, SRNN_MAX_TEMPERATURE, seed++);
    check_distribution(voice, file, WIDE, q, INFINITY, SRNN_MAX_TEMPERATURE, seed++);
    check_argmax(voice, file, q);
    check_seeds(model, file, q);
    srnn_voice_free(voice);
    srnn_model_free(model);
}

int main(void) {
    const char *golden = getenv("GOLDEN");
    if (!golden)
        golden = "build/golden";
    printf("%d draws per case; critical values at p = 1e-4 (Wilson-Hilferty)\n", DRAWS);
    check_model(golden, "gru.srnn", 256);
    check_model(golden, "linear512.srnn", 512);
    return check_summary();
}
