/* Temperature from a MIDI controller: a JACK client "srnn-midi" with one MIDI input port,
 * "srnn-midi:control", whose control change number cc (any channel) sets the temperature,
 * value 0 to 127 mapping linearly onto [PLAYER_MIDI_MIN, PLAYER_MIDI_MAX].
 *
 * JACK MIDI rather than the ALSA sequencer: it works wherever a JACK server runs, PipeWire's
 * JACK included, which exposes the ALSA hardware controllers as JACK MIDI ports; and it can be
 * driven headless in tests. */
#ifndef SRNN_PLAYER_MIDI_H
#define SRNN_PLAYER_MIDI_H

#include "player.h"

#define PLAYER_MIDI_MIN 0.05
#define PLAYER_MIDI_MAX 1.5
#define MIDI_ERROR_MAX 256

typedef struct player_midi player_midi;

/* Opens and activates the client and its port, listening for cc. Call it before PortAudio
 * starts (player_device_init): jackd 1.9.21 now and then never schedules a second client of a
 * process activated after PortAudio's own (seen in tests). NULL and error when there is no
 * JACK server or the client cannot be made. */
player_midi *player_midi_open(int cc, char error[MIDI_ERROR_MAX]);

/* From now on control changes set p's temperature. */
void player_midi_attach(player_midi *midi, player *p);

/* The number of control changes applied so far. */
unsigned long player_midi_changes(player_midi *midi);

void player_midi_close(player_midi *midi); /* NULL is a no-op */

/* The temperature a controller value (0..127) stands for. */
double player_midi_temperature(int value);

#endif
