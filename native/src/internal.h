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

/* Validates a device family and its parameters (hybrid/device_response.h). */
hyb_status hyb_check_device_response(const char* fn, const hyb_device_response* r);

/* The argument checks of a float Madam step (CPU and CUDA): config, n, pointers, overlap. */
hyb_status hyb_check_madam_step(const char* fn, const hyb_madam_config* cfg, const float* w,
                                const float* grad, const float* v, int64_t n);

/* Sum of x[i]^2 in double over fixed blocks of HYB_SUM_BLOCK (hybrid/limits.h gives the
 * order: lanes within a block, then the blocks' sums the same way): the same double for any
 * thread count or SIMD level, reproduced exactly by the CUDA kernels and the managed twin.
 * Non-finite elements count as 0 when finite_only, else enter by IEEE arithmetic
 * (HYB_NONFINITE_POLICY_PROPAGATE). */
double hyb_sum_squares(const float* x, int64_t n, int finite_only);

/* hyb_sum_squares on this thread only (`threaded` 0: inside a parallel loop) or threaded (1). */
double hyb_sum_squares_on(const float* x, int64_t n, int finite_only, int threaded);

/* (float)(hyb_sum_squares(x, n, finite_only) / n): what a shared moment is fed (n >= 1). */
float hyb_mean_square(const float* x, int64_t n, int finite_only);

/* 1 if any device-model option of the step is on. */
int hyb_lns_device_model_on(const hyb_lns_madam_config* cfg);

/* u[0..m-1]: the rounding uniforms of elements sb..sb+m-1 (all 1/2 for nearest rounding). */
void hyb_lns_fill_rounding(const hyb_lns_madam_config* cfg, int64_t sb, int64_t m, float* u);

/* fac[0..m-1]: the device factors (stuck, gain, cycle noise) of elements sb..sb+m-1. */
void hyb_lns_fill_device(const hyb_lns_madam_config* cfg, int64_t sb, int64_t m, float* fac);

/* Index of the first non-finite element of x, or -1 (vectorised, threaded). */
int64_t hyb_find_nonfinite(const float* x, int64_t n);

/* Index of the first code with a bit at or above bit `bits`, or -1 (code_bytes 1 or 2;
 * vectorised, threaded). */
int64_t hyb_find_bad_code(const void* codes, int code_bytes, int32_t bits, int64_t n);

/* ---- threads (threads.c) ---- */

/* Threads a kernel over n elements should use (1 below the parallel threshold). */
int hyb_threads_for(int64_t n);

/* Elements per parallel chunk; chunk boundaries never change results (elementwise kernels,
 * reductions over fixed blocks). */
#define HYB_CHUNK ((int64_t)16384)
#define HYB_PARALLEL_MIN ((int64_t)1 << 16)

/* A kernel's work on elements [begin, end): adds what it counts (changed, non-finite) to
 * counts[0..1]. Any split of [0, n) into ranges gives the same result. */
typedef void (*hyb_range_fn)(const void* job, int64_t begin, int64_t end, int64_t counts[2]);

/* Runs fn over [0, n) in chunks of `chunk` items on hyb_threads_for(work) threads with a dynamic
 * schedule (a busy core takes fewer chunks, never stalls the rest); counts[0..1] are set to the
 * sums. One thread: a plain call over [0, n), no OpenMP region at all. */
void hyb_parallel(int64_t n, int64_t chunk, int64_t work, hyb_range_fn fn, const void* job,
                  int64_t counts[2]);

/* ---- the CPU kernels' SIMD paths (dispatch.c, kernels_*.c) ---- */

/* One LNS Madam step's work: read-only after setup; each range writes only its elements. */
typedef struct hyb_lns_job {
    const hyb_lns_madam_config* cfg;
    void* codes;             /* uint8_t or uint16_t by code_bytes */
    const float* grad;
    float* v;                /* the own moments (per synapse), else unused */
    const float* d_row;      /* per neuron: the rows' denominators; else NULL */
    float d_shared;          /* per tensor: the denominator */
    int32_t code_bytes;
    int32_t random_bits;     /* r of a stochastic rounding (0: nearest) */
    int32_t flags;           /* HYB_STEP_* (element_steps.h) this step's elements all satisfy */
    int64_t cols;            /* per neuron: elements per row */
    float beta2, one_m_beta2, bias_corr, g_bound, code_scale, pot_scale, dep_scale; /* consts */
    int32_t round_gradient;  /* gh rounded to an integer before the code step (lns.h) */
} hyb_lns_job;

