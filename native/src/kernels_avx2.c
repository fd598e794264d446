/* kernels_avx2.c - the CPU kernels on AVX2 (8 lanes): kernels_simd.inc instantiated with
 * lanes_avx2.h. CMake compiles this file alone with the instruction set; dispatch.c calls it
 * only on CPUs that have it. */
#include "internal.h"
#include "lanes_avx2.h"

#define HYB_ISA_CAT(a, b) a##b
#define HYB_ISA(name) HYB_ISA_CAT(name, _avx2)
#define HYB_ISA_LEVEL HYB_SIMD_LEVEL_AVX2
#include "kernels_simd.inc"
