/* The queue of spread work (spread.h). */
#include "spread.h"

void srnn_queue_run(srnn_queue *q, const srnn_exec *exec, uint32_t budget)
{
    while (budget > 0 && q->next_job < q->count) {
        const srnn_job *job = &q->jobs[q->next_job];
        uint32_t left = job->w->blocks - q->next_block;
        uint32_t now = left < budget ? left : budget;
        srnn_exec_gemv(exec, job->w, job->count, job->x, job->y, q->next_block, q->next_block + now);
        budget -= now;
        q->next_block += now;
        if (q->next_block == job->w->blocks) {
            q->next_job++;
            q->next_block = 0;
        }
    }
}

void srnn_queue_complete(srnn_queue *q, const srnn_exec *exec, size_t jobs)
{
    while (q->next_job < q->count && q->next_job < jobs) srnn_queue_run(q, exec, UINT32_MAX);
}

uint32_t srnn_queue_rate(const uint32_t *blocks, const uint32_t *deadline, size_t count)
{
    uint64_t done = 0;
    uint32_t rate = 0;
    for (size_t i = 0; i < count; i++) {
        done += blocks[i];
        uint64_t need = (done + deadline[i] - 1) / deadline[i];
        if (need > rate) rate = (uint32_t)need;
    }
    return rate;
}
