/* The srnn plugin's GUI: an LV2 X11 UI (urn:srnn:lv2:ui, ttl/srnn_ui.ttl) drawn with cairo.
 *
 * It talks to the plugin only through ports and atom messages, so the two may live in
 * different processes: it writes the temperature, gain and reseed ports, sends patch:Set of
 * the model (a file from the browser or a typed path) and patch:Get, and reads what the notify
 * port says: the model's path, its card (plugin/model_card.h, gui_card.c), the advice of its
 * speed line, load errors, and the output's levels (plugin/ui_feed.h). It never reads a model
 * file (it holds no engine); it lists the folders for the browser (gui_browser.c).
 *
 * The host embeds its window in ui:parent and calls idle() (ui:idleInterface), where the
 * window's events are handled and the view redrawn when something changed. The host's
 * ui:scaleFactor scales everything; the window may be resized to any size above the minimum. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* LV2's headers first: Xlib defines Bool, a field name of the atom forge. */
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/core/lv2_util.h>
#include <lv2/options/options.h>
#include <lv2/patch/patch.h>
#include <lv2/ui/ui.h>
#include <lv2/urid/urid.h>

#include "gui_view.h"
#include "model_card.h"
#include "params.h"
#include "ui_feed.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/keysym.h>
#include <cairo-xlib.h>
#include <cairo.h>

#define SRNN_LV2_UI_URI "urn:srnn:lv2:ui"
#define DRAG_PIXELS 200.0 /* logical pixels of vertical drag for a knob's whole travel */
#define WHEEL_STEP 0.02   /* of a knob's travel per wheel click */
#define PEAK_FALL 0.97f   /* the peak hold's fall per feed frame: about 16 dB/s */
#define DOUBLE_CLICK_MS 300 /* a second click on a knob within it resets the knob */

typedef enum { DRAG_NONE, DRAG_TEMPERATURE, DRAG_GAIN } drag_target;

typedef struct {
    LV2UI_Write_Function write;
    LV2UI_Controller controller;
    LV2_URID_Map *map;
    LV2UI_Resize *resize;
    LV2UI_Request_Value *request_value;
    LV2_Atom_Forge forge;
    LV2_URID atom_eventTransfer, atom_Path, atom_String, atom_URID, atom_Float, patch_Get,
        patch_Set, patch_property, patch_value, model, error, speed, levels, levels_value,
        voices_value;
    card_uris card;

    Display *display;
    Window window;
    cairo_surface_t *surface;
    double scale;      /* the host's scale factor */
    int width, height; /* the window's, in device pixels */
    bool dirty;

    drag_target drag;
    double drag_y, drag_travel;
    drag_target last_click; /* the knob clicked last, and when (X server time, ms) */
    Time last_click_time;
    char bundle_dir[GUI_PATH_MAX];
    gui_view view;
} gui;

/* ---- talking to the plugin ----------------------------------------------------------------- */

static void write_control(gui *g, uint32_t port, float value)
{
    g->write(g->controller, port, sizeof value, 0, &value);
}

static void send_message(gui *g, const LV2_Atom *message)
{
    g->write(g->controller, SRNN_PORT_CONTROL, lv2_atom_total_size(message),
             g->atom_eventTransfer, message);
}

static void send_get(gui *g)
{
    uint8_t buffer[256];
    LV2_Atom_Forge_Frame frame;
    lv2_atom_forge_set_buffer(&g->forge, buffer, sizeof buffer);
    LV2_Atom *message = (LV2_Atom *)lv2_atom_forge_object(&g->forge, &frame, 0, g->patch_Get);
    lv2_atom_forge_pop(&g->forge, &frame);
    send_message(g, message);
}

