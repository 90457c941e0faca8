/* The MIDI client's process callback runs on JACK's real-time thread: it reads the port's
 * events and stores a temperature (an atomic store), nothing else. */
#include "player_midi.h"

#include <jack/jack.h>
#include <jack/midiport.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

struct player_midi {
    jack_client_t *client;
    jack_port_t *port;
    _Atomic(player *) player; /* NULL until attached */
    int cc;
    atomic_ulong changes;
};

double player_midi_temperature(int value) {
    return PLAYER_MIDI_MIN + (PLAYER_MIDI_MAX - PLAYER_MIDI_MIN) * value / 127.0;
}

static int process(jack_nframes_t frames, void *user) {
    player_midi *m = user;
    player *p = atomic_load_explicit(&m->player, memory_order_acquire);
    if (!p) return 0;
    void *buffer = jack_port_get_buffer(m->port, frames);
    uint32_t count = jack_midi_get_event_count(buffer);
    for (uint32_t i = 0; i < count; i++) {
        jack_midi_event_t event;
        if (jack_midi_event_get(&event, buffer, i) != 0 || event.size != 3) continue;
        int is_control_change = (event.buffer[0] & 0xf0) == 0xb0;
        if (!is_control_change || event.buffer[1] != m->cc) continue;
        player_set_temperature(p, (float)player_midi_temperature(event.buffer[2] & 0x7f));
        atomic_fetch_add_explicit(&m->changes, 1, memory_order_relaxed);
    }
    return 0;
}

player_midi *player_midi_open(int cc, char error[MIDI_ERROR_MAX]) {
    player_midi *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(error, MIDI_ERROR_MAX, "--midi-cc: out of memory");
        return NULL;
    }
    atomic_init(&m->player, NULL);
    m->cc = cc;
    jack_status_t status;
    m->client = jack_client_open("srnn-midi", JackNoStartServer, &status);
    if (!m->client) {
        snprintf(error, MIDI_ERROR_MAX,
                 "--midi-cc: no JACK server to take MIDI from (start one, or PipeWire's JACK)");
        free(m);
        return NULL;
    }
    m->port = jack_port_register(m->client, "control", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
    if (!m->port || jack_set_process_callback(m->client, process, m) != 0 ||
        jack_activate(m->client) != 0) {
        snprintf(error, MIDI_ERROR_MAX, "--midi-cc: cannot make the JACK MIDI port");
        jack_client_close(m->client);
        free(m);
        return NULL;
    }
    return m;
}

void player_midi_attach(player_midi *m, player *p) {
    atomic_store_explicit(&m->player, p, memory_order_release);
}

unsigned long player_midi_changes(player_midi *m) { return atomic_load(&m->changes); }

void player_midi_close(player_midi *m) {
    if (!m) return;
    jack_deactivate(m->client);
    jack_client_close(m->client);
    free(m);
}
