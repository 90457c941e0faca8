/* The kernels with AVX2 and F16C, for x86-64 CPUs since 2013. The Makefile compiles this
 * file alone with -mavx2 -mf16c; on other architectures the level is left out of the build. */
#include "kernels.h"
#if defined(__x86_64__)
/* A build without the flags stops here rather than leave the level out unnoticed */
#if !defined(__AVX2__) || !defined(__F16C__)
#error "kernels_avx2.c needs -mavx2 -mf16c (the Makefile's ARCH_FLAGS)"
#endif
#include "vec_avx2.h"
#define KERNELS_LEVEL SRNN_CPU_AVX2
#define KERNELS_TABLE srnn_kernels_avx2
#include "kernels_arch.h"
#else
const srnn_kernels *const srnn_kernels_avx2 = NULL;
#endif
