/* The MIDI instrument (urn:srnn:lv2:instrument, plugin/instrument.c) in a lilv host that sends
 * it notes, against the engine's own voices (take.c's engine_render, an srnn_voice primed and
 * played by hand).
 *
 * At the model's rate, with the default model: silence before the first note-on, to the
 * sample; a held note plays exactly the engine's voice for the note's seed times velocity / 127
 * times a linear attack; after its note-off it is silent within the release time, to the
 * sample; velocity scales the level; two notes sum to the two notes played apart; the
 * temperature follows the chosen controller and the mod wheel (and not an unchosen one); a
 * ninth note steals the oldest held voice. Resampled (48 kHz): a note sounds and its release
 * ends in silence. The ttl's new ports agree with plugin/params.h. The presets sound.
 *
 * Usage: test_lv2_instrument [--quick] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lv2/midi/midi.h>

#include "params.h"
#include "take.h"

enum { RATE = 16000, BLOCK = 64 };
/* Notes are held this fraction of the lengths below under --quick (valgrind) and ASan. */
#define SHORTER take_level_divisor

typedef struct {
    uint32_t at; /* sample */
    uint8_t status, data1, data2;
} midi_event;

#define NOTE_ON(at, note, velocity) {at, LV2_MIDI_MSG_NOTE_ON, note, velocity}
#define NOTE_OFF(at, note) {at, LV2_MIDI_MSG_NOTE_OFF, note, 0}
#define CC(at, number, value) {at, LV2_MIDI_MSG_CONTROLLER, number, value}

/* Renders total samples of the instrument at rate in host blocks of block samples with events
 * (in time order) and the temperature controller's port at temperature_cc; NULL when it cannot
 * be instantiated. */
static float *perform_in(double rate, const midi_event *events, size_t count, size_t total,
                         float temperature_cc, uint32_t block_size)
{
    take t;
    if (take_open(&t, SRNN_LV2_INSTRUMENT_URI, rate, WORKER_SYNC, block_size) != 0) return NULL;
    host_set_control(t.h, SRNN_PORT_TEMPERATURE_CC, temperature_cc);
    size_t next = 0;
    while (t.length < total) {
        uint32_t block =
            total - t.length < block_size ? (uint32_t)(total - t.length) : block_size;
        for (; next < count && events[next].at < t.length + block; next++)
            host_send_midi(t.h, (uint32_t)(events[next].at - t.length), events[next].status,
                           events[next].data1, events[next].data2);
        take_run_block(&t, block);
    }
    static int told;
    if (!told++) printf("    the instrument's speed line: %s\n", host_notified_speed(t.h));
    return take_close_keeping_left(&t);
}

static float *perform(double rate, const midi_event *events, size_t count, size_t total,
                      float temperature_cc)
{
    return perform_in(rate, events, count, total, temperature_cc, BLOCK);
}

/* The engine's voice for a note's first strike, from sample start for length samples, at
 * temperature, times level and an envelope: the default linear attack, and from sample
 * released on (of the length) a linear fall from where it was to 0 in release seconds. */
static void add_expected(float *out, uint8_t note, float level, float temperature, size_t start,
                         size_t length, size_t released, double release)
{
    float *voice = engine_render(take_default_model, SRNN_LV2_NOTE_SEED(0, note, 0), temperature,
                                 NULL, length);
    double attack = SRNN_LV2_ATTACK_DEFAULT * RATE, fall = release * RATE;
    double from = fmin(1.0, (double)released / attack); /* the level where it falls from */
    for (size_t i = 0; i < length; i++) {
        double envelope = fmin(1.0, (double)(i + 1) / attack);
        if (i >= released) envelope = from * fmax(0.0, 1.0 - (double)(i - released + 1) / fall);
        out[start + i] += voice[i] * level * (float)envelope;
    }
    free(voice);
}

static int all_zero(const float *x, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (x[i] != 0.0f) return 0;
    return 1;
}

