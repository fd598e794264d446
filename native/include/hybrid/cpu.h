/* hybrid/cpu.h - how the CPU kernels run: their thread count and SIMD level.
 *
 * Neither changes a result, only the speed: every chunk of work computes the same bits on any thread and every
 * SIMD path computes the same bits as the scalar reference. */
#ifndef HYBRID_CPU_H
#define HYBRID_CPU_H

#include <stdint.h>
#include "hybrid/export.h"
#include "hybrid/status.h"

HYB_EXTERN_C_BEGIN

/* A SIMD instruction set of the CPU kernels. The library carries a scalar path (the reference),
 * an AVX2 path and an AVX-512 path (F, BW, DQ, VL) on x86-64, and chooses at load the widest
 * this CPU runs, or the one the environment variable HYBRID_SIMD names (scalar, avx2, avx512).
 * Results never depend on the level, only the speed does. */
typedef enum hyb_simd_level {
    HYB_SIMD_LEVEL_SCALAR = 0, /* no vector instructions assumed */
    HYB_SIMD_LEVEL_SSE2 = 1,   /* x86-64 baseline */
    HYB_SIMD_LEVEL_SSE4_2 = 2, /* x86-64-v2 */
    HYB_SIMD_LEVEL_AVX2 = 3,   /* x86-64-v3: 256-bit vectors */
    HYB_SIMD_LEVEL_AVX512 = 4, /* x86-64-v4: 512-bit vectors */
    HYB_SIMD_LEVEL_NEON = 5    /* Arm NEON */
} hyb_simd_level;
HYB_STATIC_ASSERT(sizeof(hyb_simd_level) == 4, "hyb_simd_level must be 32-bit");

/* How the CPU kernels run large tensors. */
typedef enum hyb_threading {
    HYB_THREADING_SERIAL = 0, /* built without threads */
    HYB_THREADING_OPENMP = 1, /* OpenMP (builds before ABI 7) */
    HYB_THREADING_POOL = 2    /* libhybrid's own pool (threads.c): idle workers sleep, never spin;
                                 dynamic chunks, results independent of the thread count */
} hyb_threading;
HYB_STATIC_ASSERT(sizeof(hyb_threading) == 4, "hyb_threading must be 32-bit");

/* Sets how many threads large CPU kernels may use; 0 means all available.
 * Results never depend on this number, only the speed does. */
HYB_API hyb_status hyb_threads_set(int32_t count);

/* The number of threads large CPU kernels use now (>= 1). */
HYB_API hyb_status hyb_threads_get(int32_t* count);

/* The SIMD level the CPU kernels use now. HYB_STATUS_INVALID_ARGUMENT if the environment
 * variable HYBRID_SIMD names a level this CPU or build lacks (every kernel then fails the
 * same way, saying so, until hyb_simd_set chooses one). */
HYB_API hyb_status hyb_simd_get(hyb_simd_level* level);

/* The widest level this CPU runs and this build carries (what is used without HYBRID_SIMD). */
HYB_API hyb_status hyb_simd_best(hyb_simd_level* level);

/* Forces the CPU kernels' SIMD level (tests, benchmarks): SCALAR, AVX2 or AVX512, if the CPU
 * and this build have it; HYB_STATUS_INVALID_ARGUMENT naming what is missing otherwise. */
HYB_API hyb_status hyb_simd_set(hyb_simd_level level);

HYB_EXTERN_C_END

#endif /* HYBRID_CPU_H */
