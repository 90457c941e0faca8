/* The helper thread (helper.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "denormals.h"
#include "dtype.h"
#include "helper.h"

/* Spins without work before the helper starts sleeping: long enough to span the gaps between
 * the products of consecutive samples and of audio callbacks close together. */
#define SPINS_BEFORE_SLEEP 200000
#define SLEEP_NANOSECONDS 50000
#define MAX_SHARED_BLOCKS 1024 /* Q/64 at most; larger products are not shared */
/* Weights a product must stream to be shared: below it, handing out blocks costs more than the
 * helper saves (measured: a 256 x 256 float32 product, 256 KiB, is slower shared). */
#define MIN_SHARED_BYTES (512u << 10)

enum { EMPTY = 0, DONE = 1, STOLEN = 2 }; /* a block's state, under its task's stamp */

/* A published product. The audio thread writes a slot only while the helper is not in it. */
typedef struct {
    const srnn_matrix *w;
    float *x;   /* a copy of the input; I8 and I4: */
    int16_t *q; /* the input quantised, */
    float step; /* and its step */
} task_slot;

/* One block of the slot's product into y. */
static void slot_block(const srnn_kernels *k, const task_slot *slot, float *y, uint32_t block)
{
    if (srnn_dtype_integer(slot->w->dtype))
        k->gemv_quantised(slot->w, slot->q, slot->step, y, block, block + 1);
    else
        k->gemv(slot->w, slot->x, y, block, block + 1);
}

struct srnn_helper {
    const srnn_kernels *kernels;
    pthread_t thread;
    size_t max_in, max_blocks;
    task_slot slots[2];
    float *scratch;          /* (max_blocks, 64): the helper's results */
    _Atomic uint32_t *state; /* per block: task << 2 | EMPTY, DONE or STOLEN */
    /* task << 32 | next block << 16 | end block: all a claim needs, in one word */
    _Alignas(64) _Atomic uint64_t claim;
    _Alignas(64) _Atomic int in_slot; /* the slot the helper may be reading, or -1 */
    _Alignas(64) _Atomic bool stop;
    uint32_t task;         /* the audio thread's last published task */
    uint64_t taken, stolen; /* the audio thread's counts (srnn_helper_counts) */
};

static inline uint32_t next_block(uint64_t c) { return (uint32_t)(c >> 16) & 0xffffu; }
static inline uint32_t end_block(uint64_t c) { return (uint32_t)c & 0xffffu; }

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

/* Claims blocks of task while it lasts; false when there was none to claim. */
static bool help_with(srnn_helper *h, uint32_t task)
{
    task_slot *slot = &h->slots[task & 1];
    bool helped = false;
    for (;;) {
        uint64_t c = atomic_load_explicit(&h->claim, memory_order_seq_cst);
        if ((uint32_t)(c >> 32) != task || next_block(c) >= end_block(c)) return helped;
        if (!atomic_compare_exchange_weak_explicit(&h->claim, &c, c + (1u << 16),
                                                   memory_order_acq_rel, memory_order_relaxed))
            continue;
        uint32_t block = next_block(c);
        float *out = h->scratch + (size_t)block * SRNN_BLOCK;
        for (int j = 0; j < SRNN_BLOCK; j++) out[j] = -0.0f; /* the identity of + */
        slot_block(h->kernels, slot, h->scratch, block);
        uint32_t expected = task << 2 | EMPTY;
        atomic_compare_exchange_strong_explicit(&h->state[block], &expected, task << 2 | DONE,
                                                memory_order_release, memory_order_relaxed);
        helped = true;
    }
}

