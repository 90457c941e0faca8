/* The helper threads (helper.h). */
#define _GNU_SOURCE /* pthread_setname_np */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "denormals.h"
#include "dtype.h"
#include "helper.h"
#include "srnn.h"

/* Spins without work before a helper starts sleeping: long enough to span the gaps between
 * the products of consecutive samples and of audio callbacks close together. */
#define SPINS_BEFORE_SLEEP 200000
#define SLEEP_NANOSECONDS 50000
#define MAX_SHARED_BLOCKS 1024 /* Q/64 at most; larger products are not shared */
/* Weights a product must stream to be shared: below it, handing out blocks costs more than the
 * helpers save (measured: a 256 x 256 float32 product, 256 KiB, is slower shared). */
#define MIN_SHARED_BYTES (512u << 10)

enum { EMPTY = 0, DONE = 1, STOLEN = 2 }; /* a block's state, under its task's stamp */

/* A published product of count vectors (a voice group's). The audio thread writes a slot
 * only while no helper is in it. */
typedef struct {
    const srnn_matrix *w;
    unsigned count;
    float *x[SRNN_MAX_VOICES];   /* copies of the inputs; I8 and I4: */
    int16_t *q[SRNN_MAX_VOICES]; /* the inputs quantised, */
    float step[SRNN_MAX_VOICES]; /* and their steps */
} task_slot;

/* One block of the slot's products into y[v] for each of its vectors. */
static void slot_block(const srnn_kernels *k, const task_slot *slot, float *const *y, uint32_t block)
{
    if (srnn_dtype_integer(slot->w->dtype))
        k->gemv_quantised(slot->w, (const int16_t *const *)slot->q, slot->step, y, slot->count,
                          block, block + 1);
    else
        k->gemv_batch(slot->w, (const float *const *)slot->x, y, slot->count, block, block + 1);
}

typedef struct {
    _Alignas(64) _Atomic int in_slot; /* the slot this helper may be reading, or -1 */
    struct srnn_helpers *team;
    unsigned index; /* 1 .. count (owner()) */
    pthread_t thread;
} helper;

struct srnn_helpers {
    const srnn_kernels *kernels;
    unsigned count;
    size_t max_in, max_blocks, max_vectors;
    task_slot slots[2];
    float *scratch; /* (max_blocks, max_vectors, 64): the helpers' results, each block its owner's */
    _Atomic uint32_t *state; /* per block: task << 2 | EMPTY, DONE or STOLEN */
    /* task << 32 | first block << 16 | end block: the product published last */
    _Alignas(64) _Atomic uint64_t task;
    _Alignas(64) _Atomic bool stop;
    _Atomic unsigned running; /* helpers that have started (srnn_helpers_start waits for all) */
    uint32_t last_task;     /* the audio thread's last published task */
    uint64_t taken, stolen; /* the audio thread's counts (srnn_helpers_counts) */
    helper *threads;        /* count */
};

static inline uint32_t task_of(uint64_t t) { return (uint32_t)(t >> 32); }
static inline uint32_t first_block(uint64_t t) { return (uint32_t)(t >> 16) & 0xffffu; }
static inline uint32_t end_block(uint64_t t) { return (uint32_t)t & 0xffffu; }

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

/* The helpers' result of block k for vector v. */
static inline float *scratch_block(const srnn_helpers *h, uint32_t k, unsigned v)
{
    return h->scratch + ((size_t)k * h->max_vectors + v) * SRNN_BLOCK;
}

/* The thread that owns column block k (helper.h): blocks are dealt in rounds of 2 · count + 1,
 * the first of each to the audio thread (0), the next two to helper 1, and so on. */
static unsigned owner(const srnn_helpers *h, uint32_t k)
{
    return (k % (2 * h->count + 1) + 1) / 2;
}

/* Whether helper index owns a block of [begin, end). */
static bool owns_any(const srnn_helpers *h, unsigned index, uint32_t begin, uint32_t end)
{
    for (uint32_t k = begin; k < end && k < begin + 2 * h->count + 1; k++)
        if (owner(h, k) == index) return true;
    return false;
}

/* Computes this helper's blocks of task, front to back, until one is stolen or the task is
 * over; false when it computed none. */
static bool help_with(helper *self, uint32_t task)
{
    srnn_helpers *h = self->team;
    uint64_t published = atomic_load_explicit(&h->task, memory_order_seq_cst);
    if (task_of(published) != task) return false; /* over before the slot was announced */
    const task_slot *slot = &h->slots[task & 1];
    uint32_t end = end_block(published);
    bool helped = false;
    for (uint32_t k = first_block(published); k < end; k++) {
        if (owner(h, k) != self->index) continue;
        uint32_t empty = task << 2 | EMPTY;
        if (atomic_load_explicit(&h->state[k], memory_order_acquire) != empty)
            break; /* stolen, and so is the rest (the audio thread steals back to front) */
        float *out[SRNN_MAX_VOICES];
        for (unsigned v = 0; v < slot->count; v++) {
            float *result = scratch_block(h, k, v);
            for (int j = 0; j < SRNN_BLOCK; j++) result[j] = -0.0f; /* the identity of + */
            out[v] = result - (size_t)k * SRNN_BLOCK; /* where block k lands on result */
        }
        slot_block(h->kernels, slot, out, k);
        atomic_compare_exchange_strong_explicit(&h->state[k], &empty, task << 2 | DONE,
                                                memory_order_release, memory_order_relaxed);
        helped = true;
    }
    return helped;
}

