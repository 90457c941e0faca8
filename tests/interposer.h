/* Counts calls to what real-time code must never call: allocation, locks and waits, file and
 * console I/O, sleeping and other system calls. The functions are defined in the test
 * executable (link tests/interposer.c into it), so they stand in for the C library's in every
 * library the process loads (the engine, the plugin, libsamplerate, lilv) and forward to the
 * next definition (the C library, or the sanitizer runtime). Calls count only while armed, on
 * every thread; each count is kept apart for the thread that armed and for the others.
 *
 *     interposer_clear();
 *     interposer_arm();
 *     ... the real-time calls ...
 *     unsigned calls = interposer_disarm();  // every call since interposer_clear
 *     if (calls) interposer_report();        // " malloc x2 free x2"
 *
 * Nothing here allocates, locks or prints but interposer_report. */
#ifndef SRNN_TEST_INTERPOSER_H
#define SRNN_TEST_INTERPOSER_H

/* Forgets the calls counted so far. */
void interposer_clear(void);
/* Counts from now on; the calling thread is the one "here" (interposer_count_elsewhere). */
void interposer_arm(void);
/* Disarms and returns the number of calls counted since interposer_clear. */
unsigned interposer_disarm(void);
/* Prints " name xN" for every function counted since interposer_clear (" (N elsewhere)" after
 * those some of whose calls came from other threads). */
void interposer_report(void);

/* Calls to the function name since interposer_clear, on every thread; UINT_MAX for a name
 * not interposed, so that a misspelt name cannot pass a check for 0. */
unsigned interposer_count(const char *name);
/* Of those, the calls made by threads other than the one that last armed. */
unsigned interposer_count_elsewhere(const char *name);
/* Calls since interposer_clear made by the arming thread, every function together. */
unsigned interposer_calls_here(void);
/* Allocations since interposer_clear, on every thread: malloc, calloc, realloc, aligned_alloc,
 * posix_memalign, memalign and valloc (free is not one: see interposer_count("free")). */
unsigned interposer_allocations(void);

#endif