static void test_description(void)
{
    LilvWorld *world = host_world();
    const LilvPlugin *plugin = host_find_plugin(SRNN_LV2_INSTRUMENT_URI);
    if (!CHECK_SHOW(plugin, "the bundle describes the instrument")) return;
    LilvNode *instrument = lilv_new_uri(world, LV2_CORE__InstrumentPlugin);
    LilvNode *midi = lilv_new_uri(world, LV2_MIDI__MidiEvent);
    const LilvPort *control = lilv_plugin_get_port_by_index(plugin, SRNN_PORT_CONTROL);
    int midi_input = lilv_port_supports_event(plugin, control, midi);
    int is_instrument = 0;
    LilvNode *type = lilv_new_uri(world, LILV_NS_RDF "type");
    LilvNodes *classes = lilv_plugin_get_value(plugin, type);
    lilv_node_free(type);
    LILV_FOREACH (nodes, i, classes)
        is_instrument |= lilv_node_equals(lilv_nodes_get(classes, i), instrument);
    lilv_nodes_free(classes);
    lilv_node_free(instrument);
    lilv_node_free(midi);
    float minimum[SRNN_PORT_COUNT_MAX], maximum[SRNN_PORT_COUNT_MAX],
        defaults[SRNN_PORT_COUNT_MAX];
    int ports = (int)lilv_plugin_get_num_ports(plugin);
    if (!CHECK(ports == SRNN_PORT_TEMPERATURE_CC + 1, "the instrument has %d ports", ports))
        return;
    lilv_plugin_get_port_ranges_float(plugin, minimum, maximum, defaults);
    CHECK_SHOW(is_instrument && midi_input && minimum[SRNN_PORT_ATTACK] == SRNN_LV2_ATTACK_MIN &&
                   defaults[SRNN_PORT_ATTACK] == SRNN_LV2_ATTACK_DEFAULT &&
                   maximum[SRNN_PORT_ATTACK] == SRNN_LV2_ATTACK_MAX &&
                   minimum[SRNN_PORT_RELEASE] == SRNN_LV2_RELEASE_MIN &&
                   defaults[SRNN_PORT_RELEASE] == SRNN_LV2_RELEASE_DEFAULT &&
                   maximum[SRNN_PORT_RELEASE] == SRNN_LV2_RELEASE_MAX &&
                   defaults[SRNN_PORT_TEMPERATURE_CC] == SRNN_LV2_TEMPERATURE_CC_DEFAULT,
               "an lv2:InstrumentPlugin with MIDI on its control port; attack %g..%g s "
               "(default %g), release %g..%g s (default %g), controller %g: as params.h",
               minimum[SRNN_PORT_ATTACK], maximum[SRNN_PORT_ATTACK], defaults[SRNN_PORT_ATTACK],
               minimum[SRNN_PORT_RELEASE], maximum[SRNN_PORT_RELEASE],
               defaults[SRNN_PORT_RELEASE], defaults[SRNN_PORT_TEMPERATURE_CC]);
}