static void *helper_main(void *argument)
{
    helper *self = argument;
    srnn_helpers *h = self->team;
    srnn_fp_mode saved = srnn_flush_denormals(); /* as the audio thread computes */
    atomic_fetch_add_explicit(&h->running, 1, memory_order_release);
    uint32_t handled = 0; /* the last task this helper took part in */
    long idle = 0;
    while (!atomic_load_explicit(&h->stop, memory_order_relaxed)) {
        uint64_t published = atomic_load_explicit(&h->task, memory_order_acquire);
        uint32_t task = task_of(published);
        bool helped = false;
        if (task != 0 && task != handled &&
            owns_any(h, self->index, first_block(published), end_block(published))) {
            /* announce the slot before looking at the task again: the audio thread then
             * leaves it alone */
            atomic_store_explicit(&self->in_slot, (int)(task & 1), memory_order_seq_cst);
            helped = help_with(self, task);
            atomic_store_explicit(&self->in_slot, -1, memory_order_release);
            handled = task;
        }
        if (helped) {
            idle = 0;
        } else if (++idle < SPINS_BEFORE_SLEEP) {
            cpu_relax();
        } else {
            struct timespec pause = {0, SLEEP_NANOSECONDS};
            nanosleep(&pause, NULL);
        }
    }
    srnn_restore_fp_mode(saved);
    return NULL;
}

/* Stops and joins the first started helpers, and frees everything. */
static void free_helpers(srnn_helpers *h, unsigned started)
{
    atomic_store_explicit(&h->stop, true, memory_order_relaxed);
    for (unsigned i = 0; i < started; i++) pthread_join(h->threads[i].thread, NULL);
    free(h->threads);
    free(h->scratch);
    free((void *)h->state);
    for (int s = 0; s < 2; s++) {
        free(h->slots[s].x[0]);
        free(h->slots[s].q[0]);
    }
    free(h);
}

srnn_helpers *srnn_helpers_start(const srnn_kernels *kernels, unsigned count, size_t max_in,
                                 size_t max_blocks, size_t max_vectors)
{
    if (count < 1 || count >= SRNN_MAX_THREADS || max_vectors < 1 || max_vectors > SRNN_MAX_VOICES)
        return NULL;
    if (max_blocks > MAX_SHARED_BLOCKS) max_blocks = MAX_SHARED_BLOCKS;
    srnn_helpers *h = aligned_alloc(64, (sizeof *h + 63) / 64 * 64);
    if (!h) return NULL;
    memset(h, 0, sizeof *h);
    h->kernels = kernels;
    h->count = count;
    h->max_in = max_in;
    h->max_blocks = max_blocks;
    h->max_vectors = max_vectors;
    h->threads = aligned_alloc(64, count * sizeof *h->threads);
    h->scratch = aligned_alloc(64, max_blocks * max_vectors * SRNN_BLOCK * sizeof(float));
    h->state = calloc(max_blocks, sizeof *h->state);
    size_t rows = srnn_quantised_rows(max_in);
    for (int s = 0; s < 2; s++) {
        task_slot *slot = &h->slots[s];
        slot->x[0] = malloc(max_vectors * max_in * sizeof(float));
        slot->q[0] = malloc(max_vectors * rows * sizeof(int16_t));
        for (size_t v = 1; v < max_vectors && slot->x[0] && slot->q[0]; v++) {
            slot->x[v] = slot->x[0] + v * max_in;
            slot->q[v] = slot->q[0] + v * rows;
        }
    }
    atomic_init(&h->task, 0);
    atomic_init(&h->stop, false);
    atomic_init(&h->running, 0);
    for (size_t k = 0; h->state && k < max_blocks; k++) atomic_init(&h->state[k], 0);
    if (!h->threads || !h->scratch || !h->state || !h->slots[0].x[0] || !h->slots[1].x[0] ||
        !h->slots[0].q[0] || !h->slots[1].q[0]) {
        free_helpers(h, 0);
        return NULL;
    }
    pthread_attr_t attributes;
    if (pthread_attr_init(&attributes) != 0) {
        free_helpers(h, 0);
        return NULL;
    }
    pthread_attr_setinheritsched(&attributes, PTHREAD_INHERIT_SCHED);
    for (unsigned i = 0; i < count; i++) {
        helper *t = &h->threads[i];
        atomic_init(&t->in_slot, -1);
        t->team = h;
        t->index = i + 1;
        if (pthread_create(&t->thread, &attributes, helper_main, t) != 0) {
            pthread_attr_destroy(&attributes);
            free_helpers(h, i);
            return NULL;
        }
        pthread_setname_np(t->thread, "srnn-helper");
    }
    pthread_attr_destroy(&attributes);
    /* every helper running before the voice is handed out: what a thread's start allocates
     * (the C library's, a sanitizer's) is done before the first real-time call */
    while (atomic_load_explicit(&h->running, memory_order_acquire) < count) {
        struct timespec pause = {0, SLEEP_NANOSECONDS};
        nanosleep(&pause, NULL);
    }
    return h;
}

