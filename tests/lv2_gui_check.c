/* The plugin's GUI in a small host of ours, on the X display of tests/test_lv2_gui.sh (Xvfb).
 *
 * The host runs the plugin (tests/lv2/host.c) and the GUI the bundle declares (found through
 * lilv, its library opened with dlopen) in a window of its own: what the GUI writes goes to
 * the plugin's ports, what the plugin's notify port says goes to the GUI, and the GUI's idle
 * callback runs after every block, as jalv and Ardour do it. It looks at screenshots of the
 * window (XGetImage) for what must be there, by colour (ui/lv2gui/gui_draw.c keeps the
 * temperature's orange, the waveform's teal and the error's red for them alone), not pixel by
 * pixel:
 * - the model's name appears in the header once the plugin has announced it, and the card's
 *   real-time badge (green: it plays live) once the plugin has posted its card; a card saying
 *   the model cannot play live, sent to the GUI as the plugin would, turns the badge red: the
 *   GUI draws the card it receives (its library holds no engine to read a file with);
 * - the output's waveform is drawn from the levels the plugin posts;
 * - the temperature knob's arc follows the port: its orange reaches further right at 1.8
 *   than at 0.1;
 * - a drag up on the knob (XTest, the X server's synthetic pointer) raises the temperature
 *   the plugin sees, a drag down lowers it, a double click resets it;
 * - a corrupt model's load error, sent by the plugin, shows as a red banner; one the plugin
 *   reported while no GUI was open shows when a GUI opens (the plugin answers its patch:Get);
 * - the reseed button holds the trigger port up while pressed, and lets it go;
 * - the browser lists the playing model's folder: a click on the row above the playing one
 *   (its orange-gold marker) has the plugin load that file; a path typed (XTest keys) into
 *   the field and Enter loads that file;
 * - resized, the GUI draws a larger knob; at scale factor 2 its window is twice as large;
 * - for the MIDI instrument, its keyboard lights a held note's key (violet) and not before
 *   the note or after its release;
 * - for the continuation effect, its meter shows the input beside the output: with a loud
 *   input played dry both bars and the waveform, wet while it listens only the input's bar.
 * The screenshots are written as PNG files to SHOTS_DIR.
 *
 * Usage: lv2_gui_check SHOTS_DIR CORRUPT_MODEL MODEL_DIR
 * MODEL_DIR holds a.srnn and b.srnn (models that load). */
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/options/options.h>
#include <lv2/ui/ui.h>

#include "check.h"
#include "host.h"
#include "model_card.h"
#include "params.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/keysym.h>
#include <X11/extensions/XTest.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>

enum { RATE = 48000, BLOCK = 512 };

typedef struct {
    host *plugin;
    const LV2UI_Descriptor *descriptor;
    LV2UI_Handle ui;
    const LV2UI_Idle_Interface *idle;
    LV2_URID atom_eventTransfer;
    Display *display;
    Window parent;
    int width, height;       /* the size the GUI asked for (ui:resize) */
    uint32_t control_writes; /* float writes to the control ports */
} gui_host;

typedef struct {
    int width, height;
    uint32_t *pixels; /* 0x00RRGGBB */
} shot;

/* ---- the host's side of the GUI ---------------------------------------------------------- */

static void write_port(LV2UI_Controller controller, uint32_t port, uint32_t size,
                       uint32_t format, const void *buffer)
{
    gui_host *g = controller;
    if (format == 0 && size == sizeof(float) && port >= SRNN_PORT_TEMPERATURE &&
        port <= SRNN_PORT_RESEED) {
        host_set_control(g->plugin, port, *(const float *)buffer);
        g->control_writes++;
    } else if (format == g->atom_eventTransfer && port == SRNN_PORT_CONTROL) {
        host_send_atom(g->plugin, buffer);
    }
}

static int ui_resize(LV2UI_Feature_Handle handle, int width, int height)
{
    gui_host *g = handle;
    g->width = width;
    g->height = height;
    return 0;
}

/* A control port set by the host (an automation, a preset): the plugin and the GUI hear it. */
static void set_port(gui_host *g, uint32_t port, float value)
{
    host_set_control(g->plugin, port, value);
    g->descriptor->port_event(g->ui, port, sizeof value, 0, &value);
}

