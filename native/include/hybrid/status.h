/* hybrid/status.h - status codes and error messages.
 *
 * Every hyb_ function returns a hyb_status (0 = ok). On failure the calling thread's
 * last-error message (hyb_last_error_message) says in words what was wrong, and no
 * output buffer has been written: entry points validate everything before they write. */
#ifndef HYBRID_STATUS_H
#define HYBRID_STATUS_H

#include <stdint.h>
#include "hybrid/export.h"

HYB_EXTERN_C_BEGIN

/* Status codes. Values are part of the ABI: never renumber, only append. */
typedef enum hyb_status {
    HYB_STATUS_OK = 0,               /* success */
    HYB_STATUS_NULL_POINTER = 1,     /* a required pointer argument was NULL */
    HYB_STATUS_INVALID_LENGTH = 2,   /* an element count was negative or too large */
    HYB_STATUS_INVALID_FORMAT = 3,   /* LNS bit width, gamma or w_max out of range */
    HYB_STATUS_INVALID_ARGUMENT = 4, /* another configuration value out of range */
    HYB_STATUS_NON_FINITE = 5,       /* a NaN or infinity where the policy rejects it */
    HYB_STATUS_OVERLAP = 6,          /* buffers overlap where that is unsafe */
    HYB_STATUS_INVALID_CODE = 7,     /* an LNS code has bits set outside its format */
    HYB_STATUS_OUT_OF_MEMORY = 8,    /* an allocation failed */
    HYB_STATUS_BUFFER_TOO_SMALL = 9, /* a caller-provided buffer cannot hold the result */
    HYB_STATUS_CUDA_UNAVAILABLE = 10,/* CUDA not compiled in, or no driver/device */
    HYB_STATUS_CUDA_ERROR = 11,      /* the CUDA runtime reported an error */
    HYB_STATUS_INTERNAL = 12         /* a bug in Hybrid; please report it */
} hyb_status;
HYB_STATIC_ASSERT(sizeof(hyb_status) == 4, "hyb_status must be 32-bit");

/* A static, human-readable name for a status ("invalid LNS format", ...). Never NULL;
 * unknown values give "unknown status". */
HYB_API const char* hyb_status_string(hyb_status status);

/* The calling thread's message for the last failed call: which argument, which value,
 * which limit. Empty ("") if no call on this thread has failed. Valid until the next
 * hyb_ call on this thread. Never NULL. */
HYB_API const char* hyb_last_error_message(void);

HYB_EXTERN_C_END

#endif /* HYBRID_STATUS_H */
