/* internal.h - helpers every C entry point uses: setting the thread's error, validating
 * arguments before anything is written, and running a loop on the thread pool. */
#ifndef HYBRID_SRC_INTERNAL_H
#define HYBRID_SRC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "hybrid/hybrid.h"

/* The CUDA entry points (C++ under nvcc) share these helpers. */
HYB_EXTERN_C_BEGIN

/* Records status and a printf-style message for hyb_last_error_message; returns status. */
hyb_status hyb_fail(hyb_status status, const char* fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Clears the thread's last-error message (called at the start of every entry point). */
void hyb_clear_error(void);

/* Returns HYB_STATUS_NULL_POINTER naming `name` if p is NULL and n > 0 (or always, when
 * required). Empty tensors (n = 0) may pass NULL data pointers. */
#define HYB_CHECK_PTR(p, name, n)                                                          \
    do {                                                                                   \
        if ((p) == NULL && (n) > 0)                                                        \
            return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: %s is NULL", __func__, name);    \
    } while (0)
#define HYB_CHECK_REQUIRED(p, name)                                                        \
    do {                                                                                   \
        if ((p) == NULL)                                                                   \
            return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: %s is NULL", __func__, name);    \
    } while (0)
#define HYB_CHECK_LENGTH(n)                                                                \
    do {                                                                                   \
        if ((n) < 0 || (n) > HYB_MAX_ELEMENTS)                                             \
            return hyb_fail(HYB_STATUS_INVALID_LENGTH,                                     \
                            "%s: n = %lld is negative or above 2^58", __func__,            \
                            (long long)(n));                                               \
    } while (0)

/* 1 if byte ranges [a, a+an) and [b, b+bn) share a byte. */
static inline int hyb_overlaps(const void* a, size_t an, const void* b, size_t bn) {
    uintptr_t a0 = (uintptr_t)a, b0 = (uintptr_t)b;
    return an > 0 && bn > 0 && a0 < b0 + bn && b0 < a0 + an;
}

/* Fails with HYB_STATUS_OVERLAP if the two named buffers overlap. */
hyb_status hyb_check_disjoint(const char* fn, const void* a, size_t an, const char* aname,
                              const void* b, size_t bn, const char* bname);

/* Validates an LNS format for codes of `code_bytes` bytes (1 or 2). */
hyb_status hyb_check_lns_format(const char* fn, const hyb_lns_format* format, int code_bytes);

/* Validates Madam's shared settings (lr, beta2, g_bound, step, policy). */
hyb_status hyb_check_madam_common(const char* fn, float lr, float beta2, float g_bound,
                                  int64_t step, hyb_nonfinite_policy policy);

/* The argument checks of LNS encode and decode (CPU and CUDA entries alike, same order, same
 * messages): the format for codes of code_bytes bytes, n, the two pointers, and no overlap. */
hyb_status hyb_check_lns_codec(const char* fn, const hyb_lns_format* format, int code_bytes,
                               const float* x, const void* codes, int64_t n, int decode);

/* The argument checks of an LNS Madam step (CPU and CUDA): the config against n elements and
 * v_len moments, the pointers, and no overlap between codes, grad and v. */
hyb_status hyb_check_lns_step(const char* fn, const hyb_lns_madam_config* cfg, int code_bytes,
                              const void* codes, const float* grad, int64_t n, const float* v,
                              int64_t v_len);

/* The argument checks of a float Madam step (CPU and CUDA): config, n, pointers, overlap. */
hyb_status hyb_check_madam_step(const char* fn, const hyb_madam_config* cfg, const float* w,
                                const float* grad, const float* v, int64_t n);

/* Sum of x[i]^2 in double over fixed blocks of HYB_SUM_BLOCK (in order within a block, then
 * the block sums in order): the same double for any thread count, and reproduced exactly by
 * the CUDA kernels and the managed twin. Non-finite elements count as 0 when finite_only,
 * else enter by IEEE arithmetic (HYB_NONFINITE_POLICY_PROPAGATE). */
double hyb_sum_squares(const float* x, int64_t n, int finite_only);

/* (float)(hyb_sum_squares(x, n, finite_only) / n): what a shared moment is fed (n >= 1). */
float hyb_mean_square(const float* x, int64_t n, int finite_only);

/* 1 if any device-model option of the step is on. */
int hyb_lns_device_model_on(const hyb_lns_madam_config* cfg);

/* u[0..m-1]: the rounding uniforms of elements sb..sb+m-1 (all 1/2 for nearest rounding). */
void hyb_lns_fill_rounding(const hyb_lns_madam_config* cfg, int64_t sb, int64_t m, float* u);

/* fac[0..m-1]: the device factors (stuck, gain, cycle noise) of elements sb..sb+m-1. */
void hyb_lns_fill_device(const hyb_lns_madam_config* cfg, int64_t sb, int64_t m, float* fac);

/* Index of the first non-finite element of x, or -1. */
int64_t hyb_find_nonfinite(const float* x, int64_t n);

/* Threads a kernel over n elements should use (1 below the parallel threshold). */
int hyb_threads_for(int64_t n);

/* Elements per parallel chunk; chunk boundaries never change results (elementwise kernels,
 * reductions over fixed blocks). */
#define HYB_CHUNK ((int64_t)16384)
#define HYB_PARALLEL_MIN ((int64_t)1 << 16)

/* The checks of HYB_CHECK_LENGTH / HYB_CHECK_PTR as functions, for entry points whose name is
 * not their __func__ (the CUDA entries share one body per code type): the same messages. */
hyb_status hyb_check_length(const char* fn, int64_t n);
hyb_status hyb_check_ptr(const char* fn, const void* p, const char* name, int64_t n);

HYB_EXTERN_C_END

#endif
