#include "player_memory.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#if defined(__SANITIZE_ADDRESS__)
/* A test build: locking would fault in AddressSanitizer's terabytes of shadow memory. */
int player_memory_lock(char note[MEMORY_NOTE_MAX]) {
    note[0] = '\0';
    return 0;
}
#else
int player_memory_lock(char note[MEMORY_NOTE_MAX]) {
    if (mlockall(MCL_CURRENT | MCL_FUTURE) == 0) return 0;
    int error = errno;
    struct rlimit limit;
    if (getrlimit(RLIMIT_MEMLOCK, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        snprintf(note, MEMORY_NOTE_MAX,
                 "memory not locked (%s; the memlock limit is %llu KiB, "
                 "members of the audio group usually have none): page faults may cause xruns",
                 strerror(error), (unsigned long long)(limit.rlim_cur / 1024));
    else
        snprintf(note, MEMORY_NOTE_MAX, "memory not locked (%s): page faults may cause xruns",
                 strerror(error));
    return -1;
}
#endif
