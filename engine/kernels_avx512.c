/* The kernels with AVX-512F and BW. The Makefile compiles this file alone with -mavx512f
 * -mavx512bw; on other architectures the level is left out of the build. */
#include "kernels.h"
#if defined(__x86_64__)
/* A build without the flags stops here rather than leave the level out unnoticed */
#if !defined(__AVX512F__) || !defined(__AVX512BW__)
#error "kernels_avx512.c needs -mavx512f -mavx512bw (the Makefile's ARCH_FLAGS)"
#endif
#include "vec_avx512.h"
#define KERNELS_LEVEL SRNN_CPU_AVX512
#define KERNELS_TABLE srnn_kernels_avx512
#include "kernels_arch.h"
#else
const srnn_kernels *const srnn_kernels_avx512 = NULL;
#endif