/* One float Madam step's work. */
typedef struct hyb_madam_job {
    float* w;
    const float* grad;
    float* v;
    float lr, w_max;
    int32_t flags;           /* HYB_STEP_PROPAGATE, HYB_STEP_FINITE */
    float beta2, one_m_beta2, bias_corr, g_bound;
} hyb_madam_job;

/* The kernels one SIMD level provides (NULL entries fall back to the scalar reference). */
typedef struct hyb_cpu_kernels {
    hyb_simd_level level;
    /* the LNS step (per-synapse, per-tensor, per-neuron or sign-only moment; no device model) on
     * [begin, end) of a hyb_lns_job, uint8 or uint16 codes */
    void (*lns_range_u8)(const void* job, int64_t begin, int64_t end, int64_t counts[2]);
    void (*lns_range_u16)(const void* job, int64_t begin, int64_t end, int64_t counts[2]);
    /* the float Madam step on [begin, end) of a hyb_madam_job */
    void (*madam_range)(const void* job, int64_t begin, int64_t end, int64_t counts[2]);
    /* 1 if x[0..n) holds a NaN or infinity */
    int (*any_nonfinite)(const float* x, int64_t n);
    /* the OR of codes[0..n) (uint8 or uint16) */
    uint32_t (*or_codes_u8)(const uint8_t* c, int64_t n);
    uint32_t (*or_codes_u16)(const uint16_t* c, int64_t n);
    /* one summation block's sum of squares (hyb_sum_squares' order), m <= HYB_SUM_BLOCK */
    double (*block_sum_squares)(const float* x, int64_t m, int finite_only);
} hyb_cpu_kernels;

/* The active SIMD level's kernels; on a bad HYBRID_SIMD, NULL with the thread's error set to
 * what is wrong (the entry point returns HYB_STATUS_INVALID_ARGUMENT). */
const hyb_cpu_kernels* hyb_cpu(void);

/* The level in use (the best one while HYBRID_SIMD names one that cannot run), for build info. */
hyb_simd_level hyb_simd_current(void);

/* The scalar reference step ranges (lns_kernels.inc), which also run every device model. */
void hyb_lns_range_scalar_u8(const void* job, int64_t begin, int64_t end, int64_t counts[2]);
void hyb_lns_range_scalar_u16(const void* job, int64_t begin, int64_t end, int64_t counts[2]);
void hyb_madam_range_scalar(const void* job, int64_t begin, int64_t end, int64_t counts[2]);

/* Sets up an LNS step's job (after validation): constants and the shared moments (per tensor:
 * v[0] and d_shared; per neuron: v[0..rows) and *d_row, allocated, for the caller to free). */
hyb_status hyb_lns_job_make(const char* fn, const hyb_lns_madam_config* cfg, int code_bytes,
                            void* codes, const float* grad, int64_t n, float* v, hyb_lns_job* job,
                            float** d_row);

/* out[r] = (float)(row r's sum of squares / cols), rows in parallel, each on one thread. */
void hyb_rows_mean_square(const float* x, int64_t rows, int64_t cols, int finite_only, float* out);

/* The decode table of a format (every code's value), from this thread's cache or made and
 * cached when n makes it pay; NULL to decode per element (same floats either way). */
const float* hyb_lns_decode_table(const hyb_lns_format* format, int64_t n);

/* The kernel tables of the vector levels (kernels_avx2.c, kernels_avx512.c; x86-64 only). */
extern const hyb_cpu_kernels hyb_cpu_avx2, hyb_cpu_avx512;
extern const hyb_cpu_kernels hyb_cpu_scalar;

/* The scalar reference's block sum of squares (reduce.c; the order every level and CUDA keep):
 * lane j of HYB_SUM_LANES sums x[j], x[j + L], ... in order; the lanes then combine by halving,
 * lane[j] += lane[j + h] for h = L/2, L/4, ..., 1. */
double hyb_block_sum_squares_scalar(const float* x, int64_t m, int finite_only);
double hyb_sum_lanes_tree(double* lanes);

/* The checks of HYB_CHECK_LENGTH / HYB_CHECK_PTR as functions, for entry points whose name is
 * not their __func__ (the CUDA entries share one body per code type): the same messages. */
hyb_status hyb_check_length(const char* fn, int64_t n);
hyb_status hyb_check_ptr(const char* fn, const void* p, const char* name, int64_t n);

HYB_EXTERN_C_END

#endif
