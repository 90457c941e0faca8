/* Random models for the speed benchmark (srnn bench): PRiSM's defaults (GRU, frame sizes 16
 * and 64, mu-law, 16 kHz) at a chosen width and depth. The weights are untrained, scaled so
 * that no activation saturates: speed does not depend on their values. */
#ifndef SRNN_SPEED_MODEL_H
#define SRNN_SPEED_MODEL_H

#include "srnn.h"

srnn_config speed_config(uint32_t dim, uint32_t layers);

/* Writes a random model of config to path (seeded, so the same every run), its weights stored
 * at precision (SRNN_PRECISION_F32 for srnn bench, which converts at load). */
srnn_status speed_write_model(const char *path, const srnn_config *config,
                              srnn_precision precision, char error[SRNN_ERROR_MAX]);

#endif
