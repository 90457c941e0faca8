/* Data-parallel training over MPI: `mpirun -np N srnn train ...` runs N processes (ranks) that
 * train one model. Each rank takes its own contiguous share of every batch's rows, computes the
 * gradient of its share, and the ranks sum the gradients (MPI_Allreduce) before clipping and
 * the update, so every rank applies the same update to the same weights and the global batch
 * stays --batch_size whatever N is. Rank 0 alone touches the run directory.
 *
 * Without a launcher (no mpirun), or in a build without MPI, there is one rank and nothing here
 * calls MPI: srnn train runs exactly as a single process always has. */
#ifndef TRAIN_DISTRIBUTED_H
#define TRAIN_DISTRIBUTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRAIN_DIST_ERROR_MAX 256

typedef struct {
    int rank, size;       /* 0 and 1 without MPI */
    int local_size;       /* ranks on this machine */
    bool mpi;             /* MPI_Init was called (launched by mpirun) */
    double reduce_seconds; /* time spent in the gradient sums so far */
    uint64_t reductions;   /* gradient sums so far */
} train_dist;

/* Joins the job mpirun started, or makes the one rank of a plain run. false with one line in
 * error when launched by mpirun in a build without MPI, or when MPI fails to start. */
bool train_dist_start(train_dist *d, char error[TRAIN_DIST_ERROR_MAX]);

/* Leaves the job: with ok, after every rank (MPI_Finalize); otherwise ends every rank at once
 * (MPI_Abort), since the others may wait for this one in a sum. */
void train_dist_end(train_dist *d, bool ok);

/* OpenBLAS threads for a rank when --threads is not given: the cores this process may run on,
 * shared among the ranks on this machine, at least 1; every online core without MPI. */
int train_dist_default_threads(const train_dist *d);

/* This rank's rows of a batch of batch rows: [*first, *first + *count). The first batch % size
 * ranks take one row more than the others. */
void train_dist_share(int rank, int size, size_t batch, size_t *first, size_t *count);

/* Sums the gradients of every rank in place: grads holds this rank's gradient of the mean loss
 * over its share_rows of batch_rows and becomes the gradient of the mean over the whole batch.
 * stats (count values: loss sums, counts) are summed as they are. */
void train_dist_sum_gradients(train_dist *d, float *grads, size_t floats, size_t share_rows,
                              size_t batch_rows, double *stats, size_t count);

/* Sums stats over the ranks (validation's loss sums and counts). */
void train_dist_sum(const train_dist *d, double *stats, size_t count);

/* Whether flag is set on any rank; every rank gets the same answer. */
bool train_dist_any(const train_dist *d, bool flag);

/* Whether every rank holds the same value. */
bool train_dist_same(const train_dist *d, uint64_t value);

/* Rows of a batch of batch rows, per_row floats each, every rank holding its share
 * (train_dist_share): gathered into all (the whole batch, rank 0's only), or scattered from
 * rank 0's all. */
void train_dist_gather_rows(const train_dist *d, const float *mine, float *all, size_t per_row,
                            size_t batch);
void train_dist_scatter_rows(const train_dist *d, const float *all, float *mine, size_t per_row,
                             size_t batch);

/* Copies rank 0's bytes to every other rank. */
void train_dist_broadcast(const train_dist *d, void *data, size_t bytes);

/* A cheap checksum of bytes (CRC-32), to compare the ranks' weights and data. */
uint64_t train_dist_checksum(const void *data, size_t bytes);

#endif
