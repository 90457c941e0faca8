/* The audio path's contract: srnn_voice_generate, predict, feed, sample, reset and prime call
 * no allocator, lock, wait, sleep, I/O or other system call, in any library, at every
 * precision (float32, int8, int4, int4 frame tiers with an int8 MLP) (the interposer,
 * tests/interposer.c, counts those calls while armed). A voice with two helper threads
 * generates under the same rule on every thread once the helpers have started, but for their
 * idle sleeps (nanosleep, off the audio thread, engine/helper.c). So does a group of three
 * voices (srnn_voices_generate, reset, prime, stop, set_temperature), alone and with two
 * helper threads, its batched products (quantised into the group's scratch) included. A
 * deliberate allocation while
 * armed (srnn_voice_create) proves the interposer catches the engine's calls. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "check.h"
#include "golden.h"
#include "interposer.h"
#include "srnn.h"

/* Disarms; prints and checks the calls counted, less the helper's sleeps when allowed. */
static void check_calls(const char *name, const char *what, int helper_may_sleep)
{
    unsigned calls = interposer_disarm();
    unsigned sleeps = helper_may_sleep ? interposer_count_elsewhere("nanosleep") : 0;
    printf("%-22s %s: %u forbidden calls", name, what, calls - sleeps);
    if (calls - sleeps) interposer_report();
    if (sleeps) printf(" (the helper thread slept %u times)", sleeps);
    printf("\n");
    CHECK(calls - sleeps == 0, "%s %s: forbidden calls", name, what);
}

static int run_precision(const char *dir, const char *case_name, srnn_precision precision,
                         srnn_precision sample_precision)
{
    char path[1024], name[64], error[SRNN_ERROR_MAX];
    snprintf(path, sizeof path, "%s/%s.srnn", dir, case_name);
    snprintf(name, sizeof name, "%s %s/%s", case_name, srnn_precision_name(precision),
             srnn_precision_name(sample_precision));
    srnn_load_options options = {SRNN_CPU_AUTO, precision, sample_precision};
    srnn_model *model = NULL;
    srnn_voice *voice;
    if (srnn_model_load_with(path, &options, &model, error) != SRNN_OK)
        fprintf(stderr, "%s: %s\n", path, error);
    if (!CHECK(model && srnn_voice_create(model, 3, &voice) == SRNN_OK, "%s: cannot load", name)) {
        srnn_model_free(model);
        return 1;
    }
    static float audio[4096];
    static int32_t samples[4096];
    int32_t prime[100] = {0};

    interposer_clear();
    interposer_arm();
    for (int block = 1; block <= 4096; block *= 4)
        srnn_voice_generate(voice, SRNN_DEFAULT_TEMPERATURE, audio, samples, (size_t)block);
    srnn_voice_reset(voice, 9);
    srnn_voice_prime(voice, prime, 100);
    const float *logits = srnn_voice_predict(voice);
    srnn_voice_feed(voice, srnn_voice_sample(voice, logits, 0.5f));
    (void)srnn_quantise(srnn_model_config(model), 0.3f);
    (void)srnn_dequantise(srnn_model_config(model), 3);
    check_calls(name, "real-time calls", 0);

    /* a group of three voices: batched products, voices restarted and stopped on their own */
    for (unsigned threads = 1; threads <= 3; threads += 2) {
        static const uint64_t seeds[] = {1, 2, 3};
        static float audio3[3][1024];
        float *outputs[] = {audio3[0], audio3[1], audio3[2]};
        srnn_voices *group;
        if (!CHECK(srnn_voices_create(model, 3, seeds, threads, &group) == SRNN_OK,
                   "%s: cannot create a group of 3 voices, %u threads", name, threads))
            continue;
        interposer_clear();
        interposer_arm();
        for (int block = 1; block <= 1024; block *= 4) srnn_voices_generate(group, outputs, NULL, (size_t)block);
        srnn_voices_reset(group, 1, 9);
        srnn_voices_prime(group, 2, prime, 100);
        srnn_voices_set_temperature(group, 0, 0.5f);
        srnn_voices_generate(group, outputs, NULL, 1000);
        srnn_voices_stop(group, 0);
        (void)srnn_voices_stopped(group, 0);
        srnn_voices_generate(group, outputs, NULL, 1000);
        check_calls(name, threads == 1 ? "a group of 3 voices" : "a group of 3 voices, 3 threads",
                    threads > 1);
        srnn_voices_free(group);
    }

    /* a voice with a helper thread, once the thread has started (the C library and the
     * sanitizers allocate as a thread starts): when it idles, it sleeps */
    srnn_voice *threaded;
    if (CHECK(srnn_voice_create_threads(model, 3, 3, &threaded) == SRNN_OK,
              "%s: cannot create a voice with two helper threads", name)) {
        interposer_clear();
        interposer_arm();
        struct timespec pause = {0, 1000000}; /* 1 ms, up to 10 s */
        for (int ms = 0; ms < 10000 && interposer_count_elsewhere("nanosleep") == 0; ms++)
            nanosleep(&pause, NULL);
        interposer_disarm();
        CHECK(interposer_count_elsewhere("nanosleep") > 0, "%s: the helper thread never idles",
              name);
        interposer_clear();
        interposer_arm();
        for (int block = 1; block <= 4096; block *= 4)
            srnn_voice_generate(threaded, SRNN_DEFAULT_TEMPERATURE, audio, samples, (size_t)block);
        check_calls(name, "with two helper threads", 1);
        srnn_voice_free(threaded);
    }
    srnn_voice_free(voice);
    srnn_model_free(model);
    return 0;
}

static int run_case(const char *dir, const char *name)
{
    static const srnn_precision cases[][2] = {{SRNN_PRECISION_F32, SRNN_PRECISION_F32},
                                              {SRNN_PRECISION_I8, SRNN_PRECISION_I8},
                                              {SRNN_PRECISION_I4, SRNN_PRECISION_I4},
                                              {SRNN_PRECISION_I4, SRNN_PRECISION_I8}};
    int failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        failed |= run_precision(dir, name, cases[i][0], cases[i][1]);
    return failed;
}

int main(void)
{
    CHECK(golden_each_case(golden_dir(), run_case) == 0, "the golden cases");

    /* the interposer must see an allocation made by the engine while armed */
    srnn_model *model = golden_load_model(golden_dir(), "gru");
    srnn_voice *voice = NULL;
    unsigned allocations = 0;
    if (CHECK(model, "gru.srnn: cannot load")) {
        interposer_clear();
        interposer_arm();
        srnn_voice_create(model, 1, &voice);
        interposer_disarm();
        allocations = interposer_allocations();
        srnn_voice_free(voice);
        srnn_model_free(model);
    }
    CHECK_SHOW(allocations > 0, "self-check: srnn_voice_create while armed: %u allocations caught",
               allocations);
    return check_summary();
}
