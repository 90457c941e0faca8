/* The plugin's GUI drawn with cairo: a header with the model's name and card, a load error
 * banner, the temperature knob with gain and reseed, the output (scrolling waveform and level
 * meter) and the model browser. Everything is in logical pixels; gui.c scales the context. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cairo.h>

#include "gui_view.h"
#include "params.h"

#define PAD 10.0
#define HEADER_HEIGHT 56.0
#define ERROR_HEIGHT 36.0
#define KNOB_START (0.75 * M_PI) /* the arc's ends, clockwise from the +x axis */
#define KNOB_SWEEP (1.5 * M_PI)
#define METER_FLOOR_DB (-60.0)
#define FONT "sans-serif"

typedef struct {
    double r, g, b;
} colour;

/* A dark panel theme. The temperature's orange, the waveform's teal and the error's red are
 * used for nothing else (tests/lv2_gui_check.c finds them on screenshots). */
static const colour background = {0.090, 0.098, 0.114}, panel = {0.125, 0.137, 0.157},
                    edge = {0.200, 0.216, 0.243}, text = {0.902, 0.910, 0.922},
                    dim = {0.541, 0.565, 0.600}, temperature_accent = {1.0, 0.624, 0.110},
                    gain_accent = {0.424, 0.706, 1.0}, wave_colour = {0.220, 0.851, 0.663},
                    error_red = {0.753, 0.224, 0.169}, good = {0.298, 0.686, 0.314},
                    warn = {0.898, 0.827, 0.227}, hot = {0.898, 0.282, 0.302},
                    track = {0.235, 0.255, 0.286}, row_hover = {0.180, 0.196, 0.224},
                    highlight = {0.960, 0.745, 0.380}, /* the rest that stands out */
                    key_lit = {0.659, 0.431, 1.0}; /* a sounding note's key, alone in violet */

