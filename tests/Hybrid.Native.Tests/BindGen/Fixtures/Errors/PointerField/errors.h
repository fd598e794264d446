/* A config struct that carries a pointer. */
#include <stdint.h>

typedef struct hyb_bad_view {
    const float* data;
    int64_t n;
} hyb_bad_view;