/* One note, velocity 80 and 40; a second note; both: gate, release, velocity and sum. */
static void test_notes(void)
{
    const size_t release = (size_t)(SRNN_LV2_RELEASE_DEFAULT * RATE);
    const size_t on = 100, off = on + RATE / 2 / SHORTER, total = off + release + RATE / 20;
    const uint8_t cc = SRNN_LV2_TEMPERATURE_CC_DEFAULT;
    midi_event a[] = {NOTE_ON(on, 60, 80), NOTE_OFF(off, 60)};
    midi_event soft[] = {NOTE_ON(on, 60, 40), NOTE_OFF(off, 60)};
    midi_event b[] = {NOTE_ON(on, 64, 80), NOTE_OFF(off, 64)};
    midi_event both[] = {NOTE_ON(on, 60, 80), NOTE_ON(on, 64, 80), NOTE_OFF(off, 60),
                         NOTE_OFF(off, 64)};
    float *pa = perform(RATE, a, 2, total, cc), *psoft = perform(RATE, soft, 2, total, cc);
    float *pb = perform(RATE, b, 2, total, cc), *pboth = perform(RATE, both, 4, total, cc);
    float *expected = calloc(total, sizeof *expected);
    if (!CHECK(pa && psoft && pb && pboth && expected, "cannot play the instrument")) goto done;

    add_expected(expected, 60, 80.0f / 127.0f, SRNN_LV2_TEMPERATURE_DEFAULT, on,
                 off - on + release, off - on, SRNN_LV2_RELEASE_DEFAULT);
    CHECK_SHOW(all_zero(pa, on), "silent to the sample before the first note-on (%zu samples)",
               on);
    check_max_diff("a note (60, velocity 80) = the engine's voice for its seed x 80/127 x "
                   "a linear attack, hold and release",
                   pa + on, expected + on, off - on + release, 1e-6);
    double held = rms(pa + on, off - on), fading = rms(pa + off, release / 2);
    CHECK_SHOW(held > 3e-3 && fading > 1e-4 && all_zero(pa + off + release, total - off - release),
               "sounds while held (%.1f dBFS), still in the release's first half (%.1f dBFS), "
               "silent to the sample from the release time (%.2f s) after the note-off on",
               20 * log10(held), 20 * log10(fading), SRNN_LV2_RELEASE_DEFAULT);

    for (size_t i = 0; i < total; i++) expected[i] = pa[i] * 0.5f;
    check_max_diff("velocity 40 plays velocity 80's note at half the level", psoft, expected,
                   total, 1e-6);
    for (size_t i = 0; i < total; i++) expected[i] = pa[i] + pb[i];
    CHECK(peak_abs(pboth, total) < 1.0f, "two notes peak at %g: the limiter would act",
          peak_abs(pboth, total));
    check_max_diff("two notes (60 and 64) = each note played alone, summed", pboth, expected,
                   total, 1e-6);
done:
    free(pa);
    free(psoft);
    free(pb);
    free(pboth);
    free(expected);
}

/* The temperature: the chosen controller (21 here) sets it, the mod wheel raises it, the
 * default controller (74) does nothing when another is chosen. */
static void test_temperature(void)
{
    const size_t on = 100, total = on + RATE / 4 / SHORTER;
    midi_event events[] = {CC(0, 21, 100), CC(0, 1, 64), CC(0, 74, 5), NOTE_ON(on, 60, 127)};
    float *played = perform(RATE, events, 4, total, 21);
    float *expected = calloc(total, sizeof *expected);
    float temperature = srnn_lv2_wheel_temperature(srnn_lv2_controller_temperature(100), 64);
    if (CHECK(played && expected, "cannot play the instrument")) {
        add_expected(expected, 60, 1.0f, temperature, on, total - on, total, 0.0);
        check_max_diff("controller 21 at 100 and the mod wheel at 64 (74 ignored) play the "
                       "engine's voice at their temperature",
                       played, expected, total, 1e-6);
    }
    CHECK_SHOW(fabsf(srnn_lv2_controller_temperature(0) - SRNN_LV2_TEMPERATURE_MIN) < 1e-6f &&
                   fabsf(srnn_lv2_controller_temperature(127) - SRNN_LV2_TEMPERATURE_MAX) < 1e-5f &&
                   fabsf(srnn_lv2_wheel_temperature(0.5f, 127) - SRNN_LV2_TEMPERATURE_MAX) <
                       1e-5f &&
                   temperature > 1.2f && temperature < 1.4f,
               "a controller spans the knob's range (0: %g, 127: %g), the wheel at the top "
               "reaches its top (%g); 100 and the wheel at 64 play at %.3f",
               srnn_lv2_controller_temperature(0), srnn_lv2_controller_temperature(127),
               srnn_lv2_wheel_temperature(0.5f, 127), temperature);
    free(played);
    free(expected);
}

/* Where a note struck at sample at (the model's rate) begins while another sounds since sample
 * 0: the voices keep one clock, and a restarted one joins them at its next big frame boundary
 * (srnn_voices_starts_in). */
static size_t joins_at(size_t at, size_t frame) { return (at + frame - 1) / frame * frame; }

