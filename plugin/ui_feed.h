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

/* The object's type, and its one key: an atom:Vector of atom:Float holding, per channel,
 * min, max and RMS (SRNN_LV2_FEED_VALUES floats). */
#define SRNN_LV2_LEVELS_URI "urn:srnn:lv2:levels"
#define SRNN_LV2_LEVELS_VALUE_URI "urn:srnn:lv2:levels-value"
#define SRNN_LV2_FEED_VALUES 3
#define SRNN_LV2_FEED_HZ 60
#define SRNN_LV2_FEED_CHANNELS 2

typedef struct {
    LV2_URID levels, levels_value, atom_Float;
    uint32_t window;   /* host samples per frame */
    uint32_t position; /* samples of the frame so far */
    float low[SRNN_LV2_FEED_CHANNELS], high[SRNN_LV2_FEED_CHANNELS];
    double squares[SRNN_LV2_FEED_CHANNELS];
} ui_feed;

/* At instantiation (not real-time). */
void ui_feed_init(ui_feed *feed, LV2_URID_Map *map, double rate);

/* Measures count samples of each channel's output and writes a frame to forge (inside the
 * notify sequence) at every frame boundary, time-stamped there. Real-time safe; a full notify
 * buffer drops the frame. */
void ui_feed_run(ui_feed *feed, LV2_Atom_Forge *forge, float *const out[], uint32_t channels,
                 uint32_t count);

#endif
