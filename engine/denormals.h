/* Flush denormals to zero while the audio path runs: a decaying RNN state would otherwise
 * fall into denormal arithmetic, which is up to a hundred times slower on x86. The previous
 * mode is restored afterwards so the host's thread is left as it was. */
#ifndef SRNN_DENORMALS_H
#define SRNN_DENORMALS_H

#include <stdint.h>

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
typedef unsigned int srnn_fp_mode;
#define SRNN_FTZ_DAZ 0x8040u /* MXCSR flush-to-zero (bit 15) and denormals-are-zero (bit 6) */
static inline srnn_fp_mode srnn_flush_denormals(void)
{
    srnn_fp_mode saved = _mm_getcsr();
    _mm_setcsr(saved | SRNN_FTZ_DAZ);
    return saved;
}
static inline void srnn_restore_fp_mode(srnn_fp_mode saved) { _mm_setcsr(saved); }
#elif defined(__aarch64__)
typedef uint64_t srnn_fp_mode;
static inline srnn_fp_mode srnn_flush_denormals(void)
{
    uint64_t saved;
    __asm__ volatile("mrs %0, fpcr" : "=r"(saved));
    __asm__ volatile("msr fpcr, %0" ::"r"(saved | (1ull << 24))); /* FZ */
    return saved;
}
static inline void srnn_restore_fp_mode(srnn_fp_mode saved)
{
    __asm__ volatile("msr fpcr, %0" ::"r"(saved));
}
#else
typedef int srnn_fp_mode;
static inline srnn_fp_mode srnn_flush_denormals(void) { return 0; }
static inline void srnn_restore_fp_mode(srnn_fp_mode saved) { (void)saved; }
#endif

#endif