/* Nine notes on eight voices, 10 samples apart: each note after the first begins at the
 * voices' next big frame boundary; the ninth steals the oldest held voice (the first note),
 * which fades out over SRNN_LV2_STEAL_SECONDS from where its attack was, then the ninth
 * begins. */
static void test_stealing(void)
{
    enum { NOTES = SRNN_LV2_INSTRUMENT_VOICES + 1 };
    const size_t off = 100 + RATE / 4 / SHORTER;
    const size_t release = (size_t)(SRNN_LV2_RELEASE_DEFAULT * RATE);
    const size_t total = off + release + 100;
    const uint8_t velocity = 16;
    midi_event events[2 * NOTES];
    for (int n = 0; n < NOTES; n++) {
        events[n] = (midi_event)NOTE_ON(10u * n, (uint8_t)(60 + n), velocity);
        events[NOTES + n] = (midi_event)NOTE_OFF(off, (uint8_t)(60 + n));
    }
    float *played = perform(RATE, events, 2 * NOTES, total, SRNN_LV2_TEMPERATURE_CC_DEFAULT);
    float *expected = calloc(total, sizeof *expected);
    const size_t frame = model_config(take_default_model).big_frame_size;
    if (CHECK(played && expected && frame > 10, "cannot play the instrument")) {
        const size_t stolen = 10u * (NOTES - 1), steal = (size_t)(SRNN_LV2_STEAL_SECONDS * RATE);
        add_expected(expected, 60, velocity / 127.0f, SRNN_LV2_TEMPERATURE_DEFAULT, 0,
                     stolen + steal, stolen, SRNN_LV2_STEAL_SECONDS);
        for (int n = 1; n < NOTES; n++) {
            size_t begins = joins_at(n < NOTES - 1 ? 10u * n : stolen + steal, frame);
            add_expected(expected, (uint8_t)(60 + n), velocity / 127.0f,
                         SRNN_LV2_TEMPERATURE_DEFAULT, begins, off - begins, off,
                         SRNN_LV2_RELEASE_DEFAULT);
        }
        CHECK(peak_abs(played, off) < 1.0f, "the notes peak at %g: the limiter would act",
              peak_abs(played, off));
        check_max_diff("nine notes on eight voices, 10 samples apart: each after the first "
                       "begins at the voices' next big frame boundary; the first's voice fades "
                       "out in 3 ms and plays the ninth, the others play on",
                       played, expected, off, 1e-6);
        CHECK_SHOW(all_zero(played + off + release, total - off - release),
                   "all released: silent within the release time");
    }
    free(played);
    free(expected);
}

/* At 48 kHz the voices are resampled: a note struck in silence begins after its converter's
 * look-ahead of silence (about 46 model samples: 2.9 ms, 138 host samples), which it then
 * need not generate at once; it sounds and its release ends in silence. */
static void test_resampled(void)
{
    const size_t rate = 48000, off = rate / 4 / SHORTER;
    const size_t release = (size_t)(SRNN_LV2_RELEASE_DEFAULT * rate), total = off + release + 480;
    midi_event events[] = {NOTE_ON(0, 60, 100), NOTE_OFF(off, 60)};
    float *played = perform(rate, events, 2, total, SRNN_LV2_TEMPERATURE_CC_DEFAULT);
    if (!CHECK(played, "cannot play the instrument at 48 kHz")) return;
    size_t begins = 0;
    while (begins < off && played[begins] == 0.0f) begins++;
    CHECK_SHOW(begins >= rate * 2 / 1000 && begins <= rate * 4 / 1000,
               "at 48 kHz a note struck in silence begins after the converter's look-ahead: "
               "at sample %zu (%.2f ms)",
               begins, 1e3 * (double)begins / (double)rate);
    double held = rms(played + off / 2, off / 2);
    CHECK_SHOW(held > 3e-3 && all_finite_within(played, total, 1.0f) &&
                   all_zero(played + off + release, total - off - release),
               "at 48 kHz a note sounds (%.1f dBFS) within full scale and is silent after its "
               "release",
               20 * log10(held));
    free(played);
}

