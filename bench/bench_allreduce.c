/* One gradient allreduce on this machine's loopback (make bench-mpi): MPI_Allreduce of FLOATS
 * floats (srnn train's gradient block), summed in place as train/distributed.c does, timed
 * after a barrier so that no rank's late arrival counts; prints the median of REPEATS. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long floats = argc > 1 ? atol(argv[1]) : 98336;
    int repeats = argc > 2 ? atoi(argv[2]) : 200;
    float *data = malloc((size_t)floats * sizeof *data);
    double *times = malloc((size_t)repeats * sizeof *times);
    if (!data || !times || floats < 1 || repeats < 1) MPI_Abort(MPI_COMM_WORLD, 1);
    for (long i = 0; i < floats; i++) data[i] = 1.0f / (float)(i + 1);
    for (int r = 0; r < repeats; r++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double start = MPI_Wtime();
        MPI_Allreduce(MPI_IN_PLACE, data, (int)floats, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        times[r] = MPI_Wtime() - start;
    }
    qsort(times, (size_t)repeats, sizeof *times, by_value);
    if (rank == 0)
        printf("allreduce of %ld floats (%ld bytes) over %d processes: median %.3f ms, "
               "fastest %.3f ms\n",
               floats, floats * 4, size, 1e3 * times[repeats / 2], 1e3 * times[0]);
    free(data);
    free(times);
    MPI_Finalize();
    return 0;
}
