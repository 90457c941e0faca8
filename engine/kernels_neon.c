/* The kernels with NEON, on 64-bit ARM (where NEON is always present). */
#include "kernels.h"
#if defined(__aarch64__)
#include "vec_neon.h"
#define KERNELS_LEVEL SRNN_CPU_NEON
#define KERNELS_TABLE srnn_kernels_neon
#include "kernels_arch.h"
#else
const srnn_kernels *const srnn_kernels_neon = NULL;
#endif
