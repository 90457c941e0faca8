/* The kernels with NEON, on 64-bit ARM (where NEON is always present); on other
 * architectures the level is left out of the build. */
#include "kernels.h"
#if defined(__aarch64__)
/* Only flags that take the vector registers away (-mgeneral-regs-only) can remove it */
#if !defined(__ARM_NEON)
#error "kernels_neon.c needs NEON (not -mgeneral-regs-only)"
#endif
#include "vec_neon.h"
#define KERNELS_LEVEL SRNN_CPU_NEON
#define KERNELS_TABLE srnn_kernels_neon
#include "kernels_arch.h"
#else
const srnn_kernels *const srnn_kernels_neon = NULL;
#endif
