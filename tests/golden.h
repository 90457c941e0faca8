/* Reading the reference data tests/reference/make_golden.py writes into $GOLDEN: per case
 * CASE.srnn, CASE.wav, CASE.q.i32 (targets), CASE.logits.f32 (N x Q) and CASE.golden.txt. */
#ifndef SRNN_TEST_GOLDEN_H
#define SRNN_TEST_GOLDEN_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srnn.h"

/* The directory of the golden data ($GOLDEN, default build/golden). */
static inline const char *golden_dir(void)
{
    const char *dir = getenv("GOLDEN");
    return dir && *dir ? dir : "build/golden";
}

/* Reads a whole file; returns NULL (and says why) on failure. */
static inline void *golden_read(const char *dir, const char *name, const char *suffix, size_t *size)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s%s", dir, name, suffix);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long length = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *data = malloc(length > 0 ? (size_t)length : 1);
    if (data && fread(data, 1, (size_t)length, f) != (size_t)length) {
        free(data);
        data = NULL;
    }
    fclose(f);
    if (data) *size = (size_t)length;
    return data;
}

/* Loads dir/CASE.srnn; NULL (and says why) on failure. */
static inline srnn_model *golden_load_model(const char *dir, const char *name)
{
    char path[1024], error[SRNN_ERROR_MAX];
    snprintf(path, sizeof path, "%s/%s.srnn", dir, name);
    srnn_model *model;
    if (srnn_model_load(path, &model, error) != SRNN_OK) {
        fprintf(stderr, "%s: %s\n", path, error);
        return NULL;
    }
    return model;
}

/* Calls fn (0 = pass) for each case listed in cases.txt; returns the number that failed, or 1
 * when there is no list or no case. */
static inline int golden_each_case(const char *dir, int (*fn)(const char *dir, const char *name))
{
    char path[1024], name[256];
    snprintf(path, sizeof path, "%s/cases.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s: run tests/reference/make_golden.py first\n", path);
        return -1;
    }
    int cases = 0, failures = 0;
    while (fgets(name, sizeof name, f)) {
        name[strcspn(name, "\r\n")] = '\0';
        if (!*name) continue;
        cases++;
        failures += fn(dir, name) != 0;
    }
    fclose(f);
    if (cases == 0) fprintf(stderr, "%s lists no case\n", path);
    return cases == 0 ? 1 : failures;
}

#endif
