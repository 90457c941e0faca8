/* Counts calls to what real-time code must never call: allocation, locks and waits, file and
 * console I/O, sleeping and other system calls. The functions are defined in the test
 * executable, so they stand in for the C library's in every library the process loads (the
 * plugin, libsamplerate, lilv) and forward to the next definition (the C library, or the
 * sanitizer runtime). Calls count only while armed. */
#ifndef SRNN_TEST_INTERPOSER_H
#define SRNN_TEST_INTERPOSER_H

/* Forgets the calls counted so far. */
void interposer_clear(void);
void interposer_arm(void);
/* Disarms and returns the number of calls counted since interposer_clear. */
unsigned interposer_disarm(void);
/* Prints " name xN" for every function counted since interposer_clear. */
void interposer_report(void);

#endif
