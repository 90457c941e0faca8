/* The real-time budget: what the audio thread costs, measured so that the machine's stalls
 * cannot fail it. srnn play's callback (player_callback) and the LV2 plugin's run() (in the
 * lilv test host; the mono generator, the MIDI instrument with all its voices sounding, and the
 * continuation effect listening to phrases and continuing them) are
 * driven directly through periods of 256 frames at 48 kHz while everything a performance does
 * happens around them: model loads and switches with their crossfades,
 * reseeds, a temperature knob moving every period, the gain, pauses and recording.
 *
 * Each call is timed with the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID), read here
 * around the call and never inside it, so time the thread spent preempted is not counted. This
 * VM reports no steal time, so a stall of the virtual CPU itself is charged to whatever thread
 * ran (cyclictest sees up to 26 ms here), and a burst of work on the other core slows the
 * caches both share. Every scenario therefore runs three times, identically (the same seeds,
 * events at the same periods), and a period's cost is the least of its three measurements: a
 * stall or a burst strikes one run at random, srnn's own slow paths strike every run.
 *
 * The budget, in fractions of the period, for the shipped model and for the largest model the
 * README says plays live (M, 512 x 2 at int8, written here with random weights):
 * - steady periods (one voice; knob moves, reseeds, pauses, recording): p99.9 and max;
 * - switch windows (the SWITCH_WINDOW periods from a model switch: the new model's first
 *   periods, a crossfade): max. Every call is armed in the interposer: no
 * allocation, lock, wait or I/O in any library, from the first call on.
 *
 * --slow-path adds a 2 ms spin of CPU time to every 10,000th call inside the timed region: a
 * deliberate slow path that the budget must catch (tests/once_budget_realtime.sh runs it and
 * requires this program to fail). It runs the shipped model's scenarios only, the cheapest.
 *
 * Usage: budget_realtime SHIPPED_MODEL TEMP_DIR [--periods N] [--slow-path]
 * N periods per scenario and run (default 8,400: 100,800 periods timed in all). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "host.h"
#include "interposer.h"
#include "params.h"
#include "ui_feed.h"
#include "player.h"
#include "player_slot.h"
#include "speed_model.h"

enum { RATE = 48000, PERIOD_FRAMES = 256, CHANNELS = 2, RUNS = 3 };
#define PERIOD_NS (1e9 * PERIOD_FRAMES / RATE) /* 5.33 ms */

/* The budget of a model, in fractions of the period. */
typedef struct {
    double steady_p999, steady_max, switch_max;
} budget;

/* The shipped model (256 x 2, int8) costs 7-9% of a period: a regression that doubles it, or
 * a 2 ms slow path, is over budget. */
static const budget shipped_budget = {0.20, 0.30, 0.50};
/* M (512 x 2, int8) costs about a quarter of a period: steady periods leave a third of the
 * period or more to the host and the other plugins. A switch generates one voice too (the
 * incoming model's crossfade is generated before the handoff, off the audio thread), but the
 * two models' weights no longer fit the L2 cache together: a fifth of the period more. */
static const budget m_budget = {0.55, 0.65, 0.80};
/* The MIDI instrument's eight voices of the shipped model, all sounding, stepping together
 * (one group: each product batched over the eight): 31-41% of the period on average, p99.9
 * 36-60%, max 36-62% in three runs on the loaded VM; its switch window holds the instance's
 * first period, where a chord of eight notes starts every voice at once, and a model's
 * take-over of the held notes, eight voices restarted from silence: 48-50% here, 99% on CI's
 * slower machine while each restarted voice generated its converter's look-ahead at once
 * (65% here; now it is silence, live/voices.h). */
static const budget instrument_budget = {0.75, 0.80, 0.90};

/* What happens around the calls, in periods (5.33 ms each). */
enum {
    SWITCH_EVERY = 1500, /* a model switch every 8 s */
    SWITCH_WINDOW = 40,  /* 213 ms: the player's crossfade is 100 ms, the plugin's 50 ms */
    RESEED_EVERY = 2300,
    RECORD_EVERY = 3000, /* recording on for RECORD_LENGTH periods out of every 3000 */
    RECORD_LENGTH = 1000,
    PAUSE_EVERY = 7000, /* paused (faded out, the engine idle) for PAUSE_LENGTH periods */
    PAUSE_LENGTH = 40,
    SLOW_EVERY = 10000,
};
#define SLOW_PATH_NS 2e6

static int slow_path;
static float out[PERIOD_FRAMES * CHANNELS];

static double thread_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return 1e9 * (double)t.tv_sec + (double)t.tv_nsec;
}