/* Runs blocks of the plugin, each followed by its notifications to the GUI, and the GUI's
 * idle call every third block (about 30 times a second, as hosts call it), then lets the GUI
 * draw. The X server hears the GUI on a connection of its own:
 * what this one asked (a resize, synthetic pointer events) is done first, and the GUI given a
 * moment to receive its events, and the server one to draw what the GUI drew. */
static void pump(gui_host *g, int blocks)
{
    struct timespec moment = {0, 30 * 1000 * 1000};
    XSync(g->display, False);
    nanosleep(&moment, NULL);
    for (int b = 0; b < blocks; b++) {
        host_run(g->plugin, BLOCK, NULL, NULL);
        LV2_ATOM_SEQUENCE_FOREACH (host_notify(g->plugin), event)
            g->descriptor->port_event(g->ui, SRNN_PORT_NOTIFY, lv2_atom_total_size(&event->body),
                                      g->atom_eventTransfer, &event->body);
        if (b % 3 == 0) g->idle->idle(g->ui);
    }
    nanosleep(&moment, NULL);
    g->idle->idle(g->ui);
    XSync(g->display, False);
}

/* ---- screenshots -------------------------------------------------------------------------- */

static shot take(gui_host *g, Window window, const char *dir, const char *name)
{
    XWindowAttributes a;
    XGetWindowAttributes(g->display, window, &a);
    shot s = {a.width, a.height, calloc((size_t)a.width * a.height, sizeof(uint32_t))};
    XImage *image = XGetImage(g->display, window, 0, 0, (unsigned)a.width, (unsigned)a.height,
                              AllPlanes, ZPixmap);
    if (!image || !s.pixels) {
        FAIL("cannot read the window's pixels");
        exit(1);
    }
    for (int y = 0; y < s.height; y++)
        for (int x = 0; x < s.width; x++)
            s.pixels[y * s.width + x] = (uint32_t)XGetPixel(image, x, y) & 0xFFFFFF;
    XDestroyImage(image);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    cairo_surface_t *surface = cairo_image_surface_create_for_data(
        (unsigned char *)s.pixels, CAIRO_FORMAT_RGB24, s.width, s.height, s.width * 4);
    if (cairo_surface_write_to_png(surface, path) != CAIRO_STATUS_SUCCESS)
        FAIL("cannot write %s", path);
    cairo_surface_destroy(surface);
    return s;
}

typedef struct {
    int count;
    double x, y;                     /* centroid */
    int left, right, top, bottom;    /* bounding box */
} blob;

static bool near(uint32_t pixel, uint32_t colour, int tolerance)
{
    for (int shift = 0; shift < 24; shift += 8) {
        int a = (int)(pixel >> shift & 0xFF), b = (int)(colour >> shift & 0xFF);
        if (abs(a - b) > tolerance) return false;
    }
    return true;
}

/* The pixels of a colour right of column left, within the rows [top, bottom). */
static blob find_right_of(const shot *s, uint32_t colour, int tolerance, int left, int top,
                          int bottom)
{
    blob b = {0, 0, 0, s->width, -1, s->height, -1};
    for (int y = top; y < bottom && y < s->height; y++)
        for (int x = left; x < s->width; x++) {
            if (!near(s->pixels[y * s->width + x], colour, tolerance)) continue;
            b.count++;
            b.x += x;
            b.y += y;
            b.left = x < b.left ? x : b.left;
            b.right = x > b.right ? x : b.right;
            b.top = y < b.top ? y : b.top;
            b.bottom = y > b.bottom ? y : b.bottom;
        }
    if (b.count) b.x /= b.count, b.y /= b.count;
    return b;
}

/* The middle of the longest run of a colour in row y between x0 and x1, or -1. */
static int run_middle(const shot *s, uint32_t colour, int y, int x0, int x1)
{
    int best = 0, best_end = -1, run = 0;
    for (int x = x0; x < x1 && x < s->width; x++) {
        run = near(s->pixels[y * s->width + x], colour, 3) ? run + 1 : 0;
        if (run > best) best = run, best_end = x;
    }
    return best >= 20 ? best_end - best / 2 : -1;
}

static blob find(const shot *s, uint32_t colour, int tolerance, int top, int bottom)
{
    return find_right_of(s, colour, tolerance, 0, top, bottom);
}

/* Pixels that differ between two shots of one size within the rows [top, bottom). */
static int changed(const shot *a, const shot *b, int top, int bottom)
{
    int n = 0;
    for (int y = top; y < bottom && y < a->height; y++)
        for (int x = 0; x < a->width; x++)
            n += a->pixels[y * a->width + x] != b->pixels[y * b->width + x];
    return n;
}

