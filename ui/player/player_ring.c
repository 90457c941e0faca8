/* The ring's memory ordering: a side publishes its index with release after touching the data,
 * and reads the other side's index with acquire before touching it. */
#include "player_ring.h"

#include <stdlib.h>
#include <string.h>

int player_ring_init(player_ring *ring, size_t min_capacity) {
    size_t capacity = 1;
    while (capacity < min_capacity) capacity *= 2;
    ring->data = calloc(capacity, sizeof *ring->data);
    if (!ring->data) return -1;
    ring->capacity = capacity;
    atomic_init(&ring->written, 0);
    atomic_init(&ring->read, 0);
    return 0;
}

void player_ring_destroy(player_ring *ring) {
    free(ring->data);
    ring->data = NULL;
}

/* Copies count floats between the ring at position and values, in at most two pieces. */
static void copy_in(player_ring *ring, size_t position, const float *values, size_t count) {
    size_t start = position & (ring->capacity - 1);
    size_t first = ring->capacity - start < count ? ring->capacity - start : count;
    memcpy(ring->data + start, values, first * sizeof *values);
    memcpy(ring->data, values + first, (count - first) * sizeof *values);
}

static void copy_out(const player_ring *ring, size_t position, float *values, size_t count) {
    size_t start = position & (ring->capacity - 1);
    size_t first = ring->capacity - start < count ? ring->capacity - start : count;
    memcpy(values, ring->data + start, first * sizeof *values);
    memcpy(values + first, ring->data, (count - first) * sizeof *values);
}

size_t player_ring_write(player_ring *ring, const float *values, size_t count) {
    size_t written = atomic_load_explicit(&ring->written, memory_order_relaxed);
    size_t read = atomic_load_explicit(&ring->read, memory_order_acquire);
    size_t space = ring->capacity - (written - read);
    if (count > space) count = space;
    copy_in(ring, written, values, count);
    atomic_store_explicit(&ring->written, written + count, memory_order_release);
    return count;
}

size_t player_ring_read(player_ring *ring, float *values, size_t count) {
    size_t read = atomic_load_explicit(&ring->read, memory_order_relaxed);
    size_t written = atomic_load_explicit(&ring->written, memory_order_acquire);
    if (count > written - read) count = written - read;
    copy_out(ring, read, values, count);
    atomic_store_explicit(&ring->read, read + count, memory_order_release);
    return count;
}
