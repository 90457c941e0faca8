/* Constants of the .srnn file layout (models/FORMAT.md) shared by the loader and the writer,
 * and the one-line error reporting both use. Internal to the engine. */
#ifndef SRNN_FORMAT_H
#define SRNN_FORMAT_H

#include "srnn.h"

#define SRNN_FORMAT_MAGIC "SRNNMODL"
#define SRNN_FORMAT_HEADER_SIZE 128
#define SRNN_FORMAT_ENTRY_SIZE 96
#define SRNN_FORMAT_ALIGNMENT 64
#define SRNN_FORMAT_MAX_METADATA (1u << 20)

/* Formats one line into error (when not NULL, SRNN_ERROR_MAX bytes) and returns status. */
srnn_status srnn_fail(char *error, srnn_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
