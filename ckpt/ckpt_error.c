#include "ckpt_error.h"

#include <stdarg.h>
#include <stdio.h>

srnn_status ckpt_fail(char *error, srnn_status status, const char *format, ...) {
    if (error) {
        va_list args;
        va_start(args, format);
        vsnprintf(error, CKPT_ERROR_MAX, format, args);
        va_end(args);
    }
    return status;
}
