/* Stopping on purpose: while training, SIGINT (Ctrl-C), SIGTERM and SIGUSR1 ask the run to stop
 * after the step under way with a checkpoint, so that nothing is lost; a second one ends the
 * process at once, by that signal's default action. SIGUSR1 is for mpirun, which forwards it
 * to every process, where its own Ctrl-C or SIGTERM kills them a second after asking. */
#ifndef TRAIN_STOP_REQUEST_H
#define TRAIN_STOP_REQUEST_H

#include <stdbool.h>

/* Catches SIGINT, SIGTERM and SIGUSR1 from now on (the first one is answered by a line on stderr). */
void train_stop_catch(void);

/* Puts back the handlers train_stop_catch replaced, and forgets a request. */
void train_stop_release(void);

/* The signal that asked to stop, or 0. */
int train_stop_requested(void);

#endif
