/* Choosing the kernels: what the CPU supports, what this build has, and names. */
#include <string.h>

#include "kernels.h"

srnn_cpu srnn_cpu_detect(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    /* libgcc's checks include the operating system's support for the wider registers */
    if (srnn_kernels_avx512 && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512bw"))
        return SRNN_CPU_AVX512;
    if (srnn_kernels_avx2 && __builtin_cpu_supports("avx2"))
        return SRNN_CPU_AVX2; /* every CPU with AVX2 has F16C */
#endif
    if (srnn_kernels_neon) return SRNN_CPU_NEON; /* only built for 64-bit ARM, where it is baseline */
    return SRNN_CPU_GENERIC;
}

/* The avx512 level: with VNNI's int8 dot products where the CPU has them (the same results). */
static const srnn_kernels *avx512_kernels(void)
{
#if defined(__x86_64__) || defined(__i386__)
    if (srnn_kernels_avx512_vnni && __builtin_cpu_supports("avx512vnni")) return srnn_kernels_avx512_vnni;
#endif
    return srnn_kernels_avx512;
}

const srnn_kernels *srnn_kernels_get(srnn_cpu level)
{
    srnn_cpu best = srnn_cpu_detect();
    switch (level) {
    case SRNN_CPU_GENERIC: return srnn_kernels_generic;
    case SRNN_CPU_AVX2: return best == SRNN_CPU_AVX2 || best == SRNN_CPU_AVX512 ? srnn_kernels_avx2 : NULL;
    case SRNN_CPU_AVX512: return best == SRNN_CPU_AVX512 ? avx512_kernels() : NULL;
    case SRNN_CPU_NEON: return best == SRNN_CPU_NEON ? srnn_kernels_neon : NULL;
    case SRNN_CPU_AUTO: return srnn_kernels_get(best);
    }
    return NULL;
}

const char *srnn_cpu_name(srnn_cpu cpu)
{
    switch (cpu) {
    case SRNN_CPU_AUTO: return "auto";
    case SRNN_CPU_GENERIC: return "generic";
    case SRNN_CPU_AVX2: return "avx2";
    case SRNN_CPU_AVX512: return "avx512";
    case SRNN_CPU_NEON: return "neon";
    }
    return "unknown";
}
