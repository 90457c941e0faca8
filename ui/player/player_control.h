/* srnn play's control thread: reads the keys, loads and hands over models, starts and stops
 * recordings, frees what the callback has let go, and draws the status line. */
#ifndef SRNN_PLAYER_CONTROL_H
#define SRNN_PLAYER_CONTROL_H

#include <portaudio.h>
#include <stdint.h>

#include "player.h"
#include "player_midi.h"
#include "player_playlist.h"
#include "player_recorder.h"
#include "tui_term.h"

typedef struct {
    player *player;              /* playing on stream */
    PaStream *stream;
    const player_playlist *playlist;
    size_t position;             /* the playlist entry asked for last */
    uint64_t seed;               /* of the voices made from now on */
    double seconds;              /* stop after this much audio; 0: when asked to */
    const char *record_dir;
    player_midi *midi;           /* or NULL */
    const player_engine *engine; /* how models load and run */
    double *realtime;            /* per playlist entry: its real-time factor, 0 until loaded */

    /* set by player_control_run */
    tui_term term;
    int keys;                    /* reading keys from stdin */
    int draw;                    /* drawing the status line on stdout */
    player_recorder *recorder;   /* or NULL */
    char record_path[1024];
    char message[512];
    double message_until;        /* seconds on the monotonic clock */
    double peak_load;            /* over the whole run */
    double window_peak;          /* over the last second */
    double window_start;
    uint64_t last_frames, last_busy_ns;
    double shown_load;
    int switches;
} player_control;

/* Keeps the real-time factor of slot, just made, for the status line; when the model cannot
 * play live here, says so and what would help in one line on stderr. */
void player_control_note_speed(player_control *control, const player_slot *slot);

/* Runs until q, a signal, the time limit or the stream's end; returns the exit code. Prints a
 * summary line on stderr at the end. */
int player_control_run(player_control *control);

#endif
