/* What real-time code must never call, counted while armed (interposer.h).
 *
 * Each function forwards to the next definition found by dlsym(RTLD_NEXT), resolved when the
 * program starts. dlsym may itself allocate before malloc is resolved: those few bytes come
 * from a static arena that free() recognises (and what it frees before free is resolved is
 * left alone). The sanitizer runtime calls these before its
 * own start-up is done, so none of this file is instrumented. */
#define _GNU_SOURCE
#include "interposer.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#define FUNCTIONS(X)                                                                               \
    X(malloc) X(calloc) X(realloc) X(free) X(aligned_alloc) X(posix_memalign) X(memalign)          \
    X(valloc) X(pthread_mutex_lock) X(pthread_mutex_trylock) X(pthread_mutex_timedlock)            \
    X(pthread_rwlock_rdlock) X(pthread_rwlock_wrlock) X(pthread_spin_lock) X(pthread_cond_wait)    \
    X(pthread_cond_timedwait) X(pthread_cond_signal) X(pthread_cond_broadcast) X(sem_wait)         \
    X(sem_timedwait) X(sem_post) X(open) X(openat) X(close) X(read) X(write) X(pread) X(pwrite)    \
    X(fopen) X(fclose) X(fread) X(fwrite) X(fflush) X(fputs) X(fputc) X(puts) X(putchar)           \
    X(printf) X(fprintf) X(vprintf) X(vfprintf) X(snprintf) X(vsnprintf) X(ioctl) X(poll)          \
    X(select) X(mmap) X(munmap) X(mprotect) X(madvise) X(nanosleep) X(clock_nanosleep) X(usleep)   \
    X(sleep) X(sched_yield) X(syscall) X(dlopen)

#define UNCHECKED __attribute__((no_sanitize_address, no_sanitize_undefined))

#define ENUM(name) F_##name,
#define NAME(name) #name,
enum { FUNCTIONS(ENUM) F_COUNT };
static const char *const names[F_COUNT] = {FUNCTIONS(NAME)};

static void *real[F_COUNT];
static volatile int armed;
static _Thread_local int arming_thread; /* set on the thread that called interposer_arm */
static unsigned here[F_COUNT], elsewhere[F_COUNT]; /* calls on the arming thread, on others */
static volatile int resolving; /* volatile: dlsym calls back into malloc and free */
static _Alignas(16) unsigned char arena[16384];
static size_t arena_used;

UNCHECKED static void seen(int f)
{
    if (armed) __atomic_fetch_add(arming_thread ? &here[f] : &elsewhere[f], 1u, __ATOMIC_RELAXED);
}

UNCHECKED static unsigned count_of(int f)
{
    return __atomic_load_n(&here[f], __ATOMIC_RELAXED) +
           __atomic_load_n(&elsewhere[f], __ATOMIC_RELAXED);
}

UNCHECKED static int find(const char *name)
{
    for (int f = 0; f < F_COUNT; f++)
        if (__builtin_strcmp(names[f], name) == 0) return f;
    return -1;
}

UNCHECKED static void *next(int f)
{
    if (!real[f]) {
        resolving++;
        real[f] = dlsym(RTLD_NEXT, names[f]);
        resolving--;
    }
    return real[f];
}

__attribute__((constructor)) UNCHECKED static void resolve_all(void)
{
    for (int f = 0; f < F_COUNT; f++) next(f);
}

UNCHECKED static void *arena_alloc(size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (arena_used + size > sizeof arena) return NULL;
    void *p = arena + arena_used;
    arena_used += size;
    return p; /* static, so already zero */
}

UNCHECKED void interposer_clear(void)
{
    for (int f = 0; f < F_COUNT; f++) {
        __atomic_store_n(&here[f], 0u, __ATOMIC_RELAXED);
        __atomic_store_n(&elsewhere[f], 0u, __ATOMIC_RELAXED);
    }
}

UNCHECKED void interposer_arm(void)
{
    arming_thread = 1;
    armed = 1;
}

UNCHECKED unsigned interposer_disarm(void)
{
    armed = 0;
    arming_thread = 0;
    unsigned total = 0;
    for (int f = 0; f < F_COUNT; f++) total += count_of(f);
    return total;
}

UNCHECKED void interposer_report(void)
{
    for (int f = 0; f < F_COUNT; f++) {
        unsigned n = count_of(f), other = __atomic_load_n(&elsewhere[f], __ATOMIC_RELAXED);
        if (n) printf(" %s x%u", names[f], n);
        if (other) printf(" (%u elsewhere)", other);
    }
}

