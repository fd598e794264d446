/* A function without the export attribute: the library would not export it. */
#include <stdint.h>

int32_t hyb_bad_hidden(int32_t x);
