/* A struct field of a type the ABI does not allow: plain long. */
#include <stdint.h>

typedef struct hyb_bad_config {
    int32_t ok;
    long count;
} hyb_bad_config;
