#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audio_file.h"
#include "dataset.h"
#include "sampler.h"

typedef struct {
    char **items;
    size_t count, capacity;
} path_list;

static bool path_list_add(path_list *list, const char *path)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? 2 * list->capacity : 64;
        char **grown = realloc(list->items, capacity * sizeof *grown);
        if (!grown) return false;
        list->items = grown;
        list->capacity = capacity;
    }
    return (list->items[list->count++] = strdup(path)) != NULL;
}

static void path_list_free(path_list *list)
{
    for (size_t i = 0; i < list->count; i++) free(list->items[i]);
    free(list->items);
}

/* Every regular file under dir (hidden entries skipped), recursively. */
static bool list_files(const char *dir, path_list *list, char *error)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(error, TRAIN_DATA_ERROR_MAX, "%s: %s", dir, strerror(errno));
        return false;
    }
    bool ok = true;
    struct dirent *entry;
    while (ok && (entry = readdir(d))) {
        if (entry->d_name[0] == '.') continue;
        char path[4096];
        struct stat st;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, entry->d_name) >= sizeof path ||
            stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            ok = list_files(path, list, error);
        else if (S_ISREG(st.st_mode) && !path_list_add(list, path)) {
            snprintf(error, TRAIN_DATA_ERROR_MAX, "out of memory listing %s", dir);
            ok = false;
        }
    }
    closedir(d);
    return ok;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool grow(void **array, size_t *capacity, size_t needed, size_t item)
{
    if (needed <= *capacity) return true;
    size_t capacity_new = *capacity ? *capacity : 1 << 16;
    while (capacity_new < needed) capacity_new *= 2;
    void *grown = realloc(*array, capacity_new * item);
    if (!grown) return false;
    *array = grown;
    *capacity = capacity_new;
    return true;
}

/* chunk_audio.py's is_silent: some window of half the chunk, starting on any millisecond,
 * has an RMS at or below -64 dBFS. squares is the file's prefix sum of squared samples. */
static bool chunk_is_silent(const double *squares, size_t start, size_t length, uint32_t rate)
{
    double threshold = pow(10.0, TRAIN_SILENCE_DB / 20.0);
    size_t window = length / 2, step = rate / 1000 ? rate / 1000 : 1;
    if (window == 0) return false;
    double limit = threshold * threshold * (double)window;
    size_t last = length - window;
    for (size_t i = 0;; i = i + step < last ? i + step : last) {
        if (squares[start + i + window] - squares[start + i] <= limit) return true;
        if (i == last) return false;
    }
}

typedef struct {
    size_t sample_capacity, chunk_capacity;
} capacities;

static bool add_file(train_dataset *ds, capacities *cap, const float *audio, size_t count,
                     const srnn_config *config, size_t overlap)
{
    size_t length = ds->chunk_length;
    if (count <= length) {
        ds->short_files++;
        return true;
    }
    double *squares = malloc((count + 1) * sizeof *squares);
    if (!squares) return false;
    squares[0] = 0.0;
    for (size_t i = 0; i < count; i++) squares[i + 1] = squares[i] + (double)audio[i] * audio[i];
    size_t base = ds->sample_count;
    bool ok = grow((void **)&ds->samples, &cap->sample_capacity, base + count, sizeof(uint16_t));
    for (size_t i = 0; ok && i < count; i++)
        ds->samples[base + i] = (uint16_t)srnn_quantise(config, audio[i]);
    if (ok) ds->sample_count += count;
    /* chunk_audio.py keeps a chunk only when it ends before the file does */
    for (size_t start = 0; ok && start + length < count; start += length - overlap) {
        if (chunk_is_silent(squares, start, length, config->sample_rate)) {
            ds->silent_chunks++;
            continue;
        }
        ok = grow((void **)&ds->chunks, &cap->chunk_capacity, ds->chunk_count + 1, sizeof(size_t));
        if (ok) ds->chunks[ds->chunk_count++] = base + start;
    }
    free(squares);
    return ok;
}

bool train_dataset_load(train_dataset *ds, const char *dir, const srnn_config *config,
                        double chunk_ms, double overlap_ms, char error[TRAIN_DATA_ERROR_MAX])
{
    memset(ds, 0, sizeof *ds);
    double rate = config->sample_rate;
    ds->chunk_length = (size_t)llround(chunk_ms * rate / 1000.0);
    size_t overlap = (size_t)llround(overlap_ms * rate / 1000.0);
    if (!(chunk_ms > 0.0) || !(overlap_ms >= 0.0) || ds->chunk_length < 2 ||
        overlap >= ds->chunk_length) {
        snprintf(
            error, TRAIN_DATA_ERROR_MAX,
            "chunk length %g ms with overlap %g ms: the overlap must be shorter than the chunk",
            chunk_ms, overlap_ms);
        return false;
    }
    path_list paths = {0};
    if (!list_files(dir, &paths, error)) {
        path_list_free(&paths);
        return false;
    }
    if (paths.count) qsort(paths.items, paths.count, sizeof *paths.items, compare_paths);
    capacities cap = {0};
    bool ok = true;
    for (size_t i = 0; ok && i < paths.count; i++) {
        float *audio = NULL;
        size_t count = 0;
        char why[AUDIO_ERROR_MAX];
        if (audio_read_mono(paths.items[i], config->sample_rate, &audio, &count, why) != 0) {
            if (ds->skipped_files++ == 0)
                snprintf(ds->first_skipped, sizeof ds->first_skipped, "%s", why);
            continue;
        }
        ds->files++;
        ok = add_file(ds, &cap, audio, count, config, overlap);
        free(audio);
        if (!ok) snprintf(error, TRAIN_DATA_ERROR_MAX, "out of memory reading %s", paths.items[i]);
    }
    path_list_free(&paths);
    if (ok && ds->chunk_count == 0) {
        if (ds->files == 0)
            snprintf(error, TRAIN_DATA_ERROR_MAX,
                     "%.400s: no audio file libsndfile can read%s%.500s", dir,
                     ds->skipped_files ? "; first refused: " : "", ds->first_skipped);
        else
            snprintf(error, TRAIN_DATA_ERROR_MAX,
                     "%s: no chunk of %g ms: %zu audio files, %zu shorter than a chunk, %zu chunks "
                     "silent",
                     dir, chunk_ms, ds->files, ds->short_files, ds->silent_chunks);
        ok = false;
    }
    if (!ok) train_dataset_free(ds);
    return ok;
}

