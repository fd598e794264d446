/* A callback parameter: not part of the ABI. */
#include <stdint.h>

__attribute__((visibility("default"))) int32_t hyb_bad_register(void (*callback)(int32_t code));