static void load_model(gui *g, const char *path)
{
    uint8_t buffer[GUI_PATH_MAX + 256];
    size_t length = strnlen(path, GUI_PATH_MAX - 1);
    LV2_Atom_Forge_Frame frame;
    lv2_atom_forge_set_buffer(&g->forge, buffer, sizeof buffer);
    LV2_Atom *message = (LV2_Atom *)lv2_atom_forge_object(&g->forge, &frame, 0, g->patch_Set);
    lv2_atom_forge_key(&g->forge, g->patch_property);
    lv2_atom_forge_urid(&g->forge, g->model);
    lv2_atom_forge_key(&g->forge, g->patch_value);
    lv2_atom_forge_path(&g->forge, path, (uint32_t)length);
    lv2_atom_forge_pop(&g->forge, &frame);
    send_message(g, message);
    g->view.error[0] = '\0'; /* this load's own answer replaces it */
    g->dirty = true;
}

/* ---- what the plugin says ------------------------------------------------------------------ */

static void copy(char *to, size_t size, const char *from, uint32_t length)
{
    size_t n = strnlen(from, length < size - 1 ? length : size - 1);
    memcpy(to, from, n);
    to[n] = '\0';
}

static void refresh_browser(gui *g)
{
    char folder[GUI_PATH_MAX];
    snprintf(folder, sizeof folder, "%s", g->view.model_path);
    char *slash = strrchr(folder, '/');
    if (slash) slash[slash == folder ? 1 : 0] = '\0';
    else folder[0] = '\0';
    const char *dirs[] = {folder, g->bundle_dir}; /* the bundle's last: gui_browser_list */
    g->view.model_count = gui_browser_list(dirs, 2, g->view.models, GUI_MODELS_MAX);
    g->view.scroll = 0;
    g->view.hovered = -1;
}

static void show_model(gui *g, const char *path, uint32_t size)
{
    char new_path[GUI_PATH_MAX];
    copy(new_path, sizeof new_path, path, size);
    if (strcmp(new_path, g->view.model_path) == 0) return;
    memcpy(g->view.model_path, new_path, sizeof new_path);
    refresh_browser(g);
}

/* The speed line is "NAME: 3.42x real time here (int8, 1 voice of 1 thread)", followed by
 * "; ADVICE" when the model cannot play live (live/voices.c); the card has the numbers, the
 * GUI shows the advice. */
static void show_speed(gui *g, const char *line, uint32_t size)
{
    char speed[GUI_TEXT_MAX];
    copy(speed, sizeof speed, line, size);
    const char *advice = strstr(speed, "); ");
    snprintf(g->view.advice, sizeof g->view.advice, "%s", advice ? advice + 3 : "");
}

/* The floats of value when it is an atom:Vector of atom:Float, and their count; else NULL. */
static const float *float_vector(const gui *g, const LV2_Atom *value, uint32_t *count)
{
    if (!value || value->type != g->forge.Vector || value->size < sizeof(LV2_Atom_Vector_Body))
        return NULL;
    const LV2_Atom_Vector *vector = (const LV2_Atom_Vector *)value;
    if (vector->body.child_type != g->atom_Float || vector->body.child_size != sizeof(float))
        return NULL;
    *count = (value->size - sizeof vector->body) / sizeof(float);
    return (const float *)(&vector->body + 1);
}

static void show_levels(gui *g, const LV2_Atom *value)
{
    uint32_t count = 0;
    const float *x = float_vector(g, value, &count);
    uint32_t channels = count / SRNN_LV2_FEED_VALUES;
    if (!x || channels < 1 || channels > 2) return;
    gui_view *v = &g->view;
    float low = 0, high = 0;
    for (uint32_t c = 0; c < channels; c++) {
        const float *frame = x + SRNN_LV2_FEED_VALUES * c;
        if (c == 0 || !v->input_meter) { /* the waveform is the output's */
            low = fminf(low, frame[0]);
            high = fmaxf(high, frame[1]);
        }
        v->peak[c] = fmaxf(-frame[0], frame[1]);
        v->rms[c] = frame[2];
        v->peak_hold[c] = fmaxf(v->peak[c], v->peak_hold[c] * PEAK_FALL);
    }
    v->channels = channels;
    v->low[v->head] = low;
    v->high[v->head] = high;
    v->head = (v->head + 1) % GUI_HISTORY;
}

