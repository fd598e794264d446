/* hybrid/lns_arith.h - LNS arithmetic of the whole training step: quantising a float tensor onto
 * an LNS grid, and the exact LNS GEMM as a hardware datapath computes it (SCIENCE.md, "LNS
 * arithmetic of the whole training step").
 *
 * Grid. A format (hybrid/lns.h) with scale s = w_max: levels L[k] = s * 2^(-k/gamma) for
 * k in [0, K-1], K = 2^(B-1) - 1, computed exactly as LNS decode computes them, plus zero. Its
 * nearest-rounding thresholds are T[k] = (float)(s * 2^(-(k + 1/2)/gamma)) for k in [0, K-2]
 * (the geometric midpoints) and T[K-1] = L[K-1] / 2 (the midpoint to zero). Both tables strictly
 * decrease, and every decision below is a comparison against them: the same bits on every
 * backend however the search is carried out.
 *
 * Quantisation of a finite x, a = |x|, into y = 0 or sign(x) * L[k]:
 *   nearest:    k = #{ j : T[j] > a }   (k = K means 0; ties go to the larger magnitude)
 *   stochastic: c = #{ j : L[j] > a }; c = 0 gives k = 0; otherwise hi = L[c-1], lo = L[c]
 *               (0 when c = K), p = (a - lo) / (hi - lo) in float, and k = c - 1 when u < p,
 *               else c: E[y] = x for |x| <= s (unbiased in value).
 *   u is the uniform of element i from the Philox stream (hybrid/random.h) with purpose
 *   HYB_RANDOM_PURPOSE_QUANTIZE, keyed by (seed, step, tensor_id, i): word i mod 4 of block i / 4,
 *   its 24-bit uniform (one whole 32-bit word per element; the quantisers have no random_bits
 *   setting, unlike the step's rounding stream, and the ledger counts 32 bits). a > s saturates to s
 *   (counted); a non-zero x that becomes 0 underflows (counted). Zero (either sign) gives +0.
 *   y may be x itself (in place); otherwise the two must not overlap.
 *
 * Exact GEMM. C[M x N] = A[M x K] * B[K x N] on LNS codes whose formats share gamma, an integer
 * power of two in [1, HYB_LNS_GEMM_MAX_GAMMA]. A is row-major M x K, or (a_transposed) stored as
 * its transpose, row-major K x M; likewise B is row-major K x N or (b_transposed) N x K; C is
 * row-major M x N. (A layer's forward y = x W^T is A = x, B = W with b_transposed; its backward
 * e W is plain; its weight gradient e^T x is A = e with a_transposed.) A product of codes
 * (sign, k_a) and (sign, k_b) is sign XOR and exponent add: |a b| = s_A s_B 2^(-E/gamma),
 * E = k_a + k_b, split into q = E / gamma (a shift) and r = E mod gamma (the bucket). Bucket r
 * holds an integer partial sum of +-2^(F - q) (F = frac_bits; a product with q > F is below one
 * unit and shifted out, counted as truncated) in a saturating two's-complement accumulator of
 * acc_bits bits. Zero codes make no product.
 *
 * The order of additions is part of the datapath: each bucket of each output starts at 0 and
 * adds its products in ascending k, clamping after every addition to [-2^(W-1), 2^(W-1) - 1]
 * (each clamp counted once). While no partial sum leaves that range the order does not matter
 * (integer addition), and the vector kernels use this: they add a block of k in any order after
 * proving, from per-block bounds on the operands (the sum of |products| of the block cannot
 * exceed the headroom left in any bucket), that no clamp can occur in it; a block that cannot be
 * proved is added in ascending k with every clamp, as defined. So every SIMD level, thread count
 * and blocking gives the reference's outputs and counts bit for bit. At the end
 *     C[m, n] = (float)( (sum_r acc_r * 2^(-r/gamma)) * 2^(-F) * (s_A * s_B) )
 * with the sum in double, r ascending, and 2^(-r/gamma) Hybrid's own exp2 (lns_math.h).
 * Converting C to the next tensor's format is that tensor's quantiser. */
#ifndef HYBRID_LNS_ARITH_H
#define HYBRID_LNS_ARITH_H

#include <stdint.h>
#include "hybrid/export.h"
#include "hybrid/status.h"
#include "hybrid/limits.h"
#include "hybrid/lns.h"

HYB_EXTERN_C_BEGIN

/* Settings of one quantisation. nonfinite: REJECT (fail, nothing written) or SKIP (NaN and
 * infinities are copied to y unchanged and counted). */