/* Whether the model switches before period k of periods: every SWITCH_EVERY, and never so
 * late that the switch window would not fit. */
static int switch_period(size_t k, size_t periods)
{
    return k % SWITCH_EVERY == SWITCH_EVERY - 1 && k + SWITCH_WINDOW <= periods;
}

/* Whether period k is in a switch window; the first model's load at period 0 opens one too. */
static int in_switch_window(size_t k)
{
    return k < SWITCH_WINDOW || (k + 1) % SWITCH_EVERY < SWITCH_WINDOW;
}

/* A knob a performer turns: a slow wander over [low, high], a step each period. */
static float knob(size_t period, float low, float high)
{
    float phase = (float)period * 0.0031f;
    return low + (high - low) * 0.5f * (1.0f + sinf(phase) * cosf(0.37f * phase));
}

/* ---- timing ---------------------------------------------------------------------------------- */

typedef struct {
    double *ns; /* per period */
    size_t count, capacity;
} timings;

static void spin_cpu(double ns)
{
    double until = thread_ns() + ns;
    while (thread_ns() < until) {
    }
}

/* One call of the audio thread, call(context): timed and armed. */
static void time_call(timings *t, void (*call)(void *), void *context)
{
    double start = thread_ns();
    interposer_arm();
    call(context);
    if (slow_path && (t->count + 1) % SLOW_EVERY == 0) spin_cpu(SLOW_PATH_NS);
    interposer_disarm();
    double end = thread_ns();
    if (t->count < t->capacity) t->ns[t->count++] = end - start;
}

/* ---- srnn play's callback -------------------------------------------------------------------- */

static void player_call(void *context)
{
    player_callback(NULL, out, PERIOD_FRAMES, NULL, 0, context);
}

static player_slot *load_slot(const char *path, uint64_t seed, int tag, float temperature)
{
    char error[PLAYER_SLOT_ERROR_MAX];
    player_slot *slot = player_slot_create(path, NULL, RATE, seed, tag, temperature, error);
    if (!slot) FAIL("cannot load %s: %s", path, error);
    return slot;
}

/* The callback, with the control and recorder threads' work done between calls (untimed,
 * unarmed): slots loaded and submitted, retired ones freed, the ring read. */
static void play_scenario(const char *name, const char *const models[2], size_t periods,
                          timings *t)
{
    player p;
    if (!CHECK(player_init(&p, RATE, CHANNELS, SRNN_DEFAULT_TEMPERATURE, 5.0) == 0,
               "%s: player_init", name))
        return;
    static float drained[RATE];
    player_slot *first = load_slot(models[0], 1, 0, player_temperature(&p));
    if (first) player_submit(&p, first);
    size_t switches = 0;
    for (size_t k = 0; first && k < periods; k++) {
        player_set_temperature(&p, knob(k, 0.5f, 1.4f));
        if (switch_period(k, periods)) {
            switches++;
            player_slot *next = load_slot(models[switches % 2], 1 + switches, (int)switches,
                                          player_temperature(&p));
            if (!next) break;
            player_slot_free(player_submit(&p, next));
        }
        if (k % RESEED_EVERY == RESEED_EVERY - 1) player_reseed(&p, 1000 + k);
        player_set_recording(&p, k % RECORD_EVERY < RECORD_LENGTH);
        player_set_paused(&p, k % PAUSE_EVERY >= PAUSE_EVERY - PAUSE_LENGTH);

        time_call(t, player_call, &p);

        player_slot_free(player_take_retired(&p));
        while (player_ring_read(&p.record_ring, drained, RATE) > 0) {
        }
    }
    CHECK(atomic_load(&p.playing_tag) == (int)switches,
          "%s: the callback plays model %d after %zu switches", name,
          atomic_load(&p.playing_tag), switches);
    CHECK(atomic_load(&p.record_dropped) == 0, "%s: the recording dropped %llu frames", name,
          (unsigned long long)atomic_load(&p.record_dropped));
    player_destroy(&p);
}

/* ---- the plugin's run() ---------------------------------------------------------------------- */

static void plugin_call(void *context)
{
    host_run(context, PERIOD_FRAMES, out, out + PERIOD_FRAMES);
}

/* What a performer does to a plugin before period k: knobs and triggers, or MIDI notes. */
typedef void (*performer)(host *h, size_t k);

/* run() (with work_response and end_run, as hosts call them) of the plugin at uri, the host's
 * worker deferred to between calls (untimed, unarmed) as a worker thread would run it: loads,
 * and frees of the models faded out. run() posts the output's levels for the GUI
 * (plugin/ui_feed.h) as it does with the GUI open: every frame must have been posted. */
