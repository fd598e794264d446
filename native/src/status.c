/* status.c - status names and the thread-local last-error message. */
#include <stdarg.h>
#include <stdio.h>
#include "internal.h"

static _Thread_local char hyb_error_message[512];

const char* hyb_status_string(hyb_status status) {
    switch (status) {
    case HYB_STATUS_OK: return "ok";
    case HYB_STATUS_NULL_POINTER: return "null pointer";
    case HYB_STATUS_INVALID_LENGTH: return "invalid length";
    case HYB_STATUS_INVALID_FORMAT: return "invalid LNS format";
    case HYB_STATUS_INVALID_ARGUMENT: return "invalid argument";
    case HYB_STATUS_NON_FINITE: return "non-finite value";
    case HYB_STATUS_OVERLAP: return "overlapping buffers";
    case HYB_STATUS_INVALID_CODE: return "invalid LNS code";
    case HYB_STATUS_OUT_OF_MEMORY: return "out of memory";
    case HYB_STATUS_BUFFER_TOO_SMALL: return "buffer too small";
    case HYB_STATUS_CUDA_UNAVAILABLE: return "CUDA unavailable";
    case HYB_STATUS_CUDA_ERROR: return "CUDA error";
    case HYB_STATUS_INTERNAL: return "internal error";
    }
    return "unknown status";
}

const char* hyb_last_error_message(void) { return hyb_error_message; }

void hyb_clear_error(void) { hyb_error_message[0] = '\0'; }

hyb_status hyb_fail(hyb_status status, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(hyb_error_message, sizeof hyb_error_message, fmt, args);
    va_end(args);
    return status;
}
