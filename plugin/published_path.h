/* The path of the model playing, published by the thread that swaps models (the audio thread,
 * or another one while the audio thread is stopped) for state save, which hosts may call on
 * any thread at any time. A sequence lock: the writer never waits, and a reader that raced a
 * write tries again. */
#ifndef SRNN_LV2_PUBLISHED_PATH_H
#define SRNN_LV2_PUBLISHED_PATH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "params.h"

typedef struct {
    atomic_uint sequence; /* odd while a write is under way */
    char path[SRNN_LV2_PATH_MAX];
} published_path;

/* Real-time safe. */
static inline void published_path_write(published_path *p, const char *path)
{
    unsigned sequence = atomic_load_explicit(&p->sequence, memory_order_relaxed);
    atomic_store_explicit(&p->sequence, sequence + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    size_t length = strnlen(path, SRNN_LV2_PATH_MAX - 1);
    memcpy(p->path, path, length);
    p->path[length] = '\0';
    atomic_store_explicit(&p->sequence, sequence + 2, memory_order_release);
}

/* Copies the path ("" when no model plays) into out; false if every attempt raced a write. */
static inline bool published_path_read(published_path *p, char out[SRNN_LV2_PATH_MAX])
{
    for (int attempt = 0; attempt < 1000; attempt++) {
        unsigned before = atomic_load_explicit(&p->sequence, memory_order_acquire);
        if (before & 1u) continue;
        memcpy(out, p->path, SRNN_LV2_PATH_MAX);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&p->sequence, memory_order_relaxed) == before) {
            out[SRNN_LV2_PATH_MAX - 1] = '\0';
            return true;
        }
    }
    return false;
}

#endif
