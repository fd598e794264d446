/* arith_math.h - the element maths of LNS quantisation and of the exact LNS GEMM (hybrid/lns_arith.h),
 * shared by the C kernels (lns_arith.c) and the CUDA kernels (cuda/lns_quantize.cu, lns_gemm.cu), and
 * mirrored line for line by the C# twin (Hybrid.Synapse: Arithmetic/LnsGrid.cs, Twin/ArithmeticKernels.cs).
 * Only IEEE +, -, *, / and comparisons, in a fixed order (no FMA: -ffp-contract=off, nvcc --fmad=false). */
#ifndef HYBRID_SRC_ARITH_MATH_H
#define HYBRID_SRC_ARITH_MATH_H

#include <stdint.h>
#include "hd.h"
#include "lns_math.h"
#include "internal.h"

/* Level k of a grid: w_max 2^(-k/gamma), exactly what a code of index k decodes to. */
HYB_HD float hyb_lns_level(int32_t k, float gamma, float w_max) {
    return hyb_lns_magnitude(k, gamma, w_max);
}

/* Nearest-rounding threshold k of a grid with kz = K levels: the geometric midpoint between
 * levels k and k + 1 (k < K - 1), and half the smallest level (k = K - 1, the midpoint to 0). */
HYB_HD float hyb_lns_threshold(int32_t k, int32_t kz, float gamma, float w_max) {
    if (k == kz - 1) return hyb_lns_magnitude(kz - 1, gamma, w_max) * 0.5f;
    return (float)((double)w_max * hyb_exp2_d(-((double)k + 0.5) / (double)gamma));
}

/* #{ j in [0, n) : t[j] > a } for a strictly decreasing table (binary search). */
HYB_HD int32_t hyb_lns_count_above(const float* t, int32_t n, float a) {
    int32_t lo = 0;
    while (n > 0) {
        const int32_t half = n >> 1;
        if (t[lo + half] > a) { lo += half + 1; n -= half + 1; }
        else n = half;
    }
    return lo;
}

/* The magnitude index (kz = zero) of a finite x: nearest (thresholds) or stochastic with
 * uniform u (levels), as hybrid/lns_arith.h states. */
HYB_HD int32_t hyb_lns_quantize_index(float x, float u, int stochastic, const float* levels,
                                      const float* thresholds, int32_t kz) {
    if (x == 0.0f) return kz;
    const float a = x < 0.0f ? -x : x;
    if (!stochastic) return hyb_lns_count_above(thresholds, kz, a);
    const int32_t c = hyb_lns_count_above(levels, kz, a);
    if (c == 0) return 0;
    const float hi = levels[c - 1], lo = c == kz ? 0.0f : levels[c];
    const float p = (a - lo) / (hi - lo);
    return u < p ? c - 1 : c;
}

/* The exact GEMM's bucket constant 2^(-r/gamma) in double. */
HYB_HD double hyb_lns_bucket_scale(int32_t r, int32_t gamma) {
    return hyb_exp2_d(-(double)r / (double)gamma);
}

/* (float)((sum_r acc[r] scale[r]) 2^(-F) out_scale), r ascending, in double. */
HYB_HD float hyb_lns_buckets_to_f32(const int64_t* acc, const double* scale, int32_t gamma,
                                    int32_t frac_bits, double out_scale) {
    double t = 0.0;
    for (int32_t r = 0; r < gamma; ++r) t = t + (double)acc[r] * scale[r];
    t = t * hyb_pow2i(-frac_bits);
    return (float)(t * out_scale);
}

/* One output of the exact GEMM the plain way: products in k order into saturating int64
 * buckets of acc_bits bits. The reference every faster path must equal; counts saturations and
 * truncated products. a_row: K codes with stride lda; b_col: K codes with stride ldb. */
#define HYB_LNS_GEMM_DOT(NAME, CODE_T)                                                          \
    HYB_HD float NAME(const CODE_T* a_row, int64_t lda, const CODE_T* b_col, int64_t ldb,       \
                      int64_t kdim, const hyb_lns_gemm_config* cfg, const double* scale,        \
                      int64_t* acc, int64_t* saturations, int64_t* truncated) {                 \
        const uint32_t kza = (1u << (cfg->a.bits - 1)) - 1u, kzb = (1u << (cfg->b.bits - 1)) - 1u; \
        const int32_t gamma = (int32_t)cfg->a.gamma, f = cfg->frac_bits;                         \
        int32_t sh = 0;                                                                          \
        while ((1 << sh) < gamma) ++sh;                                                          \
        const int64_t hi = ((int64_t)1 << (cfg->acc_bits - 1)) - 1, lo = -hi - 1;               \
        for (int32_t r = 0; r < gamma; ++r) acc[r] = 0;                                          \
        for (int64_t k = 0; k < kdim; ++k) {                                                     \
            const uint32_t ca = a_row[k * lda], cb = b_col[k * ldb];                             \
            const uint32_t ka = ca & kza, kb = cb & kzb;                                         \
            if (ka == kza || kb == kzb) continue;                                                \
            const int32_t e = (int32_t)(ka + kb), q = e >> sh, r = e & (gamma - 1);              \
            if (q > f) { ++*truncated; continue; }                                               \
            int64_t v = (int64_t)1 << (f - q);                                                   \
            if (((ca >> (cfg->a.bits - 1)) ^ (cb >> (cfg->b.bits - 1))) & 1u) v = -v;           \
            int64_t t = acc[r] + v;                                                              \
            if (t > hi) { t = hi; ++*saturations; }                                              \
            else if (t < lo) { t = lo; ++*saturations; }                                         \
            acc[r] = t;                                                                          \
        }                                                                                        \
        return hyb_lns_buckets_to_f32(acc, scale, gamma, f,                                      \
                                      (double)cfg->a.w_max * (double)cfg->b.w_max);              \
    }
HYB_LNS_GEMM_DOT(hyb_lns_gemm_dot_u8, uint8_t)
HYB_LNS_GEMM_DOT(hyb_lns_gemm_dot_u16, uint16_t)

/* Where output (m, n)'s operands start and their strides along k, by the layout flags. */
HYB_HD void hyb_lns_gemm_strides(const hyb_lns_gemm_config* cfg, int64_t m, int64_t n,
                                 int64_t* a_off, int64_t* lda, int64_t* b_off, int64_t* ldb) {
    if (cfg->a_transposed) { *a_off = m; *lda = cfg->m; }
    else { *a_off = m * cfg->k; *lda = 1; }
    if (cfg->b_transposed) { *b_off = n * cfg->k; *ldb = 1; }
    else { *b_off = n; *ldb = cfg->n; }
}

HYB_EXTERN_C_BEGIN
/* The argument checks of a quantisation (CPU and CUDA entries): config, n, pointers, and y
 * either x itself or separate from it. */
hyb_status hyb_check_lns_quantize(const char* fn, const hyb_lns_quantize_config* cfg,
                                  const float* x, const float* y, int64_t n);
/* The argument checks of an exact GEMM (CPU and CUDA): formats for codes of code_bytes bytes,
 * one power-of-two gamma, shape, accumulator, pointers, and c separate from a and b. */
hyb_status hyb_check_lns_gemm(const char* fn, const hyb_lns_gemm_config* cfg, int code_bytes,
                              const void* a, const void* b, const float* c);
HYB_EXTERN_C_END

#endif
