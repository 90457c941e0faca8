/* Work spread over the samples between two steps of a frame tier: matrix-vector products
 * whose inputs are known a whole frame before their outputs are needed (the recurrent half of
 * every RNN layer needs only the previous state; the big frame tier's conditioning of frame j
 * is needed only when frame j starts). A queue holds them in the order they are due; every
 * sample does a fixed number of column blocks, chosen so each product is done by its deadline.
 * The arithmetic is the same as doing it all at once: only the time changes. */
#ifndef SRNN_SPREAD_H
#define SRNN_SPREAD_H

#include <assert.h>

#include "helper.h"
#include "kernels.h"

/* A product for count voices of a group: y[v] += x[v] · W. */
typedef struct {
    const srnn_matrix *w;
    unsigned count;
    const float **x;
    float **y; /* each holds the bias when pushed; the product is added */
} srnn_job;

typedef struct {
    srnn_job *jobs; /* capacity jobs, owned by the voice group */
    const float **inputs; /* capacity · voices pointers, the jobs' x and y */
    float **outputs;
    size_t capacity, count, voices;
    size_t next_job;     /* the first job not finished */
    uint32_t next_block; /* the first block of it not done */
    uint32_t rate;       /* blocks per sample */
} srnn_queue;

static inline void srnn_queue_clear(srnn_queue *q)
{
    q->count = 0;
    q->next_job = 0;
    q->next_block = 0;
}

/* Queues a product. A queue cannot be full: each is cleared before the jobs of a tier step are
 * pushed, and the voice gives it the capacity for exactly those jobs (voice.c: the big frame
 * tier pushes BF/F - 1 conditioning products and L recurrent halves, the frame tier L); a push
 * past it would be a bug, and stops the program rather than drop work. */
static inline void srnn_queue_push(srnn_queue *q, const srnn_matrix *w, unsigned count,
                                   const float *const *x, float *const *y)
{
    assert(q->count < q->capacity && count <= q->voices);
    srnn_job *job = &q->jobs[q->count];
    *job = (srnn_job){w, count, q->inputs + q->count * q->voices, q->outputs + q->count * q->voices};
    for (unsigned v = 0; v < count; v++) {
        job->x[v] = x[v];
        job->y[v] = y[v];
    }
    q->count++;
}

/* Does up to budget column blocks of the queued products, in order. */
void srnn_queue_run(srnn_queue *q, const srnn_exec *exec, uint32_t budget);

/* Finishes the first jobs of the queue (all of them with SIZE_MAX). */
void srnn_queue_complete(srnn_queue *q, const srnn_exec *exec, size_t jobs);

/* The smallest rate that finishes jobs of blocks[i] blocks by deadline[i] samples after the
 * step (deadlines not decreasing). */
uint32_t srnn_queue_rate(const uint32_t *blocks, const uint32_t *deadline, size_t count);

#endif
