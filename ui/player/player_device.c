/* PortAudio device selection and streams. On Linux, Debian's PortAudio offers ALSA devices and,
 * when a JACK server (or PipeWire's JACK) runs, a JACK device per client: "system" plays to
 * the sound card. */
#include "player_device.h"

#include <alsa/asoundlib.h>
#include <ctype.h>
#include <jack/jack.h>
#include <pa_jack.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void quiet_alsa(const char *file, int line, const char *function, int err,
                       const char *format, ...) {
    (void)file, (void)line, (void)function, (void)err, (void)format;
}

static void quiet_jack(const char *message) { (void)message; }

/* PortAudio's error text, with the host's own words when it has them. */
static const char *error_text(PaError status) {
    if (status == paUnanticipatedHostError) {
        const PaHostErrorInfo *info = Pa_GetLastHostErrorInfo();
        if (info && info->errorText && info->errorText[0]) return info->errorText;
    }
    return Pa_GetErrorText(status);
}

int player_device_init(char error[DEVICE_ERROR_MAX]) {
    snd_lib_error_set_handler(quiet_alsa);
    jack_set_error_function(quiet_jack);
    jack_set_info_function(quiet_jack);
    PaJack_SetClientName("srnn"); /* the JACK ports are srnn:out_0, ... */
    PaError status = Pa_Initialize();
    if (status != paNoError) {
        snprintf(error, DEVICE_ERROR_MAX, "cannot start PortAudio: %s", error_text(status));
        return -1;
    }
    return 0;
}

void player_device_terminate(void) { Pa_Terminate(); }

static int is_output(PaDeviceIndex index) {
    const PaDeviceInfo *info = Pa_GetDeviceInfo(index);
    return info && info->maxOutputChannels > 0;
}

int player_device_list(FILE *out) {
    PaDeviceIndex count = Pa_GetDeviceCount(), fallback = Pa_GetDefaultOutputDevice();
    int listed = 0;
    for (PaDeviceIndex i = 0; i < count; i++) {
        if (!is_output(i)) continue;
        const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
        const PaHostApiInfo *api = Pa_GetHostApiInfo(info->hostApi);
        fprintf(out, "%c %3d  %-32s %-26s %2d out  %6.0f Hz\n", i == fallback ? '*' : ' ', i,
                info->name, api ? api->name : "?", info->maxOutputChannels,
                info->defaultSampleRate);
        listed++;
    }
    return listed;
}

static int all_digits(const char *text) {
    if (!*text) return 0;
    for (; *text; text++)
        if (!isdigit((unsigned char)*text)) return 0;
    return 1;
}

/* Whether part occurs in text, ignoring case. */
static int contains(const char *text, const char *part) {
    size_t n = strlen(part);
    for (; *text; text++)
        if (strncasecmp(text, part, n) == 0) return 1;
    return 0;
}

PaDeviceIndex player_device_find(const char *spec, int *no_device,
                                 char error[DEVICE_ERROR_MAX]) {
    PaDeviceIndex count = Pa_GetDeviceCount();
    int outputs = 0;
    for (PaDeviceIndex i = 0; i < count; i++) outputs += is_output(i);
    *no_device = outputs == 0;
    if (outputs == 0) {
        snprintf(error, DEVICE_ERROR_MAX, "no audio output device found");
        return -1;
    }
    if (!spec) {
        PaDeviceIndex fallback = Pa_GetDefaultOutputDevice();
        if (fallback != paNoDevice && is_output(fallback)) return fallback;
        for (PaDeviceIndex i = 0; i < count; i++)
            if (is_output(i)) return i;
    }
    if (all_digits(spec)) {
        long index = strtol(spec, NULL, 10);
        if (strlen(spec) < 10 && index < count && is_output((PaDeviceIndex)index))
            return (PaDeviceIndex)index;
        snprintf(error, DEVICE_ERROR_MAX,
                 "--device %s: no output device has that number (see --list-devices)", spec);
        return -1;
    }
    for (PaDeviceIndex i = 0; i < count; i++)
        if (is_output(i) && strcmp(Pa_GetDeviceInfo(i)->name, spec) == 0) return i;
    PaDeviceIndex found = -1;
    int matches = 0;
    for (PaDeviceIndex i = 0; i < count; i++) {
        if (is_output(i) && contains(Pa_GetDeviceInfo(i)->name, spec)) {
            found = i;
            matches++;
        }
    }
    if (matches == 1) return found;
    snprintf(error, DEVICE_ERROR_MAX, "--device '%s': %s (see --list-devices)", spec,
             matches == 0 ? "no output device has that name"
                          : "several output devices have that in their names; give a number");
    return -1;
}

PaStream *player_device_start(PaDeviceIndex device, unsigned long buffer, player *p,
                              char error[DEVICE_ERROR_MAX]) {
    const PaDeviceInfo *info = Pa_GetDeviceInfo(device);
    PaStreamParameters output = {
        .device = device,
        .channelCount = p->channels,
        .sampleFormat = paFloat32,
        /* with a buffer asked for, as little latency as it allows; else a safe margin */
        .suggestedLatency = buffer ? info->defaultLowOutputLatency
                                   : info->defaultHighOutputLatency,
        .hostApiSpecificStreamInfo = NULL,
    };
    PaStream *stream = NULL;
    PaError status = Pa_OpenStream(&stream, NULL, &output, p->rate,
                                   buffer ? buffer : paFramesPerBufferUnspecified, paNoFlag,
                                   player_callback, p);
    if (status != paNoError) {
        snprintf(error, DEVICE_ERROR_MAX, "cannot open '%s' at %u Hz with %d channels: %s",
                 info->name, p->rate, p->channels, error_text(status));
        return NULL;
    }
    status = Pa_StartStream(stream);
    if (status != paNoError) {
        snprintf(error, DEVICE_ERROR_MAX, "cannot start '%s': %s", info->name,
                 error_text(status));
        Pa_CloseStream(stream);
        return NULL;
    }
    return stream;
}

int player_device_stop(PaStream *stream) {
    if (Pa_IsStreamActive(stream) != 1) return 0;
    Pa_StopStream(stream);
    Pa_CloseStream(stream);
    return 1;
}