static void run_plugin(const char *name, const char *uri, performer perform,
                       const char *const models[2], size_t periods, timings *t)
{
    host_options options = {uri, RATE, WORKER_DEFERRED, false};
    host *h = host_open(&options);
    if (!CHECK(h != NULL, "%s: cannot instantiate %s", name, uri)) return;
    host_send_model(h, models[0]);
    size_t switches = 0;
    for (size_t k = 0; k < periods; k++) {
        host_set_control(h, SRNN_PORT_TEMPERATURE, knob(k, 0.5f, 1.4f));
        if (switch_period(k, periods)) host_send_model(h, models[++switches % 2]);
        perform(h, k);

        time_call(t, plugin_call, h);

        host_do_deferred_work(h);
    }
    CHECK(strcmp(host_notified_model(h), models[switches % 2]) == 0 &&
              host_error_notifications(h) == 0,
          "%s: the plugin reports model '%s' and %u load errors after %zu switches", name,
          host_notified_model(h), host_error_notifications(h), switches);
    uint32_t frames = (uint32_t)(periods * PERIOD_FRAMES / (RATE / SRNN_LV2_FEED_HZ));
    CHECK(host_level_frames(h) == frames, "%s: run() posted %u level frames for the GUI, not %u",
          name, host_level_frames(h), frames);
    host_close(h);
}

/* The mono generator: the gain moves, the reseed port is a trigger, up for one period. */
static void turn_knobs(host *h, size_t k)
{
    host_set_control(h, SRNN_PORT_GAIN, knob(k + 500, -12.0f, 0.0f));
    host_set_control(h, SRNN_PORT_RESEED, k % RESEED_EVERY == RESEED_EVERY - 1 ? 1.0f : 0.0f);
}

static void plugin_scenario(const char *name, const char *const models[2], size_t periods,
                            timings *t)
{
    run_plugin(name, SRNN_LV2_URI, turn_knobs, models, periods, t);
}

/* The MIDI instrument with every voice sounding: a chord of eight notes in the first period,
 * and every NOTE_EVERY periods the oldest released and a new one struck, which steals its
 * voice (the released voice still sounds), the mod wheel moving. INSTRUMENT_PERIODS: one
 * switch, to keep the budget's time short. */
enum { NOTE_EVERY = 50, INSTRUMENT_PERIODS = SWITCH_EVERY + SWITCH_WINDOW };

static void play_notes(host *h, size_t k)
{
    const size_t voices = SRNN_LV2_INSTRUMENT_VOICES;
    if (k == 0)
        for (size_t n = 0; n < voices; n++) host_send_midi(h, 0, 0x90, (uint8_t)(48 + n), 100);
    if (k % NOTE_EVERY != NOTE_EVERY - 1) return;
    size_t struck = voices + k / NOTE_EVERY; /* notes struck before this one */
    host_send_midi(h, 0, 0x80, (uint8_t)(48 + (struck - voices) % 64), 0);
    host_send_midi(h, 10, 0xb0, 1, (uint8_t)(k / NOTE_EVERY % 128)); /* the mod wheel */
    host_send_midi(h, 20, 0x90, (uint8_t)(48 + struck % 64), 100);
}

static void instrument_scenario(const char *name, const char *const models[2], size_t periods,
                                timings *t)
{
    run_plugin(name, SRNN_LV2_INSTRUMENT_URI, play_notes, models, periods, t);
}

/* The continuation effect: phrases of a tone (PHRASE periods) and pauses (PAUSE periods, past
 * the default hold of 0.15 s, 28 periods) in turn, so that it listens and continues again and
 * again (the model switch falls in a pause: two models continuing, crossfaded); the Continue
 * trigger pressed in the middle of every third phrase; the mix moving. CONTINUATION_PERIODS:
 * one switch. */
enum { PHRASE = 120, PAUSE = 130, CONTINUATION_PERIODS = SWITCH_EVERY + SWITCH_WINDOW };

static void play_phrases(host *h, size_t k)
{
    static float tone[PERIOD_FRAMES];
    size_t at = k % (PHRASE + PAUSE), phrase = k / (PHRASE + PAUSE);
    for (size_t i = 0; i < PERIOD_FRAMES; i++)
        tone[i] = 0.3f * sinf(0.06f * (float)(k * PERIOD_FRAMES + i));
    host_set_input(h, tone, at < PHRASE ? PERIOD_FRAMES : 0);
    host_set_control(h, SRNN_PORT_CONTINUE, phrase % 3 == 2 && at == PHRASE / 2 ? 1.0f : 0.0f);
    host_set_control(h, SRNN_PORT_MIX, knob(k + 300, 0.2f, 1.0f));
}

