/* A second thread that shares a voice's matrix products (srnn_voice_create_threads).
 *
 * The audio thread never waits for the helper. For each product it copies the input into one
 * of two task slots and publishes the task in one atomic claim word (task number, next block,
 * end). Both threads claim column blocks with compare-and-swap; the audio thread computes its
 * blocks straight into y, the helper into its own scratch, and commits each finished block
 * with a compare-and-swap on the block's state. When the audio thread has claimed the last
 * block it takes the helper's results that are committed and steals, by the same
 * compare-and-swap, every block that is not yet (computing it itself); a late helper then
 * finds its block stolen and drops its result. So the audio thread takes no lock, makes no
 * system call and never spins on the helper; a helper that is asleep or descheduled just does
 * less. A slot is not reused while the helper is still inside it (it announces the slot before
 * claiming), so nothing it reads is written meanwhile.
 *
 * A block computes the same bits whichever thread does it (the helper's scratch starts at
 * -0, the identity of IEEE addition, and the audio thread adds it to y as gemv would), so a
 * voice with a helper generates exactly what it would without one.
 *
 * The helper spins while products keep coming and sleeps (nanosleep) after a while without
 * any, so an idle voice costs no CPU. */
#ifndef SRNN_HELPER_H
#define SRNN_HELPER_H

#include "kernels.h"

typedef struct srnn_helper srnn_helper;

/* Starts the helper thread for products of at most max_in inputs and max_blocks column blocks;
 * NULL when out of memory or threads. Not real-time safe. */
srnn_helper *srnn_helper_start(const srnn_kernels *kernels, size_t max_in, size_t max_blocks);
/* Stops and joins it (NULL is a no-op). Not real-time safe. */
void srnn_helper_stop(srnn_helper *helper);

/* Blocks of shared products whose result the audio thread took from the helper, and blocks it
 * took back (stole) and computed itself; counted by the audio thread, read it there. */
void srnn_helper_counts(const srnn_helper *helper, uint64_t *taken, uint64_t *stolen);

/* How a voice computes products: alone, or with a helper. */
typedef struct {
    const srnn_kernels *kernels;
    srnn_helper *helper; /* NULL: alone */
} srnn_exec;

/* y[blocks begin .. end) += x · W, as kernels->gemv, shared with the helper if there is one
 * and the product streams enough weights (512 KiB) to gain from it. */
void srnn_exec_gemv(const srnn_exec *exec, const srnn_matrix *w, const float *x, float *y,
                    uint32_t block_begin, uint32_t block_end);

#endif
