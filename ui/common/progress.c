/* A one-line progress bar redrawn in place with a carriage return. */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

enum { BAR_WIDTH = 30 };

double progress_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_begin(progress *p, const char *label, uint64_t total, uint32_t rate) {
    p->label = label;
    p->total = total;
    p->rate = rate;
    p->tty = isatty(STDERR_FILENO);
    p->start = progress_now();
    p->last_drawn = 0.0;
}

void progress_update(progress *p, uint64_t done) {
    if (!p->tty) return;
    double now = progress_now();
    if (now - p->last_drawn < 0.1 && done < p->total) return;
    p->last_drawn = now;
    double fraction = p->total ? (double)done / (double)p->total : 1.0;
    double elapsed = now - p->start;
    double per_second = elapsed > 0.0 ? (double)done / elapsed : 0.0;
    char bar[BAR_WIDTH + 1];
    int filled = (int)(fraction * BAR_WIDTH);
    for (int i = 0; i < BAR_WIDTH; i++) bar[i] = i < filled ? '#' : '-';
    bar[BAR_WIDTH] = '\0';
    /* \033[K clears what a longer previous line left behind. */
    fprintf(stderr, "\r%s [%s] %3.0f%%  %.0f samples/s  %.2fx real time\033[K", p->label, bar,
            100.0 * fraction, per_second, per_second / p->rate);
    fflush(stderr);
}

double progress_end(progress *p) {
    if (p->tty) fputs("\r\033[K", stderr);
    return progress_now() - p->start;
}
