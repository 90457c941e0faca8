/* Windowed-sinc resampling (sinc_resample.h); the kernel spans HALF_WIDTH zero crossings on
 * each side. */
#include "sinc_resample.h"

#include <math.h>

#define HALF_WIDTH 24.0

static double blackman(double x) /* x in [-1, 1] */
{
    return 0.42 + 0.5 * cos(M_PI * x) + 0.08 * cos(2.0 * M_PI * x);
}

void sinc_resample(const float *in, size_t in_count, double in_rate, float *out,
                   size_t out_count, double out_rate, double cutoff)
{
    double band = 2.0 * cutoff / in_rate; /* the cutoff as a fraction of the input's Nyquist */
    double reach = HALF_WIDTH / band;     /* in input samples */
    for (size_t m = 0; m < out_count; m++) {
        double t = (double)m * in_rate / out_rate;
        long first = (long)ceil(t - reach), last = (long)floor(t + reach);
        if (first < 0) first = 0;
        if (last > (long)in_count - 1) last = (long)in_count - 1;
        double sum = 0.0;
        for (long k = first; k <= last; k++) {
            double u = t - (double)k;
            double x = M_PI * band * u;
            double sinc = fabs(x) < 1e-12 ? 1.0 : sin(x) / x;
            sum += in[k] * band * sinc * blackman(u / reach);
        }
        out[m] = (float)sum;
    }
}
