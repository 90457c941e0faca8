#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "csv_log.h"

/* Rewrites path without the rows numbered above keep_upto. */
static bool drop_rows_after(const char *path, uint64_t keep_upto, char *error)
{
    FILE *f = fopen(path, "rb");
    if (!f) return true; /* a new file */
    char *kept = NULL, line[4096];
    size_t size = 0;
    FILE *out = open_memstream(&kept, &size);
    bool first = true;
    while (out && fgets(line, sizeof line, f)) {
        uint64_t number;
        if (first || sscanf(line, "%" SCNu64, &number) != 1 || number <= keep_upto)
            fputs(line, out);
        first = false;
    }
    fclose(f);
    bool ok = out && fclose(out) == 0;
    ok = ok && srnn_atomic_file_put(path, kept, size, error, 1024) == SRNN_OK;
    if (!out) snprintf(error, 1024, "out of memory reading %.900s", path);
    free(kept);
    return ok;
}

bool train_csv_open(train_csv *csv, const char *path, const char *header, uint64_t keep_upto,
                    char *error)
{
    csv->file = NULL;
    snprintf(csv->path, sizeof csv->path, "%s", path);
    if (!drop_rows_after(path, keep_upto, error)) return false;
    csv->file = fopen(path, "a");
    if (!csv->file) {
        snprintf(error, 1024, "%.900s: %s", path, strerror(errno));
        return false;
    }
    if (ftell(csv->file) == 0) fprintf(csv->file, "%s\n", header);
    fflush(csv->file);
    return true;
}

bool train_csv_rewind(train_csv *csv, uint64_t keep_upto, char *error)
{
    train_csv_close(csv);
    if (!drop_rows_after(csv->path, keep_upto, error)) return false;
    csv->file = fopen(csv->path, "a");
    if (!csv->file) snprintf(error, 1024, "%.900s: %s", csv->path, strerror(errno));
    return csv->file != NULL;
}

void train_csv_row(train_csv *csv, const char *format, ...)
{
    if (!csv->file) return;
    va_list args;
    va_start(args, format);
    vfprintf(csv->file, format, args);
    va_end(args);
    fputc('\n', csv->file);
    fflush(csv->file);
}

void train_csv_close(train_csv *csv)
{
    if (csv->file) fclose(csv->file);
    csv->file = NULL;
}
