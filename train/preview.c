#include <stdio.h>
#include <stdlib.h>

#include "audio_file.h"
#include "preview.h"
#include "srnn.h"

enum { BLOCK = 4096 };

bool train_preview(const char *model_path, const char *prefix, const double *temperatures,
                   size_t count, double seconds, uint64_t seed, char *error)
{
    srnn_model *model = NULL;
    char detail[SRNN_ERROR_MAX];
    if (srnn_model_load(model_path, &model, detail) != SRNN_OK) {
        snprintf(error, 1024, "%.500s: %s", model_path, detail);
        return false;
    }
    uint32_t rate = srnn_model_config(model)->sample_rate;
    size_t total = (size_t)(seconds * rate);
    float *audio = malloc(BLOCK * sizeof *audio);
    bool ok = audio != NULL;
    if (!ok) snprintf(error, 1024, "out of memory for a preview");
    for (size_t i = 0; ok && i < count; i++) {
        char path[4096], why[AUDIO_ERROR_MAX];
        snprintf(path, sizeof path, "%s_t%g.wav", prefix, temperatures[i]);
        srnn_voice *voice = NULL;
        if (srnn_voice_create(model, seed, &voice) != SRNN_OK) {
            snprintf(error, 1024, "out of memory for a voice");
            ok = false;
            break;
        }
        audio_writer *writer = audio_writer_open(path, rate, why);
        ok = writer != NULL;
        for (size_t done = 0; ok && done < total; done += BLOCK) {
            size_t n = total - done < BLOCK ? total - done : BLOCK;
            srnn_voice_generate(voice, (float)temperatures[i], audio, NULL, n);
            ok = audio_writer_write(writer, audio, n, why) == 0;
        }
        if (writer && audio_writer_close(writer, why) != 0) ok = false;
        if (!ok) snprintf(error, 1024, "%s", why);
        srnn_voice_free(voice);
    }
    free(audio);
    srnn_model_free(model);
    return ok;
}
