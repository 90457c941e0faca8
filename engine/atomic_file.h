/* A file that appears complete or not at all: written to a temporary file beside its path
 * (PATH.tmp-XXXXXX), synced, renamed over the path, and the directory synced, so a crash leaves
 * either the old file or the complete new one. The one implementation, used by the model
 * writer, the checkpoint code (ckpt/: two files plus a config, the index written last) and the
 * trainer (train/). Internal to the engine.
 *
 * Failures are one line naming the file and the reason, written to error (when not NULL), a
 * buffer of error_max bytes: SRNN_ERROR_MAX for the engine, CKPT_ERROR_MAX for ckpt/ and train/. */
#ifndef SRNN_ATOMIC_FILE_H
#define SRNN_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "srnn.h"

typedef struct {
    FILE *file;
    char *path;
    char *temporary;
    int failed; /* a write failed: commit reports it */
} srnn_atomic_file;

srnn_status srnn_atomic_file_open(srnn_atomic_file *f, const char *path, char *error,
                                  size_t error_max);

/* Appends; a failure is remembered and reported by srnn_atomic_file_commit. */
void srnn_atomic_file_write(srnn_atomic_file *f, const void *data, size_t size);

/* Syncs, closes and renames the file into place; on failure removes the temporary file. */
srnn_status srnn_atomic_file_commit(srnn_atomic_file *f, char *error, size_t error_max);

/* Removes the temporary file and leaves whatever was at the path. */
void srnn_atomic_file_abort(srnn_atomic_file *f);

/* The whole of data as the file at path, atomically. */
srnn_status srnn_atomic_file_put(const char *path, const void *data, size_t size, char *error,
                                 size_t error_max);

#endif
