/* The control loop wakes for a key or every POLL_MS, and does all the work that may allocate,
 * block or print: the audio callback only reads the requests it leaves in the player. */
#include "player_control.h"

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"
#include "srnn.h"
#include "tui_status.h"

enum { POLL_MS = 50 };
#define REDRAW_SECONDS 0.1
#define MESSAGE_SECONDS 6.0
#define TEMPERATURE_STEP 0.05
#define TEMPERATURE_MIN 0.05

static volatile sig_atomic_t interrupted;

static void on_signal(int signal_number) {
    (void)signal_number;
    interrupted = 1;
}

static void catch_signals(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal; /* no SA_RESTART: poll returns at once */
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
}

static void show_message(player_control *c, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
static void show_message(player_control *c, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(c->message, sizeof c->message, format, args);
    va_end(args);
    c->message_until = progress_now() + MESSAGE_SECONDS;
}

static const char *const help_lines[] = {
    "keys: up/down  temperature -/+ 0.05",
    "      left/right  previous/next model",
    "      r  reseed (start again from silence with a new seed)",
    "      space  pause/resume",
    "      R  start/stop recording to a wav",
    "      q  quit    ?  this help",
};

static void print_help(player_control *c) {
    if (!c->draw) return;
    tui_status_clear(stdout);
    for (size_t i = 0; i < sizeof help_lines / sizeof help_lines[0]; i++)
        printf("%s\n", help_lines[i]);
}

static void change_temperature(player_control *c, double delta) {
    double t = round((player_temperature(c->player) + delta) * 100.0) / 100.0;
    t = fmin(SRNN_MAX_TEMPERATURE, fmax(TEMPERATURE_MIN, t));
    player_set_temperature(c->player, (float)t);
}

void player_control_note_speed(player_control *c, const player_slot *slot) {
    c->realtime[slot->tag] = slot->realtime_factor;
    char advice[SRNN_ERROR_MAX];
    if (!srnn_speed_advice(slot->realtime_factor, srnn_model_precision(slot->model),
                           c->engine->threads, srnn_cores(), advice))
        return;
    if (c->draw) tui_status_clear(stdout); /* the line goes above the status line */
    cli_error("play: %s %s", player_playlist_name(c->playlist, (size_t)slot->tag), advice);
}

/* Loads playlist entry position and hands it to the callback; on failure the error goes on the
 * status line and the playing model plays on. */
static void switch_model(player_control *c, size_t position) {
    c->position = position;
    char error[PLAYER_SLOT_ERROR_MAX];
    player_slot *slot = player_slot_create(c->playlist->paths[position], c->engine,
                                           c->player->rate, c->seed, (int)position,
                                           player_temperature(c->player), error);
    if (!slot) {
        show_message(c, "error: %s", error);
        return;
    }
    player_control_note_speed(c, slot);
    player_slot_free(player_submit(c->player, slot)); /* one the callback never took */
    c->switches++;
    c->message[0] = '\0';
}

/* A file name in the record folder that does not exist yet: srnn-DATE-TIME[-N].wav. */
static int choose_record_path(player_control *c) {
    char stamp[32];
    time_t now = time(NULL);
    struct tm local;
    localtime_r(&now, &local);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
    for (int n = 1; n < 1000; n++) {
        int length = n == 1 ? snprintf(c->record_path, sizeof c->record_path, "%s/srnn-%s.wav",
                                       c->record_dir, stamp)
                            : snprintf(c->record_path, sizeof c->record_path,
                                       "%s/srnn-%s-%d.wav", c->record_dir, stamp, n);
        if (length >= (int)sizeof c->record_path) return -1;
        if (access(c->record_path, F_OK) != 0) return 0;
    }
    return -1;
}

static void stop_recording(player_control *c) {
    char error[AUDIO_ERROR_MAX];
    double seconds = player_recorder_seconds(c->recorder);
    if (player_recorder_stop(c->recorder, 1, error) != 0) show_message(c, "error: %s", error);
    else show_message(c, "recorded %s (%.1f s)", c->record_path, seconds);
    c->recorder = NULL;
}

static void toggle_recording(player_control *c) {
    if (c->recorder) {
        stop_recording(c);
        return;
    }
    if (choose_record_path(c) != 0) {
        show_message(c, "error: no free file name for a recording in %s", c->record_dir);
        return;
    }
    char error[AUDIO_ERROR_MAX];
    c->recorder = player_recorder_start(c->player, c->record_path, error);
    if (!c->recorder) show_message(c, "error: %s", error);
}

/* Acts on one key; returns 1 to quit. */
static int handle_key(player_control *c, int key) {
    size_t count = c->playlist->count;
    switch (key) {
    case TUI_KEY_UP: change_temperature(c, TEMPERATURE_STEP); break;
    case TUI_KEY_DOWN: change_temperature(c, -TEMPERATURE_STEP); break;
    case TUI_KEY_LEFT: switch_model(c, (c->position + count - 1) % count); break;
    case TUI_KEY_RIGHT: switch_model(c, (c->position + 1) % count); break;
    case 'r':
        c->seed++;
        player_reseed(c->player, c->seed);
        show_message(c, "reseeded with seed %llu", (unsigned long long)c->seed);
        break;
    case ' ': player_set_paused(c->player, !atomic_load(&c->player->paused)); break;
    case 'R': toggle_recording(c); break;
    case '?': print_help(c); break;
    case 'q': return 1;
    default: break;
    }
    return 0;
}

static int terminal_width(void) {
    struct winsize size;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 80;
}

/* Turns the callback's counters into this window's mean and peak load. */
static void measure_load(player_control *c, double now) {
    player *p = c->player;
    uint64_t frames = atomic_load(&p->frames), busy = atomic_load(&p->busy_ns);
    double peak = (double)atomic_exchange(&p->peak_load_ppm, 0) / 1e6;
    if (frames > c->last_frames) {
        double audio_ns = (double)(frames - c->last_frames) * 1e9 / p->rate;
        c->shown_load = (double)(busy - c->last_busy_ns) / audio_ns;
        c->last_frames = frames;
        c->last_busy_ns = busy;
    }
    if (now - c->window_start >= 1.0) {
        c->window_start = now;
        c->window_peak = 0.0;
    }
    c->window_peak = fmax(c->window_peak, peak);
    c->peak_load = fmax(c->peak_load, peak);
}

static void draw_status(player_control *c, double now) {
    player *p = c->player;
    int tag = atomic_load(&p->playing_tag);
    tui_status status = {
        .model = tag >= 0 ? player_playlist_name(c->playlist, (size_t)tag) : NULL,
        .realtime = tag >= 0 ? c->realtime[tag] : 0.0,
        .temperature = player_temperature(p),
        .paused = atomic_load(&p->paused),
        .load = c->shown_load,
        .peak_load = c->window_peak,
        .xruns = atomic_load(&p->xruns),
        .elapsed = (double)atomic_load(&p->frames) / p->rate,
        .recording = c->recorder ? c->record_path : NULL,
        .recorded = c->recorder ? player_recorder_seconds(c->recorder) : 0.0,
        .message = now < c->message_until ? c->message : NULL,
    };
    char line[1024];
    tui_status_format(line, sizeof line, terminal_width() - 1, &status);
    tui_status_draw(stdout, line);
}

int player_control_run(player_control *c) {
    catch_signals();
    c->keys = tui_term_raw(&c->term, STDIN_FILENO) == 0;
    c->draw = isatty(STDOUT_FILENO);
    if (c->keys && c->draw) printf("srnn play: ? for the keys, q to quit\n");
    double next_draw = 0.0;
    c->window_start = progress_now();
    int status = CLI_EXIT_OK;
    int quit = 0;
    while (!quit && !interrupted) {
        int key = TUI_KEY_NONE;
        if (c->keys) {
            key = tui_term_key(&c->term, POLL_MS);
        } else {
            struct timespec pause = {0, POLL_MS * 1000000L};
            nanosleep(&pause, NULL);
        }
        if (key != TUI_KEY_NONE) {
            quit = handle_key(c, key);
            next_draw = 0.0;
        }
        player_slot_free(player_take_retired(c->player));
        char error[AUDIO_ERROR_MAX];
        if (c->recorder && player_recorder_failed(c->recorder, error)) {
            stop_recording(c);
            show_message(c, "error: %s", error);
        }
        if (Pa_IsStreamActive(c->stream) != 1) {
            if (c->draw) tui_status_clear(stdout);
            cli_error("play: the audio device stopped playing (was its server shut down?)");
            status = CLI_EXIT_ERROR;
            break;
        }
        double now = progress_now();
        measure_load(c, now);
        if (c->seconds > 0 &&
            (double)atomic_load(&c->player->frames) >= c->seconds * c->player->rate)
            quit = 1;
        if (c->draw && now >= next_draw) {
            draw_status(c, now);
            next_draw = now + REDRAW_SECONDS;
        }
    }
    if (c->recorder) stop_recording(c);
    if (c->draw) {
        draw_status(c, progress_now()); /* the last state stays on screen */
        printf("\n");
    }
    tui_term_restore(&c->term);
    player *p = c->player;
    fprintf(stderr,
            "played %.1f s at %u Hz, temperature %.2f: %llu xruns, callback load peak %.0f%%, "
            "%d model switches",
            (double)atomic_load(&p->frames) / p->rate, p->rate, player_temperature(p),
            (unsigned long long)atomic_load(&p->xruns), 100.0 * c->peak_load, c->switches);
    if (c->midi) fprintf(stderr, ", %lu MIDI control changes", player_midi_changes(c->midi));
    fputc('\n', stderr);
    return status;
}
