/* Audio previews of a checkpoint, as PRiSM's training writes with generate.py: the engine
 * generates from the saved model file at each temperature. */
#ifndef TRAIN_PREVIEW_H
#define TRAIN_PREVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes PREFIX_tTEMPERATURE.wav for each temperature: seconds of audio from model_path, the
 * voice seeded with seed. false with error (1024 bytes) on failure. */
bool train_preview(const char *model_path, const char *prefix, const double *temperatures,
                   size_t count, double seconds, uint64_t seed, char *error);

#endif
