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

double speed_thread_cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
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

/* Reading: eight independent accumulators, each a register wide, take one load each per
 * step, so neither an add's latency nor the loop limits the rate; an integer add is the
 * cheapest use of a loaded value that the compiler cannot drop. A pass reads the buffer in
 * order, which lets the hardware prefetchers run ahead as they do for the engine's
 * weights. Each reader returns the sum of its accumulators, kept in a volatile. */
enum { READERS = 8 };

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static uint64_t read_avx512(const uint64_t *buffer, size_t words)
{
    __m512i acc[READERS];
    for (int k = 0; k < READERS; k++) acc[k] = _mm512_setzero_si512();
    for (size_t i = 0; i + READERS * 8 <= words; i += READERS * 8)
        for (int k = 0; k < READERS; k++)
            acc[k] = _mm512_add_epi64(acc[k], _mm512_load_si512((const void *)(buffer + i + 8 * k)));
    for (int k = 1; k < READERS; k++) acc[0] = _mm512_add_epi64(acc[0], acc[k]);
    return (uint64_t)_mm512_reduce_add_epi64(acc[0]);
}

__attribute__((target("avx2"))) static uint64_t read_avx2(const uint64_t *buffer, size_t words)
{
    __m256i acc[READERS];
    for (int k = 0; k < READERS; k++) acc[k] = _mm256_setzero_si256();
    for (size_t i = 0; i + READERS * 4 <= words; i += READERS * 4)
        for (int k = 0; k < READERS; k++)
            acc[k] = _mm256_add_epi64(acc[k], _mm256_load_si256((const __m256i *)(buffer + i + 4 * k)));
    for (int k = 1; k < READERS; k++) acc[0] = _mm256_add_epi64(acc[0], acc[k]);
    uint64_t lanes[4];
    _mm256_storeu_si256((__m256i *)lanes, acc[0]);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}
#endif

static uint64_t read_scalar(const uint64_t *buffer, size_t words)
{
    uint64_t acc[READERS] = {0};
    for (size_t i = 0; i + READERS <= words; i += READERS)
        for (int k = 0; k < READERS; k++) acc[k] += buffer[i + k];
    uint64_t sum = 0;
    for (int k = 0; k < READERS; k++) sum += acc[k];
    return sum;
}

typedef uint64_t (*reader)(const uint64_t *buffer, size_t words);

/* GB/s of one reader over the buffer: passes until seconds have gone by, after one pass that
 * brings the buffer into whatever cache holds it. */
static double read_rate(reader read, const uint64_t *buffer, size_t words, double seconds)
{
    volatile uint64_t keep = read(buffer, words);
    uint64_t passes = 0;
    double start = speed_now(), elapsed;
    do {
        keep += read(buffer, words);
        passes++;
        elapsed = speed_now() - start;
    } while (elapsed < seconds);
    (void)keep;
    return (double)passes * (double)words * sizeof(uint64_t) / elapsed / 1e9;
}

double speed_read_bandwidth(size_t bytes, double seconds, const char **isa)
{
    enum { ALIGN = 64, STEP = READERS * 8 }; /* words per step of the widest reader */
    size_t words = bytes / sizeof(uint64_t) / STEP * STEP;
    if (words == 0) words = STEP;
    uint64_t *buffer = aligned_alloc(ALIGN, words * sizeof *buffer);
    if (!buffer) return -1.0;
    for (size_t i = 0; i < words; i++) buffer[i] = i;
    double rate;
    *isa = "scalar";
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        /* as for the FMA peak: half the time each width, the faster one counts */
        double wide = read_rate(read_avx512, buffer, words, seconds / 2);
        double narrow = read_rate(read_avx2, buffer, words, seconds / 2);
        *isa = wide >= narrow ? "avx512" : "avx2";
        rate = wide >= narrow ? wide : narrow;
    } else if (__builtin_cpu_supports("avx2")) {
        *isa = "avx2";
        rate = read_rate(read_avx2, buffer, words, seconds);
    } else
#endif
        rate = read_rate(read_scalar, buffer, words, seconds);
    free(buffer);
    return rate;
}