/* Bright text (the model's name is drawn nearly white) within the rows [top, bottom). */
static int bright(const shot *s, int top, int bottom)
{
    int n = 0;
    for (int y = top; y < bottom && y < s->height; y++)
        for (int x = 0; x < s->width; x++)
            n += near(s->pixels[y * s->width + x], 0xE6E8EB, 25);
    return n;
}

#define TEMPERATURE_ORANGE 0xFF9F1C
#define WAVE_TEAL 0x38D9A9
#define ERROR_RED 0xC0392B
#define GAIN_BLUE 0x6CB4FF
#define BUTTON_FILL 0x3C4149 /* the reseed and load buttons (gui_draw.c's track) */
#define ROW_MARKER 0xF5BE61 /* the playing row's marker (gui_draw.c's highlight) */
#define KEY_VIOLET 0xA86EFF /* a sounding note's key on the instrument's keyboard */
#define BADGE_GREEN 0x4CAF50 /* the real-time badge of a model that plays live */
#define BADGE_RED 0xE5484D   /* and of one that does not */
#define HEADER_ROWS 50 /* the header band at scale 1 (gui_draw.c: 56 logical pixels) */

/* ---- the GUI ------------------------------------------------------------------------------ */

/* A card, as the plugin posts it (plugin/model_card.h), of a model that cannot play live here,
 * sent to the GUI as if from the plugin. */
static void send_slow_card(gui_host *g)
{
    LV2_URID_Map *map = host_map();
    card_uris uris;
    card_map_uris(map, &uris);
    LV2_Atom_Forge forge;
    lv2_atom_forge_init(&forge, map);
    model_card card;
    lv2_atom_forge_set_buffer(&forge, (uint8_t *)card.atom, sizeof card.atom);
    LV2_Atom_Forge_Frame frame;
    lv2_atom_forge_object(&forge, &frame, 0, uris.type);
    lv2_atom_forge_key(&forge, uris.key[CARD_NAME]);
    lv2_atom_forge_string(&forge, "slow", 4);
    lv2_atom_forge_key(&forge, uris.key[CARD_RATE]);
    lv2_atom_forge_int(&forge, 16000);
    lv2_atom_forge_key(&forge, uris.key[CARD_REALTIME]);
    lv2_atom_forge_float(&forge, 0.4f);
    lv2_atom_forge_key(&forge, uris.key[CARD_LIVE]);
    lv2_atom_forge_bool(&forge, false);
    lv2_atom_forge_pop(&forge, &frame);
    const LV2_Atom *atom = (const LV2_Atom *)card.atom;
    g->descriptor->port_event(g->ui, SRNN_PORT_NOTIFY, lv2_atom_total_size(atom),
                              g->atom_eventTransfer, atom);
}

static LV2UI_Handle open_gui(gui_host *g, const char *plugin_uri, const char *binary,
                             const char *bundle, float scale, Window parent, Window *widget)
{
    void *library = dlopen(binary, RTLD_NOW | RTLD_LOCAL);
    if (!CHECK(library != NULL, "the GUI's library %s opens: %s", binary, dlerror())) exit(1);
    LV2UI_DescriptorFunction entry = (LV2UI_DescriptorFunction)dlsym(library, "lv2ui_descriptor");
    g->descriptor = entry ? entry(0) : NULL;
    if (!CHECK(g->descriptor != NULL, "the GUI's library has a descriptor")) exit(1);
    LV2_URID_Map *map = host_map();
    LV2_URID float_type = map->map(map->handle, LV2_ATOM__Float);
    static float scale_value;
    scale_value = scale;
    LV2_Options_Option options[] = {
        {LV2_OPTIONS_INSTANCE, 0, map->map(map->handle, LV2_UI__scaleFactor), sizeof scale_value,
         float_type, &scale_value},
        {LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, NULL},
    };
    LV2UI_Resize resize = {g, ui_resize};
    LV2_Feature parent_feature = {LV2_UI__parent, (void *)(uintptr_t)parent},
                map_feature = {LV2_URID__map, map}, unmap_feature = {LV2_URID__unmap, host_unmap()},
                resize_feature = {LV2_UI__resize, &resize},
                options_feature = {LV2_OPTIONS__options, options},
                idle_feature = {LV2_UI__idleInterface, NULL};
    const LV2_Feature *features[] = {&parent_feature, &map_feature, &unmap_feature,
                                     &resize_feature, &options_feature, &idle_feature, NULL};
    LV2UI_Widget w = NULL;
    LV2UI_Handle ui = g->descriptor->instantiate(g->descriptor, plugin_uri, bundle, write_port,
                                                 g, &w, features);
    if (!CHECK(ui != NULL, "the GUI instantiates")) exit(1);
    g->idle = g->descriptor->extension_data(LV2_UI__idleInterface);
    if (!CHECK(g->idle != NULL, "the GUI has the idle interface")) exit(1);
    *widget = (Window)(uintptr_t)w;
    return ui;
}

