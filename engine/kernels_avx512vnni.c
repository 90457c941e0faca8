/* The AVX-512 kernels again, with VNNI's vpdpwssd for the int8 products (vec_avx512.h): one
 * instruction multiplies, adds pairs and accumulates, exact like the madd-and-add it replaces,
 * so the results are the avx512 level's. The Makefile compiles this file alone with -mavx512f
 * -mavx512bw -mavx512vnni; kernels.c uses it for the avx512 level on CPUs with VNNI. On other
 * architectures the level is left out of the build. */
#include "kernels.h"
#if defined(__x86_64__)
/* A build without the flags stops here rather than leave the level out unnoticed */
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512VNNI__)
#error "kernels_avx512vnni.c needs -mavx512f -mavx512bw -mavx512vnni (the Makefile's ARCH_FLAGS)"
#endif
#define VEC_AVX512_VNNI
#include "vec_avx512.h"
#define KERNELS_LEVEL SRNN_CPU_AVX512
#define KERNELS_TABLE srnn_kernels_avx512_vnni
#include "kernels_arch.h"
#else
const srnn_kernels *const srnn_kernels_avx512_vnni = NULL;
#endif
