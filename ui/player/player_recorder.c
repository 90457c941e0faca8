/* The writer thread wakes every few milliseconds (no signal from the callback, which must not
 * touch a condition variable) and writes what the ring holds. */
#include "player_recorder.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { WRITE_FRAMES = 4096 };
#define POLL_SECONDS 0.01
#define STOP_WAIT_SECONDS 2.0 /* for the callback to see the stop: many buffers' time */

struct player_recorder {
    player *player;
    audio_writer *writer;
    pthread_t thread;
    atomic_int stopping;
    atomic_int failed;
    _Atomic uint64_t frames_written;
    char error[AUDIO_ERROR_MAX]; /* set by the thread before failed */
    float block[WRITE_FRAMES];
};

static void sleep_seconds(double seconds) {
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Writes everything the ring holds now. 0, or -1 after recording the error. */
static int drain(player_recorder *r) {
    size_t got;
    while ((got = player_ring_read(&r->player->record_ring, r->block, WRITE_FRAMES)) > 0) {
        if (audio_writer_write(r->writer, r->block, got, r->error) != 0) {
            atomic_store(&r->failed, 1);
            return -1;
        }
        atomic_fetch_add(&r->frames_written, got);
    }
    return 0;
}

static void *writer_thread(void *user) {
    player_recorder *r = user;
    while (!atomic_load(&r->stopping)) {
        if (drain(r) != 0) return NULL;
        sleep_seconds(POLL_SECONDS);
    }
    drain(r);
    return NULL;
}

player_recorder *player_recorder_start(player *p, const char *path,
                                       char error[AUDIO_ERROR_MAX]) {
    player_recorder *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(error, AUDIO_ERROR_MAX, "%s: out of memory", path);
        return NULL;
    }
    r->player = p;
    r->writer = audio_writer_open(path, p->rate, error);
    if (!r->writer) {
        free(r);
        return NULL;
    }
    /* Whatever a previous recording left unread is not this one's. */
    float discard[256];
    while (player_ring_read(&p->record_ring, discard, 256) > 0) {
    }
    int status = pthread_create(&r->thread, NULL, writer_thread, r);
    if (status != 0) {
        snprintf(error, AUDIO_ERROR_MAX, "%s: cannot start the writer thread: %s", path,
                 strerror(status));
        char close_error[AUDIO_ERROR_MAX];
        audio_writer_close(r->writer, close_error);
        free(r);
        return NULL;
    }
    player_set_recording(p, 1);
    return r;
}

double player_recorder_seconds(player_recorder *r) {
    return (double)atomic_load(&r->frames_written) / r->player->rate;
}

int player_recorder_failed(player_recorder *r, char error[AUDIO_ERROR_MAX]) {
    if (!atomic_load(&r->failed)) return 0;
    memcpy(error, r->error, AUDIO_ERROR_MAX);
    return 1;
}

int player_recorder_stop(player_recorder *r, int stream_running, char error[AUDIO_ERROR_MAX]) {
    player_set_recording(r->player, 0);
    for (double waited = 0.0;
         stream_running && player_recording_seen(r->player) && waited < STOP_WAIT_SECONDS;
         waited += POLL_SECONDS)
        sleep_seconds(POLL_SECONDS);
    atomic_store(&r->stopping, 1);
    pthread_join(r->thread, NULL);
    int status = 0;
    if (atomic_load(&r->failed)) {
        memcpy(error, r->error, AUDIO_ERROR_MAX);
        status = -1;
    }
    char close_error[AUDIO_ERROR_MAX];
    if (audio_writer_close(r->writer, close_error) != 0 && status == 0) {
        memcpy(error, close_error, AUDIO_ERROR_MAX);
        status = -1;
    }
    free(r);
    return status;
}
