/* hybrid/lns.h - B-bit logarithmic-number-system (LNS) synapses and their Madam step.
 *
 * Format. A B-bit code (2 <= B <= 16) is a sign bit (bit B-1, set = negative) and a
 * (B-1)-bit magnitude index k in [0, K], K = 2^(B-1) - 1:
 *     |w| = w_max * 2^(-k / gamma)        for k < K   (larger k = smaller magnitude)
 *     w   = 0                             for k = K   (the all-ones index is exact zero)
 * so B = 2 is ternary {-w_max, 0, +w_max}. Codes live in uint8 (B <= 8) or uint16
 * (any B). Exact zero encodes to the canonical zero code K (sign bit clear); a zero code
 * with the sign bit set also decodes to +0.
 *
 * Encoding rounds to the nearest level in the log domain: k = floor(k* + 1/2) with
 * k* = gamma * (log2 w_max - log2 |x|), clamped to [0, K-1]: values above w_max saturate
 * to k = 0, non-zero values below the smallest level saturate to k = K-1 (only exact zero
 * becomes the zero code, so that no weight is silently frozen by Madam).
 * log2 and exp2 here are Hybrid's own (native/src/lns_math.h), built from IEEE +,-,*,/ only,
 * so the managed, CPU and CUDA backends produce bit-identical codes and decoded values.
 *
 * The Madam step in the code domain (see SCIENCE.md): per synapse
 *     v    <- beta2 * v + (1 - beta2) * g^2
 *     gh   <- g / sqrt(v / (1 - beta2^t))   (0 where the denominator is 0), clamped to +-g_bound
 *     dk   <- round(gamma * lr * gh * sign(w) / ln 2)    (nearest or stochastic)
 *     k    <- clamp(k + dk, 0, K-1);  zero codes never move; the sign never changes.
 * Stochastic rounding is floor(x + u), u from the Philox stream (hybrid/random.h) with
 * purpose HYB_RANDOM_PURPOSE_ROUNDING keyed by (seed, step, tensor_id, element index):
 * unbiased, and identical on every backend and thread count. Nearest is floor(x + 1/2). */
#ifndef HYBRID_LNS_H
#define HYBRID_LNS_H

#include <stdint.h>
#include "hybrid/export.h"
#include "hybrid/status.h"

HYB_EXTERN_C_BEGIN

#define HYB_LNS_MIN_BITS 2     /* smallest B: ternary */
#define HYB_LNS_MAX_BITS 16    /* largest B */
#define HYB_LNS_MAX_GAMMA 4096 /* largest gamma (levels per octave) */

/* An LNS format: bits in [2, 16]; gamma finite in (0, 4096]; w_max finite, normal, > 0. */
typedef struct hyb_lns_format {
    int32_t bits;     /* B: sign bit + (B-1)-bit magnitude index */
    float gamma;      /* levels per octave: |w| halves every gamma steps of k */
    float w_max;      /* magnitude of k = 0 */
    int32_t reserved; /* zero */
} hyb_lns_format;
HYB_STATIC_ASSERT(sizeof(hyb_lns_format) == 16, "hyb_lns_format layout changed");

/* How a step turns a real-valued code increment into an integer. */
typedef enum hyb_rounding {
    HYB_ROUNDING_NEAREST = 0,    /* floor(x + 1/2) */
    HYB_ROUNDING_STOCHASTIC = 1  /* floor(x + u), u ~ U[0,1) from the Philox stream */
} hyb_rounding;
HYB_STATIC_ASSERT(sizeof(hyb_rounding) == 4, "hyb_rounding must be 32-bit");

/* What a step does with a NaN or infinite gradient element. */
typedef enum hyb_nonfinite_policy {
    HYB_NONFINITE_POLICY_REJECT = 0, /* fail with HYB_STATUS_NON_FINITE; nothing written */
    HYB_NONFINITE_POLICY_SKIP = 1    /* leave that element (weight/code and v) unchanged; count it */
} hyb_nonfinite_policy;
HYB_STATIC_ASSERT(sizeof(hyb_nonfinite_policy) == 4, "hyb_nonfinite_policy must be 32-bit");

/* Settings of one LNS Madam step. */
typedef struct hyb_lns_madam_config {
    hyb_lns_format format;    /* the codes' format */
    float lr;                 /* eta, finite, >= 0 (0.01 in SCIENCE.md) */
    float beta2;              /* in [0, 1) (0.999) */
    float g_bound;            /* > 0 (10) */
    hyb_rounding rounding;    /* nearest or stochastic */
    hyb_nonfinite_policy nonfinite; /* reject or skip NaN/inf gradients */
    uint32_t tensor_id;       /* which tensor of the model: its own random sub-stream */
    int64_t step;             /* t >= 1, the step being taken (bias correction, random counter) */
    uint64_t seed;            /* key of the random stream */
} hyb_lns_madam_config;
HYB_STATIC_ASSERT(sizeof(hyb_lns_madam_config) == 56, "hyb_lns_madam_config layout changed");

/* What one step did (optional output of the step functions). */
typedef struct hyb_step_stats {
    int64_t elements;          /* n */
    int64_t changed;           /* codes (or weights) whose value changed */
    int64_t nonfinite_skipped; /* gradient elements skipped under HYB_NONFINITE_POLICY_SKIP */
    int64_t reserved;          /* zero */
} hyb_step_stats;
HYB_STATIC_ASSERT(sizeof(hyb_step_stats) == 32, "hyb_step_stats layout changed");

/* Encodes x[0..n-1] into codes. Fails on NaN/inf, on B > 8 for uint8, and if x and codes
 * overlap. */
HYB_API hyb_status hyb_lns_encode_u8(const hyb_lns_format* format, const float* x,
                                     uint8_t* codes, int64_t n);
HYB_API hyb_status hyb_lns_encode_u16(const hyb_lns_format* format, const float* x,
                                      uint16_t* codes, int64_t n);

/* Decodes codes[0..n-1] into x. Fails on codes with bits at or above bit B. */
HYB_API hyb_status hyb_lns_decode_u8(const hyb_lns_format* format, const uint8_t* codes,
                                     float* x, int64_t n);
HYB_API hyb_status hyb_lns_decode_u16(const hyb_lns_format* format, const uint16_t* codes,
                                      float* x, int64_t n);

/* One Madam step on codes[0..n-1] in place, with gradient grad and per-synapse second
 * moment v (in place, start at 0). stats may be NULL. Nothing is written on failure;
 * codes, grad and v must not overlap. */
HYB_API hyb_status hyb_lns_madam_step_u8(const hyb_lns_madam_config* config, uint8_t* codes,
                                         const float* grad, float* v, int64_t n,
                                         hyb_step_stats* stats);
HYB_API hyb_status hyb_lns_madam_step_u16(const hyb_lns_madam_config* config, uint16_t* codes,
                                          const float* grad, float* v, int64_t n,
                                          hyb_step_stats* stats);

HYB_EXTERN_C_END

#endif /* HYBRID_LNS_H */