typedef struct hyb_lns_quantize_config {
    hyb_lns_format format;          /* the grid; format.w_max is the scale */
    hyb_rounding rounding;          /* nearest or stochastic */
    hyb_nonfinite_policy nonfinite; /* REJECT or SKIP */
    uint32_t tensor_id;             /* which tensor: its own random sub-stream */
    int32_t reserved;               /* zero */
    int64_t step;                   /* the stream's step counter */
    uint64_t seed;                  /* key of the random stream */
} hyb_lns_quantize_config;
HYB_STATIC_ASSERT(sizeof(hyb_lns_quantize_config) == 48, "hyb_lns_quantize_config layout changed");

/* What one quantisation did. */
typedef struct hyb_quantize_stats {
    int64_t elements;    /* n */
    int64_t saturated;   /* |x| above the scale, clamped to it */
    int64_t underflowed; /* non-zero x that became 0 */
    int64_t nonfinite;   /* NaN/inf copied through (SKIP) */
} hyb_quantize_stats;
HYB_STATIC_ASSERT(sizeof(hyb_quantize_stats) == 32, "hyb_quantize_stats layout changed");

/* Quantises x[0..n-1] onto the grid into y[0..n-1]. stats may be NULL. */
HYB_API hyb_status hyb_lns_quantize_f32(const hyb_lns_quantize_config* config, const float* x,
                                        float* y, int64_t n, hyb_quantize_stats* stats);

/* hyb_lns_quantize_f32 that also writes each result's LNS code in the quantiser's format
 * (config->format): codes[i] = sign | k for y[i] = +-L[k], the zero code K for 0 — exactly
 * hyb_lns_encode of y[i] — in the same pass, so a GEMM operand is quantised and encoded at once.
 * y may be NULL (codes only; the counts are the same) or x itself. A non-finite x under SKIP gets
 * the zero code (and y = x, counted). uint8: format.bits <= 8. */
HYB_API hyb_status hyb_lns_quantize_encode_u8(const hyb_lns_quantize_config* config, const float* x,
                                              float* y, uint8_t* codes, int64_t n,
                                              hyb_quantize_stats* stats);
HYB_API hyb_status hyb_lns_quantize_encode_u16(const hyb_lns_quantize_config* config, const float* x,
                                               float* y, uint16_t* codes, int64_t n,
                                               hyb_quantize_stats* stats);

/* Settings of one exact GEMM. */
typedef struct hyb_lns_gemm_config {
    hyb_lns_format a;  /* A's format (w_max = A's scale) */
    hyb_lns_format b;  /* B's format; b.gamma == a.gamma */
    int64_t m;         /* rows of A and C */
    int64_t k;         /* columns of A, rows of B */
    int64_t n;         /* columns of B and C */
    int32_t acc_bits;  /* W, in [2, HYB_LNS_GEMM_MAX_ACC_BITS] */
    int32_t frac_bits; /* F, in [0, W - 2]: one product (2^F units at most) must fit */
    int32_t a_transposed; /* 0: A is row-major M x K; 1: A is stored as A^T, row-major K x M */
    int32_t b_transposed; /* 0: B is row-major K x N; 1: B is stored as B^T, row-major N x K */
} hyb_lns_gemm_config;
HYB_STATIC_ASSERT(sizeof(hyb_lns_gemm_config) == 72, "hyb_lns_gemm_config layout changed");

/* What one exact GEMM did. */
typedef struct hyb_gemm_stats {
    int64_t macs;        /* m * k * n products, zeros included */
    int64_t saturations; /* bucket additions clamped at the accumulator's range */
    int64_t truncated;   /* non-zero products below one accumulator unit (q > F) */
    int64_t simd_level;  /* the kernel that ran: its hyb_simd_level (SCALAR: the reference); CUDA -1 */
} hyb_gemm_stats;
HYB_STATIC_ASSERT(sizeof(hyb_gemm_stats) == 32, "hyb_gemm_stats layout changed");

/* C = A B on codes (uint8: B <= 8 bits; uint16: any B). c must not overlap a or b. stats may
 * be NULL. The SIMD level's kernel (hyb_simd_get; HYBRID_SIMD=scalar forces the plain
 * reference): vectorised over 8 or 16 columns, blocked over K, threaded over column panels and
 * row ranges; the result never depends on the level, the blocking or the thread count. */
HYB_API hyb_status hyb_lns_gemm_exact_u8(const hyb_lns_gemm_config* config, const uint8_t* a,
                                         const uint8_t* b, float* c, hyb_gemm_stats* stats);
HYB_API hyb_status hyb_lns_gemm_exact_u16(const hyb_lns_gemm_config* config, const uint16_t* a,
                                          const uint16_t* b, float* c, hyb_gemm_stats* stats);

HYB_EXTERN_C_END

#endif /* HYBRID_LNS_ARITH_H */
