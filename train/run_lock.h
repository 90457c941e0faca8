/* One trainer per run directory: two would overwrite each other's checkpoints and logs (each
 * from its own state), and one would delete the other's temporary files. */
#ifndef SRNN_TRAIN_RUN_LOCK_H
#define SRNN_TRAIN_RUN_LOCK_H

#include <stddef.h>

/* Takes the lock file DIR/train.lock (flock: the kernel releases it when the process ends,
 * however it ends) and writes this process's id into it. Returns its descriptor, to be closed
 * when training is over, or -1 with a one-line error naming the trainer that holds it. */
int train_run_lock(const char *dir, char *error, size_t error_size);

#endif
