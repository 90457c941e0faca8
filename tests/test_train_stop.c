/* srnn train's stop request (train/stop_request.c): the first SIGINT or SIGTERM is only
 * recorded (the process lives on, the run stops after its step), the second ends the process
 * by that signal at once, and releasing puts the previous handlers back. Also the shares of a
 * batch among MPI ranks (train_dist_share): contiguous, covering, at most one row apart. Each
 * signal case runs in a child process. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "distributed.h"
#include "stop_request.h"

/* Runs case_body in a child; returns its wait status. */
static int in_child(void (*case_body)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        case_body();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

static void one_signal(void)
{
    train_stop_catch();
    raise(SIGTERM);
    _exit(train_stop_requested() == SIGTERM ? 42 : 1);
}

static void two_signals(void)
{
    train_stop_catch();
    raise(SIGINT);
    if (train_stop_requested() != SIGINT) _exit(1);
    raise(SIGINT); /* ends the process here */
    _exit(2);
}

static void ignored_before(void)
{
    signal(SIGINT, SIG_IGN);
    train_stop_catch();
    train_stop_release();
    raise(SIGINT); /* ignored again */
    _exit(train_stop_requested() == 0 ? 43 : 1);
}

int main(void)
{
    int status = in_child(one_signal);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42,
          "one SIGTERM: recorded and the process lives on (status %#x)", status);
    status = in_child(two_signals);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT,
          "a second SIGINT ends the process by SIGINT (status %#x)", status);
    status = in_child(ignored_before);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 43,
          "release puts the previous handler back (status %#x)", status);

    for (int size = 1; size <= 7; size++)
        for (size_t batch = (size_t)size; batch <= 20; batch++) {
            size_t next = 0, fewest = batch, most = 0;
            for (int rank = 0; rank < size; rank++) {
                size_t first, count;
                train_dist_share(rank, size, batch, &first, &count);
                CHECK(first == next, "%d ranks, batch %zu: rank %d starts at %zu, not %zu", size,
                      batch, rank, first, next);
                next = first + count;
                fewest = count < fewest ? count : fewest;
                most = count > most ? count : most;
            }
            CHECK(next == batch && most - fewest <= 1 && fewest >= 1,
                  "%d ranks, batch %zu: shares cover %zu rows, %zu to %zu each", size, batch,
                  next, fewest, most);
        }
    return check_summary();
}