/* The instrument's voices: note and level of each (plugin/ui_feed.h). */
static void show_voices(gui *g, const LV2_Atom *value)
{
    uint32_t count = 0;
    const float *x = float_vector(g, value, &count);
    if (!x) return;
    count /= SRNN_LV2_VOICE_VALUES;
    if (count > GUI_VOICES_MAX) count = GUI_VOICES_MAX;
    gui_view *v = &g->view;
    for (uint32_t k = 0; k < count; k++) {
        v->voice_note[k] = x[SRNN_LV2_VOICE_VALUES * k];
        v->voice_level[k] = x[SRNN_LV2_VOICE_VALUES * k + 1];
    }
    v->voice_count = count;
}

static void read_notification(gui *g, const LV2_Atom *atom)
{
    if (!lv2_atom_forge_is_object_type(&g->forge, atom->type)) return;
    const LV2_Atom_Object *object = (const LV2_Atom_Object *)atom;
    if (object->body.otype == g->levels) {
        const LV2_Atom *value = NULL, *voices = NULL;
        lv2_atom_object_get(object, g->levels_value, &value, g->voices_value, &voices, 0);
        show_levels(g, value);
        show_voices(g, voices);
        g->dirty = true;
        return;
    }
    if (object->body.otype == g->card.type) {
        gui_card_read(&g->forge, &g->card, object, &g->view);
        g->dirty = true;
        return;
    }
    if (object->body.otype != g->patch_Set) return;
    const LV2_Atom *property = NULL, *value = NULL;
    lv2_atom_object_get(object, g->patch_property, &property, g->patch_value, &value, 0);
    if (!property || property->type != g->atom_URID || !value) return;
    LV2_URID key = ((const LV2_Atom_URID *)property)->body;
    const char *body = LV2_ATOM_BODY_CONST(value);
    if (key == g->model && value->type == g->atom_Path) show_model(g, body, value->size);
    else if (key == g->speed && value->type == g->atom_String) show_speed(g, body, value->size);
    else if (key == g->error && value->type == g->atom_String)
        copy(g->view.error, sizeof g->view.error, body, value->size);
    g->dirty = true;
}

static void port_event(LV2UI_Handle handle, uint32_t port, uint32_t size, uint32_t format,
                       const void *buffer)
{
    gui *g = handle;
    if (format == 0 && size == sizeof(float)) {
        float value = *(const float *)buffer;
        if (port == SRNN_PORT_TEMPERATURE) g->view.temperature = value;
        else if (port == SRNN_PORT_GAIN) g->view.gain_db = value;
        else return;
        g->dirty = true;
    } else if (format == g->atom_eventTransfer && port == SRNN_PORT_NOTIFY &&
               size >= sizeof(LV2_Atom) && size >= lv2_atom_total_size(buffer)) {
        read_notification(g, buffer);
    }
}

/* ---- the user's input ---------------------------------------------------------------------- */

