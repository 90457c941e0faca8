/* A model generating at the host's rate: the model, one voice per channel, and, when the host's
 * rate differs from the model's, one libsamplerate converter per channel.
 *
 * generator_create and generator_free load, allocate and free: call them off the audio thread (the
 * plugin's worker). generator_render and generator_reset are real-time safe. */
#ifndef SRNN_LV2_GENERATOR_H
#define SRNN_LV2_GENERATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "srnn.h"

#define GENERATOR_MAX_CHANNELS 2
#define GENERATOR_ERROR_MAX 512

typedef struct generator generator;

/* Loads the model at path for channels voices played at host_rate; voice c uses
 * SRNN_LV2_SEED(reseeds, c). A model that will crossfade in gets its crossfade's samples
 * generated here at lead_in_temperature; NaN for one that plays alone at once. On failure
 * *out is NULL, error holds one line naming the file and the problem, and the result is not
 * 0. */
int generator_create(const char *path, double host_rate, uint32_t channels, uint32_t reseeds,
                     float lead_in_temperature, generator **out,
                     char error[GENERATOR_ERROR_MAX]);
void generator_free(generator *p); /* NULL is a no-op */

/* One line: the model's real-time factor on this machine with all its voices, measured as it
 * loaded, the threads per voice chosen from it, and when it cannot play live, what would. */
const char *generator_speed(const generator *p);
/* Whether it can play live here (the line above then has no advice). */
bool generator_live(const generator *p);

/* The file the generator was loaded from. */
const char *generator_path(const generator *p);
/* The reseeds its voices' seeds come from (generator_create or the last generator_reset). */
uint32_t generator_reseeds(const generator *p);

/* Restarts every voice from silence with the seeds of the given reseed count; clears the
 * converters. Real-time safe. */
void generator_reset(generator *p, uint32_t reseeds);

/* Writes count samples of channel at the host's rate to out. The temperature is the knob's
 * value; each model sample uses it smoothed (SRNN_LV2_SMOOTHING_SECONDS). Real-time safe. */
void generator_render(generator *p, uint32_t channel, float temperature, float *out,
                      uint32_t count);

#endif
