/* A model's speed on this machine (engine/speed.c): the decision whether it plays live and
 * what the one line of advice names, from given figures; the measurement itself on a golden
 * model (positive, plausible, the same order with one and with helper threads) and its
 * refusal of bad arguments. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "golden.h"
#include "srnn.h"

/* advice for the figures, checked to say (or not) each of the remedies */
static void check_advice(double factor, srnn_precision precision, unsigned threads,
                         unsigned cores, int slow, const char *const *present,
                         const char *const *absent)
{
    char advice[SRNN_ERROR_MAX];
    int said = srnn_speed_advice(factor, precision, threads, cores, advice);
    int ok = said == slow && (slow ? strncmp(advice, "cannot play live here: ", 23) == 0 &&
                                         !strchr(advice, '\n')
                                   : advice[0] == '\0');
    for (; present && *present; present++) ok &= strstr(advice, *present) != NULL;
    for (; absent && *absent; absent++) ok &= strstr(advice, *absent) == NULL;
    CHECK_SHOW(ok, "%.2fx %s, %u of %u cores: %s", factor, srnn_precision_name(precision),
               threads, cores, said ? advice : "plays live (no advice)");
}

int main(void)
{
    check_advice(1.0, SRNN_PRECISION_F32, 1, 2, 0, NULL, NULL);
    check_advice(40.0, SRNN_PRECISION_I4, 1, 1, 0, NULL, NULL);
    check_advice(0.999, SRNN_PRECISION_F32, 1, 4, 1,
                 (const char *const[]){"0.99x", "float32, 1 thread)", "int8 or int4",
                                        "up to 4 here", "block-sparse", NULL},
                 NULL);
    check_advice(0.6, SRNN_PRECISION_I8, 2, 2, 1,
                 (const char *const[]){"int8, 2 threads)", "int4 weights", "block-sparse", NULL},
                 (const char *const[]){"int8 or int4", "more threads", NULL});
    check_advice(0.3, SRNN_PRECISION_I4, 8, 64, 1, (const char *const[]){"block-sparse", NULL},
                 (const char *const[]){"int4 weights", "int8 or int4", "more threads", NULL});
    check_advice(0.3, SRNN_PRECISION_BF16, 3, 64, 1,
                 (const char *const[]){"int8 or int4", "up to 8 here", NULL}, NULL);

    srnn_model *model = golden_load_model(golden_dir(), "gru");
    if (!CHECK(model, "gru.srnn: cannot load")) return check_summary();
    double one = 0, two = 0, none = 1;
    srnn_status first = srnn_model_measure_speed(model, 1, 0.1, &one);
    srnn_status second = srnn_model_measure_speed(model, 2, 0.1, &two);
    double rate = srnn_model_config(model)->sample_rate;
    CHECK_SHOW(first == SRNN_OK && second == SRNN_OK && one / rate > 0.1 && one / rate < 1e5 &&
                   two > one / 4 && two < one * 4,
               "gru.srnn: %.0f samples/s with one thread (%.1fx real time), %.0f with two",
               one, one / rate, two);
    CHECK_SHOW(srnn_model_measure_speed(model, 0, 0.1, &none) == SRNN_ERR_ARGUMENT && none == 0 &&
                   srnn_model_measure_speed(model, SRNN_MAX_THREADS + 1, 0.1, &none) ==
                       SRNN_ERR_ARGUMENT &&
                   srnn_model_measure_speed(model, 1, 0.0, &none) == SRNN_ERR_ARGUMENT &&
                   srnn_model_measure_speed(model, 1, 61.0, &none) == SRNN_ERR_ARGUMENT &&
                   srnn_model_measure_speed(NULL, 1, 0.1, &none) == SRNN_ERR_ARGUMENT,
               "bad threads, times and models are refused");
    srnn_model_free(model);
    return check_summary();
}
