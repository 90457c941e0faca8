#include "run_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int train_run_lock(const char *dir, char *error, size_t error_size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/train.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(error, error_size, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int reason = errno;
        char holder[32] = "";
        ssize_t got = pread(fd, holder, sizeof holder - 1, 0);
        holder[got > 0 ? got : 0] = '\0';
        long pid = strtol(holder, NULL, 10);
        if (reason == EWOULDBLOCK && pid > 0)
            snprintf(error, error_size,
                     "%s is in use by another srnn train (process %ld): stop it first", dir, pid);
        else if (reason == EWOULDBLOCK)
            snprintf(error, error_size, "%s is in use by another srnn train: stop it first", dir);
        else
            snprintf(error, error_size, "cannot lock %s: %s", path, strerror(reason));
        close(fd);
        return -1;
    }
    char pid[32];
    int length = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)length, 0) != length) {
        snprintf(error, error_size, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}
