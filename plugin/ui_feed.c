/* The GUI's feed (ui_feed.h): min, max and RMS per channel and frame, and the instrument's
 * voices, posted from run(). */
#include <math.h>

#include "ui_feed.h"

static void start_frame(ui_feed *feed)
{
    feed->position = 0;
    for (int c = 0; c < SRNN_LV2_FEED_CHANNELS; c++) {
        feed->low[c] = feed->high[c] = 0.0f;
        feed->squares[c] = 0.0;
    }
}

void ui_feed_init(ui_feed *feed, LV2_URID_Map *map, double rate)
{
    feed->levels = map->map(map->handle, SRNN_LV2_LEVELS_URI);
    feed->levels_value = map->map(map->handle, SRNN_LV2_LEVELS_VALUE_URI);
    feed->voices_value = map->map(map->handle, SRNN_LV2_VOICES_VALUE_URI);
    feed->atom_Float = map->map(map->handle, LV2_ATOM__Float);
    feed->window = (uint32_t)lround(rate / SRNN_LV2_FEED_HZ);
    if (feed->window == 0) feed->window = 1;
    start_frame(feed);
}

void ui_feed_show_voices(ui_feed *feed, const float *voices, uint32_t voice_count)
{
    feed->voices = voices;
    feed->voice_count = voice_count;
}

static void post_frame(ui_feed *feed, LV2_Atom_Forge *forge, uint32_t channels, int64_t time)
{
    float values[SRNN_LV2_FEED_CHANNELS * SRNN_LV2_FEED_VALUES];
    for (uint32_t c = 0; c < channels; c++) {
        values[SRNN_LV2_FEED_VALUES * c] = feed->low[c];
        values[SRNN_LV2_FEED_VALUES * c + 1] = feed->high[c];
        values[SRNN_LV2_FEED_VALUES * c + 2] = (float)sqrt(feed->squares[c] / feed->position);
    }
    LV2_Atom_Forge_Frame frame;
    if (!lv2_atom_forge_frame_time(forge, time)) return;
    if (!lv2_atom_forge_object(forge, &frame, 0, feed->levels)) return;
    lv2_atom_forge_key(forge, feed->levels_value);
    lv2_atom_forge_vector(forge, sizeof(float), feed->atom_Float, SRNN_LV2_FEED_VALUES * channels,
                          values);
    if (feed->voices) {
        lv2_atom_forge_key(forge, feed->voices_value);
        lv2_atom_forge_vector(forge, sizeof(float), feed->atom_Float,
                              SRNN_LV2_VOICE_VALUES * feed->voice_count, feed->voices);
    }
    lv2_atom_forge_pop(forge, &frame);
}

void ui_feed_run(ui_feed *feed, LV2_Atom_Forge *forge, float *const out[], uint32_t channels,
                 uint32_t offset, uint32_t count)
{
    if (channels > SRNN_LV2_FEED_CHANNELS) channels = SRNN_LV2_FEED_CHANNELS;
    for (uint32_t done = 0; done < count;) {
        uint32_t take = feed->window - feed->position;
        if (take > count - done) take = count - done;
        for (uint32_t c = 0; c < channels; c++) {
            const float *x = out[c] + done;
            float low = feed->low[c], high = feed->high[c];
            double squares = 0.0;
            for (uint32_t i = 0; i < take; i++) {
                low = x[i] < low ? x[i] : low;
                high = x[i] > high ? x[i] : high;
                squares += (double)x[i] * x[i];
            }
            feed->low[c] = low;
            feed->high[c] = high;
            feed->squares[c] += squares;
        }
        done += take;
        feed->position += take;
        if (feed->position == feed->window) {
            post_frame(feed, forge, channels, offset + done - 1);
            start_frame(feed);
        }
    }
}