static bool inside(gui_rect r, double x, double y)
{
    return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

static bool on_knob(double cx, double cy, double r, double x, double y)
{
    return hypot(x - cx, y - cy) <= r;
}

/* The browser's row at (x, y), or -1. */
static int row_at(const gui_view *v, double x, double y)
{
    const gui_layout *l = &v->layout;
    if (!inside(l->list, x, y)) return -1;
    int i = v->scroll + (int)((y - l->list.y) / l->row_height);
    return i < v->model_count ? i : -1;
}

static void set_travel(gui *g, drag_target target, double travel)
{
    if (target == DRAG_TEMPERATURE) {
        g->view.temperature = gui_travel_to_temperature(travel);
        write_control(g, SRNN_PORT_TEMPERATURE, g->view.temperature);
    } else {
        g->view.gain_db = gui_travel_to_gain(travel);
        write_control(g, SRNN_PORT_GAIN, g->view.gain_db);
    }
    g->dirty = true;
}

static void press(gui *g, unsigned button, Time time, double x, double y)
{
    gui_view *v = &g->view;
    const gui_layout *l = &v->layout;
    bool on_temperature = on_knob(l->knob_x, l->knob_y, l->knob_r, x, y);
    bool on_gain = on_knob(l->gain_x, l->gain_y, l->gain_r, x, y);
    if (button == Button4 || button == Button5) {
        double step = button == Button4 ? WHEEL_STEP : -WHEEL_STEP;
        if (on_temperature)
            set_travel(g, DRAG_TEMPERATURE, gui_temperature_to_travel(v->temperature) + step);
        else if (on_gain) set_travel(g, DRAG_GAIN, gui_gain_to_travel(v->gain_db) + step);
        else if (inside(l->list, x, y)) {
            int most = v->model_count - l->rows;
            v->scroll += button == Button4 ? -1 : 1;
            v->scroll = v->scroll > most ? most : v->scroll;
            v->scroll = v->scroll < 0 ? 0 : v->scroll;
        }
        g->dirty = true;
        return;
    }
    if (button != Button1) return;
    v->typing = false;
    int row;
    if (on_temperature || on_gain) {
        drag_target knob = on_temperature ? DRAG_TEMPERATURE : DRAG_GAIN;
        if (knob == g->last_click && time - g->last_click_time < DOUBLE_CLICK_MS) {
            set_travel(g, knob, on_temperature
                                    ? gui_temperature_to_travel(SRNN_LV2_TEMPERATURE_DEFAULT)
                                    : gui_gain_to_travel(0.0f));
            knob = DRAG_NONE; /* a third click is a first one */
        } else {
            g->drag = knob;
            g->drag_y = y;
            g->drag_travel = on_temperature ? gui_temperature_to_travel(v->temperature)
                                            : gui_gain_to_travel(v->gain_db);
        }
        g->last_click = knob;
        g->last_click_time = time;
    } else if (v->error[0] && inside(l->error, x, y)) {
        v->error[0] = '\0';
    } else if (inside(l->reseed, x, y)) {
        v->reseed_down = true;
        write_control(g, SRNN_PORT_RESEED, 1.0f);
    } else if ((row = row_at(v, x, y)) >= 0) {
        load_model(g, v->models[row].path);
    } else if (inside(l->field, x, y)) {
        v->typing = true;
        XSetInputFocus(g->display, g->window, RevertToParent, CurrentTime);
    } else if (inside(l->load, x, y) && v->typed[0]) {
        load_model(g, v->typed);
    } else if (v->can_browse && inside(l->browse, x, y)) {
        g->request_value->request(g->request_value->handle, g->model, g->atom_Path, NULL);
    }
    g->dirty = true;
}

static void release(gui *g)
{
    g->drag = DRAG_NONE;
    if (g->view.reseed_down) {
        g->view.reseed_down = false; /* a trigger: back to 0 once pressed */
        write_control(g, SRNN_PORT_RESEED, 0.0f);
        g->dirty = true;
    }
}

static void motion(gui *g, double x, double y)
{
    if (g->drag != DRAG_NONE) {
        set_travel(g, g->drag, g->drag_travel + (g->drag_y - y) / DRAG_PIXELS);
        return;
    }
    int row = row_at(&g->view, x, y);
    if (row != g->view.hovered) {
        g->view.hovered = row;
        g->dirty = true;
    }
}

static void key(gui *g, XKeyEvent *event)
{
    gui_view *v = &g->view;
    if (!v->typing) return;
    char typed[16];
    KeySym symbol;
    int n = XLookupString(event, typed, sizeof typed - 1, &symbol, NULL);
    size_t length = strlen(v->typed);
    if (symbol == XK_Return || symbol == XK_KP_Enter) {
        if (length) load_model(g, v->typed);
        v->typing = false;
    } else if (symbol == XK_Escape) {
        v->typing = false;
    } else if (symbol == XK_BackSpace) {
        if (length) v->typed[length - 1] = '\0';
    } else if (n > 0 && (unsigned char)typed[0] >= 0x20 && length + (size_t)n < GUI_PATH_MAX) {
        memcpy(v->typed + length, typed, (size_t)n);
        v->typed[length + (size_t)n] = '\0';
    }
    g->dirty = true;
}

/* ---- the window ------------------------------------------------------------------------------ */

static void draw(gui *g)
{
    double width = g->width / g->scale, height = g->height / g->scale;
    gui_layout_compute(&g->view, width, height);
    cairo_t *cr = cairo_create(g->surface);
    cairo_push_group(cr); /* drawn off screen, shown at once: no flicker */
    cairo_scale(cr, g->scale, g->scale);
    gui_draw(&g->view, cr, width, height);
    cairo_pop_group_to_source(cr);
    cairo_paint(cr);
    cairo_destroy(cr);
    cairo_surface_flush(g->surface);
    XSync(g->display, False); /* drawn when idle() returns; one round trip per frame drawn */
    g->dirty = false;
}

static void handle_event(gui *g, XEvent *event)
{
    double x = 0, y = 0;
    gui_layout_compute(&g->view, g->width / g->scale, g->height / g->scale);
    switch (event->type) {
    case Expose: g->dirty = true; break;
    case ConfigureNotify:
        if (event->xconfigure.width != g->width || event->xconfigure.height != g->height) {
            g->width = event->xconfigure.width;
            g->height = event->xconfigure.height;
            cairo_xlib_surface_set_size(g->surface, g->width, g->height);
            g->dirty = true;
        }
        break;
    case ButtonPress:
        x = event->xbutton.x / g->scale, y = event->xbutton.y / g->scale;
        press(g, event->xbutton.button, event->xbutton.time, x, y);
        break;
    case ButtonRelease:
        if (event->xbutton.button == Button1) release(g);
        break;
    case MotionNotify:
        motion(g, event->xmotion.x / g->scale, event->xmotion.y / g->scale);
        break;
    case KeyPress: key(g, &event->xkey); break;
    default: break;
    }
}

static int idle(LV2UI_Handle handle)
{
    gui *g = handle;
    while (XPending(g->display)) {
        XEvent event;
        XNextEvent(g->display, &event);
        handle_event(g, &event);
    }
    if (g->dirty) draw(g);
    return 0;
}

/* The host resizes the window (LV2UI_Resize offered by the UI). */
static int host_resized(LV2UI_Feature_Handle handle, int width, int height)
{
    gui *g = handle;
    XResizeWindow(g->display, g->window, (unsigned)width, (unsigned)height);
    return 0;
}

static double host_scale(gui *g, const LV2_Options_Option *options)
{
    LV2_URID scale = g->map->map(g->map->handle, LV2_UI__scaleFactor);
    for (const LV2_Options_Option *o = options; o && o->key; o++)
        if (o->key == scale && o->type == g->atom_Float && o->size == sizeof(float)) {
            float value = *(const float *)o->value;
            if (value >= 0.5f && value <= 8.0f) return value;
        }
    return 1.0;
}

static void map_uris(gui *g)
{
    LV2_URID_Map *m = g->map;
    g->atom_eventTransfer = m->map(m->handle, LV2_ATOM__eventTransfer);
    g->atom_Path = m->map(m->handle, LV2_ATOM__Path);
    g->atom_String = m->map(m->handle, LV2_ATOM__String);
    g->atom_URID = m->map(m->handle, LV2_ATOM__URID);
    g->atom_Float = m->map(m->handle, LV2_ATOM__Float);
    g->patch_Get = m->map(m->handle, LV2_PATCH__Get);
    g->patch_Set = m->map(m->handle, LV2_PATCH__Set);
    g->patch_property = m->map(m->handle, LV2_PATCH__property);
    g->patch_value = m->map(m->handle, LV2_PATCH__value);
    g->model = m->map(m->handle, SRNN_LV2_MODEL_URI);
    g->error = m->map(m->handle, SRNN_LV2_ERROR_URI);
    g->speed = m->map(m->handle, SRNN_LV2_SPEED_URI);
    g->levels = m->map(m->handle, SRNN_LV2_LEVELS_URI);
    g->levels_value = m->map(m->handle, SRNN_LV2_LEVELS_VALUE_URI);
    g->voices_value = m->map(m->handle, SRNN_LV2_VOICES_VALUE_URI);
    card_map_uris(m, &g->card);
}

static void cleanup(LV2UI_Handle handle)
{
    gui *g = handle;
    if (g->surface) cairo_surface_destroy(g->surface);
    if (g->window) XDestroyWindow(g->display, g->window);
    if (g->display) XCloseDisplay(g->display);
    free(g);
}

static bool open_window(gui *g, Window parent)
{
    g->display = XOpenDisplay(NULL);
    if (!g->display) return false;
    g->width = (int)lround(GUI_WIDTH * g->scale);
    g->height = (int)lround(GUI_HEIGHT * g->scale);
    g->window = XCreateSimpleWindow(g->display, parent, 0, 0, (unsigned)g->width,
                                    (unsigned)g->height, 0, 0, 0);
    XSelectInput(g->display, g->window,
                 ExposureMask | StructureNotifyMask | ButtonPressMask | ButtonReleaseMask |
                     PointerMotionMask | KeyPressMask);
    XSizeHints hints = {0}; /* hosts that wrap the UI in a window of their own read them */
    hints.flags = PMinSize | PBaseSize;
    hints.min_width = (int)lround(GUI_MIN_WIDTH * g->scale);
    hints.min_height = (int)lround(GUI_MIN_HEIGHT * g->scale);
    hints.base_width = g->width;
    hints.base_height = g->height;
    XSetWMNormalHints(g->display, g->window, &hints);
    XStoreName(g->display, g->window, "srnn"); /* for xwininfo and window lists */
    XMapRaised(g->display, g->window);
    g->surface = cairo_xlib_surface_create(g->display, g->window,
                                           DefaultVisual(g->display, DefaultScreen(g->display)),
                                           g->width, g->height);
    return cairo_surface_status(g->surface) == CAIRO_STATUS_SUCCESS;
}

static LV2UI_Handle instantiate(const LV2UI_Descriptor *descriptor, const char *plugin_uri,
                                const char *bundle_path, LV2UI_Write_Function write,
                                LV2UI_Controller controller, LV2UI_Widget *widget,
                                const LV2_Feature *const *features)
{
    (void)descriptor;
    gui *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    void *parent = NULL;
    const LV2_Options_Option *options = NULL;
    const char *missing = lv2_features_query(features,
                                             LV2_UI__parent, &parent, true,
                                             LV2_URID__map, &g->map, true,
                                             LV2_UI__resize, &g->resize, false,
                                             LV2_UI__requestValue, &g->request_value, false,
                                             LV2_OPTIONS__options, &options, false,
                                             NULL);
    if (missing) {
        fprintf(stderr, "srnn GUI: the host lacks the feature <%s>\n", missing);
        free(g);
        return NULL;
    }
    g->write = write;
    g->controller = controller;
    map_uris(g);
    lv2_atom_forge_init(&g->forge, g->map);
    g->scale = host_scale(g, options);
    snprintf(g->bundle_dir, sizeof g->bundle_dir, "%s", bundle_path);

    gui_view *v = &g->view;
    v->temperature = SRNN_LV2_TEMPERATURE_DEFAULT;
    v->hovered = -1;
    v->input_meter = strcmp(plugin_uri, SRNN_LV2_CONTINUATION_URI) == 0;
    v->can_browse = g->request_value != NULL;
    refresh_browser(g);

    if (!open_window(g, (Window)(uintptr_t)parent)) {
        fprintf(stderr, "srnn GUI: cannot open the X display or its window\n");
        cleanup(g);
        return NULL;
    }
    if (g->resize) g->resize->ui_resize(g->resize->handle, g->width, g->height);
    *widget = (LV2UI_Widget)(uintptr_t)g->window;
    send_get(g); /* the plugin answers with its model, speed, card and last load error */
    g->dirty = true;
    return g;
}

static const void *extension_data(const char *uri)
{
    static const LV2UI_Idle_Interface idle_interface = {idle};
    static const LV2UI_Resize resize = {NULL, host_resized};
    if (strcmp(uri, LV2_UI__idleInterface) == 0) return &idle_interface;
    if (strcmp(uri, LV2_UI__resize) == 0) return &resize;
    return NULL;
}

static const LV2UI_Descriptor descriptor = {SRNN_LV2_UI_URI, instantiate, cleanup, port_event,
                                            extension_data};

LV2_SYMBOL_EXPORT const LV2UI_Descriptor *lv2ui_descriptor(uint32_t index)
{
    return index == 0 ? &descriptor : NULL;
}
