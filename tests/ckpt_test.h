/* What the checkpoint tests (tests/test_ckpt_*.c) share: CHECK, which prints the failed
 * condition's line and message and counts it, and the one-line rule for error messages. */
#ifndef SRNN_CKPT_TEST_H
#define SRNN_CKPT_TEST_H

#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            failures++;                                                                       \
            printf("FAIL line %d: ", __LINE__);                                               \
            printf(__VA_ARGS__);                                                              \
            putchar('\n');                                                                    \
        }                                                                                     \
    } while (0)

/* An error message is one line of text, not empty. */
static inline int one_line(const char *error) {
    return error[0] != '\0' && !strchr(error, '\n');
}

/* The summary line and the exit status. */
static inline int check_summary(void) {
    printf("%s: %d failures\n", failures ? "FAIL" : "ok", failures);
    return failures != 0;
}

#endif