void srnn_helpers_stop(srnn_helpers *h)
{
    if (h) free_helpers(h, h->count);
}

void srnn_helpers_counts(const srnn_helpers *h, uint64_t *taken, uint64_t *stolen)
{
    *taken = h->taken;
    *stolen = h->stolen;
}

/* Whether a helper may be reading slot s. */
static bool slot_busy(const srnn_helpers *h, int s)
{
    for (unsigned i = 0; i < h->count; i++)
        if (atomic_load_explicit(&h->threads[i].in_slot, memory_order_seq_cst) == s) return true;
    return false;
}

/* The number of the next task, whose slot no helper is in; 0 when both slots are busy. */
static uint32_t next_task(const srnn_helpers *h)
{
    for (uint32_t task = h->last_task + 1; task <= h->last_task + 2; task++)
        if (task != 0 && !slot_busy(h, (int)(task & 1))) return task; /* 0: no task yet */
    return 0;
}

/* Without helpers: one vector as gemv, several quantised into the exec's scratch first. */
static void gemv_alone(const srnn_exec *exec, const srnn_matrix *w, unsigned count,
                       const float *const *x, float *const *y, uint32_t block_begin,
                       uint32_t block_end)
{
    const srnn_kernels *k = exec->kernels;
    if (count == 1) {
        k->gemv(w, x[0], y[0], block_begin, block_end);
    } else if (srnn_dtype_integer(w->dtype)) {
        const int16_t *q[SRNN_MAX_VOICES];
        float step[SRNN_MAX_VOICES];
        for (unsigned v = 0; v < count; v++) {
            int16_t *quantised = exec->quantised + v * srnn_quantised_rows(exec->max_in);
            step[v] = k->quantise_i8(w, x[v], quantised);
            q[v] = quantised;
        }
        k->gemv_quantised(w, q, step, y, count, block_begin, block_end);
    } else {
        k->gemv_batch(w, x, y, count, block_begin, block_end);
    }
}

void srnn_exec_gemv(const srnn_exec *exec, const srnn_matrix *w, unsigned count,
                    const float *const *x, float *const *y, uint32_t block_begin,
                    uint32_t block_end)
{
    if (count == 0) return;
    srnn_helpers *h = exec->helpers;
    size_t bytes = (size_t)w->in * (block_end - block_begin) * SRNN_BLOCK *
                   srnn_dtype_bits(w->dtype) / 8;
    uint32_t task = 0;
    if (h && block_end - block_begin >= 2 && bytes >= MIN_SHARED_BYTES && w->in <= h->max_in &&
        block_end <= h->max_blocks && count <= h->max_vectors)
        task = next_task(h);
    if (task == 0) {
        gemv_alone(exec, w, count, x, y, block_begin, block_end);
        return;
    }
    task_slot *slot = &h->slots[task & 1];
    slot->w = w;
    slot->count = count;
    if (srnn_dtype_integer(w->dtype)) {
        bool zero = true;
        for (unsigned v = 0; v < count; v++) {
            slot->step[v] = exec->kernels->quantise_i8(w, x[v], slot->q[v]);
            zero = zero && slot->step[v] == 0.0f;
        }
        if (zero) return; /* every x = 0: nothing to add */
    } else {
        for (unsigned v = 0; v < count; v++) memcpy(slot->x[v], x[v], w->in * sizeof *x[v]);
    }
    for (uint32_t k = block_begin; k < block_end; k++)
        atomic_store_explicit(&h->state[k], task << 2 | EMPTY, memory_order_relaxed);
    h->last_task = task;
    atomic_store_explicit(&h->task, (uint64_t)task << 32 | block_begin << 16 | block_end,
                          memory_order_seq_cst);

    for (uint32_t k = block_begin; k < block_end; k++)
        if (owner(h, k) == 0) slot_block(exec->kernels, slot, y, k);
    /* the helpers' blocks, back to front: their committed results, or stolen and computed */
    for (uint32_t k = block_end; k-- > block_begin;) {
        if (owner(h, k) == 0) continue;
        uint32_t expected = task << 2 | EMPTY;
        if (atomic_compare_exchange_strong_explicit(&h->state[k], &expected, task << 2 | STOLEN,
                                                    memory_order_acq_rel, memory_order_acquire)) {
            slot_block(exec->kernels, slot, y, k);
            h->stolen++;
        } else {
            h->taken++;
            for (unsigned v = 0; v < count; v++) {
                float *out = y[v] + (size_t)k * SRNN_BLOCK;
                const float *result = scratch_block(h, k, v);
                for (int j = 0; j < SRNN_BLOCK; j++) out[j] += result[j];
            }
        }
    }
}
