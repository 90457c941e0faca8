/* The soak's probe (tests/soak_play.sh), preloaded into srnn play with LD_PRELOAD: it stands
 * in for PortAudio's Pa_OpenStream and hands PortAudio its own callback, which calls srnn's
 * and measures it from outside, as tests/budget_realtime.c does: the audio thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID) read around each call, and the interposer (tests/interposer.c,
 * linked in) armed around it. Calls other threads make meanwhile (the control thread loading
 * models) are counted apart and not charged to the callback.
 *
 * When srnn exits, it writes to the file named by SRNN_SOAK_PROBE:
 *     probe: N callbacks of F frames at R Hz; CPU time mean ..., max ... us (..% of the
 *            period); K over their period
 *     probe: forbidden calls in the callback: C [names]
 * Nothing here allocates or prints on the audio thread.
 *
 * SRNN_SOAK_SLOW_PATH=1 adds a deliberate slow path, a 40 ms CPU spin in every 500th
 * callback, inside the timed span as a slow path of srnn's would be: the soak must then fail. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <portaudio.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "interposer.h"

typedef PaError open_stream_function(PaStream **, const PaStreamParameters *,
                                     const PaStreamParameters *, double, unsigned long,
                                     PaStreamFlags, PaStreamCallback *, void *);

static PaStreamCallback *srnn_callback;
static double sample_rate;
static int slow_path; /* SRNN_SOAK_SLOW_PATH, read before the stream opens */
/* Written by the audio thread only, read at exit. */
static uint64_t callbacks, frames_total, over_period;
static double busy_ns, max_ns, max_period_ns;

static double thread_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return 1e9 * (double)t.tv_sec + (double)t.tv_nsec;
}

static int probe_callback(const void *input, void *output, unsigned long frames,
                          const PaStreamCallbackTimeInfo *time, PaStreamCallbackFlags flags,
                          void *user)
{
    double start = thread_ns();
    interposer_arm();
    int result = srnn_callback(input, output, frames, time, flags, user);
    if (slow_path && callbacks % 500 == 499)
        while (thread_ns() - start < 40e6) {
        }
    interposer_disarm();
    double ns = thread_ns() - start, period_ns = 1e9 * (double)frames / sample_rate;
    callbacks++;
    frames_total += frames;
    busy_ns += ns;
    over_period += ns > period_ns;
    if (ns > max_ns) max_ns = ns, max_period_ns = period_ns;
    return result;
}

PaError Pa_OpenStream(PaStream **stream, const PaStreamParameters *input,
                      const PaStreamParameters *output, double rate, unsigned long frames,
                      PaStreamFlags flags, PaStreamCallback *callback, void *user)
{
    open_stream_function *real = (open_stream_function *)dlsym(RTLD_NEXT, "Pa_OpenStream");
    if (!real) return paInternalError;
    srnn_callback = callback;
    sample_rate = rate;
    slow_path = getenv("SRNN_SOAK_SLOW_PATH") != NULL;
    interposer_clear();
    return real(stream, input, output, rate, frames, flags, callback ? probe_callback : NULL,
                user);
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("SRNN_SOAK_PROBE");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!f) return;
    if (callbacks)
        fprintf(f,
                "probe: %llu callbacks, %.0f frames each on average at %.0f Hz; CPU time mean "
                "%.1f us, max %.1f us (%.0f%% of its period); %llu over their period\n",
                (unsigned long long)callbacks, (double)frames_total / (double)callbacks,
                sample_rate, busy_ns / 1e3 / (double)callbacks, max_ns / 1e3,
                100.0 * max_ns / max_period_ns, (unsigned long long)over_period);
    else
        fprintf(f, "probe: no callbacks\n");
    fprintf(f, "probe: forbidden calls in the callback: %u\n", interposer_calls_here());
    fclose(f);
}