UNCHECKED unsigned interposer_count(const char *name)
{
    int f = find(name);
    return f < 0 ? UINT_MAX : count_of(f);
}

UNCHECKED unsigned interposer_count_elsewhere(const char *name)
{
    int f = find(name);
    return f < 0 ? UINT_MAX : __atomic_load_n(&elsewhere[f], __ATOMIC_RELAXED);
}

UNCHECKED unsigned interposer_calls_here(void)
{
    unsigned total = 0;
    for (int f = 0; f < F_COUNT; f++) total += __atomic_load_n(&here[f], __ATOMIC_RELAXED);
    return total;
}

UNCHECKED unsigned interposer_allocations(void)
{
    return count_of(F_malloc) + count_of(F_calloc) + count_of(F_realloc) +
           count_of(F_aligned_alloc) + count_of(F_posix_memalign) + count_of(F_memalign) +
           count_of(F_valloc);
}

/* ---- the interposed functions ------------------------------------------------------------- */

#define CALL(type, f) ((type)next(F_##f))

UNCHECKED void *malloc(size_t n)
{
    seen(F_malloc);
    if (!real[F_malloc] && resolving) return arena_alloc(n);
    return CALL(void *(*)(size_t), malloc)(n);
}

UNCHECKED void *calloc(size_t n, size_t size)
{
    seen(F_calloc);
    if (!real[F_calloc] && resolving)
        return size && n > sizeof arena / size ? NULL : arena_alloc(n * size);
    return CALL(void *(*)(size_t, size_t), calloc)(n, size);
}

UNCHECKED void free(void *p)
{
    seen(F_free);
    if ((unsigned char *)p >= arena && (unsigned char *)p < arena + sizeof arena) return;
    if (!real[F_free] && resolving) return; /* dlsym freeing its last error while resolving free */
    CALL(void (*)(void *), free)(p);
}

