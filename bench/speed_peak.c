/* The machine's limits (speed_peak.h). The FMA loops keep 16 independent accumulators, more
 * than latency x throughput on any current core, so the loop runs at the FMA units' rate. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "speed_peak.h"

double speed_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

enum { CHAINS = 16, ROUNDS = 1 << 16 };

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static double fma_avx512(double seconds)
{
    __m512 acc[CHAINS], a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_ps((float)i);
    double start = speed_now(), elapsed;
    uint64_t rounds = 0;
    do {
        for (int r = 0; r < ROUNDS; r++)
            for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
        rounds += ROUNDS;
        elapsed = speed_now() - start;
    } while (elapsed < seconds);
    float sink[16];
    __m512 sum = acc[0];
    for (int i = 1; i < CHAINS; i++) sum = _mm512_add_ps(sum, acc[i]);
    _mm512_storeu_ps(sink, sum);
    volatile float keep = sink[0];
    (void)keep;
    return (double)rounds * CHAINS * 16 / elapsed / 1e9;
}

__attribute__((target("avx2,fma"))) static double fma_avx2(double seconds)
{
    __m256 acc[CHAINS], a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_set1_ps((float)i);
    double start = speed_now(), elapsed;
    uint64_t rounds = 0;
    do {
        for (int r = 0; r < ROUNDS; r++)
            for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
        rounds += ROUNDS;
        elapsed = speed_now() - start;
    } while (elapsed < seconds);
    float sink[8];
    __m256 sum = acc[0];
    for (int i = 1; i < CHAINS; i++) sum = _mm256_add_ps(sum, acc[i]);
    _mm256_storeu_ps(sink, sum);
    volatile float keep = sink[0];
    (void)keep;
    return (double)rounds * CHAINS * 8 / elapsed / 1e9;
}
#endif

static double fma_scalar(double seconds)
{
    float acc[CHAINS];
    for (int i = 0; i < CHAINS; i++) acc[i] = (float)i;
    double start = speed_now(), elapsed;
    uint64_t rounds = 0;
    do {
        for (int r = 0; r < ROUNDS; r++)
            for (int i = 0; i < CHAINS; i++) acc[i] = acc[i] * 0.999999f + 1e-7f;
        rounds += ROUNDS;
        elapsed = speed_now() - start;
    } while (elapsed < seconds);
    volatile float keep = acc[0];
    (void)keep;
    return (double)rounds * CHAINS / elapsed / 1e9;
}

double speed_fma_peak(double seconds, const char **isa)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        /* some cores run 512-bit FMAs at half rate: the wider registers are not always faster */
        double wide = fma_avx512(seconds), narrow = fma_avx2(seconds);
        *isa = wide >= narrow ? "avx512" : "avx2";
        return wide >= narrow ? wide : narrow;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        *isa = "avx2";
        return fma_avx2(seconds);
    }
#endif
    *isa = "scalar";
    return fma_scalar(seconds);
}

double speed_read_bandwidth(size_t bytes, double seconds)
{
    size_t words = bytes / sizeof(uint64_t);
    uint64_t *buffer = malloc(words * sizeof *buffer);
    if (!buffer) return -1.0;
    for (size_t i = 0; i < words; i++) buffer[i] = i;
    uint64_t sum = 0, passes = 0;
    double start = speed_now(), elapsed;
    do {
        for (size_t i = 0; i < words; i++) sum += buffer[i]; /* integer sums vectorise */
        passes++;
        elapsed = speed_now() - start;
    } while (elapsed < seconds);
    volatile uint64_t keep = sum;
    (void)keep;
    free(buffer);
    return (double)passes * (double)words * sizeof(uint64_t) / elapsed / 1e9;
}
