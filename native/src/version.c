/* version.c - build information and the CPU kernels' thread count. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"
#ifdef _OPENMP
#  include <omp.h>
#endif
#ifndef HYBRID_BUILD_TYPE
#  define HYBRID_BUILD_TYPE "unknown"
#endif
#ifndef HYBRID_CUDA_VERSION
#  define HYBRID_CUDA_VERSION ""
#endif

static atomic_int hyb_thread_limit = 0; /* 0 = all the runtime offers */

static int hyb_available_threads(void) {
#ifdef _OPENMP
    return omp_get_num_procs();
#else
    return 1;
#endif
}

int hyb_threads_for(int64_t n) {
    if (n < HYB_PARALLEL_MIN) return 1;
    int limit = atomic_load(&hyb_thread_limit);
    int avail = hyb_available_threads();
    return limit > 0 ? limit : avail;
}

hyb_status hyb_threads_set(int32_t count) {
    hyb_clear_error();
    if (count < 0 || count > 4096)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "hyb_threads_set: count = %d is outside [0, 4096] (0 = all)", (int)count);
    atomic_store(&hyb_thread_limit, count);
    return HYB_STATUS_OK;
}

hyb_status hyb_threads_get(int32_t* count) {
    hyb_clear_error();
    HYB_CHECK_REQUIRED(count, "count");
    int limit = atomic_load(&hyb_thread_limit);
    *count = limit > 0 ? limit : hyb_available_threads();
    return HYB_STATUS_OK;
}

static hyb_simd_level hyb_compiled_simd(void) {
#if defined(__AVX512F__)
    return HYB_SIMD_LEVEL_AVX512;
#elif defined(__AVX2__)
    return HYB_SIMD_LEVEL_AVX2;
#elif defined(__SSE4_2__)
    return HYB_SIMD_LEVEL_SSE4_2;
#elif defined(__SSE2__)
    return HYB_SIMD_LEVEL_SSE2;
#elif defined(__ARM_NEON)
    return HYB_SIMD_LEVEL_NEON;
#else
    return HYB_SIMD_LEVEL_SCALAR;
#endif
}

hyb_status hyb_build_info_get(hyb_build_info* out) {
    hyb_clear_error();
    HYB_CHECK_REQUIRED(out, "info");
    hyb_build_info info;
    memset(&info, 0, sizeof info);
    info.version_major = HYB_VERSION_MAJOR;
    info.version_minor = HYB_VERSION_MINOR;
    info.version_patch = HYB_VERSION_PATCH;
    info.abi_version = HYB_ABI_VERSION;
    info.simd_level = hyb_compiled_simd();
#ifdef _OPENMP
    info.threading = HYB_THREADING_OPENMP;
#else
    info.threading = HYB_THREADING_SERIAL;
#endif
    hyb_threads_get(&info.max_threads);
#ifdef HYBRID_WITH_CUDA
    info.cuda_compiled = 1;
#endif
#ifdef HYBRID_SANITIZE
    info.sanitizers = 1;
#endif
#if defined(__clang__)
    snprintf(info.compiler, sizeof info.compiler, "Clang %d.%d.%d", __clang_major__,
             __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
    snprintf(info.compiler, sizeof info.compiler, "GNU %d.%d.%d", __GNUC__, __GNUC_MINOR__,
             __GNUC_PATCHLEVEL__);
#else
    snprintf(info.compiler, sizeof info.compiler, "unknown");
#endif
    snprintf(info.build_type, sizeof info.build_type, "%s", HYBRID_BUILD_TYPE);
    snprintf(info.cuda_version, sizeof info.cuda_version, "%s", HYBRID_CUDA_VERSION);
    *out = info;
    return HYB_STATUS_OK;
}