static void set(cairo_t *cr, colour c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

static void rounded(cairo_t *cr, gui_rect r, double radius)
{
    cairo_new_sub_path(cr);
    cairo_arc(cr, r.x + r.w - radius, r.y + radius, radius, -M_PI / 2, 0);
    cairo_arc(cr, r.x + r.w - radius, r.y + r.h - radius, radius, 0, M_PI / 2);
    cairo_arc(cr, r.x + radius, r.y + r.h - radius, radius, M_PI / 2, M_PI);
    cairo_arc(cr, r.x + radius, r.y + radius, radius, M_PI, 1.5 * M_PI);
    cairo_close_path(cr);
}

static void draw_panel(cairo_t *cr, gui_rect r)
{
    rounded(cr, r, 6);
    set(cr, panel);
    cairo_fill_preserve(cr);
    set(cr, edge);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
}

static void font(cairo_t *cr, double size, bool bold)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

/* Shows s at (x, y) (the baseline), cut with an ellipsis to fit width; align 0 left, 0.5
 * centred, 1 right. */
static void show(cairo_t *cr, const char *s, double x, double y, double width, double align)
{
    char line[GUI_TEXT_MAX];
    snprintf(line, sizeof line, "%s", s);
    cairo_text_extents_t e;
    cairo_text_extents(cr, line, &e);
    size_t length = strlen(line);
    while (e.x_advance > width && length > 0) {
        do length--; /* whole UTF-8 characters */
        while (length > 0 && ((unsigned char)line[length] & 0xC0) == 0x80);
        snprintf(line + length, sizeof line - length, "\xe2\x80\xa6");
        cairo_text_extents(cr, line, &e);
    }
    cairo_move_to(cr, x + align * (width - e.x_advance), y);
    cairo_show_text(cr, line);
}

/* Word-wraps s into at most two lines of width from baseline y, lines apart. */
static void show_wrapped(cairo_t *cr, const char *s, double x, double y, double width,
                         double spacing)
{
    char line[GUI_TEXT_MAX];
    const char *rest = s;
    for (int n = 0; n < 2 && *rest; n++) {
        size_t fit = strlen(rest), last_space = 0;
        if (n == 0) {
            for (size_t i = 0; rest[i]; i++) {
                if (rest[i] != ' ') continue;
                snprintf(line, sizeof line, "%.*s", (int)i, rest);
                cairo_text_extents_t e;
                cairo_text_extents(cr, line, &e);
                if (e.x_advance > width) break;
                last_space = i;
            }
            cairo_text_extents_t e;
            cairo_text_extents(cr, rest, &e);
            if (e.x_advance > width && last_space > 0) fit = last_space;
        }
        snprintf(line, sizeof line, "%.*s", (int)fit, rest);
        show(cr, line, x, y + n * spacing, width, 0);
        rest += fit;
        while (*rest == ' ') rest++;
    }
}

double gui_temperature_to_travel(float t)
{
    double low = log(SRNN_LV2_TEMPERATURE_MIN), high = log(SRNN_LV2_TEMPERATURE_MAX);
    double travel = (log(t) - low) / (high - low);
    return travel < 0 ? 0 : travel > 1 ? 1 : travel;
}

float gui_travel_to_temperature(double travel)
{
    travel = travel < 0 ? 0 : travel > 1 ? 1 : travel;
    double low = log(SRNN_LV2_TEMPERATURE_MIN), high = log(SRNN_LV2_TEMPERATURE_MAX);
    return (float)exp(low + travel * (high - low));
}

double gui_gain_to_travel(float db)
{
    double travel = (db - SRNN_LV2_GAIN_MIN_DB) / (SRNN_LV2_GAIN_MAX_DB - SRNN_LV2_GAIN_MIN_DB);
    return travel < 0 ? 0 : travel > 1 ? 1 : travel;
}

float gui_travel_to_gain(double travel)
{
    travel = travel < 0 ? 0 : travel > 1 ? 1 : travel;
    return (float)(SRNN_LV2_GAIN_MIN_DB + travel * (SRNN_LV2_GAIN_MAX_DB - SRNN_LV2_GAIN_MIN_DB));
}

void gui_layout_compute(gui_view *view, double width, double height)
{
    gui_layout *l = &view->layout;
    l->header = (gui_rect){0, 0, width, HEADER_HEIGHT};
    double top = HEADER_HEIGHT + PAD;
    l->error = (gui_rect){PAD, top, width - 2 * PAD, view->error[0] ? ERROR_HEIGHT : 0};
    if (view->error[0]) top += ERROR_HEIGHT + PAD;
    double body = height - top - PAD;
    double left_w = fmax(190, 0.31 * width), right_w = fmax(170, 0.28 * width);
    l->knob_panel = (gui_rect){PAD, top, left_w, body};
    l->browser_panel = (gui_rect){width - PAD - right_w, top, right_w, body};
    l->output_panel = (gui_rect){2 * PAD + left_w, top, width - 4 * PAD - left_w - right_w, body};

    /* the temperature knob fills the panel above the gain and reseed row */
    const gui_rect *k = &l->knob_panel;
    double bottom_row = 64;
    double space = k->h - 28 - 26 - bottom_row;
    l->knob_r = fmax(20, fmin(k->w * 0.36, space * 0.5));
    l->knob_x = k->x + k->w / 2;
    l->knob_y = k->y + 28 + space / 2;
    l->gain_r = 18;
    l->gain_x = k->x + 20 + l->gain_r;
    l->gain_y = k->y + k->h - bottom_row / 2 - 4;
    l->reseed = (gui_rect){k->x + k->w - 16 - 78, l->gain_y - 14, 78, 28};

    const gui_rect *o = &l->output_panel;
    double meter_w = 34;
    double keys_h = view->voice_count ? 40 : 0; /* the instrument's keyboard, under the wave */
    l->wave = (gui_rect){o->x + 10, o->y + 28, o->w - 30 - meter_w, o->h - 38 - keys_h};
    l->keys = (gui_rect){o->x + 10, o->y + o->h - 10 - keys_h + 8, o->w - 20, keys_h - 8};
    l->meter = (gui_rect){o->x + o->w - 10 - meter_w, o->y + 28, meter_w, o->h - 38};

    const gui_rect *b = &l->browser_panel;
    l->row_height = 20;
    l->field = (gui_rect){b->x + 8, b->y + b->h - 32, b->w - 16 - 52, 24};
    l->load = (gui_rect){b->x + b->w - 8 - 48, b->y + b->h - 32, 48, 24};
    l->browse = (gui_rect){b->x + b->w - 8 - 62, b->y + 5, 62, 18};
    l->list = (gui_rect){b->x + 4, b->y + 28, b->w - 8, b->h - 28 - 40};
    l->rows = (int)(l->list.h / l->row_height);
}

static void draw_header(const gui_view *view, cairo_t *cr, double width)
{
    const gui_layout *l = &view->layout;
    cairo_pattern_t *shade = cairo_pattern_create_linear(0, 0, 0, l->header.h);
    cairo_pattern_add_color_stop_rgb(shade, 0, 0.150, 0.160, 0.180);
    cairo_pattern_add_color_stop_rgb(shade, 1, 0.110, 0.118, 0.135);
    cairo_rectangle(cr, 0, 0, width, l->header.h);
    cairo_set_source(cr, shade);
    cairo_fill(cr);
    cairo_pattern_destroy(shade);
    set(cr, edge);
    cairo_rectangle(cr, 0, l->header.h - 1, width, 1);
    cairo_fill(cr);

    font(cr, 11, true);
    set(cr, highlight);
    show(cr, "srnn", PAD + 2, 20, 60, 0);
    font(cr, 9, false);
    set(cr, dim);
    show(cr, "SampleRNN", PAD + 2, 33, 70, 0);

    double badge_w = 120, x = PAD + 84, w = width - x - badge_w - 2 * PAD;
    font(cr, 19, true);
    set(cr, text);
    show(cr, view->model_name[0] ? view->model_name : "no model", x, 25, w, 0);
    font(cr, 11, false);
    bool slow = view->realtime_factor > 0 && !view->live;
    set(cr, slow ? hot : dim);
    show(cr, slow && view->advice[0] ? view->advice : view->card, x, 44, w, 0);

    if (view->realtime_factor > 0) {
        gui_rect badge = {width - PAD - badge_w, 14, badge_w, 26};
        rounded(cr, badge, 13);
        colour c = slow ? hot : good;
        cairo_set_source_rgba(cr, c.r, c.g, c.b, 0.18);
        cairo_fill_preserve(cr);
        set(cr, c);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
        char label[64];
        snprintf(label, sizeof label, "%.1f\xc3\x97 real time", view->realtime_factor);
        font(cr, 11, true);
        show(cr, label, badge.x, badge.y + 17, badge.w, 0.5);
    }
}

static void draw_error(const gui_view *view, cairo_t *cr)
{
    gui_rect r = view->layout.error;
    rounded(cr, r, 5);
    set(cr, error_red);
    cairo_fill(cr);
    font(cr, 11, true);
    cairo_set_source_rgb(cr, 1, 1, 1);
    show(cr, "Model not loaded", r.x + 10, r.y + 15, 120, 0);
    show(cr, "\xc3\x97", r.x + r.w - 18, r.y + 15, 10, 0); /* dismiss */
    font(cr, 11, false);
    show_wrapped(cr, view->error, r.x + 130, r.y + 15, r.w - 130 - 28, 14);
}

static void draw_knob(cairo_t *cr, double x, double y, double r, double travel, colour accent)
{
    /* the body: a soft shadow, a shaded cap */
    cairo_arc(cr, x, y + r * 0.06, r * 0.80, 0, 2 * M_PI);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.45);
    cairo_fill(cr);
    cairo_pattern_t *cap = cairo_pattern_create_linear(x, y - r, x, y + r);
    cairo_pattern_add_color_stop_rgb(cap, 0, 0.300, 0.318, 0.349);
    cairo_pattern_add_color_stop_rgb(cap, 1, 0.141, 0.153, 0.173);
    cairo_arc(cr, x, y, r * 0.74, 0, 2 * M_PI);
    cairo_set_source(cr, cap);
    cairo_fill(cr);
    cairo_pattern_destroy(cap);

    /* the track and the value's arc around it */
    double width = fmax(3, r * 0.09), ring = r * 0.90;
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_width(cr, width);
    set(cr, track);
    cairo_arc(cr, x, y, ring, KNOB_START, KNOB_START + KNOB_SWEEP);
    cairo_stroke(cr);
    double angle = KNOB_START + travel * KNOB_SWEEP;
    set(cr, accent);
    cairo_arc(cr, x, y, ring, KNOB_START, angle);
    cairo_stroke(cr);

    /* the pointer */
    cairo_set_line_width(cr, fmax(2, r * 0.07));
    cairo_move_to(cr, x + cos(angle) * r * 0.30, y + sin(angle) * r * 0.30);
    cairo_line_to(cr, x + cos(angle) * r * 0.66, y + sin(angle) * r * 0.66);
    cairo_stroke(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
}

static void panel_title(cairo_t *cr, gui_rect r, const char *title)
{
    font(cr, 10, true);
    set(cr, dim);
    show(cr, title, r.x + 10, r.y + 18, r.w - 20, 0);
}

static void draw_controls(const gui_view *view, cairo_t *cr)
{
    const gui_layout *l = &view->layout;
    draw_panel(cr, l->knob_panel);
    panel_title(cr, l->knob_panel, "TEMPERATURE");
    draw_knob(cr, l->knob_x, l->knob_y, l->knob_r, gui_temperature_to_travel(view->temperature),
              temperature_accent);
    char value[32];
    snprintf(value, sizeof value, "%.2f", view->temperature);
    font(cr, fmax(12, l->knob_r * 0.26), true);
    set(cr, text);
    show(cr, value, l->knob_x - l->knob_r, l->knob_y + l->knob_r * 0.10, 2 * l->knob_r, 0.5);
    font(cr, 10, false);
    set(cr, dim);
    show(cr, "calm", l->knob_x - l->knob_r - 6, l->knob_y + l->knob_r + 14, l->knob_r, 0);
    show(cr, "wild", l->knob_x + 6, l->knob_y + l->knob_r + 14, l->knob_r, 1);

    draw_knob(cr, l->gain_x, l->gain_y, l->gain_r, gui_gain_to_travel(view->gain_db),
              gain_accent);
    font(cr, 10, true);
    set(cr, dim);
    show(cr, "GAIN", l->gain_x + l->gain_r + 6, l->gain_y - 3, 60, 0);
    snprintf(value, sizeof value, "%+.1f dB", view->gain_db);
    font(cr, 11, false);
    set(cr, text);
    show(cr, value, l->gain_x + l->gain_r + 6, l->gain_y + 12, 60, 0);

    rounded(cr, l->reseed, 5);
    if (view->reseed_down) set(cr, highlight);
    else set(cr, track);
    cairo_fill(cr);
    font(cr, 11, true);
    if (view->reseed_down) set(cr, background);
    else set(cr, text);
    /* the continuation effect's trigger port is where the generators' reseed is */
    show(cr, view->input_meter ? "Continue" : "Reseed", l->reseed.x, l->reseed.y + 18,
         l->reseed.w, 0.5);
}

static double level_to_meter(float level)
{
    double db = level > 0 ? 20 * log10(level) : METER_FLOOR_DB;
    double v = (db - METER_FLOOR_DB) / -METER_FLOOR_DB;
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static bool black_key(int note)
{
    int n = note % 12;
    return n == 1 || n == 3 || n == 6 || n == 8 || n == 10;
}

/* The level (0 to 1) of the loudest voice playing note, 0 if none; notes beyond the keyboard
 * count on its end keys. */
static float key_level(const gui_view *view, int note)
{
    float level = 0.0f;
    for (uint32_t k = 0; k < view->voice_count; k++) {
        int n = (int)view->voice_note[k];
        if (n < 0) continue;
        n = n < GUI_LOWEST_KEY ? GUI_LOWEST_KEY : n > GUI_HIGHEST_KEY ? GUI_HIGHEST_KEY : n;
        if (n == note) level = fmaxf(level, view->voice_level[k]);
    }
    return level;
}

/* The instrument's keyboard: each sounding note's key lit violet while its voice sounds. */
static void draw_keys(const gui_view *view, cairo_t *cr)
{
    gui_rect r = view->layout.keys;
    int whites = 0;
    for (int n = GUI_LOWEST_KEY; n <= GUI_HIGHEST_KEY; n++) whites += !black_key(n);
    double key_w = r.w / whites;
    for (int pass = 0; pass < 2; pass++) { /* the white keys, then the black over them */
        int white = 0;
        for (int n = GUI_LOWEST_KEY; n <= GUI_HIGHEST_KEY; n++) {
            bool black = black_key(n);
            if (!black) white++;
            if (black != (pass == 1)) continue;
            double x = black ? r.x + white * key_w - key_w * 0.3 : r.x + (white - 1) * key_w;
            double w = black ? key_w * 0.6 : key_w - 1, h = black ? r.h * 0.6 : r.h;
            colour base = black ? background : text;
            float lit = key_level(view, n);
            colour c = lit > 0 ? key_lit : base;
            cairo_set_source_rgb(cr, c.r, c.g, c.b);
            cairo_rectangle(cr, x, r.y, w, h);
            cairo_fill(cr);
        }
    }
    uint32_t sounding = 0;
    for (uint32_t k = 0; k < view->voice_count; k++) sounding += view->voice_note[k] >= 0;
    char label[48];
    snprintf(label, sizeof label, "VOICES %u/%u", sounding, view->voice_count);
    font(cr, 9, true);
    set(cr, sounding ? key_lit : dim);
    const gui_rect *o = &view->layout.output_panel;
    show(cr, label, o->x + o->w / 2 - 12, o->y + 17, o->w / 2, 1);
}

static void draw_output(const gui_view *view, cairo_t *cr)
{
    const gui_layout *l = &view->layout;
    draw_panel(cr, l->output_panel);
    panel_title(cr, l->output_panel, "OUTPUT");

    /* the waveform: one column per feed frame, the newest at the right */
    gui_rect w = l->wave;
    rounded(cr, w, 4);
    cairo_set_source_rgb(cr, 0.063, 0.071, 0.082);
    cairo_fill(cr);
    double mid = w.y + w.h / 2, half = w.h / 2 - 2;
    set(cr, track);
    cairo_rectangle(cr, w.x + 2, mid, w.w - 4, 1);
    cairo_fill(cr);
    int columns = (int)(w.w - 4);
    if (columns > GUI_HISTORY) columns = GUI_HISTORY;
    set(cr, wave_colour);
    for (int i = 0; i < columns; i++) {
        uint32_t k = (view->head + GUI_HISTORY - 1 - (uint32_t)i) % GUI_HISTORY;
        double low = view->low[k], high = view->high[k];
        if (high - low < 1e-4) continue;
        double top = mid - fmin(1, high) * half, down = mid - fmax(-1, low) * half;
        cairo_rectangle(cr, w.x + w.w - 2 - i - 1, top, 1, fmax(1, down - top));
    }
    cairo_fill(cr);

    /* the meter: a bar per channel, RMS solid and peak lighter, a peak hold line */
    gui_rect m = l->meter;
    uint32_t channels = view->channels ? view->channels : 1;
    double bar_w = (m.w - 14 - 2 * (channels - 1)) / channels;
    for (uint32_t c = 0; c < channels; c++) {
        gui_rect bar = {m.x + 14 + c * (bar_w + 2), m.y, bar_w, m.h};
        cairo_rectangle(cr, bar.x, bar.y, bar.w, bar.h);
        cairo_set_source_rgb(cr, 0.063, 0.071, 0.082);
        cairo_fill(cr);
        cairo_pattern_t *scale = cairo_pattern_create_linear(0, bar.y + bar.h, 0, bar.y);
        cairo_pattern_add_color_stop_rgb(scale, 0, good.r, good.g, good.b);
        cairo_pattern_add_color_stop_rgb(scale, 0.75, good.r, good.g, good.b);
        cairo_pattern_add_color_stop_rgb(scale, 0.90, warn.r, warn.g, warn.b);
        cairo_pattern_add_color_stop_rgb(scale, 1, hot.r, hot.g, hot.b);
        double peak = level_to_meter(view->peak[c]) * bar.h,
               rms = level_to_meter(view->rms[c]) * bar.h;
        cairo_set_source(cr, scale);
        cairo_rectangle(cr, bar.x, bar.y + bar.h - rms, bar.w, rms);
        cairo_fill(cr);
        cairo_push_group(cr);
        cairo_set_source(cr, scale);
        cairo_rectangle(cr, bar.x, bar.y + bar.h - peak, bar.w, peak - rms);
        cairo_fill(cr);
        cairo_pop_group_to_source(cr);
        cairo_paint_with_alpha(cr, 0.45);
        cairo_pattern_destroy(scale);
        double hold = level_to_meter(view->peak_hold[c]) * bar.h;
        if (hold > 0) {
            set(cr, view->peak_hold[c] >= 1.0f ? hot : text);
            cairo_rectangle(cr, bar.x, bar.y + bar.h - hold, bar.w, 1.5);
            cairo_fill(cr);
        }
        if (view->input_meter) {
            font(cr, 7, false);
            set(cr, dim);
            /* the labels lean apart, wider than their bars */
            if (c == 0) show(cr, "OUT", bar.x - 20, bar.y - 3, bar.w + 19, 1);
            else show(cr, "IN", bar.x + 1, bar.y - 3, bar.w + 20, 0);
        }
    }
    font(cr, 8, false);
    set(cr, dim);
    for (int db = 0; db >= METER_FLOOR_DB; db -= 12) {
        double y = m.y + m.h * (db / METER_FLOOR_DB);
        char label[12]; /* room for any int: -Wformat-truncation */
        snprintf(label, sizeof label, "%d", db);
        show(cr, label, m.x - 4, fmin(m.y + m.h, fmax(m.y + 7, y + 3)), 16, 1);
    }
    if (view->voice_count) draw_keys(view, cr);
}

static void draw_browser(const gui_view *view, cairo_t *cr)
{
    const gui_layout *l = &view->layout;
    draw_panel(cr, l->browser_panel);
    panel_title(cr, l->browser_panel, "MODELS");
    if (view->can_browse) {
        rounded(cr, l->browse, 4);
        set(cr, track);
        cairo_fill(cr);
        font(cr, 10, false);
        set(cr, text);
        show(cr, "Open file\xe2\x80\xa6", l->browse.x, l->browse.y + 13, l->browse.w, 0.5);
    }

    gui_rect list = l->list;
    font(cr, 11, false);
    for (int row = 0; row < l->rows && view->scroll + row < view->model_count; row++) {
        int i = view->scroll + row;
        const gui_model_entry *e = &view->models[i];
        gui_rect r = {list.x, list.y + row * l->row_height, list.w, l->row_height};
        bool playing = strcmp(e->path, view->model_path) == 0;
        if (playing || i == view->hovered) {
            rounded(cr, r, 3);
            set(cr, playing ? track : row_hover);
            cairo_fill(cr);
        }
        if (playing) {
            set(cr, highlight);
            cairo_rectangle(cr, r.x + 1, r.y + 4, 2, r.h - 8);
            cairo_fill(cr);
        }
        set(cr, playing ? text : dim);
        show(cr, e->name, r.x + 10, r.y + 14, r.w - 60, 0);
        if (e->in_bundle) {
            font(cr, 9, false);
            show(cr, "bundle", r.x + r.w - 48, r.y + 14, 42, 1);
            font(cr, 11, false);
        }
    }
    if (view->model_count == 0) {
        set(cr, dim);
        show(cr, "no .srnn files here", list.x + 10, list.y + 14, list.w - 20, 0);
    }

    /* the path field and its button */
    rounded(cr, l->field, 4);
    cairo_set_source_rgb(cr, 0.063, 0.071, 0.082);
    cairo_fill_preserve(cr);
    set(cr, view->typing ? highlight : edge);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    font(cr, 11, false);
    gui_rect f = l->field;
    if (view->typed[0] || view->typing) {
        /* the end of a long path is the part that matters */
        const char *s = view->typed;
        cairo_text_extents_t e;
        cairo_text_extents(cr, s, &e);
        while (*s && e.x_advance > f.w - 16) {
            s++;
            cairo_text_extents(cr, s, &e);
        }
        set(cr, text);
        cairo_move_to(cr, f.x + 6, f.y + 16);
        cairo_show_text(cr, s);
        if (view->typing) {
            cairo_rectangle(cr, f.x + 7 + e.x_advance, f.y + 5, 1, f.h - 10);
            cairo_fill(cr);
        }
    } else {
        set(cr, dim);
        show(cr, "type a model's path", f.x + 6, f.y + 16, f.w - 12, 0);
    }
    rounded(cr, l->load, 4);
    set(cr, track);
    cairo_fill(cr);
    set(cr, text);
    font(cr, 11, true);
    show(cr, "Load", l->load.x, l->load.y + 16, l->load.w, 0.5);
}

void gui_draw(const gui_view *view, cairo_t *cr, double width, double height)
{
    set(cr, background);
    cairo_rectangle(cr, 0, 0, width, height);
    cairo_fill(cr);
    draw_header(view, cr, width);
    if (view->error[0]) draw_error(view, cr);
    draw_controls(view, cr);
    draw_output(view, cr);
    draw_browser(view, cr);
}
