#include "ckpt_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_STATE_FILE (1u << 20)

static int ends_with(const char *text, size_t length, const char *suffix) {
    size_t n = strlen(suffix);
    return length >= n && memcmp(text + length - n, suffix, n) == 0;
}

/* The length of path without ".index" or ".data-NNNNN-of-NNNNN". */
static size_t prefix_length(const char *path) {
    size_t length = strlen(path);
    if (ends_with(path, length, ".index")) return length - strlen(".index");
    const char *data = strstr(path, ".data-");
    int consumed = 0;
    unsigned shard, shards;
    if (data && sscanf(data, ".data-%5u-of-%5u%n", &shard, &shards, &consumed) == 2 &&
        data[consumed] == '\0' && consumed == (int)strlen(".data-00000-of-00000"))
        return (size_t)(data - path);
    return length;
}

static int is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* a[0..a_length) + b + c, allocated */
static char *concat(const char *a, size_t a_length, const char *b, const char *c) {
    char *out = malloc(a_length + strlen(b) + strlen(c) + 1);
    if (out) sprintf(out, "%.*s%s%s", (int)a_length, a, b, c);
    return out;
}

/* The quoted value of model_checkpoint_path in a `checkpoint` file, unescaped (text-format
 * escapes: \\ \" \' and octal \NNN). */
static srnn_status latest_in_state(const char *text, char **value, const char *file,
                                   char *error) {
    const char *key = "model_checkpoint_path:";
    const char *line = text;
    while (line && strncmp(line, key, strlen(key)) != 0) {
        line = strchr(line, '\n');
        if (line) line++;
    }
    if (!line)
        return ckpt_fail(error, SRNN_ERR_FORMAT, "%s names no model_checkpoint_path", file);
    const char *p = line + strlen(key);
    while (*p == ' ' || *p == '\t') p++;
    char *out = malloc(strlen(p) + 1), *o = out;
    if (!out) return ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
    if (*p++ != '"') goto bad;
    for (; *p != '"'; p++) {
        if (*p == '\0' || *p == '\n') goto bad;
        if (*p != '\\') {
            *o++ = *p;
            continue;
        }
        p++;
        if (*p == '\\' || *p == '"' || *p == '\'') {
            *o++ = *p;
        } else if (p[0] >= '0' && p[0] <= '3' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' &&
                   p[2] <= '7') {
            *o++ = (char)((p[0] - '0') * 64 + (p[1] - '0') * 8 + (p[2] - '0'));
            p += 2;
        } else {
            goto bad;
        }
    }
    *o = '\0';
    if (out[0] == '\0' || strlen(out) != (size_t)(o - out)) goto bad;
    *value = out;
    return SRNN_OK;
bad:
    free(out);
    return ckpt_fail(error, SRNN_ERR_FORMAT, "%s: cannot read its model_checkpoint_path", file);
}

/* The prefix a run directory's `checkpoint` file names: relative to the directory, or
 * absolute; an absolute one that is gone is looked for in the directory (runs get moved). */
static srnn_status from_directory(const char *dir, char **prefix, char *error) {
    size_t dir_length = strlen(dir);
    while (dir_length > 1 && dir[dir_length - 1] == '/') dir_length--;
    char *state_path = concat(dir, dir_length, "/checkpoint", "");
    char *text = calloc(1, MAX_STATE_FILE + 1), *latest = NULL;
    if (!state_path || !text) {
        free(state_path);
        free(text);
        return ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
    }
    srnn_status status = SRNN_OK;
    FILE *file = fopen(state_path, "rb");
    if (!file)
        status = ckpt_fail(error, SRNN_ERR_IO,
                           "%s is a directory without a 'checkpoint' file naming the latest "
                           "checkpoint; give the checkpoint's prefix instead", dir);
    else if (fread(text, 1, MAX_STATE_FILE, file) == MAX_STATE_FILE || ferror(file))
        status = ckpt_fail(error, SRNN_ERR_FORMAT, "%s: unreadable or over 1 MiB", state_path);
    if (file) fclose(file);
    if (status == SRNN_OK) status = latest_in_state(text, &latest, state_path, error);
    if (status == SRNN_OK) {
        char *index = concat(latest, strlen(latest), ".index", "");
        if (latest[0] == '/' && index && is_file(index))
            *prefix = concat(latest, strlen(latest), "", "");
        else
            *prefix = concat(dir, dir_length, "/",
                             latest[0] == '/' ? strrchr(latest, '/') + 1 : latest);
        free(index);
        if (!*prefix) status = ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
        else if (!(index = concat(*prefix, strlen(*prefix), ".index", "")))
            status = ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
        else if (!is_file(index))
            status = ckpt_fail(error, SRNN_ERR_IO, "%s names the latest checkpoint '%s', but "
                               "%s is missing", state_path, latest, index);
        free(index);
    }
    free(latest);
    free(text);
    free(state_path);
    return status;
}

srnn_status ckpt_resolve(const char *path, char **prefix, char error[CKPT_ERROR_MAX]) {
    *prefix = NULL;
    struct stat st;
    srnn_status status = SRNN_OK;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        status = from_directory(path, prefix, error);
    } else {
        *prefix = concat(path, prefix_length(path), "", "");
        char *index = *prefix ? concat(*prefix, strlen(*prefix), ".index", "") : NULL;
        if (!index)
            status = ckpt_fail(error, SRNN_ERR_NOMEM, "out of memory");
        else if (!is_file(index))
            status = ckpt_fail(error, SRNN_ERR_IO, "no checkpoint at %s: %s is missing", path,
                               index);
        free(index);
    }
    if (status != SRNN_OK) {
        free(*prefix);
        *prefix = NULL;
    }
    return status;
}
