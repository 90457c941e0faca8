/* What the machine can do, measured in the same run as the benchmark it explains: the peak
 * multiply-accumulate rate of one core (independent fused multiply-add chains in the widest
 * registers the CPU has) and the read bandwidth of one core from a buffer of a given size
 * (which cache level serves it depends on the size). */
#ifndef SRNN_SPEED_PEAK_H
#define SRNN_SPEED_PEAK_H

#include <stddef.h>

double speed_now(void); /* seconds, monotonic */
double speed_thread_cpu(void); /* seconds of the calling thread's CPU time */

/* GMAC/s of one core, and which instructions gave it ("avx512", "avx2" or "scalar"). */
double speed_fma_peak(double seconds, const char **isa);

/* GB/s of one core reading a buffer of bytes over and over, with the widest loads the CPU has
 * (which ones gave it in *isa: "avx512", "avx2" or "scalar") into several independent
 * accumulators; < 0 when out of memory. */
double speed_read_bandwidth(size_t bytes, double seconds, const char **isa);

#endif