static void *helper_main(void *argument)
{
    srnn_helper *h = argument;
    srnn_fp_mode saved = srnn_flush_denormals(); /* as the audio thread computes */
    long idle = 0;
    while (!atomic_load_explicit(&h->stop, memory_order_relaxed)) {
        uint64_t c = atomic_load_explicit(&h->claim, memory_order_acquire);
        uint32_t task = (uint32_t)(c >> 32);
        bool helped = false;
        if (task != 0 && next_block(c) < end_block(c)) {
            /* announce the slot before claiming: the audio thread then leaves it alone */
            atomic_store_explicit(&h->in_slot, (int)(task & 1), memory_order_seq_cst);
            helped = help_with(h, task);
            atomic_store_explicit(&h->in_slot, -1, memory_order_release);
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

static void free_helper(srnn_helper *h)
{
    free(h->scratch);
    free((void *)h->state);
    for (int s = 0; s < 2; s++) {
        free(h->slots[s].x);
        free(h->slots[s].q);
    }
    free(h);
}

srnn_helper *srnn_helper_start(const srnn_kernels *kernels, size_t max_in, size_t max_blocks)
{
    if (max_blocks > MAX_SHARED_BLOCKS) max_blocks = MAX_SHARED_BLOCKS;
    srnn_helper *h = aligned_alloc(64, (sizeof *h + 63) / 64 * 64);
    if (!h) return NULL;
    memset(h, 0, sizeof *h);
    h->kernels = kernels;
    h->max_in = max_in;
    h->max_blocks = max_blocks;
    h->scratch = aligned_alloc(64, max_blocks * SRNN_BLOCK * sizeof(float));
    h->state = calloc(max_blocks, sizeof *h->state);
    for (int s = 0; s < 2; s++) {
        h->slots[s].x = malloc(max_in * sizeof(float));
        h->slots[s].q = malloc((max_in + SRNN_I4_GROUP - 1) / SRNN_I4_GROUP * SRNN_I4_GROUP * sizeof(int16_t));
    }
    atomic_init(&h->claim, 0);
    atomic_init(&h->in_slot, -1);
    atomic_init(&h->stop, false);
    for (size_t k = 0; h->state && k < max_blocks; k++) atomic_init(&h->state[k], 0);
    if (!h->scratch || !h->state || !h->slots[0].x || !h->slots[1].x || !h->slots[0].q ||
        !h->slots[1].q || pthread_create(&h->thread, NULL, helper_main, h) != 0) {
        free_helper(h);
        return NULL;
    }
    return h;
}

void srnn_helper_stop(srnn_helper *h)
{
    if (!h) return;
    atomic_store_explicit(&h->stop, true, memory_order_relaxed);
    pthread_join(h->thread, NULL);
    free_helper(h);
}

void srnn_helper_counts(const srnn_helper *h, uint64_t *taken, uint64_t *stolen)
{
    *taken = h->taken;
    *stolen = h->stolen;
}

void srnn_exec_gemv(const srnn_exec *exec, const srnn_matrix *w, const float *x, float *y,
                    uint32_t block_begin, uint32_t block_end)
{
    srnn_helper *h = exec->helper;
    uint32_t task = h ? h->task + 1 : 0;
    if (task == 0) task = 1; /* 0 means no task yet */
    size_t bytes = (size_t)w->in * (block_end - block_begin) * SRNN_BLOCK * srnn_dtype_bits(w->dtype) / 8;
    if (!h || block_end - block_begin < 2 || bytes < MIN_SHARED_BYTES || w->in > h->max_in ||
        block_end > h->max_blocks ||
        atomic_load_explicit(&h->in_slot, memory_order_seq_cst) == (int)(task & 1)) {
        exec->kernels->gemv(w, x, y, block_begin, block_end); /* alone */
        return;
    }
    task_slot *slot = &h->slots[task & 1];
    slot->w = w;
    if (srnn_dtype_integer(w->dtype)) {
        slot->step = exec->kernels->quantise_i8(w, x, slot->q);
        if (slot->step == 0.0f) return; /* x = 0: nothing to add */
    } else {
        memcpy(slot->x, x, w->in * sizeof *x);
    }
    for (uint32_t k = block_begin; k < block_end; k++)
        atomic_store_explicit(&h->state[k], task << 2 | EMPTY, memory_order_relaxed);
    h->task = task;
    atomic_store_explicit(&h->claim, (uint64_t)task << 32 | block_begin << 16 | block_end,
                          memory_order_release);

    uint64_t mine[MAX_SHARED_BLOCKS / 64] = {0};
    for (;;) {
        uint64_t c = atomic_load_explicit(&h->claim, memory_order_acquire);
        uint32_t block = next_block(c);
        if (block >= block_end) break;
        if (atomic_compare_exchange_weak_explicit(&h->claim, &c, c + (1u << 16),
                                                  memory_order_acq_rel, memory_order_relaxed)) {
            slot_block(exec->kernels, slot, y, block);
            mine[block / 64] |= 1ull << (block % 64);
        }
    }
    /* the helper's blocks: its committed results, or stolen and computed here */
    for (uint32_t k = block_begin; k < block_end; k++) {
        if (mine[k / 64] >> (k % 64) & 1) continue;
        uint32_t expected = task << 2 | EMPTY;
        if (atomic_compare_exchange_strong_explicit(&h->state[k], &expected, task << 2 | STOLEN,
                                                    memory_order_acq_rel, memory_order_acquire)) {
            slot_block(exec->kernels, slot, y, k);
            h->stolen++;
        } else {
            h->taken++;
            float *out = y + (size_t)k * SRNN_BLOCK;
            const float *result = h->scratch + (size_t)k * SRNN_BLOCK;
            for (int j = 0; j < SRNN_BLOCK; j++) out[j] += result[j];
        }
    }
}
