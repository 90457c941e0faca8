/* srnn play: plays models live on an audio device through PortAudio. This file reads the
 * options and sets up and tears down; player_control.c runs the session, player.c the audio
 * callback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "player.h"
#include "player_control.h"
#include "player_device.h"
#include "player_memory.h"
#include "player_midi.h"
#include "player_playlist.h"
#include "srnn.h"

/* Exit code when there is no audio device at all (play.sh then renders instead). */
enum { EXIT_NO_DEVICE = 3 };

/* What plays when no model is given: the one `make install` puts in its DATADIR, which the
 * Makefile passes as SRNN_DATADIR. */
#ifndef SRNN_DATADIR
#define SRNN_DATADIR "/usr/local/share"
#endif
#define DEFAULT_MODEL SRNN_DATADIR "/srnn/default.srnn"

#define MAX_SECONDS 86400.0
#define MIN_RATE 1000
#define MAX_RATE 768000
#define MIN_BUFFER 16
#define MAX_BUFFER 16384
#define RECORD_RING_SECONDS 10.0 /* the writer thread may fall this far behind */

typedef struct {
    const char *const *models;
    size_t num_models;
    const char *device;
    uint64_t rate;      /* 0: the device's */
    uint64_t buffer;    /* 0: the host's choice */
    double temperature;
    uint64_t seed;
    double seconds;     /* 0: until q */
    int midi_cc;        /* -1: none */
    const char *record_dir;
    player_engine engine;
} play_args;

static int parse_args(int argc, char **argv, play_args *a, const char **positional) {
    cli_option options[] = {
        {"--device", NULL, NULL},  {"--rate", NULL, NULL},    {"--buffer", NULL, NULL},
        {"--temperature", NULL, NULL}, {"--seed", NULL, NULL}, {"--seconds", NULL, NULL},
        {"--midi-cc", NULL, NULL}, {"--record-dir", NULL, NULL}, {"--threads", NULL, NULL},
        {"--precision", NULL, NULL},
    };
    enum { DEVICE, RATE, BUFFER, TEMPERATURE, SEED, SECONDS, MIDI_CC, RECORD_DIR, THREADS,
           PRECISION, NUM_OPTIONS };
    int count = cli_parse(argc, argv, options, NUM_OPTIONS, positional, 0, argc,
                          "[MODEL|FOLDER...]");
    if (count < 0) return -1;
    if (count == 0) {
        if (access(DEFAULT_MODEL, F_OK) != 0) {
            cli_error("play: no MODEL given and no default model at %s (usage: srnn play "
                      "[MODEL|FOLDER...])", DEFAULT_MODEL);
            return -1;
        }
        positional[count++] = DEFAULT_MODEL;
    }
    *a = (play_args){positional, (size_t)count, options[DEVICE].value, 0, 0, SRNN_DEFAULT_TEMPERATURE, 0, 0.0, -1,
                     options[RECORD_DIR].value ? options[RECORD_DIR].value : ".",
                     {{0}, 1}};
    uint64_t threads = 1;
    if (options[THREADS].value && cli_parse_u64_range("--threads", options[THREADS].value, 1,
                                                      SRNN_MAX_THREADS, &threads))
        return -1;
    a->engine.threads = (unsigned)threads;
    if (options[PRECISION].value &&
        cli_parse_precision("play", options[PRECISION].value, &a->engine.load.precision,
                            &a->engine.load.sample_precision))
        return -1;
    if (options[RATE].value &&
        cli_parse_u64_range("--rate", options[RATE].value, MIN_RATE, MAX_RATE, &a->rate))
        return -1;
    if (options[BUFFER].value &&
        cli_parse_u64_range("--buffer", options[BUFFER].value, MIN_BUFFER, MAX_BUFFER, &a->buffer))
        return -1;
    if (options[TEMPERATURE].value &&
        cli_parse_positive("--temperature", options[TEMPERATURE].value, SRNN_MAX_TEMPERATURE, NULL,
                           &a->temperature))
        return -1;
    if (options[SEED].value && cli_parse_u64("--seed", options[SEED].value, &a->seed) != 0)
        return -1;
    if (options[SECONDS].value && cli_parse_positive("--seconds", options[SECONDS].value,
                                                     MAX_SECONDS, " (24 hours)", &a->seconds))
        return -1;
    if (options[MIDI_CC].value) {
        uint64_t cc;
        if (cli_parse_u64_range("--midi-cc", options[MIDI_CC].value, 0, 127, &cc)) return -1;
        a->midi_cc = (int)cc;
    }
    return 0;
}

