#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "distributed.h"

#ifdef SRNN_MPI
#include <mpi.h>
#endif

/* The ranks mpirun (Open MPI) or another PMI launcher (MPICH's hydra, PMIx) says the job has;
 * 0 when not launched by one. */
static long launcher_size(void)
{
    const char *names[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *value = getenv(names[i]);
        if (value && *value) return strtol(value, NULL, 10);
    }
    return getenv("PMIX_RANK") ? 1 : 0;
}

bool train_dist_start(train_dist *d, char error[TRAIN_DIST_ERROR_MAX])
{
    memset(d, 0, sizeof *d);
    d->size = d->local_size = 1;
    long launched = launcher_size();
    if (launched == 0) return true;
#ifdef SRNN_MPI
    /* A rank waiting for the others in a sum polls; yielding the core meanwhile lets the
     * other ranks' OpenBLAS threads, and other jobs, run (4-10x faster steps on this shared
     * 2-core machine, loaded). Open MPI reads this at MPI_Init; a user's setting wins. */
    setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
    if (MPI_Init(NULL, NULL) != MPI_SUCCESS) {
        snprintf(error, TRAIN_DIST_ERROR_MAX, "MPI did not start");
        return false;
    }
    d->mpi = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &d->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &d->size);
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &d->local_size);
    MPI_Comm_free(&local);
    return true;
#else
    if (launched == 1) return true; /* mpirun -np 1: one process, as without mpirun */
    snprintf(error, TRAIN_DIST_ERROR_MAX,
             "launched as one of %ld processes, but this srnn was built without MPI "
             "(apt-get install libopenmpi-dev, then make MPI=1)",
             launched);
    return false;
#endif
}

void train_dist_end(train_dist *d, bool ok)
{
#ifdef SRNN_MPI
    if (!d->mpi) return;
    if (!ok && d->size > 1) MPI_Abort(MPI_COMM_WORLD, 1);
    MPI_Finalize();
    d->mpi = false;
#else
    (void)d;
    (void)ok;
#endif
}

int train_dist_default_threads(const train_dist *d)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online < 1) online = 1;
    if (!d->mpi) return (int)online;
    /* mpirun binds each rank to a core (two ranks or fewer) or a socket by default: OpenBLAS
     * threads beyond the cores a rank may use only take turns on them */
    long usable = online / d->local_size;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) < usable)
        usable = CPU_COUNT(&set);
    return usable > 1 ? (int)usable : 1;
}

void train_dist_share(int rank, int size, size_t batch, size_t *first, size_t *count)
{
    size_t r = (size_t)rank, n = (size_t)size;
    size_t base = batch / n, extra = batch % n;
    *first = r * base + (r < extra ? r : extra);
    *count = base + (r < extra ? 1 : 0);
}

#ifdef SRNN_MPI
/* MPI counts are ints: long blocks go in pieces. */
#define PIECE (1 << 28)

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}
#endif

void train_dist_sum_gradients(train_dist *d, float *grads, size_t floats, size_t share_rows,
                              size_t batch_rows, double *stats, size_t count)
{
    if (d->size == 1) return;
    /* the net's gradient is of the mean over this rank's rows: weighted by their part of the
     * batch, the sum over the ranks is the gradient of the batch's mean */
    float weight = (float)((double)share_rows / (double)batch_rows);
    for (size_t i = 0; i < floats; i++) grads[i] *= weight;
#ifdef SRNN_MPI
    double start = seconds_now();
    for (size_t done = 0; done < floats; done += PIECE) {
        size_t n = floats - done < PIECE ? floats - done : PIECE;
        MPI_Allreduce(MPI_IN_PLACE, grads + done, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    }
    d->reduce_seconds += seconds_now() - start;
    d->reductions++;
#endif
    train_dist_sum(d, stats, count);
}

void train_dist_sum(const train_dist *d, double *stats, size_t count)
{
#ifdef SRNN_MPI
    if (d->size > 1)
        MPI_Allreduce(MPI_IN_PLACE, stats, (int)count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
#else
    (void)d;
    (void)stats;
    (void)count;
#endif
}

bool train_dist_any(const train_dist *d, bool flag)
{
#ifdef SRNN_MPI
    int value = flag;
    if (d->size > 1)
        MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return value != 0;
#else
    (void)d;
    return flag;
#endif
}

bool train_dist_same(const train_dist *d, uint64_t value)
{
#ifdef SRNN_MPI
    /* the largest value and the largest complement: equal when the smallest is the largest */
    uint64_t extremes[2] = {value, ~value};
    if (d->size > 1)
        MPI_Allreduce(MPI_IN_PLACE, extremes, 2, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    return extremes[0] == ~extremes[1];
#else
    (void)d;
    (void)value;
    return true;
#endif
}

#ifdef SRNN_MPI
/* Every rank's count and offset of floats for rows of per_row floats; false when a share is
 * beyond an MPI count (the caller then aborts). */
static bool row_shares(const train_dist *d, size_t per_row, size_t batch, int *counts,
                       int *offsets)
{
    for (int r = 0; r < d->size; r++) {
        size_t first, rows;
        train_dist_share(r, d->size, batch, &first, &rows);
        if ((first + rows) * per_row > INT_MAX) return false;
        counts[r] = (int)(rows * per_row);
        offsets[r] = (int)(first * per_row);
    }
    return true;
}
#endif

/* Moves rows between the ranks' shares and rank 0's whole batch. */
static void move_rows(const train_dist *d, float *mine, float *all, size_t per_row, size_t batch,
                      bool gather)
{
    if (d->size == 1) {
        memmove(gather ? all : mine, gather ? mine : all, batch * per_row * sizeof(float));
        return;
    }
#ifdef SRNN_MPI
    int *counts = malloc((size_t)d->size * 2 * sizeof *counts);
    if (!counts || !row_shares(d, per_row, batch, counts, counts + d->size))
        MPI_Abort(MPI_COMM_WORLD, 1);
    int mine_count = counts[d->rank];
    if (gather)
        MPI_Gatherv(mine, mine_count, MPI_FLOAT, all, counts, counts + d->size, MPI_FLOAT, 0,
                    MPI_COMM_WORLD);
    else
        MPI_Scatterv(all, counts, counts + d->size, MPI_FLOAT, mine, mine_count, MPI_FLOAT, 0,
                     MPI_COMM_WORLD);
    free(counts);
#endif
}

void train_dist_gather_rows(const train_dist *d, const float *mine, float *all, size_t per_row,
                            size_t batch)
{
    move_rows(d, (float *)mine, all, per_row, batch, true);
}

void train_dist_scatter_rows(const train_dist *d, const float *all, float *mine, size_t per_row,
                             size_t batch)
{
    move_rows(d, mine, (float *)all, per_row, batch, false);
}

void train_dist_broadcast(const train_dist *d, void *data, size_t bytes)
{
#ifdef SRNN_MPI
    if (d->size == 1) return;
    for (size_t done = 0; done < bytes; done += PIECE) {
        size_t n = bytes - done < PIECE ? bytes - done : PIECE;
        MPI_Bcast((char *)data + done, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD);
    }
#else
    (void)d;
    (void)data;
    (void)bytes;
#endif
}

uint64_t train_dist_checksum(const void *data, size_t bytes)
{
    uLong crc = crc32(0, Z_NULL, 0);
    const Bytef *next = data;
    while (bytes > 0) {
        uInt n = bytes > UINT_MAX ? UINT_MAX : (uInt)bytes;
        crc = crc32(crc, next, n);
        next += n;
        bytes -= n;
    }
    return crc;
}
