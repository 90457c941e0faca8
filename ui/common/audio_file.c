/* Audio file reading and writing with libsndfile and libsamplerate.
 *
 * Files are opened with open(2) and handed to libsndfile by descriptor, so that a missing or
 * unreadable file is reported with errno's words rather than libsndfile's generic ones. */
#include "audio_file.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { READ_FRAMES = 4096, WRITE_BLOCK = 1024 };

/* libsndfile's messages end with a full stop; ours are embedded in a longer line. */
static void set_sf_error(char error[AUDIO_ERROR_MAX], const char *path, const char *what,
                         const char *detail) {
    int len = (int)strlen(detail);
    while (len > 0 && (detail[len - 1] == '.' || detail[len - 1] == '\n')) len--;
    snprintf(error, AUDIO_ERROR_MAX, "%s: %s (%.*s)", path, what, len, detail);
}

/* Appends the channel average of frames interleaved frames to *mono, growing it as needed. */
static int append_mono(float **mono, size_t *count, size_t *capacity, const float *frames,
                       size_t num_frames, int channels) {
    if (*count + num_frames > *capacity) {
        size_t capacity_new = *capacity ? *capacity * 2 : 65536;
        if (capacity_new < *count + num_frames) capacity_new = *count + num_frames;
        float *grown = realloc(*mono, capacity_new * sizeof **mono);
        if (!grown) return -1;
        *mono = grown;
        *capacity = capacity_new;
    }
    for (size_t i = 0; i < num_frames; i++) {
        double sum = 0.0;
        for (int c = 0; c < channels; c++) sum += frames[i * (size_t)channels + (size_t)c];
        (*mono)[*count + i] = (float)(sum / channels);
    }
    *count += num_frames;
    return 0;
}

/* Reads every frame of an open file as mono. */
static int read_all(SNDFILE *file, int channels, const char *path, float **samples,
                    size_t *count, char error[AUDIO_ERROR_MAX]) {
    float *block = malloc((size_t)READ_FRAMES * (size_t)channels * sizeof *block);
    float *mono = NULL;
    size_t num = 0, capacity = 0;
    if (!block) goto out_of_memory;
    for (;;) {
        sf_count_t got = sf_readf_float(file, block, READ_FRAMES);
        if (got <= 0) break;
        if (append_mono(&mono, &num, &capacity, block, (size_t)got, channels) != 0)
            goto out_of_memory;
    }
    free(block);
    if (sf_error(file) != SF_ERR_NO_ERROR) {
        set_sf_error(error, path, "cannot read the audio", sf_strerror(file));
        free(mono);
        return -1;
    }
    *samples = mono;
    *count = num;
    return 0;
out_of_memory:
    snprintf(error, AUDIO_ERROR_MAX, "%s: out of memory reading the audio", path);
    free(block);
    free(mono);
    return -1;
}

/* Replaces samples[0..count) at rate from by the same sound at rate to. */
static int resample(float **samples, size_t *count, int from, uint32_t to, const char *path,
                    char error[AUDIO_ERROR_MAX]) {
    double ratio = (double)to / from;
    if (!src_is_valid_ratio(ratio)) {
        snprintf(error, AUDIO_ERROR_MAX,
                 "%s: cannot resample from %d Hz to %u Hz (a ratio beyond 256)", path, from, to);
        return -1;
    }
    size_t capacity = (size_t)ceil((double)*count * ratio) + 1;
    float *out = malloc(capacity * sizeof *out);
    if (!out) {
        snprintf(error, AUDIO_ERROR_MAX, "%s: out of memory resampling the audio", path);
        return -1;
    }
    SRC_DATA data = {
        .data_in = *samples,
        .data_out = out,
        .input_frames = (long)*count,
        .output_frames = (long)capacity,
        .end_of_input = 1,
        .src_ratio = ratio,
    };
    int status = src_simple(&data, SRC_SINC_BEST_QUALITY, 1);
    if (status != 0 || data.output_frames_gen <= 0) {
        snprintf(error, AUDIO_ERROR_MAX, "%s: cannot resample from %d Hz to %u Hz (%s)", path,
                 from, to, status ? src_strerror(status) : "too short");
        free(out);
        return -1;
    }
    free(*samples);
    *samples = out;
    *count = (size_t)data.output_frames_gen;
    return 0;
}

