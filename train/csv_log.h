/* CSV logs of a run (steps.csv, epochs.csv). A resumed run first drops the rows past its
 * checkpoint, which it is about to write again, so a log never holds a step twice. */
#ifndef TRAIN_CSV_LOG_H
#define TRAIN_CSV_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    FILE *file;
    char path[4096];
} train_csv;

/* Opens path for appending, writing header when the file is new; rows whose first column is
 * a number above keep_upto are dropped first. false with error (1024 bytes) on failure. */
bool train_csv_open(train_csv *csv, const char *path, const char *header, uint64_t keep_upto,
                    char *error);

/* Drops the rows numbered above keep_upto (steps a recovery is about to run again). */
bool train_csv_rewind(train_csv *csv, uint64_t keep_upto, char *error);

/* Appends one row (a printf format without the newline) and flushes. */
void train_csv_row(train_csv *csv, const char *format, ...) __attribute__((format(printf, 2, 3)));

void train_csv_close(train_csv *csv);

#endif
