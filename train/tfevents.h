/* TensorBoard event files: TFRecord framing (length, masked CRC-32C of the length, data,
 * masked CRC-32C of the data) around tensorflow.Event protocol buffers, each holding a
 * Summary of one scalar (tag, simple_value). The first event carries the file version. */
#ifndef TRAIN_TFEVENTS_H
#define TRAIN_TFEVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    FILE *file;
    char path[4096];
} train_events;

/* Creates dir/events.out.tfevents.SECONDS.HOST.srnn-train (not .srnn: a run directory's *.srnn
 * are its models, which srnn play lists); false with error (1024 bytes) on failure. */
bool train_events_open(train_events *events, const char *dir, char *error);

/* Appends one scalar at step and flushes, so that TensorBoard sees it at once. */
bool train_events_scalar(train_events *events, const char *tag, int64_t step, double wall_time,
                         float value);

void train_events_close(train_events *events);

#endif
