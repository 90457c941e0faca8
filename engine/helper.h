/* Helper threads that share a voice's matrix products (srnn_voice_create_threads): a voice
 * of N threads is the audio thread and N - 1 helpers.
 *
 * Every matrix is split the same way every time, so each thread streams, and keeps in its
 * core's caches, its own slice of every matrix, whatever range of blocks a product covers:
 * column blocks are dealt in rounds of 2N - 1, the first of each to the audio thread, the next
 * two to helper 1, the two after to helper 2, and so on. The audio thread takes the smaller
 * share because it also runs everything that is not shared (the products too small to share,
 * the sampler, the gates): measured on L (1024 x 4) at int4 with two threads, it ran 19% of
 * the weights' bytes alone and its helper spun idle, and this split raised the real-time
 * factor from 0.88x / 0.99x to 1.15x / 1.05x (two runs each, README).
 *
 * The audio thread never waits for a helper. For each product it copies the input into one
 * of two task slots, stamps the state of every block of the range with a new task number
 * (EMPTY), and publishes the task (number, first block, end) in one atomic word. Each helper
 * computes its blocks front to back into its part of a shared scratch and commits each with
 * a compare-and-swap on the block's state (EMPTY to DONE). The audio thread computes its own
 * blocks straight into y, then walks the helpers' blocks back to front: a committed one it
 * adds to y, any other it steals by the same compare-and-swap (EMPTY to STOLEN) and computes
 * itself. A helper that finds its next block stolen stops there (everything after it is
 * stolen too), and one that finishes a stolen block finds its commit refused and drops the
 * result. So the audio thread takes no lock, makes no system call and never spins on a
 * helper; a helper that is asleep, descheduled or stalled just does less.
 *
 * A slot is not rewritten while any helper is inside it (a helper announces the slot before
 * it looks at the task again; the audio thread checks every announcement before writing, and
 * uses the other slot, or computes alone, when both are busy), so nothing a helper reads is
 * written meanwhile. A block of scratch is written only by its owner, which commits it for
 * one task at a time, so the audio thread never reads one being written.
 *
 * A block computes the same bits whichever thread does it (the scratch starts at -0, the
 * identity of IEEE addition, and the audio thread adds it to y as gemv would), so a voice with
 * helpers generates exactly what it would without them.
 *
 * A helper spins while products keep coming and sleeps (nanosleep) after a while without
 * any, so an idle voice costs no CPU. Helpers are named "srnn-helper" (top -H, /proc). */
#ifndef SRNN_HELPER_H
#define SRNN_HELPER_H

#include "kernels.h"

typedef struct srnn_helpers srnn_helpers;

/* Starts count helper threads (1 to SRNN_MAX_THREADS - 1) for products of at most max_in
 * inputs, max_blocks column blocks and max_vectors vectors (a voice group's voices, 1 to
 * SRNN_MAX_VOICES); they get the scheduling of the calling thread, and are all running when it
 * returns. NULL when out of memory or threads. Not real-time safe. */
srnn_helpers *srnn_helpers_start(const srnn_kernels *kernels, unsigned count, size_t max_in,
                                 size_t max_blocks, size_t max_vectors);
/* Stops and joins them (NULL is a no-op). Not real-time safe. */
void srnn_helpers_stop(srnn_helpers *helpers);

/* Blocks of shared products whose result the audio thread took from a helper, and blocks it
 * took back (stole) and computed itself; counted by the audio thread, read them there. */
void srnn_helpers_counts(const srnn_helpers *helpers, uint64_t *taken, uint64_t *stolen);

/* The inputs a quantised product of at most max_in inputs holds: whole I4 groups. */
static inline size_t srnn_quantised_rows(size_t max_in)
{
    return (max_in + SRNN_I4_GROUP - 1) / SRNN_I4_GROUP * SRNN_I4_GROUP;
}

/* How a voice group computes products: alone, or with helpers. */
typedef struct {
    const srnn_kernels *kernels;
    srnn_helpers *helpers; /* NULL: alone */
    /* alone, several vectors of an I8 or I4 product are quantised here: (max vectors,
     * srnn_quantised_rows(max_in)); NULL for a group of one */
    int16_t *quantised;
    size_t max_in;
} srnn_exec;

/* y[v][blocks begin .. end) += x[v] · W for v < count (at most the group's voices), each as
 * kernels->gemv on x[v] would, reading each block of W once for all of them (the kernels'
 * batched products); shared with the helpers if there are any and the product streams enough
 * weights (512 KiB) to gain from it, each helper's blocks covering all the vectors. */
void srnn_exec_gemv(const srnn_exec *exec, const srnn_matrix *w, unsigned count,
                    const float *const *x, float *const *y, uint32_t block_begin,
                    uint32_t block_end);

#endif
