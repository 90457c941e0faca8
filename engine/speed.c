/* A model's speed on this machine, and what to tell a user when it is too slow (srnn.h). */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "srnn.h"

enum { BLOCK = 16 }; /* samples generated at a time, as srnn play and the plugin do */

static double thread_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

srnn_status srnn_voices_measure_speed(const srnn_model *model, unsigned voices, unsigned threads,
                                      double seconds, double *samples_per_second)
{
    *samples_per_second = 0.0;
    if (!model || voices < 1 || voices > SRNN_MAX_VOICES || !(seconds > 0.0 && seconds <= 60.0))
        return SRNN_ERR_ARGUMENT;
    uint64_t seeds[SRNN_MAX_VOICES] = {0};
    for (unsigned v = 0; v < voices; v++) seeds[v] = v;
    srnn_voices *group;
    srnn_status status = srnn_voices_create(model, voices, seeds, threads, &group);
    if (status != SRNN_OK) return status;
    int32_t samples[SRNN_MAX_VOICES][BLOCK], *outputs[SRNN_MAX_VOICES];
    for (unsigned v = 0; v < voices; v++) outputs[v] = samples[v];
    size_t big_frame = srnn_model_config(model)->big_frame_size;
    /* one big frame untimed: the weights' pages and caches warm, as a player warms a model */
    for (size_t done = 0; done < big_frame; done += BLOCK)
        srnn_voices_generate(group, NULL, outputs, BLOCK);
    size_t generated = 0;
    double start = thread_seconds(), elapsed = 0.0;
    while (elapsed < seconds || generated < 2 * big_frame) {
        srnn_voices_generate(group, NULL, outputs, BLOCK);
        generated += BLOCK;
        elapsed = thread_seconds() - start;
    }
    srnn_voices_free(group);
    *samples_per_second = (double)generated / elapsed;
    return SRNN_OK;
}

srnn_status srnn_model_measure_speed(const srnn_model *model, unsigned threads, double seconds,
                                     double *samples_per_second)
{
    return srnn_voices_measure_speed(model, 1, threads, seconds, samples_per_second);
}

/* Appends ", " (after the first) and a formatted remedy to advice. */
static void add_remedy(char advice[SRNN_ERROR_MAX], size_t *used, int *remedies,
                       const char *format, ...) __attribute__((format(printf, 4, 5)));
static void add_remedy(char advice[SRNN_ERROR_MAX], size_t *used, int *remedies,
                       const char *format, ...)
{
    if (*used >= SRNN_ERROR_MAX) return;
    if ((*remedies)++) *used += (size_t)snprintf(advice + *used, SRNN_ERROR_MAX - *used, ", ");
    if (*used >= SRNN_ERROR_MAX) return;
    va_list args;
    va_start(args, format);
    *used += (size_t)vsnprintf(advice + *used, SRNN_ERROR_MAX - *used, format, args);
    va_end(args);
}

int srnn_speed_advice(double realtime_factor, srnn_precision precision, unsigned threads,
                      unsigned cores, char advice[SRNN_ERROR_MAX])
{
    advice[0] = '\0';
    if (realtime_factor >= SRNN_SPEED_LIVE) return 0;
    size_t used = (size_t)snprintf(advice, SRNN_ERROR_MAX,
                                   "cannot play live here: %.2fx real time (%s, %u thread%s); "
                                   "what would help: ",
                                   floor(realtime_factor * 100.0) / 100.0, /* never 1.00x */
                                   srnn_precision_name(precision), threads,
                                   threads == 1 ? "" : "s");
    int remedies = 0;
    if (precision != SRNN_PRECISION_I8 && precision != SRNN_PRECISION_I4)
        add_remedy(advice, &used, &remedies,
                   "int8 or int4 weights (srnn convert --precision int8 or int4, or --precision)");
    else if (precision == SRNN_PRECISION_I8)
        add_remedy(advice, &used, &remedies,
                   "int4 weights (srnn convert --precision int4, or --precision int4)");
    unsigned most = cores < SRNN_MAX_THREADS ? cores : SRNN_MAX_THREADS;
    if (threads < most)
        add_remedy(advice, &used, &remedies, "more threads (up to %u here: srnn play --threads N)", most);
    add_remedy(advice, &used, &remedies, "a smaller or block-sparse model");
    return 1;
}

unsigned srnn_cores(void)
{
    /* The cores this process may run on (taskset, cgroups' cpusets, a host that pins its
     * audio threads), not all the machine has: helpers beyond those only wait for a core. */
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) > 0)
        return (unsigned)CPU_COUNT(&allowed);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1u : (unsigned)cores;
}
