/* hybrid/version.h - library version, ABI version and build information.
 *
 * The ABI version changes whenever a function signature, a struct layout or an enum
 * value changes; the managed host refuses a library whose ABI version differs from
 * the one its bindings were generated from. */
#ifndef HYBRID_VERSION_H
#define HYBRID_VERSION_H

#include <stdint.h>
#include "hybrid/export.h"
#include "hybrid/status.h"
#include "hybrid/cpu.h"

HYB_EXTERN_C_BEGIN

#define HYB_VERSION_MAJOR 0 /* library version, major */
#define HYB_VERSION_MINOR 1 /* library version, minor */
#define HYB_VERSION_PATCH 0 /* library version, patch */
#define HYB_ABI_VERSION 7   /* bumped on any signature, layout or enum change */

/* What this build of libhybrid is. Strings are NUL-terminated and truncated to fit. */
typedef struct hyb_build_info {
    int32_t version_major;      /* HYB_VERSION_MAJOR of the build */
    int32_t version_minor;      /* HYB_VERSION_MINOR of the build */
    int32_t version_patch;      /* HYB_VERSION_PATCH of the build */
    int32_t abi_version;        /* HYB_ABI_VERSION of the build */
    hyb_simd_level simd_level;  /* the SIMD level the CPU kernels use now (hyb_simd_get) */
    hyb_threading threading;    /* threading runtime of the CPU kernels */
    int32_t max_threads;        /* threads a large kernel uses now (see hyb_threads_set) */
    int32_t cuda_compiled;      /* 1 if CUDA kernels are compiled in, else 0 */
    int32_t sanitizers;         /* 1 if built with ASan/UBSan, else 0 */
    int32_t stream_version;     /* HYB_STREAM_VERSION of the build (the random stream's layout) */
    char compiler[64];          /* e.g. "GNU 12.2.0" */
    char build_type[16];        /* e.g. "Release" */
    char cuda_version[16];      /* e.g. "12.4", or "" without CUDA */
} hyb_build_info;
HYB_STATIC_ASSERT(sizeof(hyb_build_info) == 136, "hyb_build_info layout changed");

/* Fills *out with this build's version and configuration. */
HYB_API hyb_status hyb_build_info_get(hyb_build_info* info);

HYB_EXTERN_C_END

#endif /* HYBRID_VERSION_H */
