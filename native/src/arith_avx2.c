/* arith_avx2.c - the exact LNS GEMM and the quantiser on AVX2 (arith_simd.inc with
 * lanes_avx2.h and arith_lanes_avx2.h). CMake compiles this file alone with the instruction set;
 * hyb_arith (arith_gemm.c) calls it only where the CPU has it. */
#include "internal.h"
#include "lanes_avx2.h"
#include "arith_lanes_avx2.h"

#define HYB_ARITH_CAT(a, b) a##b
#define HYB_ARITH(name) HYB_ARITH_CAT(name, _avx2)
#define HYB_ISA_LEVEL HYB_SIMD_LEVEL_AVX2
#define HYB_ARITH_MAX_BLOCK 64
#include "arith_simd.inc"
