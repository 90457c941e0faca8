/* Audio files for the tools: read anything libsndfile reads as mono at the model's rate, write
 * 16-bit PCM mono wav. Errors are one line naming the file, in a buffer of AUDIO_ERROR_MAX. */
#ifndef SRNN_AUDIO_FILE_H
#define SRNN_AUDIO_FILE_H

#include <stddef.h>
#include <stdint.h>

#define AUDIO_ERROR_MAX 512

/* Reads path, averages its channels and resamples to rate (when the file's rate differs) with
 * libsamplerate's best sinc converter. On success *samples is a malloc'd array of *count > 0
 * values and the result is 0; on failure it is -1 and error holds the line. */
int audio_read_mono(const char *path, uint32_t rate, float **samples, size_t *count,
                    char error[AUDIO_ERROR_MAX]);

typedef struct audio_writer audio_writer;

/* Creates (or truncates) path as a 16-bit PCM mono wav at rate Hz; NULL and error on failure. */
audio_writer *audio_writer_open(const char *path, uint32_t rate, char error[AUDIO_ERROR_MAX]);

/* Appends samples, clipped to [-1, 1] (NaN becomes silence). 0, or -1 and error. */
int audio_writer_write(audio_writer *writer, const float *samples, size_t count,
                       char error[AUDIO_ERROR_MAX]);

/* Finishes the file (its header holds the length) and frees the writer, also on failure.
 * 0, or -1 and error. */
int audio_writer_close(audio_writer *writer, char error[AUDIO_ERROR_MAX]);

#endif