/* At 48 kHz, notes struck while others sound (each waits for the voices' clock, and for
 * the converters' look-ahead), a chord of the other eight at once, and a stolen voice: the
 * same performance in host blocks of 64 and of 100 samples plays the same samples (what the
 * voices generate does not depend on how the host splits its blocks), and every note sounds. */
static void test_blocks(void)
{
    enum { NOTES = SRNN_LV2_INSTRUMENT_VOICES + 1 };
    const size_t rate = 48000, gap = 1000, total = rate / 4 / SHORTER + NOTES * gap;
    midi_event events[2 * NOTES + 1];
    size_t count = 0;
    for (int n = 0; n < 3; n++) /* three notes apart, released in turn */
        events[count++] = (midi_event)NOTE_ON(gap * n + 7u * n, (uint8_t)(40 + n), 100);
    events[count++] = (midi_event)NOTE_OFF(3 * gap, 40);
    for (int n = 0; n < NOTES - 3; n++) /* a chord: with the two held, a voice is stolen */
        events[count++] = (midi_event)NOTE_ON(4 * gap + 3, (uint8_t)(60 + n), 90);
    float *in64 = perform_in(rate, events, count, total, SRNN_LV2_TEMPERATURE_CC_DEFAULT, 64);
    float *in100 = perform_in(rate, events, count, total, SRNN_LV2_TEMPERATURE_CC_DEFAULT, 100);
    if (CHECK(in64 && in100, "cannot play the instrument at 48 kHz")) {
        check_max_diff("at 48 kHz notes struck apart and in a chord, one stealing: host blocks "
                       "of 100 play what blocks of 64 do",
                       in100, in64, total, 0.0);
        double first = rms(in64 + gap / 2, gap / 2), joined = rms(in64 + 3 * gap, gap),
               chord = rms(in64 + total - gap, gap);
        CHECK_SHOW(first > 3e-3 && joined > 3e-3 && chord > 3e-3 &&
                       all_finite_within(in64, total, 1.0f),
                   "one note sounds (%.1f dBFS), three (%.1f), the chord with the two held "
                   "(%.1f), within full scale",
                   20 * log10(first), 20 * log10(joined), 20 * log10(chord));
    }
    free(in64);
    free(in100);
}

/* The instrument's presets sound: two notes held for a second (a quarter under ASan) are above
 * -40 dBFS RMS in its second half, within full scale, and silent after the preset's
 * release. */
static void play_preset(take *t, const char *name, void *arg)
{
    (void)arg;
    float release = host_control(t->h, SRNN_PORT_RELEASE);
    size_t off = RATE / SHORTER, end = off + (size_t)(release * RATE);
    for (uint8_t n = 0; n < 2; n++) host_send_midi(t->h, 0, 0x90, (uint8_t)(57 + 4 * n), 100);
    take_run(t, off);
    for (uint8_t n = 0; n < 2; n++) host_send_midi(t->h, 0, 0x80, (uint8_t)(57 + 4 * n), 0);
    take_run(t, end + RATE / 20 - off);
    double level = 20.0 * log10(rms(t->left + off / 2, off / 2));
    CHECK_SHOW(level > -40.0 && all_finite_within(t->left, t->length, 1.0f) &&
                   all_zero(t->left + end, t->length - end) &&
                   strcmp(host_notified_model(t->h), take_default_model) == 0,
               "preset \"%s\": two held notes at %.1f dBFS RMS (above -40), within full scale, "
               "silent after its %.2f s release; the bundle's model",
               name, level, release);
}

static void test_presets(void)
{
    int count = take_each_preset(SRNN_LV2_INSTRUMENT_URI, RATE, 256, play_preset, NULL);
    CHECK_SHOW(count >= 2, "the instrument has %d presets", count);
}

int main(int argc, char **argv)
{
    if (take_setup(argc, argv) != 0) return 1;
    test_description();
    test_notes();
    test_temperature();
    test_stealing();
    test_resampled();
    test_blocks();
    test_presets();
    return take_finish();
}