int audio_read_mono(const char *path, uint32_t rate, float **samples, size_t *count,
                    char error[AUDIO_ERROR_MAX]) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(error, AUDIO_ERROR_MAX, "%s: %s", path, strerror(errno));
        return -1;
    }
    /* libsndfile would call both of these "format not recognised". */
    struct stat st;
    const char *problem = NULL;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) problem = "is a directory, not an audio file";
        else if (S_ISREG(st.st_mode) && st.st_size == 0) problem = "the file is empty";
    }
    if (problem) {
        snprintf(error, AUDIO_ERROR_MAX, "%s: %s", path, problem);
        close(fd);
        return -1;
    }
    SF_INFO info = {0};
    SNDFILE *file = sf_open_fd(fd, SFM_READ, &info, SF_FALSE);
    if (!file) {
        set_sf_error(error, path, "not an audio file libsndfile can read", sf_strerror(NULL));
        close(fd);
        return -1;
    }
    float *mono = NULL;
    size_t num = 0;
    int status = read_all(file, info.channels, path, &mono, &num, error);
    sf_close(file);
    close(fd);
    if (status != 0) return -1;
    if (num == 0) {
        snprintf(error, AUDIO_ERROR_MAX, "%s: holds no audio (0 frames)", path);
        free(mono);
        return -1;
    }
    if ((uint32_t)info.samplerate != rate &&
        resample(&mono, &num, info.samplerate, rate, path, error) != 0) {
        free(mono);
        return -1;
    }
    *samples = mono;
    *count = num;
    return 0;
}

struct audio_writer {
    SNDFILE *file;
    int fd;
    char *path; /* for error lines */
};

audio_writer *audio_writer_open(const char *path, uint32_t rate, char error[AUDIO_ERROR_MAX]) {
    audio_writer *writer = calloc(1, sizeof *writer);
    char *path_copy = strdup(path);
    if (!writer || !path_copy) {
        snprintf(error, AUDIO_ERROR_MAX, "%s: out of memory", path);
        free(writer);
        free(path_copy);
        return NULL;
    }
    writer->path = path_copy;
    writer->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (writer->fd < 0) {
        snprintf(error, AUDIO_ERROR_MAX, "%s: cannot create: %s", path, strerror(errno));
        free(writer->path);
        free(writer);
        return NULL;
    }
    SF_INFO info = {
        .samplerate = (int)rate,
        .channels = 1,
        .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16,
    };
    writer->file = sf_open_fd(writer->fd, SFM_WRITE, &info, SF_FALSE);
    if (!writer->file) {
        set_sf_error(error, path, "cannot write a wav file", sf_strerror(NULL));
        close(writer->fd);
        free(writer->path);
        free(writer);
        return NULL;
    }
    return writer;
}

int audio_writer_write(audio_writer *writer, const float *samples, size_t count,
                       char error[AUDIO_ERROR_MAX]) {
    float block[WRITE_BLOCK];
    while (count > 0) {
        size_t n = count < WRITE_BLOCK ? count : WRITE_BLOCK;
        for (size_t i = 0; i < n; i++) {
            float x = samples[i];
            block[i] = x > 1.0f ? 1.0f : x < -1.0f ? -1.0f : x == x ? x : 0.0f;
        }
        if (sf_writef_float(writer->file, block, (sf_count_t)n) != (sf_count_t)n) {
            set_sf_error(error, writer->path, "cannot write", sf_strerror(writer->file));
            return -1;
        }
        samples += n;
        count -= n;
    }
    return 0;
}

int audio_writer_close(audio_writer *writer, char error[AUDIO_ERROR_MAX]) {
    int status = 0;
    int sf_status = sf_close(writer->file);
    if (sf_status != 0) {
        set_sf_error(error, writer->path, "cannot finish the file", sf_error_number(sf_status));
        status = -1;
    }
    if (close(writer->fd) != 0 && status == 0) {
        snprintf(error, AUDIO_ERROR_MAX, "%s: cannot finish the file: %s", writer->path,
                 strerror(errno));
        status = -1;
    }
    free(writer->path);
    free(writer);
    return status;
}
