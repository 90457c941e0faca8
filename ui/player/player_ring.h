/* A single-producer, single-consumer ring of floats: the audio callback writes, one other
 * thread reads, neither ever waits. The two counters only grow (wrapping around), so full and
 * empty are told apart without a spare element; each is written by one side only. */
#ifndef SRNN_PLAYER_RING_H
#define SRNN_PLAYER_RING_H

#include <stdatomic.h>
#include <stddef.h>

typedef struct {
    float *data;
    size_t capacity;          /* a power of two */
    _Atomic size_t written;   /* total floats written; stored by the producer only */
    _Atomic size_t read;      /* total floats read; stored by the consumer only */
} player_ring;

/* Allocates room for at least min_capacity floats. 0, or -1 when out of memory. */
int player_ring_init(player_ring *ring, size_t min_capacity);
void player_ring_destroy(player_ring *ring);

/* Producer: appends up to count floats, as many as fit; returns how many. Real-time safe. */
size_t player_ring_write(player_ring *ring, const float *values, size_t count);

/* Consumer: takes up to count floats; returns how many. Real-time safe. */
size_t player_ring_read(player_ring *ring, float *values, size_t count);

#endif
