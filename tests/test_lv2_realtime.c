/* The plugin's audio-thread functions, run(), work_response() and end_run(), call no
 * allocator, lock, wait, I/O or other system call (tests/interposer.c counts them while
 * armed), through everything a performance does: blocks of 1 to 4096 samples, knob moves,
 * reseeds, model swaps with crossfades, a pending model replaced, failed loads, patch:Get,
 * malformed messages; at the model's rate and resampled, mono and stereo; and the MIDI
 * instrument's notes (all its voices, one stolen), controllers, a model swap under held
 * notes, all notes and all sound off; the continuation effect listening, triggered, continuing
 * after silence, listening again, its knobs moved and a model swap while it continues. The
 * worker is
 * deferred: the test runs the work, unarmed, between blocks, as a worker thread would. Calls
 * from other threads are the voices' helper threads (a model that measures slow gets them):
 * their idle sleeps are allowed, nothing else.
 * Denormals: run() flushes them (the mode it has when it calls the host's schedule_work) and
 * gives the host's thread its mode back.
 * Self-check: an allocation by the test and one by the plugin's loader, while armed, are
 * both caught. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "denormals.h"
#include "host.h"
#include "interposer.h"
#include "params.h"
#include "random_model.h"

static char temp_dir[64], other_model[128], garbage_model[128];

/* Runs blocks of every size, armed. */
static void run_armed(host *h, float *out)
{
    static const uint32_t blocks[] = {1, 7, 64, 4096, 64, 7, 1, 333};
    interposer_arm();
    for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++) host_run(h, blocks[i], out, out);
    interposer_disarm();
}

/* The mode bits that flush denormals, where this CPU has them. */
#if defined(__SSE__) || defined(__x86_64__)
static const uint64_t flush_bits = SRNN_FTZ_DAZ;
#elif defined(__aarch64__)
static const uint64_t flush_bits = 1ull << 24;
#else
static const uint64_t flush_bits = 0;
#endif

static void check_denormals(host *h)
{
    srnn_fp_mode before = srnn_flush_denormals();
    srnn_restore_fp_mode(before);
    host_send_model(h, garbage_model);
    host_run(h, 64, NULL, NULL);
    host_do_deferred_work(h);
    srnn_fp_mode after = srnn_flush_denormals();
    srnn_restore_fp_mode(after);
    uint64_t inside = host_fp_mode_in_schedule(h);
    CHECK_SHOW(flush_bits != 0 && (inside & flush_bits) == flush_bits &&
                   (before & flush_bits) == 0 && after == before,
               "denormals: flushed inside run() (mode %#llx), the host's mode %#llx given back "
               "(%#llx)",
               (unsigned long long)inside, (unsigned long long)before, (unsigned long long)after);
}

static void scenario(const char *uri, double rate)
{
    host_options options = {uri, rate, WORKER_DEFERRED, false};
    host *h = host_open(&options);
    if (!CHECK(h, "cannot instantiate %s at %.0f Hz", uri, rate)) return;
    static float out[HOST_MAX_BLOCK];
    double energy = 0.0;
    interposer_clear();

    run_armed(h, out); /* the first runs, with the default model */
    host_set_control(h, SRNN_PORT_TEMPERATURE, 0.3f);
    host_set_control(h, SRNN_PORT_GAIN, -12.0f);
    run_armed(h, out);
    host_set_control(h, SRNN_PORT_RESEED, 1.0f);
    run_armed(h, out);
    host_set_control(h, SRNN_PORT_RESEED, 0.0f);
    host_set_control(h, SRNN_PORT_TEMPERATURE, 2.0f);

    host_send_model(h, garbage_model); /* fails in the worker, reported by work_response */
    run_armed(h, out);
    host_do_deferred_work(h);
    run_armed(h, out);
    int error_seen = host_error_notifications(h) > 0;

    host_send_model(h, other_model); /* loads, then fades in */
    host_send_model_int(h, 3);      /* malformed */
    run_armed(h, out);
    host_do_deferred_work(h);
    run_armed(h, out);
    host_send_model(h, other_model); /* twice: the second replaces the first while pending */
    host_send_model(h, other_model);
    run_armed(h, out);
    host_do_deferred_work(h);
    host_send_get(h);
    run_armed(h, out);
    host_do_deferred_work(h); /* frees the models faded out */
    run_armed(h, out);
    for (int i = 0; i < HOST_MAX_BLOCK; i++) energy += (double)out[i] * out[i];
    int swapped = strcmp(host_notified_model(h), other_model) == 0;
    unsigned logged = host_log_calls_armed(h);
    /* run() is the arming thread's; other threads are the voices' helpers (the plugin gives a
     * model helpers when it measures slow, as under ASan), whose only call is the sleep of
     * an idle helper */
    unsigned all = interposer_disarm(), in_run = interposer_calls_here();
    unsigned helper_sleeps = interposer_count_elsewhere("nanosleep");
    unsigned helper_other = all - in_run - helper_sleeps;

    printf("%-6s at %6.0f Hz: %u forbidden calls in run()",
           strcmp(uri, SRNN_LV2_URI) == 0 ? "mono" : "stereo", rate, in_run);
    if (all) interposer_report();
    printf(", %u by helpers, %u of them their idle sleeps", all - in_run, helper_sleeps);
    printf(", %u log calls; load error notified: %s, swap notified: %s, energy %g\n", logged,
           error_seen ? "yes" : "NO", swapped ? "yes" : "NO", energy);
    CHECK(in_run == 0 && helper_other == 0 && logged == 0 && error_seen && swapped && energy > 0.0,
          "%s at %.0f Hz: forbidden or log calls, a notification missing or silence", uri, rate);
    host_close(h);
}

