#include "player_playlist.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int add(player_playlist *list, size_t *capacity, const char *folder, const char *name) {
    if (list->count == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 8;
        char **paths = realloc(list->paths, grown * sizeof *paths);
        if (!paths) return -1;
        list->paths = paths;
        *capacity = grown;
    }
    size_t size = (folder ? strlen(folder) + 1 : 0) + strlen(name) + 1;
    char *path = malloc(size);
    if (!path) return -1;
    if (folder) snprintf(path, size, "%s/%s", folder, name);
    else snprintf(path, size, "%s", name);
    list->paths[list->count++] = path;
    return 0;
}

static int has_model_extension(const char *name) {
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".srnn") == 0;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the folder's models in name order. */
static int add_folder(player_playlist *list, size_t *capacity, const char *folder,
                      char error[PLAYLIST_ERROR_MAX]) {
    DIR *dir = opendir(folder);
    if (!dir) {
        snprintf(error, PLAYLIST_ERROR_MAX, "%s: cannot read the folder: %s", folder,
                 strerror(errno));
        return -1;
    }
    size_t first = list->count;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (!has_model_extension(entry->d_name)) continue;
        if (add(list, capacity, folder, entry->d_name) != 0) {
            closedir(dir);
            snprintf(error, PLAYLIST_ERROR_MAX, "out of memory");
            return -1;
        }
    }
    closedir(dir);
    if (list->count == first) {
        snprintf(error, PLAYLIST_ERROR_MAX, "%s: the folder holds no .srnn model", folder);
        return -1;
    }
    qsort(list->paths + first, list->count - first, sizeof *list->paths, by_name);
    return 0;
}

int player_playlist_build(player_playlist *list, const char *const *arguments, size_t count,
                          char error[PLAYLIST_ERROR_MAX]) {
    list->paths = NULL;
    list->count = 0;
    size_t capacity = 0;
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (stat(arguments[i], &st) != 0) {
            snprintf(error, PLAYLIST_ERROR_MAX, "%s: %s", arguments[i], strerror(errno));
            goto fail;
        }
        if (S_ISDIR(st.st_mode)) {
            if (add_folder(list, &capacity, arguments[i], error) != 0) goto fail;
        } else if (add(list, &capacity, NULL, arguments[i]) != 0) {
            snprintf(error, PLAYLIST_ERROR_MAX, "out of memory");
            goto fail;
        }
    }
    return 0;
fail:
    player_playlist_free(list);
    return -1;
}

void player_playlist_free(player_playlist *list) {
    for (size_t i = 0; i < list->count; i++) free(list->paths[i]);
    free(list->paths);
    list->paths = NULL;
    list->count = 0;
}

const char *player_playlist_name(const player_playlist *list, size_t index) {
    const char *path = list->paths[index];
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}
