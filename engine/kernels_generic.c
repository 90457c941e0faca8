/* The kernels in plain C: the reference level, and the one every CPU runs. */
#include "vec_generic.h"
#define KERNELS_LEVEL SRNN_CPU_GENERIC
#define KERNELS_TABLE srnn_kernels_generic
#include "kernels_arch.h"
