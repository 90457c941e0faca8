/* The C tests' assertions. Every check is counted; one that fails prints
 *     FAIL tests/test_x.c:42: what was expected, with the values
 * and a test ends with `return check_summary();`, which prints "N of M checks failed" and
 * returns the exit status: non-zero when any check failed, or when none ran at all.
 *
 *   CHECK(cond, format, ...)      silent when cond holds; evaluates to cond (0 or 1)
 *   CHECK_SHOW(cond, format, ...) prints "ok   message" too, for the figures a log should keep
 *   FAIL(format, ...)             a failure that needs no condition (a file that will not open)
 *   check_close(what, got, want, tol)
 *                                 |got - want| <= tol (NaN fails); silent when it holds
 *   check_max_diff(what, got, want, count, tol)
 *                                 two float arrays: one line with the largest difference and
 *                                 where (llm.c's check_tensor); evaluates to whether it passed
 *   max_abs_diff(a, b, count, &where)
 *                                 the largest |a[i] - b[i]|, NaN as infinity (where may be NULL)
 *   one_line(error)               an error message is one line of text, not empty
 *
 * The two counts are one pair per program, shared by every file that includes this header
 * (weak symbols), so a test's helpers in other files count towards its summary. Not for
 * real-time code: checks print. */
#ifndef SRNN_TEST_CHECK_H
#define SRNN_TEST_CHECK_H

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

__attribute__((weak)) unsigned check_count, check_failed;

__attribute__((format(printf, 5, 6))) static inline int
check_at(const char *file, int line, int ok, int show, const char *format, ...)
{
    check_count++;
    check_failed += !ok;
    if (ok && !show) return 1;
    if (ok)
        printf("ok   ");
    else
        printf("FAIL %s:%d: ", file, line);
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
    return ok;
}

#define CHECK(cond, ...) check_at(__FILE__, __LINE__, (cond) ? 1 : 0, 0, __VA_ARGS__)
#define CHECK_SHOW(cond, ...) check_at(__FILE__, __LINE__, (cond) ? 1 : 0, 1, __VA_ARGS__)
#define FAIL(...) check_at(__FILE__, __LINE__, 0, 0, __VA_ARGS__)

static inline int check_close_at(const char *file, int line, const char *what, double got,
                                 double want, double tol)
{
    double d = fabs(got - want);
    return check_at(file, line, d <= tol, 0, "%s: %.9g, want %.9g (difference %.3g > %.3g)", what,
                    got, want, d, tol);
}
#define check_close(what, got, want, tol) check_close_at(__FILE__, __LINE__, what, got, want, tol)

/* The largest |a[i] - b[i]| (infinity where either is NaN) and its first index (0 if none). */
static inline double max_abs_diff(const float *a, const float *b, size_t count, size_t *where)
{
    double worst = 0.0;
    size_t at = 0;
    for (size_t i = 0; i < count; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (d != d) d = INFINITY;
        if (d > worst) worst = d, at = i;
    }
    if (where) *where = at;
    return worst;
}

static inline int check_max_diff_at(const char *file, int line, const char *what, const float *got,
                                    const float *want, size_t count, double tol)
{
    size_t at;
    double d = max_abs_diff(got, want, count, &at);
    return check_at(file, line, d <= tol, 1,
                    "%s: max difference %.3g at %zu of %zu (got %.9g, want %.9g; tolerance %.3g)",
                    what, d, at, count, count ? (double)got[at] : 0.0,
                    count ? (double)want[at] : 0.0, tol);
}
#define check_max_diff(what, got, want, count, tol)                                              \
    check_max_diff_at(__FILE__, __LINE__, what, got, want, count, tol)

/* An error message is one line of text, not empty. */
static inline int one_line(const char *error)
{
    return error[0] != '\0' && !strchr(error, '\n');
}

/* Prints "N of M checks failed" and returns the exit status (1 when any failed or none ran). */
static inline int check_summary(void)
{
    if (check_count == 0) {
        printf("FAIL: no checks ran\n");
        return 1;
    }
    printf("%u of %u checks failed\n", check_failed, check_count);
    return check_failed != 0;
}

#endif
