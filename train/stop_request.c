#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "stop_request.h"

static volatile sig_atomic_t requested;
static struct sigaction previous_int, previous_term, previous_usr1;

/* Only async-signal-safe calls here: write, sigaction, raise. */
static void on_signal(int signal_number)
{
    if (requested) {
        struct sigaction fallback = {.sa_handler = SIG_DFL};
        sigemptyset(&fallback.sa_mask);
        sigaction(signal_number, &fallback, NULL);
        raise(signal_number);
        return;
    }
    requested = signal_number;
    static const char line[] = "\nsrnn: train: stopping after this step, with a checkpoint "
                               "(Ctrl-C again stops at once, losing what is not checkpointed)\n";
    ssize_t written = write(STDERR_FILENO, line, sizeof line - 1);
    (void)written;
}

void train_stop_catch(void)
{
    requested = 0;
    struct sigaction action = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_int);
    sigaction(SIGTERM, &action, &previous_term);
    sigaction(SIGUSR1, &action, &previous_usr1);
}

void train_stop_release(void)
{
    sigaction(SIGINT, &previous_int, NULL);
    sigaction(SIGTERM, &previous_term, NULL);
    sigaction(SIGUSR1, &previous_usr1, NULL);
    requested = 0;
}

int train_stop_requested(void) { return requested; }
