/* version.c - build information. */
#include <stdio.h>
#include <string.h>
#include "internal.h"
#ifndef HYBRID_BUILD_TYPE
#  define HYBRID_BUILD_TYPE "unknown"
#endif
#ifndef HYBRID_CUDA_VERSION
#  define HYBRID_CUDA_VERSION ""
#endif

hyb_status hyb_build_info_get(hyb_build_info* out) {
    hyb_clear_error();
    HYB_CHECK_REQUIRED(out, "info");
    hyb_build_info info;
    memset(&info, 0, sizeof info);
    info.version_major = HYB_VERSION_MAJOR;
    info.version_minor = HYB_VERSION_MINOR;
    info.version_patch = HYB_VERSION_PATCH;
    info.stream_version = HYB_STREAM_VERSION;
    info.abi_version = HYB_ABI_VERSION;
    info.simd_level = hyb_simd_current();
#ifdef HYBRID_THREADS
    info.threading = HYB_THREADING_POOL;
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