/* srnn play --list-devices: the only argument when given. */
static int list_devices(int argc, char **argv) {
    if (argc != 2) {
        cli_error("play: --list-devices takes no other arguments");
        return CLI_EXIT_USAGE;
    }
    (void)argv;
    char error[DEVICE_ERROR_MAX];
    if (player_device_init(error) != 0) {
        cli_error("play: %s", error);
        return CLI_EXIT_ERROR;
    }
    int listed = player_device_list(stdout);
    player_device_terminate();
    if (listed == 0) {
        cli_error("play: no audio output device found");
        return EXIT_NO_DEVICE;
    }
    return CLI_EXIT_OK;
}

static int has_list_devices(int argc, char **argv) {
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--list-devices") == 0) return 1;
    return 0;
}

/* Everything set up before the session, torn down in reverse order by play_cleanup. */
typedef struct {
    player_playlist playlist;
    int pa_started;
    int player_ready;
    player player;
    PaStream *stream;
    player_midi *midi;
    double *realtime; /* per playlist entry (player_control) */
} play_setup;

static void play_cleanup(play_setup *s) {
    player_midi_close(s->midi);
    /* The callback is over after this, or was already (its host died, the stream is left). */
    int closed = !s->stream || player_device_stop(s->stream);
    if (s->player_ready) player_destroy(&s->player);
    if (s->pa_started && closed) player_device_terminate();
    player_playlist_free(&s->playlist);
    free(s->realtime);
}

static int play(const play_args *a, play_setup *s) {
    char error[PLAYLIST_ERROR_MAX > DEVICE_ERROR_MAX ? PLAYLIST_ERROR_MAX : DEVICE_ERROR_MAX];
    if (player_playlist_build(&s->playlist, a->models, a->num_models, error) != 0) {
        cli_error("play: %s", error);
        return CLI_EXIT_ERROR;
    }
    if (a->midi_cc >= 0) { /* before PortAudio: see player_midi_open */
        char midi_error[MIDI_ERROR_MAX];
        s->midi = player_midi_open(a->midi_cc, midi_error);
        if (!s->midi) {
            cli_error("%s", midi_error);
            return CLI_EXIT_ERROR;
        }
    }
    if (player_device_init(error) != 0) {
        cli_error("play: %s", error);
        return CLI_EXIT_ERROR;
    }
    s->pa_started = 1;
    int no_device = 0;
    PaDeviceIndex device = player_device_find(a->device, &no_device, error);
    if (device < 0) {
        if (no_device) {
            /* A broken model is the more useful thing to hear about. */
            srnn_model *model = cli_load_model(s->playlist.paths[0]);
            if (!model) return CLI_EXIT_ERROR;
            srnn_model_free(model);
            cli_error("play: no audio output device found; render to a file instead: "
                      "srnn render %s -o out.wav --seconds 10",
                      s->playlist.paths[0]);
            return EXIT_NO_DEVICE;
        }
        cli_error("play: %s", error);
        return CLI_EXIT_USAGE;
    }
    char memory_note[MEMORY_NOTE_MAX];
    if (player_memory_lock(memory_note) != 0) cli_error("play: note: %s", memory_note);
    const PaDeviceInfo *info = Pa_GetDeviceInfo(device);
    uint32_t rate = a->rate ? (uint32_t)a->rate : (uint32_t)(info->defaultSampleRate + 0.5);
    int channels = info->maxOutputChannels < 2 ? info->maxOutputChannels : 2;
    if (player_init(&s->player, rate, channels, (float)a->temperature, RECORD_RING_SECONDS) !=
        0) {
        player_destroy(&s->player);
        cli_error("play: out of memory");
        return CLI_EXIT_ERROR;
    }
    s->player_ready = 1;

    s->realtime = calloc(s->playlist.count, sizeof *s->realtime);
    if (!s->realtime) {
        cli_error("play: out of memory");
        return CLI_EXIT_ERROR;
    }
    player_control control = {
        .player = &s->player,
        .playlist = &s->playlist,
        .seed = a->seed,
        .seconds = a->seconds,
        .record_dir = a->record_dir,
        .midi = s->midi,
        .engine = &a->engine,
        .realtime = s->realtime,
    };
    char slot_error[PLAYER_SLOT_ERROR_MAX];
    player_slot *first = player_slot_create(s->playlist.paths[0], &a->engine, rate, a->seed, 0,
                                            (float)a->temperature, slot_error);
    if (!first) {
        cli_error("%s", slot_error);
        return CLI_EXIT_ERROR;
    }
    player_control_note_speed(&control, first);
    player_submit(&s->player, first);

    if (s->midi) player_midi_attach(s->midi, &s->player);
    s->stream = player_device_start(device, (unsigned long)a->buffer, &s->player, error);
    if (!s->stream) {
        cli_error("play: %s", error);
        return CLI_EXIT_ERROR;
    }
    control.stream = s->stream;
    return player_control_run(&control);
}

