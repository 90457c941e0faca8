/* Messages for the stable status codes, and the engine's one-line error reports. */
#include <stdarg.h>
#include <stdio.h>

#include "format.h"

const char *srnn_status_string(srnn_status status)
{
    switch (status) {
    case SRNN_OK: return "success";
    case SRNN_ERR_IO: return "cannot read the file";
    case SRNN_ERR_FORMAT: return "not a valid model file";
    case SRNN_ERR_VERSION: return "unsupported model file version";
    case SRNN_ERR_TRUNCATED: return "model file is truncated";
    case SRNN_ERR_CHECKSUM: return "model file checksum mismatch";
    case SRNN_ERR_CONFIG: return "invalid model configuration";
    case SRNN_ERR_TENSOR: return "invalid or missing tensor";
    case SRNN_ERR_NOMEM: return "out of memory";
    case SRNN_ERR_ARGUMENT: return "invalid argument";
    case SRNN_ERR_VALUE: return "weight is not finite";
    }
    return "unknown status";
}

srnn_status srnn_fail_sized(char *error, size_t error_max, srnn_status status,
                            const char *format, ...)
{
    if (error) {
        va_list args;
        va_start(args, format);
        vsnprintf(error, error_max, format, args);
        va_end(args);
    }
    return status;
}