static void continuation_scenario(const char *name, const char *const models[2], size_t periods,
                                  timings *t)
{
    run_plugin(name, SRNN_LV2_CONTINUATION_URI, play_phrases, models, periods, t);
}

/* ---- the budget ------------------------------------------------------------------------------ */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    double mean, p999, max;
    size_t count;
} summary;

/* Sorts x[0..n) and summarises it. */
static summary summarise(double *x, size_t n)
{
    summary s = {0.0, 0.0, 0.0, n};
    if (n == 0) return s;
    for (size_t i = 0; i < n; i++) s.mean += x[i] / (double)n;
    qsort(x, n, sizeof *x, compare_doubles);
    s.p999 = x[(size_t)ceil(0.999 * (double)n) - 1];
    s.max = x[n - 1];
    return s;
}

static double percent(double ns) { return 100.0 * ns / PERIOD_NS; }

/* Judges a scenario's periods, each the smaller of its RUNS measurements. */
static void judge(const char *name, const budget *b, timings runs[RUNS], size_t periods)
{
    double *steady = malloc(periods * sizeof *steady), *switching = malloc(periods * sizeof *steady);
    if (!CHECK(steady && switching, "out of memory")) {
        free(steady), free(switching);
        return;
    }
    size_t num_steady = 0, num_switching = 0, stalls = 0;
    double raw_max = 0.0;
    for (size_t k = 0; k < periods; k++) {
        double least = runs[0].ns[k], most = runs[0].ns[k];
        for (int r = 1; r < RUNS; r++) least = fmin(least, runs[r].ns[k]), most = fmax(most, runs[r].ns[k]);
        raw_max = fmax(raw_max, most);
        stalls += most - least > 0.25 * PERIOD_NS; /* a run's measurement, not srnn's */
        if (in_switch_window(k)) switching[num_switching++] = least;
        else steady[num_steady++] = least;
    }
    summary s = summarise(steady, num_steady), w = summarise(switching, num_switching);
    printf("%-24s steady %6zu periods: mean %6.1f us (%4.1f%%), p99.9 %6.1f us (%4.1f%%), "
           "max %6.1f us (%5.1f%%)\n",
           name, s.count, s.mean / 1e3, percent(s.mean), s.p999 / 1e3, percent(s.p999),
           s.max / 1e3, percent(s.max));
    printf("%-24s switch %6zu periods: mean %6.1f us (%4.1f%%), max %6.1f us (%5.1f%%); "
           "%zu periods measured over a quarter period apart in the runs (largest single "
           "measurement %.1f us, %.0f%%)\n",
           "", w.count, w.mean / 1e3, percent(w.mean), w.max / 1e3, percent(w.max), stalls,
           raw_max / 1e3, percent(raw_max));
    CHECK(s.p999 <= b->steady_p999 * PERIOD_NS,
          "%s: steady p99.9 %.0f%% of the period, over its budget of %.0f%%", name,
          percent(s.p999), 100 * b->steady_p999);
    CHECK(s.max <= b->steady_max * PERIOD_NS,
          "%s: steady max %.0f%% of the period, over its budget of %.0f%%", name, percent(s.max),
          100 * b->steady_max);
    CHECK(w.max <= b->switch_max * PERIOD_NS,
          "%s: switch max %.0f%% of the period, over its budget of %.0f%%", name, percent(w.max),
          100 * b->switch_max);
    free(steady);
    free(switching);
}

