/* Training data as PRiSM prepares it (chunk_audio.py, dataset.py): every audio file under a
 * folder, mixed to mono and resampled to the model's rate, quantised, cut into overlapping
 * chunks with the silent ones left out; the chunks shuffled once with a fixed seed and split
 * into training and validation sets whose sizes are multiples of the batch size; each epoch
 * the training chunks in a new seeded order; each batch of chunks padded in front with a big
 * frame of silence and cut into subsequences of BF + T samples that overlap by BF. */
#ifndef TRAIN_DATASET_H
#define TRAIN_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srnn.h"

#define TRAIN_DATA_ERROR_MAX 1024
#define TRAIN_SILENCE_DB (-64.0) /* chunk_audio.py's silence_thresh, dBFS */

typedef struct {
    uint16_t *samples; /* every file's quantised samples, one after another */
    size_t sample_count;
    size_t *chunks; /* start of each kept chunk in samples */
    size_t chunk_count;
    size_t chunk_length;                      /* samples */
    size_t files;                             /* audio files read */
    size_t skipped_files;                     /* files libsndfile does not read */
    size_t silent_chunks;                     /* chunks left out as silent */
    size_t short_files;                       /* audio files shorter than a chunk */
    char first_skipped[TRAIN_DATA_ERROR_MAX]; /* why the first skipped file was skipped */
} train_dataset;

/* Reads every file under dir (recursively, in name order) that libsndfile reads and cuts it
 * into chunks of chunk_ms with overlap_ms (milliseconds, as chunk_audio.py). Returns false
 * with one line in error when dir cannot be read, holds no audio, or memory runs out. */
bool train_dataset_load(train_dataset *ds, const char *dir, const srnn_config *config,
                        double chunk_ms, double overlap_ms, char error[TRAIN_DATA_ERROR_MAX]);
void train_dataset_free(train_dataset *ds);

/* A list of chunks (indices into a dataset). */
typedef struct {
    size_t *items;
    size_t count;
    bool owns_items; /* false for a validation list that is the tail of the training one's */
} train_chunk_list;

/* PRiSM's get_dataset_filenames_split on the chunks: shuffled with seed, truncated to a
 * multiple of batch, the last round(count·val_frac / batch)·batch (at least one batch) for
 * validation. With a separate validation dataset (val not NULL), every chunk of ds trains and
 * every chunk of val validates, each truncated to a multiple of batch. false with error when
 * a set would be empty. */
bool train_dataset_split(const train_dataset *ds, const train_dataset *val, size_t batch,
                         double val_frac, uint64_t seed, train_chunk_list *train_set,
                         train_chunk_list *val_set, char error[TRAIN_DATA_ERROR_MAX]);

/* Frees the lists train_dataset_split made. */
void train_chunk_lists_free(train_chunk_list *train_set, train_chunk_list *val_set);

/* The order of the training chunks in an epoch: a permutation of set drawn from (seed, epoch). */
void train_epoch_order(const train_chunk_list *set, uint64_t seed, uint64_t epoch, size_t *order);

/* Subsequences per batch: whole seq_lens in a chunk (dataset.py's pad_batch). */
size_t train_subsequences(const train_dataset *ds, const srnn_config *config);

/* Subsequence j of the batch of chunks ids[0..batch): (batch, BF + T) samples, row b being
 * positions [j·T, j·T + BF + T) of chunk ids[b] behind BF samples of quantised silence. */
void train_subsequence(const train_dataset *ds, const srnn_config *config, const size_t *ids,
                       size_t batch, size_t j, int32_t *out);

#endif
