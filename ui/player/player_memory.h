/* Keeps the player's memory resident, as audio programs do: a page fault in the audio callback
 * waits for the kernel, and for the process's memory-map lock, which the control thread takes
 * whenever it maps or unmaps a model. */
#ifndef SRNN_PLAYER_MEMORY_H
#define SRNN_PLAYER_MEMORY_H

#include <stddef.h>

#define MEMORY_NOTE_MAX 256

/* Locks every page mapped now and later (mlockall MCL_CURRENT | MCL_FUTURE). Returns 0, or -1
 * with a one-line note on why not (the memlock limit, usually): playing goes on unlocked.
 * AddressSanitizer builds return 0 and lock nothing. */
int player_memory_lock(char note[MEMORY_NOTE_MAX]);

#endif