/* Disarms the interposer after a performance of name and prints what it found; true when
 * run() made no forbidden or log call, the helpers only their idle sleeps, and the swap to
 * other_model was notified. */
static bool performed_cleanly(host *h, const char *name, double rate)
{
    unsigned logged = host_log_calls_armed(h);
    unsigned all = interposer_disarm(), in_run = interposer_calls_here();
    unsigned helper_other = all - in_run - interposer_count_elsewhere("nanosleep");
    bool swapped = strcmp(host_notified_model(h), other_model) == 0;
    printf("%s at %6.0f Hz: %u forbidden calls in run()", name, rate, in_run);
    if (all) interposer_report();
    printf(", %u log calls; swap notified: %s", logged, swapped ? "yes" : "NO");
    return in_run == 0 && helper_other == 0 && logged == 0 && swapped;
}

/* The instrument through a performance, every call armed. */
static void instrument_scenario(double rate)
{
    host_options options = {SRNN_LV2_INSTRUMENT_URI, rate, WORKER_DEFERRED, false};
    host *h = host_open(&options);
    if (!CHECK(h, "cannot instantiate the instrument at %.0f Hz", rate)) return;
    static float out[HOST_MAX_BLOCK];
    double energy = 0.0;
    interposer_clear();
    interposer_arm();
    host_run(h, 64, out, NULL); /* silence */
    for (uint8_t n = 0; n <= SRNN_LV2_INSTRUMENT_VOICES; n++) { /* the last one steals */
        host_send_midi(h, n, 0x90, (uint8_t)(48 + 3 * n), (uint8_t)(40 + 8 * n));
        host_run(h, 1 + 50u * n, out, NULL);
    }
    host_send_midi(h, 0, 0xb0, 1, 90);   /* the mod wheel */
    host_send_midi(h, 3, 0xb0, 74, 20);  /* the temperature controller */
    host_send_midi(h, 5, 0x80, 51, 0);   /* a note-off */
    host_send_midi(h, 7, 0x90, 54, 0);   /* a note-on at velocity 0: off */
    host_send_midi(h, 9, 0xe0, 0, 64);   /* pitch bend: ignored */
    host_run(h, 4096, out, NULL);
    host_send_model(h, other_model);     /* swapped under the held notes */
    host_run(h, 333, out, NULL);
    interposer_disarm();
    host_do_deferred_work(h);
    interposer_arm();
    for (int i = 0; i < 8; i++) host_run(h, 1024, out, NULL); /* the crossfade */
    for (int i = 0; i < 1024; i++) energy += (double)out[i] * out[i];
    host_send_midi(h, 0, 0xb0, 123, 0); /* all notes off */
    host_run(h, 7, out, NULL);
    host_send_midi(h, 0, 0x90, 60, 100);
    host_send_midi(h, 1, 0xb0, 120, 0); /* all sound off */
    host_run(h, 4096, out, NULL);
    bool clean = performed_cleanly(h, "instrument", rate);
    printf(", energy %g\n", energy);
    CHECK(clean && energy > 0.0,
          "the instrument at %.0f Hz: forbidden or log calls, no swap or silence", rate);
    host_close(h);
}

