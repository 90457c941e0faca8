/* A model's primer (primer.h). */
#include "primer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int live_primer_read(const srnn_model *model, live_primer *primer, char error[SRNN_ERROR_MAX])
{
    const srnn_config *config = srnn_model_config(model);
    memset(primer, 0, sizeof *primer);
    primer->big_frame = config->big_frame_size;
    const char *text = srnn_model_metadata(model, LIVE_PRIMER_KEY);
    if (!text) return 0;
    size_t length = strlen(text), count = length / LIVE_PRIMER_DIGITS;
    if (length % LIVE_PRIMER_DIGITS != 0 || count < config->big_frame_size ||
        count > LIVE_PRIMER_MAX_SAMPLES) {
        snprintf(error, SRNN_ERROR_MAX,
                 "its primer is %zu characters: %d hex digits per sample, %zu to %d samples",
                 length, LIVE_PRIMER_DIGITS, (size_t)config->big_frame_size,
                 LIVE_PRIMER_MAX_SAMPLES);
        return -1;
    }
    if (!(primer->samples = malloc(count * sizeof *primer->samples))) {
        snprintf(error, SRNN_ERROR_MAX, "out of memory for its primer");
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        int32_t value = 0;
        for (int k = 0; k < LIVE_PRIMER_DIGITS; k++) {
            int digit = hex_value(text[i * LIVE_PRIMER_DIGITS + k]);
            if (digit < 0) {
                snprintf(error, SRNN_ERROR_MAX, "its primer holds '%c', not a hex digit",
                         text[i * LIVE_PRIMER_DIGITS + k]);
                live_primer_free(primer);
                return -1;
            }
            value = value * 16 + digit;
        }
        if (value >= (int32_t)config->q_levels) {
            snprintf(error, SRNN_ERROR_MAX,
                     "its primer's sample %zu is %d, past the model's %u levels", i, value,
                     config->q_levels);
            live_primer_free(primer);
            return -1;
        }
        primer->samples[i] = value;
    }
    primer->count = count;
    return 0;
}

void live_primer_free(live_primer *primer)
{
    free(primer->samples);
    primer->samples = NULL;
    primer->count = 0;
}

char *live_primer_encode(const srnn_config *config, const float *audio, size_t count)
{
    if (count < config->big_frame_size) return NULL;
    size_t length = (size_t)ceil(LIVE_PRIMER_SECONDS * config->sample_rate);
    if (length > LIVE_PRIMER_MAX_SAMPLES) length = LIVE_PRIMER_MAX_SAMPLES;
    if (length > count) length = count;
    /* the loudest stretch: a running sum of squares over every start */
    double energy = 0.0, best = -1.0;
    size_t start = 0;
    for (size_t i = 0; i < count; i++) {
        energy += (double)audio[i] * audio[i];
        if (i >= length) energy -= (double)audio[i - length] * audio[i - length];
        if (i + 1 >= length && energy > best) {
            best = energy;
            start = i + 1 - length;
        }
    }
    char *text = malloc(length * LIVE_PRIMER_DIGITS + 1);
    if (!text) return NULL;
    for (size_t i = 0; i < length; i++)
        snprintf(text + i * LIVE_PRIMER_DIGITS, LIVE_PRIMER_DIGITS + 1, "%04x",
                 (unsigned)srnn_quantise(config, audio[start + i]));
    return text;
}

/* splitmix64's finaliser: restarts and seeds spread over the primer's frames */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

const int32_t *live_primer_frame(const live_primer *primer, uint64_t seed, uint32_t restarts)
{
    if (!primer->samples) return NULL;
    size_t starts = primer->count - primer->big_frame + 1;
    return primer->samples + (size_t)(mix(seed ^ mix(restarts)) % starts);
}

void live_primer_prime(const live_primer *primer, srnn_voices *group, unsigned voice,
                       uint64_t seed, uint32_t restarts)
{
    const int32_t *frame = live_primer_frame(primer, seed, restarts);
    if (frame) srnn_voices_prime(group, voice, frame, primer->big_frame);
}

void live_silence_init(live_silence *silence, double model_rate)
{
    memset(silence, 0, sizeof *silence);
    silence->window = (uint32_t)ceil(LIVE_SILENCE_WINDOW_SECONDS * model_rate);
    silence->hold = (uint32_t)ceil(LIVE_SILENCE_HOLD_SECONDS / LIVE_SILENCE_WINDOW_SECONDS);
    silence->threshold = pow(10.0, LIVE_SILENCE_DBFS / 10.0) * silence->window;
}

bool live_silence_update(live_silence *silence, float sample)
{
    silence->sum += (double)sample * sample;
    if (++silence->filled < silence->window) return false;
    silence->quiet = silence->sum < silence->threshold ? silence->quiet + 1 : 0;
    silence->sum = 0.0;
    silence->filled = 0;
    if (silence->quiet < silence->hold) return false;
    silence->quiet = 0;
    return true;
}
