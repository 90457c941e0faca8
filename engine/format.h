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

/* Formats one line into error (when not NULL, a buffer of error_max bytes) and returns status. */
srnn_status srnn_fail_sized(char *error, size_t error_max, srnn_status status,
                            const char *format, ...) __attribute__((format(printf, 4, 5)));

/* The same into the engine's buffers of SRNN_ERROR_MAX bytes. */
#define srnn_fail(error, ...) srnn_fail_sized(error, SRNN_ERROR_MAX, __VA_ARGS__)

#endif
