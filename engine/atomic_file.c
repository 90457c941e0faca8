/* Atomic file writes (atomic_file.h): temporary file, fsync, rename, fsync of the directory. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "format.h"

static void release(srnn_atomic_file *f)
{
    free(f->path);
    free(f->temporary);
    *f = (srnn_atomic_file){0};
}

srnn_status srnn_atomic_file_open(srnn_atomic_file *f, const char *path, char *error,
                                  size_t error_max)
{
    *f = (srnn_atomic_file){0};
    size_t size = strlen(path) + sizeof ".tmp-XXXXXX";
    f->path = strdup(path);
    f->temporary = malloc(size);
    if (!f->path || !f->temporary) {
        release(f);
        return srnn_fail_sized(error, error_max, SRNN_ERR_NOMEM, "out of memory");
    }
    snprintf(f->temporary, size, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(f->temporary);
    if (fd >= 0 && fchmod(fd, 0644) == 0 && (f->file = fdopen(fd, "wb"))) return SRNN_OK;
    srnn_status status = srnn_fail_sized(error, error_max, SRNN_ERR_IO, "cannot create %s: %s",
                                         f->temporary, strerror(errno));
    if (fd >= 0) {
        close(fd);
        unlink(f->temporary);
    }
    release(f);
    return status;
}

void srnn_atomic_file_write(srnn_atomic_file *f, const void *data, size_t size)
{
    if (!f->failed && size && fwrite(data, 1, size, f->file) != size) f->failed = 1;
}

srnn_status srnn_atomic_file_commit(srnn_atomic_file *f, char *error, size_t error_max)
{
    srnn_status status = SRNN_OK;
    if (f->failed || fflush(f->file) != 0 || fsync(fileno(f->file)) != 0)
        status = srnn_fail_sized(error, error_max, SRNN_ERR_IO, "cannot write %s: %s", f->path,
                                 errno ? strerror(errno) : "write error");
    if (fclose(f->file) != 0 && status == SRNN_OK)
        status = srnn_fail_sized(error, error_max, SRNN_ERR_IO, "cannot write %s: %s", f->path,
                                 strerror(errno));
    if (status == SRNN_OK && rename(f->temporary, f->path) != 0)
        status = srnn_fail_sized(error, error_max, SRNN_ERR_IO, "cannot create %s: %s", f->path,
                                 strerror(errno));
    if (status == SRNN_OK) {
        int dir = open(dirname(f->temporary), O_RDONLY | O_DIRECTORY);
        if (dir >= 0) { /* makes the rename itself durable */
            fsync(dir);
            close(dir);
        }
    } else {
        unlink(f->temporary);
    }
    release(f);
    return status;
}

void srnn_atomic_file_abort(srnn_atomic_file *f)
{
    if (!f->file) return;
    fclose(f->file);
    unlink(f->temporary);
    release(f);
}

srnn_status srnn_atomic_file_put(const char *path, const void *data, size_t size, char *error,
                                 size_t error_max)
{
    srnn_atomic_file f;
    srnn_status status = srnn_atomic_file_open(&f, path, error, error_max);
    if (status != SRNN_OK) return status;
    srnn_atomic_file_write(&f, data, size);
    return srnn_atomic_file_commit(&f, error, error_max);
}
