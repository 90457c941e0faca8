/* Band-limited resampling by direct evaluation of a Blackman-windowed sinc: the independent
 * reference the plugin's resampled output (libsamplerate) is compared with. Slow and plain. */
#ifndef SRNN_TEST_SINC_RESAMPLE_H
#define SRNN_TEST_SINC_RESAMPLE_H

#include <stddef.h>

/* out[m] is in, low-passed at cutoff Hz (below both Nyquist frequencies), at time
 * m / out_rate; in[k] sits at k / in_rate, and samples outside in are silent. With equal
 * rates it is a low-pass filter. */
void sinc_resample(const float *in, size_t in_count, double in_rate, float *out,
                   size_t out_count, double out_rate, double cutoff);

#endif
