/* A file that appears complete or not at all: written to a temporary file beside its path,
 * synced, then renamed over the path. A checkpoint is two files plus a config; each is
 * replaced atomically, and the index (what readers open first) is written last. */
#ifndef CKPT_ATOMIC_FILE_H
#define CKPT_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "ckpt_error.h"

typedef struct {
    FILE *file;
    char *path;
    char *temporary;
    int failed; /* a write failed: commit reports it */
} atomic_file;

srnn_status atomic_file_open(atomic_file *f, const char *path, char error[CKPT_ERROR_MAX]);

/* Appends; a failure is remembered and reported by atomic_file_commit. */
void atomic_file_write(atomic_file *f, const void *data, size_t size);

/* Syncs, closes and renames the file into place; on failure removes the temporary file. */
srnn_status atomic_file_commit(atomic_file *f, char error[CKPT_ERROR_MAX]);

/* Removes the temporary file and leaves whatever was at the path. */
void atomic_file_abort(atomic_file *f);

/* The whole of data as the file at path, atomically. */
srnn_status atomic_file_put(const char *path, const void *data, size_t size,
                            char error[CKPT_ERROR_MAX]);

#endif
