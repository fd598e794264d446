/* The entry header forgets to include orphan.h. */
#include <stdint.h>

#define HYB_BAD_ANSWER 42
