/* What run() posts for the plugin's GUI (ui/lv2gui/): every SRNN_LV2_FEED_HZ-th of a second of
 * output, one atom object on the notify port with, per channel, the lowest and highest sample
 * and the RMS of that stretch. The GUI draws its level meter and its scrolling waveform from
 * them; a host without the GUI ignores them. A few floats per frame: no allocation, no lock,
 * no system call. */
#ifndef SRNN_LV2_UI_FEED_H
#define SRNN_LV2_UI_FEED_H

#include <stdint.h>

#include <lv2/atom/forge.h>
#include <lv2/urid/urid.h>

/* The object's type, and its key: an atom:Vector of atom:Float holding, per channel,
 * min, max and RMS (SRNN_LV2_FEED_VALUES floats). The MIDI instrument's frames add a second
 * key, its voices: an atom:Vector of atom:Float holding, per voice, the MIDI note it plays
 * (-1 when idle) and its level now (envelope times velocity, 0 to 1). */
#define SRNN_LV2_LEVELS_URI "urn:srnn:lv2:levels"
#define SRNN_LV2_LEVELS_VALUE_URI "urn:srnn:lv2:levels-value"
#define SRNN_LV2_VOICES_VALUE_URI "urn:srnn:lv2:voices-value"
#define SRNN_LV2_VOICE_VALUES 2
#define SRNN_LV2_FEED_VALUES 3
#define SRNN_LV2_FEED_HZ 60
#define SRNN_LV2_FEED_CHANNELS 2

typedef struct {
    LV2_URID levels, levels_value, voices_value, atom_Float;
    const float *voices; /* the instrument's, SRNN_LV2_VOICE_VALUES per voice; NULL if none */
    uint32_t voice_count;
    uint32_t window;   /* host samples per frame */
    uint32_t position; /* samples of the frame so far */
    float low[SRNN_LV2_FEED_CHANNELS], high[SRNN_LV2_FEED_CHANNELS];
    double squares[SRNN_LV2_FEED_CHANNELS];
} ui_feed;

/* At instantiation (not real-time). */
void ui_feed_init(ui_feed *feed, LV2_URID_Map *map, double rate);

/* Posts voices (voice_count of them, SRNN_LV2_VOICE_VALUES floats each, read at every frame)
 * with the levels from now on. At instantiation. */
void ui_feed_show_voices(ui_feed *feed, const float *voices, uint32_t voice_count);

/* Measures count samples of each channel's output (out[c] at the run's sample offset) and
 * writes a frame to forge (inside the notify sequence) at every frame boundary, time-stamped
 * there. The continuation effect's frames hold its output and its input as two channels.
 * Real-time safe; a full notify buffer drops the frame. */
void ui_feed_run(ui_feed *feed, LV2_Atom_Forge *forge, float *const out[], uint32_t channels,
                 uint32_t offset, uint32_t count);

#endif