void train_dataset_free(train_dataset *ds)
{
    free(ds->samples);
    free(ds->chunks);
    memset(ds, 0, sizeof *ds);
}

static void shuffle(size_t *items, size_t count, srnn_rng *rng)
{
    for (size_t i = count; i > 1; i--) {
        size_t j = (size_t)(srnn_rng_uniform(rng) * (double)i);
        size_t t = items[i - 1];
        items[i - 1] = items[j];
        items[j] = t;
    }
}

static bool identity_list(train_chunk_list *list, size_t count)
{
    list->count = count;
    list->owns_items = true;
    list->items = malloc((count ? count : 1) * sizeof *list->items);
    for (size_t i = 0; list->items && i < count; i++) list->items[i] = i;
    return list->items != NULL;
}

bool train_dataset_split(const train_dataset *ds, const train_dataset *val, size_t batch,
                         double val_frac, uint64_t seed, train_chunk_list *train_set,
                         train_chunk_list *val_set, char error[TRAIN_DATA_ERROR_MAX])
{
    memset(train_set, 0, sizeof *train_set);
    memset(val_set, 0, sizeof *val_set);
    srnn_rng rng;
    srnn_rng_seed(&rng, seed);
    size_t total = ds->chunk_count / batch * batch, val_count;
    if (!identity_list(train_set, ds->chunk_count) ||
        (val && !identity_list(val_set, val->chunk_count))) {
        snprintf(error, TRAIN_DATA_ERROR_MAX, "out of memory splitting the data");
        train_chunk_lists_free(train_set, val_set);
        return false;
    }
    shuffle(train_set->items, train_set->count, &rng);
    if (val) {
        train_set->count = total;
        val_set->count = val->chunk_count / batch * batch;
        shuffle(val_set->items, val->chunk_count, &rng);
    } else {
        val_count = (size_t)nearbyint((double)total * val_frac / (double)batch) * batch;
        if (val_count == 0) val_count = batch;
        val_count = val_count < total ? val_count : total;
        /* the validation chunks are the tail of the shuffled list, as in dataset.py */
        train_set->count = total - val_count;
        val_set->items = train_set->items + train_set->count;
        val_set->count = val_count;
    }
    if (train_set->count == 0 || val_set->count == 0) {
        snprintf(error, TRAIN_DATA_ERROR_MAX,
                 "%zu training and %zu validation chunks, but each set needs at least a batch "
                 "of %zu (more audio, or a smaller batch_size)",
                 train_set->count, val_set->count, batch);
        train_chunk_lists_free(train_set, val_set);
        return false;
    }
    return true;
}

void train_chunk_lists_free(train_chunk_list *train_set, train_chunk_list *val_set)
{
    if (val_set->owns_items) free(val_set->items);
    if (train_set->owns_items) free(train_set->items);
    memset(train_set, 0, sizeof *train_set);
    memset(val_set, 0, sizeof *val_set);
}

void train_epoch_order(const train_chunk_list *set, uint64_t seed, uint64_t epoch, size_t *order)
{
    srnn_rng rng;
    srnn_rng_seed(&rng, seed ^ (0x9e3779b97f4a7c15ull * (epoch + 1)));
    memcpy(order, set->items, set->count * sizeof *order);
    shuffle(order, set->count, &rng);
}

size_t train_subsequences(const train_dataset *ds, const srnn_config *config)
{
    return ds->chunk_length / config->seq_len;
}

void train_subsequence(const train_dataset *ds, const srnn_config *config, const size_t *ids,
                       size_t batch, size_t j, int32_t *out)
{
    size_t bf = config->big_frame_size, t = config->seq_len, width = bf + t;
    int32_t silence = srnn_quantise(config, 0.0f); /* pad_batch pads with zeros, then quantises */
    for (size_t b = 0; b < batch; b++) {
        const uint16_t *chunk = ds->samples + ds->chunks[ids[b]];
        int32_t *row = out + b * width;
        for (size_t k = 0; k < width; k++) {
            size_t position = j * t + k; /* in the padded chunk */
            row[k] = position < bf ? silence : chunk[position - bf];
        }
    }
}