/* The X11 GUI the bundle declares for the plugin: its library and bundle paths. */
static bool find_gui(const LilvPlugin *plugin, char **binary, char **bundle)
{
    LilvWorld *world = host_world();
    LilvNode *x11 = lilv_new_uri(world, LV2_UI__X11UI);
    LilvUIs *uis = lilv_plugin_get_uis(plugin);
    bool found = false;
    LILV_FOREACH (uis, i, uis) {
        const LilvUI *ui = lilv_uis_get(uis, i);
        if (!lilv_ui_is_a(ui, x11)) continue;
        *binary = lilv_file_uri_parse(lilv_node_as_uri(lilv_ui_get_binary_uri(ui)), NULL);
        *bundle = lilv_file_uri_parse(lilv_node_as_uri(lilv_ui_get_bundle_uri(ui)), NULL);
        found = true;
    }
    lilv_uis_free(uis);
    lilv_node_free(x11);
    return found;
}

static void drag(gui_host *g, int x, int y, int dy)
{
    XTestFakeMotionEvent(g->display, -1, x, y, 0);
    pump(g, 1);
    XTestFakeButtonEvent(g->display, 1, True, 0);
    pump(g, 1);
    for (int step = 1; step <= 6; step++) {
        XTestFakeMotionEvent(g->display, -1, x, y + dy * step / 6, 0);
        pump(g, 1);
    }
    XTestFakeButtonEvent(g->display, 1, False, 0);
    pump(g, 1);
}

/* The instrument's GUI: no key lit before a note, the note's key lit while it is held, none
 * after its release. Leaves g->plugin open. */
static void check_instrument(gui_host *g, const char *binary, const char *bundle, Window root,
                             const char *shots)
{
    host_options options = {SRNN_LV2_INSTRUMENT_URI, RATE, WORKER_SYNC, false};
    g->plugin = host_open(&options);
    if (!CHECK(g->plugin != NULL, "the instrument opens")) return;
    Window parent = XCreateSimpleWindow(g->display, root, 0, 0, 1000, 700, 0, 0, 0), widget;
    XMapRaised(g->display, parent);
    XSync(g->display, False);
    g->ui = open_gui(g, SRNN_LV2_INSTRUMENT_URI, binary, bundle, 1.0f, parent, &widget);
    pump(g, 10);
    shot silent = take(g, widget, shots, "11-instrument-silent");
    host_send_midi(g->plugin, 0, 0x90, 60, 100);
    pump(g, 20);
    shot held = take(g, widget, shots, "12-instrument-note-held");
    host_send_midi(g->plugin, 0, 0x80, 60, 0);
    pump(g, 60); /* 0.64 s, past the release (0.3 s) */
    shot released = take(g, widget, shots, "13-instrument-released");
    blob before = find(&silent, KEY_VIOLET, 12, 0, silent.height);
    blob lit = find(&held, KEY_VIOLET, 12, held.height / 2, held.height);
    blob after = find(&released, KEY_VIOLET, 12, 0, released.height);
    CHECK_SHOW(before.count == 0 && lit.count > 20 && after.count == 0,
               "the instrument's keyboard: no key lit before a note (%d violet pixels), the "
               "note's key lit while held (%d), none after its release (%d)",
               before.count, lit.count, after.count);
    free(silent.pixels), free(held.pixels), free(released.pixels);
    g->descriptor->cleanup(g->ui);
}

#define METER_GREEN 0x4CAF50 /* the meter's bars below -9 dBFS (gui_draw.c's good) */

/* The continuation effect's GUI: the model's card, which the effect posts as the generators do,
 * draws the real-time badge; a loud input lights both meter bars and the waveform when played
 * dry (mix 0); wet (mix 1) while the model listens, the output is silent: only the right bar
 * (IN) lit, no waveform. Leaves g->plugin open. */