#define FORWARD(ret, name, params, args)                                                           \
    UNCHECKED ret name params                                                                      \
    {                                                                                              \
        seen(F_##name);                                                                            \
        return CALL(ret(*) params, name) args;                                                     \
    }

FORWARD(void *, realloc, (void *p, size_t n), (p, n))
FORWARD(void *, aligned_alloc, (size_t a, size_t n), (a, n))
FORWARD(int, posix_memalign, (void **p, size_t a, size_t n), (p, a, n))
FORWARD(void *, memalign, (size_t a, size_t n), (a, n))
FORWARD(void *, valloc, (size_t n), (n))
FORWARD(int, pthread_mutex_lock, (pthread_mutex_t * m), (m))
FORWARD(int, pthread_mutex_trylock, (pthread_mutex_t * m), (m))
FORWARD(int, pthread_mutex_timedlock,
        (pthread_mutex_t *restrict m, const struct timespec *restrict t), (m, t))
FORWARD(int, pthread_rwlock_rdlock, (pthread_rwlock_t * l), (l))
FORWARD(int, pthread_rwlock_wrlock, (pthread_rwlock_t * l), (l))
FORWARD(int, pthread_spin_lock, (pthread_spinlock_t * l), (l))
FORWARD(int, pthread_cond_wait, (pthread_cond_t *restrict c, pthread_mutex_t *restrict m), (c, m))
FORWARD(int, pthread_cond_timedwait,
        (pthread_cond_t *restrict c, pthread_mutex_t *restrict m,
         const struct timespec *restrict t),
        (c, m, t))
FORWARD(int, pthread_cond_signal, (pthread_cond_t * c), (c))
FORWARD(int, pthread_cond_broadcast, (pthread_cond_t * c), (c))
FORWARD(int, sem_wait, (sem_t * s), (s))
FORWARD(int, sem_timedwait, (sem_t *restrict s, const struct timespec *restrict t), (s, t))
FORWARD(int, sem_post, (sem_t * s), (s))
FORWARD(int, close, (int fd), (fd))
FORWARD(ssize_t, read, (int fd, void *b, size_t n), (fd, b, n))
FORWARD(ssize_t, write, (int fd, const void *b, size_t n), (fd, b, n))
FORWARD(ssize_t, pread, (int fd, void *b, size_t n, off_t o), (fd, b, n, o))
FORWARD(ssize_t, pwrite, (int fd, const void *b, size_t n, off_t o), (fd, b, n, o))
FORWARD(FILE *, fopen, (const char *restrict p, const char *restrict m), (p, m))
FORWARD(int, fclose, (FILE * f), (f))
FORWARD(size_t, fread, (void *restrict b, size_t s, size_t n, FILE *restrict f), (b, s, n, f))
FORWARD(size_t, fwrite, (const void *restrict b, size_t s, size_t n, FILE *restrict f),
        (b, s, n, f))
FORWARD(int, fflush, (FILE * f), (f))
FORWARD(int, fputs, (const char *restrict s, FILE *restrict f), (s, f))
FORWARD(int, fputc, (int c, FILE *f), (c, f))
FORWARD(int, puts, (const char *s), (s))
FORWARD(int, putchar, (int c), (c))
FORWARD(int, vprintf, (const char *restrict f, va_list a), (f, a))
FORWARD(int, vfprintf, (FILE *restrict s, const char *restrict f, va_list a), (s, f, a))
FORWARD(int, vsnprintf, (char *restrict s, size_t n, const char *restrict f, va_list a),
        (s, n, f, a))
FORWARD(int, poll, (struct pollfd * p, nfds_t n, int t), (p, n, t))
FORWARD(int, select,
        (int n, fd_set *restrict r, fd_set *restrict w, fd_set *restrict e,
         struct timeval *restrict t),
        (n, r, w, e, t))
FORWARD(void *, mmap, (void *a, size_t n, int p, int f, int fd, off_t o), (a, n, p, f, fd, o))
FORWARD(int, munmap, (void *a, size_t n), (a, n))
FORWARD(int, mprotect, (void *a, size_t n, int p), (a, n, p))
FORWARD(int, madvise, (void *a, size_t n, int advice), (a, n, advice))
FORWARD(int, nanosleep, (const struct timespec *t, struct timespec *r), (t, r))
FORWARD(int, clock_nanosleep, (clockid_t c, int f, const struct timespec *t, struct timespec *r),
        (c, f, t, r))
FORWARD(int, usleep, (useconds_t u), (u))
FORWARD(unsigned, sleep, (unsigned s), (s))
FORWARD(int, sched_yield, (void), ())
FORWARD(void *, dlopen, (const char *f, int m), (f, m))

UNCHECKED int printf(const char *restrict format, ...)
{
    seen(F_printf);
    va_list args;
    va_start(args, format);
    int n = CALL(int (*)(const char *, va_list), vprintf)(format, args);
    va_end(args);
    return n;
}

UNCHECKED int fprintf(FILE *restrict stream, const char *restrict format, ...)
{
    seen(F_fprintf);
    va_list args;
    va_start(args, format);
    int n = CALL(int (*)(FILE *, const char *, va_list), vfprintf)(stream, format, args);
    va_end(args);
    return n;
}

UNCHECKED int snprintf(char *restrict s, size_t size, const char *restrict format, ...)
{
    seen(F_snprintf);
    va_list args;
    va_start(args, format);
    int n = CALL(int (*)(char *, size_t, const char *, va_list), vsnprintf)(s, size, format, args);
    va_end(args);
    return n;
}

UNCHECKED int open(const char *path, int flags, ...)
{
    seen(F_open);
    va_list args;
    va_start(args, flags);
    mode_t mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(args, mode_t) : 0;
    va_end(args);
    return CALL(int (*)(const char *, int, ...), open)(path, flags, mode);
}

UNCHECKED int openat(int dir, const char *path, int flags, ...)
{
    seen(F_openat);
    va_list args;
    va_start(args, flags);
    mode_t mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(args, mode_t) : 0;
    va_end(args);
    return CALL(int (*)(int, const char *, int, ...), openat)(dir, path, flags, mode);
}

UNCHECKED int ioctl(int fd, unsigned long request, ...)
{
    seen(F_ioctl);
    va_list args;
    va_start(args, request);
    void *argument = va_arg(args, void *);
    va_end(args);
    return CALL(int (*)(int, unsigned long, ...), ioctl)(fd, request, argument);
}

UNCHECKED long syscall(long number, ...)
{
    seen(F_syscall);
    va_list args;
    va_start(args, number);
    long a[6];
    for (int i = 0; i < 6; i++) a[i] = va_arg(args, long);
    va_end(args);
    return CALL(long (*)(long, ...), syscall)(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
