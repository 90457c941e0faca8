/* The audio device side of srnn play, through PortAudio: finding an output device by name or
 * number, listing them, and opening a stream that runs the player's callback. */
#ifndef SRNN_PLAYER_DEVICE_H
#define SRNN_PLAYER_DEVICE_H

#include <portaudio.h>
#include <stdio.h>

#include "player.h"

#define DEVICE_ERROR_MAX 512

/* Starts PortAudio with the diagnostics its host libraries (ALSA, JACK) print on stderr
 * silenced: probing for devices that are absent is normal, and the terminal is ours. 0, or -1
 * and error. */
int player_device_init(char error[DEVICE_ERROR_MAX]);
void player_device_terminate(void);

/* Writes one line per output device: number, name, host API, channels, default rate; the
 * default device is marked. Returns the number listed. */
int player_device_list(FILE *out);

/* The output device spec names: NULL for the default, a number, an exact name, or a part of
 * one name. -1 and error when there is none (with no device at all, error says so and
 * *no_device is set) or the name is ambiguous. */
PaDeviceIndex player_device_find(const char *spec, int *no_device,
                                 char error[DEVICE_ERROR_MAX]);

/* Opens and starts an output stream of p->channels float channels at p->rate on device with
 * buffer frames per callback (0: the host's choice), running player_callback on p. NULL and
 * error on failure. */
PaStream *player_device_start(PaDeviceIndex device, unsigned long buffer, player *p,
                              char error[DEVICE_ERROR_MAX]);

/* Stops and closes the stream: the callback has returned for good when this returns. A stream
 * whose host died (a JACK server shut down) is no longer active, and stopping it would make
 * PortAudio wait minutes for a callback that never comes: it is left open and 0 is returned;
 * then PortAudio must not be terminated either. 1 when the stream was closed. */
int player_device_stop(PaStream *stream);

#endif
