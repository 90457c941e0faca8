/* Progress of a long generation: a bar on stderr when stderr is a terminal, nothing otherwise
 * (logs and tests get only the caller's summary line). */
#ifndef SRNN_PROGRESS_H
#define SRNN_PROGRESS_H

#include <stdint.h>

typedef struct {
    const char *label;   /* shown before the bar, e.g. the output file */
    uint64_t total;      /* samples to generate */
    uint32_t rate;       /* Hz, for the real-time factor */
    int tty;             /* draw at all */
    double start;        /* seconds on the monotonic clock */
    double last_drawn;
} progress;

/* Seconds on the monotonic clock. */
double progress_now(void);

void progress_begin(progress *p, const char *label, uint64_t total, uint32_t rate);

/* Redraws the bar (at most ten times a second) for done samples out of total. */
void progress_update(progress *p, uint64_t done);

/* Erases the bar and returns the seconds since progress_begin. */
double progress_end(progress *p);

#endif