/* The continuation effect through a performance, every call armed but the worker's. */
static void continuation_scenario(double rate)
{
    host_options options = {SRNN_LV2_CONTINUATION_URI, rate, WORKER_DEFERRED, false};
    host *h = host_open(&options);
    if (!CHECK(h, "cannot instantiate the effect at %.0f Hz", rate)) return;
    static float out[HOST_MAX_BLOCK], tone[HOST_MAX_BLOCK];
    for (int i = 0; i < HOST_MAX_BLOCK; i++) tone[i] = 0.3f * sinf(0.05f * (float)i);
    double continued = 0.0;
    interposer_clear();
    interposer_arm();
    host_set_input(h, tone, HOST_MAX_BLOCK); /* listening */
    run_armed(h, out);
    host_set_control(h, SRNN_PORT_CONTINUE, 1.0f); /* continuing at once */
    host_run(h, 64, out, NULL);
    host_set_control(h, SRNN_PORT_CONTINUE, 0.0f);
    host_run(h, 4096, out, NULL);
    host_set_input(h, tone, 0); /* silence: armed again */
    run_armed(h, out);
    host_set_input(h, tone, HOST_MAX_BLOCK); /* listening again */
    run_armed(h, out);
    host_set_control(h, SRNN_PORT_MIX, 1.0f);
    host_set_control(h, SRNN_PORT_THRESHOLD, -30.0f);
    host_set_control(h, SRNN_PORT_HOLD, 0.05f);
    host_set_input(h, tone, 0); /* the gate closes: continuing */
    for (int i = 0; i < 4; i++) host_run(h, 4096, out, NULL);
    host_send_model(h, other_model); /* swapped while it continues */
    host_run(h, 333, out, NULL);
    interposer_disarm();
    host_do_deferred_work(h);
    interposer_arm();
    for (int i = 0; i < 4; i++) { /* the crossfade: the continuation fades out */
        host_run(h, 1024, out, NULL);
        for (int k = 0; k < 1024; k++) continued += (double)out[k] * out[k];
    }
    host_set_input(h, tone, HOST_MAX_BLOCK); /* the new model listens */
    run_armed(h, out);
    bool clean = performed_cleanly(h, "continuation", rate);
    printf(", the continuation's energy after the input %g\n", continued);
    CHECK(clean && continued > 0.0,
          "the effect at %.0f Hz: forbidden or log calls, no swap or no continuation", rate);
    host_close(h);
}

/* The interposer must see allocations made while armed, by the test and inside the plugin
 * (its worker loading a model: the plugin's own code, the engine and libsamplerate). */
static void self_check(void)
{
    host_options options = {SRNN_LV2_URI, 48000, WORKER_DEFERRED, false};
    host *h = host_open(&options);
    if (!CHECK(h, "cannot instantiate %s", SRNN_LV2_URI)) return;
    interposer_clear();
    interposer_arm();
    void *volatile p = malloc(64);
    free(p);
    unsigned direct = interposer_disarm();
    host_send_model(h, other_model);
    host_run(h, 64, NULL, NULL);
    interposer_clear();
    interposer_arm();
    host_do_deferred_work(h);
    unsigned loading = interposer_disarm();
    unsigned allocations = interposer_allocations();
    printf("self-check: the test's malloc+free counted %u, the plugin's loading counted %u:",
           direct, loading);
    interposer_report();
    printf("\n");
    CHECK(direct == 2 && loading > 0 && allocations > 0,
          "the interposer misses calls: %u of malloc+free, %u while loading (%u allocations)",
          direct, loading, allocations);
    host_close(h);
}

int main(void)
{
    snprintf(temp_dir, sizeof temp_dir, "/tmp/srnn-lv2-rt-XXXXXX");
    if (!CHECK(mkdtemp(temp_dir), "cannot make %s", temp_dir)) return check_summary();
    snprintf(other_model, sizeof other_model, "%s/other.srnn", temp_dir);
    snprintf(garbage_model, sizeof garbage_model, "%s/garbage.srnn", temp_dir);
    FILE *f = fopen(garbage_model, "w");
    if (f) fclose(f);
    if (!CHECK(random_model_write(other_model, 16000, SRNN_RNN_GRU, SRNN_Q_MULAW, 256, 5) == 0 &&
                   host_world(),
               "cannot set up the test"))
        return check_summary();
    scenario(SRNN_LV2_URI, 16000);
    scenario(SRNN_LV2_URI, 48000);
    scenario(SRNN_LV2_STEREO_URI, 44100);
    scenario(SRNN_LV2_STEREO_URI, 16000);
    instrument_scenario(16000);
    instrument_scenario(48000);
    continuation_scenario(16000);
    continuation_scenario(44100);
    self_check();
    host_options options = {SRNN_LV2_URI, 48000, WORKER_DEFERRED, false};
    host *h = host_open(&options);
    if (CHECK(h, "cannot instantiate %s", SRNN_LV2_URI)) check_denormals(h);
    host_close(h);
    host_world_free();
    unlink(other_model);
    unlink(garbage_model);
    rmdir(temp_dir);
    return check_summary();
}
