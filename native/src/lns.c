/* lns.c - LNS encode/decode and the LNS Madam step on the CPU (maths in lns_math.h, the
 * per-code-type bodies in lns_kernels.inc). */
#include <stdlib.h>
#include "internal.h"
#include "lanes_scalar.h"
#include "element_steps.h"

#define HYB_CODE_T uint8_t
#define HYB_SFX u8
#define HYB_SFX_STR "u8"
#include "lns_kernels.inc"
#undef HYB_CODE_T
#undef HYB_SFX
#undef HYB_SFX_STR

#define HYB_CODE_T uint16_t
#define HYB_SFX u16
#define HYB_SFX_STR "u16"
#include "lns_kernels.inc"
#undef HYB_CODE_T
#undef HYB_SFX
#undef HYB_SFX_STR