static void check_continuation(gui_host *g, const char *binary, const char *bundle, Window root,
                               const char *shots)
{
    host_options options = {SRNN_LV2_CONTINUATION_URI, RATE, WORKER_SYNC, false};
    g->plugin = host_open(&options);
    if (!CHECK(g->plugin != NULL, "the continuation effect opens")) return;
    static float tone[HOST_MAX_BLOCK];
    for (int i = 0; i < HOST_MAX_BLOCK; i++) tone[i] = 0.5f * sinf(0.05f * (float)i);
    host_set_input(g->plugin, tone, HOST_MAX_BLOCK);
    Window parent = XCreateSimpleWindow(g->display, root, 0, 0, 1000, 700, 0, 0, 0), widget;
    XMapRaised(g->display, parent);
    XSync(g->display, False);
    g->ui = open_gui(g, SRNN_LV2_CONTINUATION_URI, binary, bundle, 1.0f, parent, &widget);
    host_set_control(g->plugin, SRNN_PORT_MIX, 0.0f);
    pump(g, 30);
    shot dry = take(g, widget, shots, "14-continuation-dry");
    host_set_control(g->plugin, SRNN_PORT_MIX, 1.0f);
    pump(g, 250); /* the waveform's columns of the dry output scroll out */
    shot wet = take(g, widget, shots, "15-continuation-listening");
    blob both = find(&dry, METER_GREEN, 12, HEADER_ROWS, dry.height);
    blob input = find(&wet, METER_GREEN, 12, HEADER_ROWS, wet.height);
    blob dry_wave = find(&dry, WAVE_TEAL, 20, HEADER_ROWS, dry.height);
    /* the newest columns of the waveform, left of the meter */
    blob wet_wave = find_right_of(&wet, WAVE_TEAL, 20, both.left - 100, HEADER_ROWS, wet.height);
    CHECK_SHOW(both.count > 50 && input.count > 20 && input.left > both.left + 3 &&
                   dry_wave.count > 50 && wet_wave.count == 0,
               "the effect's meter: dry, both bars lit (%d green pixels from x %d) and the "
               "waveform (%d teal); wet while listening, only the input's bar (%d from x %d), "
               "no waveform in the last 100 columns (%d)", both.count, both.left, dry_wave.count, input.count,
               input.left, wet_wave.count);
    blob badge = find(&dry, BADGE_GREEN, 12, 0, HEADER_ROWS);
    CHECK_SHOW(host_card_notifications(g->plugin) > 0 && badge.count > 30,
               "the effect posts the model's card (%d times) and its GUI draws the real-time "
               "badge from it (%d green pixels)", host_card_notifications(g->plugin), badge.count);
    free(dry.pixels), free(wet.pixels);
    g->descriptor->cleanup(g->ui);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: lv2_gui_check SHOTS_DIR CORRUPT_MODEL MODEL_DIR\n");
        return 2;
    }
    const char *shots = argv[1], *corrupt = argv[2], *model_dir = argv[3];
    if (!host_world()) return 1;
    gui_host g = {0};
    g.atom_eventTransfer = host_map()->map(NULL, LV2_ATOM__eventTransfer);
    host_options options = {SRNN_LV2_URI, RATE, WORKER_SYNC, false};
    g.plugin = host_open(&options);
    if (!CHECK(g.plugin != NULL, "the plugin opens")) return check_summary();
    char *binary = NULL, *bundle = NULL;
    if (!CHECK(find_gui(host_plugin(g.plugin), &binary, &bundle),
               "the bundle declares an X11 GUI (ui:X11UI) for the plugin"))
        return check_summary();

    g.display = XOpenDisplay(NULL);
    int event, error, major, minor;
    if (!CHECK(g.display && XTestQueryExtension(g.display, &event, &error, &major, &minor),
               "the X display (with XTest) opens"))
        return check_summary();
    Window root = DefaultRootWindow(g.display);
    g.parent = XCreateSimpleWindow(g.display, root, 0, 0, 1000, 700, 0, 0, 0);
    XMapRaised(g.display, g.parent);
    XSync(g.display, False);

    Window widget;
    g.ui = open_gui(&g, SRNN_LV2_URI, binary, bundle, 1.0f, g.parent, &widget);
    CHECK(g.width > 0 && g.height > 0, "the GUI asks for its size (ui:resize): %d x %d", g.width,
          g.height);
    g.idle->idle(g.ui);
    pump(&g, 0);
    shot empty = take(&g, widget, shots, "0-before-the-plugin-spoke");

    /* the plugin answers the GUI's patch:Get with its model and speed, and plays */
    pump(&g, 150); /* 1.6 s: enough of the waveform to show its shape */
    shot playing = take(&g, widget, shots, "1-playing");
    int header_text = bright(&playing, 0, HEADER_ROWS);
    int header_changed = changed(&empty, &playing, 0, HEADER_ROWS);
    CHECK_SHOW(header_text > 150 && header_changed > 150,
               "the model's name is shown in the header: %d bright pixels, %d changed since the "
               "plugin spoke",
               header_text, header_changed);
    blob badge_before = find(&empty, BADGE_GREEN, 12, 0, HEADER_ROWS),
         badge = find(&playing, BADGE_GREEN, 12, 0, HEADER_ROWS);
    CHECK_SHOW(host_card_notifications(g.plugin) > 0 && badge_before.count == 0 &&
                   badge.count > 30,
               "the card's real-time badge is drawn from the plugin's card: %d green pixels "
               "(%d before the plugin spoke)",
               badge.count, badge_before.count);
    send_slow_card(&g);
    pump(&g, 0);
    shot slow = take(&g, widget, shots, "1b-card-not-live");
    blob slow_green = find(&slow, BADGE_GREEN, 12, 0, HEADER_ROWS),
         slow_red = find(&slow, BADGE_RED, 12, 0, HEADER_ROWS);
    host_send_get(g.plugin); /* the plugin's own card again */
    pump(&g, 2);
    shot again = take(&g, widget, shots, "1c-card-again");
    blob green_again = find(&again, BADGE_GREEN, 12, 0, HEADER_ROWS);
    CHECK_SHOW(slow_green.count == 0 && slow_red.count > 30 && green_again.count > 30,
               "a card saying the model cannot play live turns the badge red (%d red, %d green "
               "pixels); the plugin's card, asked for again, green (%d pixels)",
               slow_red.count, slow_green.count, green_again.count);
    free(slow.pixels), free(again.pixels);
    blob wave = find(&playing, WAVE_TEAL, 10, 0, playing.height);
    CHECK_SHOW(wave.count > 300 && host_level_frames(g.plugin) > 20,
               "the output's waveform is drawn: %d pixels from %u level frames", wave.count,
               host_level_frames(g.plugin));

    /* the knob follows the port */
    set_port(&g, SRNN_PORT_TEMPERATURE, 0.1f);
    pump(&g, 2);
    shot low = take(&g, widget, shots, "2-temperature-0.1");
    set_port(&g, SRNN_PORT_TEMPERATURE, 1.8f);
    pump(&g, 2);
    shot high = take(&g, widget, shots, "3-temperature-1.8");
    blob arc_low = find(&low, TEMPERATURE_ORANGE, 12, 0, low.height),
         arc_high = find(&high, TEMPERATURE_ORANGE, 12, 0, high.height);
    int knob_width = arc_high.right - arc_high.left;
    CHECK_SHOW(arc_low.count > 20 && arc_high.count > 3 * arc_low.count &&
                   arc_high.x > arc_low.x + 0.25 * knob_width,
               "the knob's arc follows the temperature: %d pixels centred at x %.0f at 0.1, %d "
               "at x %.0f at 1.8 (knob %d pixels wide)",
               arc_low.count, arc_low.x, arc_high.count, arc_high.x, knob_width);

    /* a drag up on the knob raises the temperature the plugin sees */
    set_port(&g, SRNN_PORT_TEMPERATURE, 0.5f);
    pump(&g, 1);
    uint32_t writes = g.control_writes;
    int cx = (arc_high.left + arc_high.right) / 2, cy = (arc_high.top + arc_high.bottom) / 2;
    drag(&g, cx, cy, -60);
    float dragged = host_control(g.plugin, SRNN_PORT_TEMPERATURE);
    CHECK_SHOW(g.control_writes > writes && dragged > 0.9f && dragged <= SRNN_LV2_TEMPERATURE_MAX,
               "a drag of 60 pixels up on the knob at (%d, %d) set the plugin's temperature "
               "0.5 -> %.3f (%u port writes)",
               cx, cy, dragged, g.control_writes - writes);
    drag(&g, cx, cy, 60);
    float lowered = host_control(g.plugin, SRNN_PORT_TEMPERATURE);
    CHECK_SHOW(lowered < dragged * 0.7f, "and a drag down lowers it: %.3f -> %.3f", dragged,
               lowered);
    for (int click = 0; click < 2; click++) {
        XTestFakeButtonEvent(g.display, 1, True, 0);
        XTestFakeButtonEvent(g.display, 1, False, 0);
    }
    pump(&g, 1);
    float reset = host_control(g.plugin, SRNN_PORT_TEMPERATURE);
    CHECK_SHOW(fabsf(reset - SRNN_LV2_TEMPERATURE_DEFAULT) < 1e-4f,
               "a double click on the knob resets it: %.3f", reset);

    /* the reseed button, right of the gain knob: the trigger is up while it is held */
    blob gain = find(&high, GAIN_BLUE, 12, 0, high.height);
    int reseed_y = (gain.top + gain.bottom) / 2,
        reseed_x = run_middle(&high, BUTTON_FILL, reseed_y, gain.right + 1, high.width / 3);
    CHECK(gain.count > 20 && reseed_x > 0, "the gain knob (%d pixels) and the reseed button "
          "(at x %d) are on the screenshot", gain.count, reseed_x);
    XTestFakeMotionEvent(g.display, -1, reseed_x, reseed_y, 0);
    XTestFakeButtonEvent(g.display, 1, True, 0);
    pump(&g, 1);
    float held = host_control(g.plugin, SRNN_PORT_RESEED);
    XTestFakeButtonEvent(g.display, 1, False, 0);
    pump(&g, 1);
    float released = host_control(g.plugin, SRNN_PORT_RESEED);
    CHECK_SHOW(held == 1.0f && released == 0.0f,
               "the reseed button at (%d, %d) holds the trigger at %g, and lets it go to %g",
               reseed_x, reseed_y, held, released);

    /* a load error from the plugin */
    shot before_error = take(&g, widget, shots, "4-before-the-error");
    host_send_model(g.plugin, corrupt);
    pump(&g, 4);
    shot with_error = take(&g, widget, shots, "5-load-error");
    blob red_before = find(&before_error, ERROR_RED, 10, 0, before_error.height),
         red = find(&with_error, ERROR_RED, 10, 0, with_error.height);
    CHECK_SHOW(host_error_notifications(g.plugin) > 0 && red_before.count == 0 &&
                   red.count > 4000,
               "the plugin's load error (\"%s\") shows as a red banner: %d pixels (%d before)",
               host_notified_error(g.plugin), red.count, red_before.count);

    /* the browser: b.srnn plays; the row above it is a.srnn, a click loads it */
    char a_path[4096], b_path[4096];
    snprintf(a_path, sizeof a_path, "%s/a.srnn", model_dir);
    snprintf(b_path, sizeof b_path, "%s/b.srnn", model_dir);
    host_send_model(g.plugin, b_path);
    pump(&g, 4);
    shot listed = take(&g, widget, shots, "6-browser");
    /* in the browser's column, the right third (the knob's antialiased edges come near) */
    blob marker = find_right_of(&listed, ROW_MARKER, 12, 2 * listed.width / 3, HEADER_ROWS + 10,
                                listed.height);
    bool b_plays = strcmp(host_notified_model(g.plugin), b_path) == 0;
    CHECK(b_plays && marker.count > 10, "the browser marks the playing model %s (%d pixels)",
          host_notified_model(g.plugin), marker.count);
    XTestFakeMotionEvent(g.display, -1, marker.right + 40, (int)marker.y - 20, 0);
    pump(&g, 1);
    XTestFakeButtonEvent(g.display, 1, True, 0);
    XTestFakeButtonEvent(g.display, 1, False, 0);
    pump(&g, 5);
    CHECK_SHOW(b_plays && strcmp(host_notified_model(g.plugin), a_path) == 0,
               "a click on the row above %s in the browser loaded %s", b_path,
               host_notified_model(g.plugin));
    shot loaded = take(&g, widget, shots, "7-browser-loaded");
    blob red_after = find(&loaded, ERROR_RED, 10, 0, loaded.height);
    CHECK_SHOW(red.count > 0 && red_after.count == 0,
               "the load asked in the GUI took the old error's banner away (%d red pixels)",
               red_after.count);
    free(listed.pixels), free(loaded.pixels);

    /* a path typed into the field (below the list, 30 pixels above the window's bottom at
     * scale 1), then Enter: models/default.srnn, from the test's directory */
    const char *typed = "models/default.srnn";
    XTestFakeMotionEvent(g.display, -1, marker.left + 30, loaded.height - 30, 0);
    XTestFakeButtonEvent(g.display, 1, True, 0);
    XTestFakeButtonEvent(g.display, 1, False, 0);
    pump(&g, 1);
    for (const char *c = typed; *c; c++) {
        char name[2] = {*c, 0};
        KeySym symbol = *c == '/' ? XK_slash : *c == '.' ? XK_period : XStringToKeysym(name);
        KeyCode code = XKeysymToKeycode(g.display, symbol);
        XTestFakeKeyEvent(g.display, code, True, 0);
        XTestFakeKeyEvent(g.display, code, False, 0);
    }
    pump(&g, 1);
    shot typing = take(&g, widget, shots, "8-typed-path");
    free(typing.pixels);
    KeyCode enter = XKeysymToKeycode(g.display, XK_Return);
    XTestFakeKeyEvent(g.display, enter, True, 0);
    XTestFakeKeyEvent(g.display, enter, False, 0);
    pump(&g, 5);
    CHECK_SHOW(strcmp(host_notified_model(g.plugin), typed) == 0,
               "the path typed into the field and Enter loaded %s", host_notified_model(g.plugin));

    /* resized by the host: a larger knob */
    XResizeWindow(g.display, widget, 1000, 620);
    set_port(&g, SRNN_PORT_TEMPERATURE, 1.8f);
    pump(&g, 2);
    shot large = take(&g, widget, shots, "9-resized");
    blob arc_large = find(&large, TEMPERATURE_ORANGE, 12, 0, large.height);
    CHECK_SHOW(large.width == 1000 && arc_large.right - arc_large.left > 1.15 * knob_width,
               "resized to %d x %d, the knob is %d pixels wide (%d before)", large.width,
               large.height, arc_large.right - arc_large.left, knob_width);

    /* closed; a load error while no GUI is open; a GUI opened again at the host's scale
     * factor 2, in a window of its own, shows it */
    int width1 = g.width, height1 = g.height;
    g.descriptor->cleanup(g.ui);
    host_send_model(g.plugin, corrupt);
    uint32_t errors = host_error_notifications(g.plugin);
    for (int b = 0; b < 4; b++) host_run(g.plugin, BLOCK, NULL, NULL);
    CHECK(host_error_notifications(g.plugin) == errors + 1,
          "the plugin reported the error with no GUI open: \"%s\"",
          host_notified_error(g.plugin));
    Window parent2 = XCreateSimpleWindow(g.display, root, 0, 0, 1400, 800, 0, 0, 0);
    XMapRaised(g.display, parent2);
    XSync(g.display, False);
    g.ui = open_gui(&g, SRNN_LV2_URI, binary, bundle, 2.0f, parent2, &widget);
    pump(&g, 2);
    XWindowAttributes a;
    XGetWindowAttributes(g.display, widget, &a);
    CHECK_SHOW(g.width == 2 * width1 && g.height == 2 * height1 && a.width == g.width,
               "at scale factor 2 the GUI asks for %d x %d (%d x %d at 1)", g.width, g.height,
               width1, height1);
    shot scaled = take(&g, widget, shots, "10-scale-2-error-from-before");
    blob red_late = find(&scaled, ERROR_RED, 10, 0, scaled.height),
         badge_late = find(&scaled, BADGE_GREEN, 12, 0, 2 * HEADER_ROWS);
    CHECK_SHOW(red_late.count > 4 * 4000 && badge_late.count > 4 * 30,
               "the GUI opened after the error shows its banner (%d red pixels) and the card's "
               "badge (%d green pixels)",
               red_late.count, badge_late.count);
    free(scaled.pixels);
    g.descriptor->cleanup(g.ui);
    host_close(g.plugin);
    check_instrument(&g, binary, bundle, root, shots);
    host_close(g.plugin);
    check_continuation(&g, binary, bundle, root, shots);
    cairo_debug_reset_static_data(); /* cairo's and fontconfig's caches, for LeakSanitizer */
    FcFini();
    XCloseDisplay(g.display);
    host_close(g.plugin); /* the continuation effect's */
    host_world_free();
    lilv_free(binary);
    lilv_free(bundle);
    free(empty.pixels), free(playing.pixels), free(low.pixels), free(high.pixels);
    free(before_error.pixels), free(with_error.pixels), free(large.pixels);
    return check_summary();
}
