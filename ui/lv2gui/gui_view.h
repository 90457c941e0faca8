/* What the plugin's GUI shows, and where (ui/lv2gui/): the view's state, filled by gui.c from
 * the plugin's ports and messages and by the user's input, and drawn by gui_draw.c. Sizes are
 * in logical pixels; the host's scale factor multiplies them on screen. */
#ifndef SRNN_GUI_VIEW_H
#define SRNN_GUI_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include <lv2/atom/forge.h>

#include "model_card.h"

#define GUI_WIDTH 660  /* the default size, logical pixels */
#define GUI_HEIGHT 380
#define GUI_MIN_WIDTH 520
#define GUI_MIN_HEIGHT 320
#define GUI_PATH_MAX 2048
#define GUI_TEXT_MAX 512
#define GUI_MODELS_MAX 128
#define GUI_HISTORY 1024 /* waveform columns kept (one per feed frame) */
#define GUI_VOICES_MAX 16 /* the instrument's voices shown */
/* The instrument's keyboard: the notes drawn, C2 to C7; notes beyond light its end keys. */
#define GUI_LOWEST_KEY 36
#define GUI_HIGHEST_KEY 96

typedef struct {
    double x, y, w, h;
} gui_rect;

/* Where things are at the current size: drawn there and hit-tested there. */
typedef struct {
    gui_rect header, error, knob_panel, output_panel, browser_panel;
    double knob_x, knob_y, knob_r;          /* the temperature knob */
    double gain_x, gain_y, gain_r;          /* the gain knob */
    gui_rect reseed, wave, meter, list, field, load, browse;
    gui_rect keys; /* the instrument's keyboard; empty for the generators */
    double row_height;
    int rows; /* model rows that fit in list */
} gui_layout;

typedef struct {
    char path[GUI_PATH_MAX];
    char name[256]; /* the file name without .srnn */
    bool in_bundle;
} gui_model_entry;

typedef struct {
    /* from the plugin */
    float temperature, gain_db;
    bool reseed_down;
    char model_path[GUI_PATH_MAX];
    /* the model's card (gui_card.c): empty, 0 and false until the plugin posts it */
    char model_name[SRNN_LV2_CARD_NAME_MAX];
    char card[GUI_TEXT_MAX];  /* rate, size, precision, threads */
    double realtime_factor;   /* measured by the plugin as the model loaded */
    bool live;                /* it plays live there */
    char advice[GUI_TEXT_MAX]; /* the plugin's speed line's advice when it cannot play live */
    char error[GUI_TEXT_MAX];  /* the last load error, until dismissed or another load */

    /* the output, one column per feed frame (ring) */
    uint32_t channels;
    bool input_meter; /* the continuation effect's: its second channel is its input, not shown
                         in the waveform; the meter's bars are labelled OUT and IN */
    float low[GUI_HISTORY], high[GUI_HISTORY];
    uint32_t head;        /* the next column written */
    float peak[2], rms[2]; /* linear, the last frame's */
    float peak_hold[2];    /* linear, falling slowly */

    /* the model browser */
    gui_model_entry models[GUI_MODELS_MAX];
    int model_count;
    int scroll;     /* first row shown */
    int hovered;    /* row under the pointer, -1 for none */
    char typed[GUI_PATH_MAX]; /* the path field */
    bool typing;    /* the path field has the keyboard */
    bool can_browse; /* the host offers its file chooser (ui:requestValue) */

    /* the instrument's voices (voice_count 0 for the generators): the note each plays, -1
     * when idle, and its level */
    uint32_t voice_count;
    float voice_note[GUI_VOICES_MAX], voice_level[GUI_VOICES_MAX];

    gui_layout layout;
} gui_view;

/* gui_draw.c: the layout for a size, and the whole view drawn into cr (logical units). */
void gui_layout_compute(gui_view *view, double width, double height);
typedef struct _cairo cairo_t;
void gui_draw(const gui_view *view, cairo_t *cr, double width, double height);

/* The temperature knob's travel: 0..1 along its arc for a port value, and back. The port is
 * logarithmic (ttl/srnn.ttl), so equal turns multiply the temperature alike. */
double gui_temperature_to_travel(float temperature);
float gui_travel_to_temperature(double travel);
double gui_gain_to_travel(float gain_db);
float gui_travel_to_gain(double travel);

/* gui_browser.c: the .srnn files in dirs (duplicates, and NULL or empty dirs, skipped), sorted
 * by name, at most max; returns how many. The last dir is the bundle's: its files are marked
 * in_bundle. */
int gui_browser_list(const char *const dirs[], int dir_count, gui_model_entry *out, int max);

/* gui_card.c: the card object the plugin posted (plugin/model_card.h) into view's name, card
 * line, real-time factor and live flag. */
void gui_card_read(const LV2_Atom_Forge *forge, const card_uris *uris,
                   const LV2_Atom_Object *object, gui_view *view);

#endif
