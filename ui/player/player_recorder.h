/* Recording what the player plays: a thread that drains the player's ring into a wav file
 * (16-bit mono at the device rate). The audio callback only fills the ring; the file is opened,
 * written and closed here, off the audio thread. */
#ifndef SRNN_PLAYER_RECORDER_H
#define SRNN_PLAYER_RECORDER_H

#include "audio_file.h"
#include "player.h"

typedef struct player_recorder player_recorder;

/* Creates path and starts the writer thread, then asks the callback to record. NULL and one
 * line in error when the file or the thread cannot be made. */
player_recorder *player_recorder_start(player *p, const char *path,
                                       char error[AUDIO_ERROR_MAX]);

/* Seconds of audio written so far. */
double player_recorder_seconds(player_recorder *recorder);

/* 1 once writing has failed (the thread stops; error tells why), else 0. */
int player_recorder_failed(player_recorder *recorder, char error[AUDIO_ERROR_MAX]);

/* Asks the callback to stop recording, waits (briefly: a few buffers) for it to have done so
 * unless stream_running is 0, writes what is left, closes the file and frees the recorder.
 * 0, or -1 and error when the file could not be written or finished. */
int player_recorder_stop(player_recorder *recorder, int stream_running,
                         char error[AUDIO_ERROR_MAX]);

#endif
