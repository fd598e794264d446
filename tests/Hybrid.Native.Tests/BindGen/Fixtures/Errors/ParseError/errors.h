/* Does not compile: an unknown type on line 4. */
#include <stdint.h>

hyb_missing_type hyb_bad_function(int32_t x);