/* ---- main ------------------------------------------------------------------------------------ */

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *copy = fopen(to, "wb");
    int ok = in && copy;
    char buffer[65536];
    size_t n;
    while (ok && (n = fread(buffer, 1, sizeof buffer, in)) > 0) ok = fwrite(buffer, 1, n, copy) == n;
    if (in) fclose(in);
    if (copy && fclose(copy) != 0) ok = 0;
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    size_t periods = 8400;
    if (argc < 3) {
        fprintf(stderr, "usage: budget_realtime SHIPPED_MODEL TEMP_DIR [--periods N] [--slow-path]\n");
        return 2;
    }
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--slow-path") == 0) slow_path = 1;
        else if (strcmp(argv[i], "--periods") == 0 && i + 1 < argc) periods = strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "budget_realtime: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (periods < SWITCH_EVERY) {
        fprintf(stderr, "budget_realtime: --periods must be at least %d (one switch)\n", SWITCH_EVERY);
        return 2;
    }
    /* Each model and a copy of it at another path: every switch loads a new instance. */
    const char *dir = argv[2];
    char shipped_copy[1024], m_model[1024], m_copy[1024], error[SRNN_ERROR_MAX] = "";
    snprintf(shipped_copy, sizeof shipped_copy, "%s/shipped_copy.srnn", dir);
    snprintf(m_model, sizeof m_model, "%s/m.srnn", dir);
    snprintf(m_copy, sizeof m_copy, "%s/m_copy.srnn", dir);
    srnn_config m_config = speed_config(512, 2);
    if (copy_file(argv[1], shipped_copy) != 0 ||
        speed_write_model(m_model, &m_config, SRNN_PRECISION_I8, error) != SRNN_OK ||
        copy_file(m_model, m_copy) != 0 || !host_world()) {
        fprintf(stderr, "budget_realtime: cannot set up the models %s and %s in %s %s\n", argv[1],
                m_model, dir, error);
        return 1;
    }
    const char *shipped[2] = {argv[1], shipped_copy}, *m[2] = {m_model, m_copy};

    printf("%zu periods of %d frames at %d Hz (%.2f ms) per scenario, %d runs, in thread CPU "
           "time; budget (steady p99.9, steady max, switch max, in %% of the period): shipped "
           "model %.0f/%.0f/%.0f, M %.0f/%.0f/%.0f, instrument %.0f/%.0f/%.0f%s\n",
           periods, PERIOD_FRAMES, RATE, PERIOD_NS / 1e6, RUNS, 100 * shipped_budget.steady_p999,
           100 * shipped_budget.steady_max, 100 * shipped_budget.switch_max,
           100 * m_budget.steady_p999, 100 * m_budget.steady_max, 100 * m_budget.switch_max,
           100 * instrument_budget.steady_p999, 100 * instrument_budget.steady_max,
           100 * instrument_budget.switch_max,
           slow_path ? "; with the deliberate slow path (2 ms every 10,000 calls)" : "");
    struct {
        const char *name;
        void (*run)(const char *, const char *const[2], size_t, timings *);
        const char *const *models;
        const budget *budget;
        size_t periods; /* 0: the option's */
    } scenarios[] = {
        {"play, shipped model", play_scenario, shipped, &shipped_budget, 0},
        {"play, M 512x2 int8", play_scenario, m, &m_budget, 0},
        {"lv2 mono, shipped model", plugin_scenario, shipped, &shipped_budget, 0},
        {"lv2 mono, M 512x2 int8", plugin_scenario, m, &m_budget, 0},
        {"lv2 instrument, 8 voices", instrument_scenario, shipped, &instrument_budget,
         INSTRUMENT_PERIODS},
        {"lv2 continuation", continuation_scenario, shipped, &shipped_budget,
         CONTINUATION_PERIODS},
    };
    timings runs[RUNS];
    for (int r = 0; r < RUNS; r++) runs[r] = (timings){calloc(periods, sizeof(double)), 0, periods};
    interposer_clear();
    for (size_t s = 0; s < sizeof scenarios / sizeof *scenarios; s++) {
        if (slow_path && scenarios[s].models != shipped) continue;
        int complete = 1;
        size_t n = scenarios[s].periods && scenarios[s].periods < periods ? scenarios[s].periods
                                                                          : periods;
        for (int r = 0; r < RUNS; r++) {
            runs[r].count = 0;
            if (runs[r].ns) scenarios[s].run(scenarios[s].name, scenarios[s].models, n, &runs[r]);
            complete &= CHECK(runs[r].count == n, "%s: %zu of %zu periods ran",
                              scenarios[s].name, runs[r].count, n);
        }
        if (complete) judge(scenarios[s].name, scenarios[s].budget, runs, n);
        fflush(stdout);
    }
    /* the audio thread is the arming one; other threads are the voices' helpers (a group
     * that measures below SRNN_LV2_HELPERS_BELOW as it loads gets them), whose only call is
     * the sleep of an idle helper, as tests/test_lv2_realtime.c allows */
    unsigned calls = interposer_disarm(), here = interposer_calls_here();
    unsigned helper_other = calls - here - interposer_count_elsewhere("nanosleep");
    printf("forbidden calls in the timed calls (allocation, lock, wait, I/O): %u", calls);
    interposer_report();
    printf("\n");
    CHECK(here == 0 && helper_other == 0,
          "the audio thread made %u forbidden calls, its helpers %u besides their idle sleeps",
          here, helper_other);
    for (int r = 0; r < RUNS; r++) free(runs[r].ns);
    host_world_free();
    return check_summary();
}
