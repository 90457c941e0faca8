/* The audio path's contract: srnn_voice_generate, predict, feed, sample, reset and prime call
 * no allocator, lock, sleep or I/O. The test binary is linked with --wrap for those symbols
 * (see the Makefile), so every call the engine's objects make to them lands in a counter
 * below; the counters are armed only around the real-time calls. A deliberate allocation
 * while armed (srnn_voice_create) proves the interposer catches calls. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "golden.h"
#include "srnn.h"

static volatile int armed;
static volatile int forbidden_calls;
static const char *volatile last_forbidden;

static void forbidden(const char *what)
{
    if (armed) {
        forbidden_calls++;
        last_forbidden = what;
    }
}

#define WRAP(ret, name, params, args)                                                              \
    ret __real_##name params;                                                                      \
    ret __wrap_##name params;                                                                      \
    ret __wrap_##name params                                                                       \
    {                                                                                              \
        forbidden(#name);                                                                          \
        return __real_##name args;                                                                 \
    }

WRAP(void *, malloc, (size_t n), (n))
WRAP(void *, calloc, (size_t n, size_t s), (n, s))
WRAP(void *, realloc, (void *p, size_t n), (p, n))
WRAP(void *, aligned_alloc, (size_t a, size_t n), (a, n))
WRAP(int, posix_memalign, (void **p, size_t a, size_t n), (p, a, n))
WRAP(void *, mmap, (void *a, size_t n, int p, int f, int fd, off_t o), (a, n, p, f, fd, o))
WRAP(int, munmap, (void *a, size_t n), (a, n))
WRAP(ssize_t, read, (int fd, void *b, size_t n), (fd, b, n))
WRAP(ssize_t, write, (int fd, const void *b, size_t n), (fd, b, n))
WRAP(int, close, (int fd), (fd))
WRAP(int, pthread_mutex_lock, (pthread_mutex_t *m), (m))
WRAP(int, usleep, (useconds_t u), (u))
WRAP(int, vsnprintf, (char *s, size_t n, const char *f, va_list a), (s, n, f, a))

void __real_free(void *p);
void __wrap_free(void *p);
void __wrap_free(void *p)
{
    forbidden("free");
    __real_free(p);
}

static int run_case(const char *dir, const char *name)
{
    char path[1024], error[SRNN_ERROR_MAX];
    snprintf(path, sizeof path, "%s/%s.srnn", dir, name);
    srnn_model *model;
    srnn_voice *voice;
    if (srnn_model_load(path, &model, error) != SRNN_OK ||
        srnn_voice_create(model, 3, &voice) != SRNN_OK) {
        fprintf(stderr, "%s: cannot load\n", path);
        return 1;
    }
    static float audio[4096];
    static int32_t samples[4096];
    int32_t prime[100] = {0};

    forbidden_calls = 0;
    armed = 1;
    for (int block = 1; block <= 4096; block *= 4) srnn_voice_generate(voice, 0.95f, audio, samples, (size_t)block);
    srnn_voice_reset(voice, 9);
    srnn_voice_prime(voice, prime, 100);
    const float *logits = srnn_voice_predict(voice);
    srnn_voice_feed(voice, srnn_voice_sample(voice, logits, 0.5f));
    (void)srnn_quantise(srnn_model_config(model), 0.3f);
    (void)srnn_dequantise(srnn_model_config(model), 3);
    armed = 0;
    int clean = forbidden_calls == 0;
    printf("%-12s real-time calls: %d forbidden calls%s%s\n", name, forbidden_calls,
           clean ? "" : ", last: ", clean ? "" : last_forbidden);

    /* a voice with a helper thread: nothing forbidden on either thread while it generates */
    srnn_voice *threaded;
    int threaded_clean = 0;
    if (srnn_voice_create_threads(model, 3, 2, &threaded) == SRNN_OK) {
        forbidden_calls = 0;
        armed = 1;
        for (int block = 1; block <= 4096; block *= 4)
            srnn_voice_generate(threaded, 0.95f, audio, samples, (size_t)block);
        armed = 0;
        threaded_clean = forbidden_calls == 0;
        printf("%-12s with a helper thread: %d forbidden calls%s%s\n", name, forbidden_calls,
               threaded_clean ? "" : ", last: ", threaded_clean ? "" : last_forbidden);
        srnn_voice_free(threaded);
    }
    srnn_voice_free(voice);
    srnn_model_free(model);
    return !clean || !threaded_clean;
}

int main(void)
{
    int failures = golden_each_case(golden_dir(), run_case);

    /* the interposer must see an allocation made by the engine while armed */
    char path[1024], error[SRNN_ERROR_MAX];
    snprintf(path, sizeof path, "%s/gru.srnn", golden_dir());
    srnn_model *model;
    srnn_voice *voice = NULL;
    int seen = 0;
    if (srnn_model_load(path, &model, error) == SRNN_OK) {
        forbidden_calls = 0;
        armed = 1;
        srnn_voice_create(model, 1, &voice);
        armed = 0;
        seen = forbidden_calls > 0;
        srnn_voice_free(voice);
        srnn_model_free(model);
    }
    printf("self-check: an allocation while armed is %s\n", seen ? "caught" : "NOT caught (FAIL)");
    return failures != 0 || !seen;
}
