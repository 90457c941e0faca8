/* A model's speed on this machine (engine/speed.c): the decision whether it plays live and
 * what the one line of advice names, from given figures; the measurement itself on a golden
 * model (positive, plausible, the same order with one and with helper threads) and its
 * refusal of bad arguments. What a sample reads of the weights (engine/traffic.c), on a random
 * 256 x 2 model: at float32 exactly 4 bytes per multiply-add (srnn_model_macs_per_sample counts
 * them from the configuration, traffic.c from the matrices as they run); at int8 a quarter of
 * that and the scales, and hidden1's table rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "golden.h"
#include "speed_model.h"
#include "srnn.h"

static void test_weight_traffic(void)
{
    char path[] = "/tmp/srnn-test-traffic-XXXXXX.srnn", error[SRNN_ERROR_MAX] = "";
    int fd = mkstemps(path, 5);
    if (!CHECK(fd >= 0, "cannot make a temporary file")) return;
    srnn_config config = speed_config(256, 2);
    srnn_model *f32 = NULL, *i8 = NULL;
    srnn_load_options at_i8 = {SRNN_CPU_AUTO, SRNN_PRECISION_I8, SRNN_PRECISION_AUTO};
    int loaded = speed_write_model(path, &config, SRNN_PRECISION_F32, error) == SRNN_OK &&
                 srnn_model_load(path, &f32, error) == SRNN_OK &&
                 srnn_model_load_with(path, &at_i8, &i8, error) == SRNN_OK;
    unlink(path);
    if (CHECK(loaded, "cannot write and load a 256 x 2 model: %s", error)) {
        double f32_bytes, i8_bytes;
        uint64_t f32_resident, i8_resident, macs = srnn_model_macs_per_sample(f32);
        srnn_model_weight_traffic(f32, &f32_bytes, &f32_resident);
        srnn_model_weight_traffic(i8, &i8_bytes, &i8_resident);
        CHECK_SHOW(f32_bytes == 4.0 * (double)macs,
                   "256 x 2 at float32: a sample reads %.0f bytes of weights, 4 x its %llu MACs",
                   f32_bytes, (unsigned long long)macs);
        /* int8: a byte a weight, a float scale per column of each matrix (1/256 of a
         * 256-row matrix's bytes or less), and the table rows (F x 256 at 4 bytes or less) */
        double table = 16.0 * 256 * 4, least = (double)macs - 16.0 * 256;
        CHECK_SHOW(i8_bytes >= least && i8_bytes <= least * 1.02 + table,
                   "256 x 2 at int8: %.0f bytes a sample (the weights' %.0f bytes, their scales "
                   "and the table's rows)",
                   i8_bytes, least);
        CHECK_SHOW(f32_resident > 16 * f32_bytes && i8_resident < f32_resident / 2,
                   "resident: %llu bytes at float32, %llu at int8",
                   (unsigned long long)f32_resident, (unsigned long long)i8_resident);
    }
    srnn_model_free(f32);
    srnn_model_free(i8);
}

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
    test_weight_traffic();
    return check_summary();
}
