/* The checkpoint code's failures: an srnn_status plus one line naming the problem, written to
 * a caller's buffer of CKPT_ERROR_MAX bytes (longer than the engine's, because a checkpoint's
 * tensor names are long and a mismatch names several of them). */
#ifndef CKPT_ERROR_H
#define CKPT_ERROR_H

#include "format.h"
#include "srnn.h"

#define CKPT_ERROR_MAX 1024

/* Writes the message to error (when not NULL) and returns status. */
#define ckpt_fail(error, ...) srnn_fail_sized(error, CKPT_ERROR_MAX, __VA_ARGS__)

#endif