static int play_run(int argc, char **argv) {
    if (has_list_devices(argc, argv)) return list_devices(argc, argv);
    const char **positional = calloc((size_t)argc, sizeof *positional);
    if (!positional) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    play_args a;
    int status = CLI_EXIT_USAGE;
    if (parse_args(argc, argv, &a, positional) == 0) {
        play_setup setup = {0};
        status = play(&a, &setup);
        play_cleanup(&setup);
    }
    free(positional);
    return status;
}

const cli_command cmd_play = {
    "play",
    "play models live on an audio device, with keys to steer them",
    "usage: srnn play [MODEL|FOLDER...] [options]\n"
    "       srnn play --list-devices\n"
    "\n"
    "Plays the first model on the default audio output (PortAudio: ALSA, or JACK and\n"
    "PipeWire's JACK when a server runs), resampled to the device's rate. A FOLDER stands for\n"
    "its .srnn files in name order. With no MODEL it plays the default model, which make\n"
    "install puts in " DEFAULT_MODEL ".\n"
    "In a terminal the keys steer it and one status line shows the model and its real-time\n"
    "factor here (rt: measured for a quarter second of CPU time as it loads), temperature,\n"
    "callback CPU load, xruns, time played and recording:\n"
    "\n"
    "  up/down     temperature -/+ 0.05      left/right  previous/next model (crossfade)\n"
    "  r           reseed                    space       pause/resume\n"
    "  R           start/stop recording      q           quit        ? the keys\n"
    "\n"
    "A model that fails to load shows its error on the status line; the playing one plays on.\n"
    "A model too slow to play live here (rt below 1) gets one line on stderr saying so and\n"
    "what would help.\n"
    "Recordings are 16-bit mono wav at the device's rate, named srnn-DATE-TIME.wav.\n"
    "\n"
    "  --device NAME|N     output device by number or (part of its) name (see --list-devices)\n"
    "  --list-devices      list the output devices; * marks the default\n"
    "  --rate HZ           device sample rate (default: the device's)\n"
    "  --buffer FRAMES     frames per callback, 16 to 16384 (default: the host's choice)\n"
    "  --temperature T     sampling temperature, > 0 and at most 1000 (default 0.95)\n"
    "  --seed N            random seed (default 0); r adds one\n"
    "  --seconds S         stop after S seconds of audio (default: play until q)\n"
    "  --midi-cc N         set the temperature from MIDI control change N (0-127) on the JACK\n"
    "                      MIDI port srnn-midi:control: values 0-127 span 0.05 to 1.5\n"
    "  --record-dir DIR    where R writes recordings (default: the current folder)\n"
    "  --threads N         threads per voice, 1 to 8 (default 1): the callback shares the\n"
    "                      large matrix products with N-1 helper threads, never waiting\n"
    "  --precision P|P/S   compute at this precision (float32, float16, bfloat16, int8, int4;\n"
    "                      P/S: the frame tiers' and the sample MLP's; default the file's)\n"
    "\n"
    "On exit a summary line goes to stderr. Exit status: 0 played, 1 error, 2 bad usage,\n"
    "3 no audio output device (then use srnn render to write a wav instead).\n",
    play_run,
};
