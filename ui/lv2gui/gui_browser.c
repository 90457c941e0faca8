/* The model browser's list: the .srnn files of a few folders (the playing model's and the
 * bundle's), read when the model changes, on the GUI's thread. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gui_view.h"

static bool has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && strcmp(name + n - s, suffix) == 0;
}

static int by_name(const void *a, const void *b)
{
    const gui_model_entry *x = a, *y = b;
    int order = strcmp(x->name, y->name);
    return order ? order : strcmp(x->path, y->path);
}

static bool listed(const gui_model_entry *entries, int count, const char *path)
{
    for (int i = 0; i < count; i++)
        if (strcmp(entries[i].path, path) == 0) return true;
    return false;
}

int gui_browser_list(const char *const dirs[], int dir_count, gui_model_entry *out, int max)
{
    int count = 0;
    for (int d = 0; d < dir_count; d++) {
        if (!dirs[d] || !dirs[d][0]) continue;
        DIR *dir = opendir(dirs[d]);
        if (!dir) continue;
        size_t length = strlen(dirs[d]);
        const char *slash = dirs[d][length - 1] == '/' ? "" : "/";
        for (struct dirent *e; count < max && (e = readdir(dir));) {
            if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".srnn")) continue;
            gui_model_entry *entry = &out[count];
            int n = snprintf(entry->path, sizeof entry->path, "%s%s%s", dirs[d], slash,
                             e->d_name);
            if (n < 0 || (size_t)n >= sizeof entry->path || listed(out, count, entry->path))
                continue;
            snprintf(entry->name, sizeof entry->name, "%.*s",
                     (int)(strlen(e->d_name) - strlen(".srnn")), e->d_name);
            entry->in_bundle = d == dir_count - 1;
            count++;
        }
        closedir(dir);
    }
    qsort(out, (size_t)count, sizeof *out, by_name);
    return count;
}
