/* arith_avx512.c - the exact LNS GEMM and the quantiser on AVX512 (arith_simd.inc with
 * lanes_avx512.h and arith_lanes_avx512.h). CMake compiles this file alone with the instruction set;
 * hyb_arith (arith_gemm.c) calls it only where the CPU has it. */
#include "internal.h"
#include "lanes_avx512.h"
#include "arith_lanes_avx512.h"

#define HYB_ARITH_CAT(a, b) a##b
#define HYB_ARITH(name) HYB_ARITH_CAT(name, _avx512)
#define HYB_ISA_LEVEL HYB_SIMD_LEVEL_AVX512
#define HYB_ARITH_MAX_BLOCK 128
#include "arith_simd.inc"
