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
 *     gh   <- g / sqrt(v / (1 - beta2^t)),  NaN -> 0,  clamped to +-g_bound
 *     dk   <- round(gamma * lr * gh * sign(w) / ln 2)    (nearest or stochastic; |dk| <= 2^16)
 *     k    <- clamp(k + dk, 0, K-1);  zero codes never move; the sign never changes.
 * The division is IEEE's, as in the authors' reference (jxbz/madam): 0/0 (a zero gradient with no
 * history) is NaN and becomes 0; a gradient so small that g^2 underflows to 0 (|g| below about
 * 1e-21 with v = 0) divides to +-inf and clamps to a full +-g_bound step.
 * v may instead be kept per neuron, per tensor or not at all (hyb_moment_mode), and an optional
 * device model perturbs the step (see hyb_lns_madam_config). With round_gradient, gh is rounded to an
 * integer (floor(gh + 1/2); the authors' torch.round breaks ties to even, a difference only at exact
 * halves) before dk is formed.
 * Stochastic rounding is floor(x + u), u a uniform of random_bits bits from the Philox stream
 * (hybrid/random.h: purpose HYB_RANDOM_PURPOSE_ROUNDING keyed by (seed, step, tensor_id,
 * element index)): unbiased to within 2^-(r+1) of a code step (2^-24 for r = 32), and identical
 * on every backend, SIMD level and thread count. Nearest is floor(x + 1/2). */
#ifndef HYBRID_LNS_H
#define HYBRID_LNS_H

#include <stdint.h>
#include "hybrid/export.h"
#include "hybrid/status.h"
#include "hybrid/limits.h"
#include "hybrid/device_response.h"

HYB_EXTERN_C_BEGIN

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

/* What a step does with a NaN or infinite gradient element. Every policy counts such elements
 * (hyb_step_stats.nonfinite_skipped). */
typedef enum hyb_nonfinite_policy {
    HYB_NONFINITE_POLICY_REJECT = 0,   /* fail with HYB_STATUS_NON_FINITE; nothing written */
    HYB_NONFINITE_POLICY_SKIP = 1,     /* leave that element (weight/code and v) unchanged */
    HYB_NONFINITE_POLICY_PROPAGATE = 2 /* IEEE arithmetic, as the authors' reference: g^2 enters v
                                          (NaN or +inf; a shared moment's mean too), gh is NaN -> 0,
                                          so the element takes no step and, its v poisoned, none
                                          after (a shared moment freezes its row or tensor; the
                                          sign-only mode steps +-inf by its sign, NaN not at all) */
} hyb_nonfinite_policy;
HYB_STATIC_ASSERT(sizeof(hyb_nonfinite_policy) == 4, "hyb_nonfinite_policy must be 32-bit");

/* Where the second moment v lives: a float per synapse is the first thing hardware cannot
 * afford, so Hybrid can keep it per neuron (row), per tensor, or not at all. */
typedef enum hyb_moment_mode {
    HYB_MOMENT_MODE_PER_SYNAPSE = 0, /* v[n]: v_i <- b2 v_i + (1-b2) g_i^2 (Madam as published) */
    HYB_MOMENT_MODE_PER_NEURON = 1,  /* v[rows]: v_r <- b2 v_r + (1-b2) mean_j g_rj^2 over row r */
    HYB_MOMENT_MODE_PER_TENSOR = 2,  /* v[1]: v <- b2 v + (1-b2) mean_i g_i^2 */
    HYB_MOMENT_MODE_NONE = 3         /* sign-only: gh = sign(g); no v (v_len 0, v may be NULL) */
} hyb_moment_mode;
HYB_STATIC_ASSERT(sizeof(hyb_moment_mode) == 4, "hyb_moment_mode must be 32-bit");

/* Settings of one LNS Madam step.
 *
 * Device model (all 0 = off = the plain model, bit for bit). With them, the real-valued code
 * step of synapse i becomes
 *     dk_i * a(dk_i) * s_i * gain_i * (1 + c2c_noise * z_i,t)
 * where a = 1 + asymmetry for potentiation (dk < 0: |w| grows) and 1 - asymmetry for
 * depression; s_i = 0 for a stuck synapse (chosen once per device with probability
 * stuck_fraction), else 1; gain_i = max(0, 1 + d2d_gain_sd * z_i) is fixed per device;
 * z are approximately standard normal: (u1 + u2 + u3 + u4 - 2) * sqrt(3) (Irwin-Hall, exact
 * arithmetic) from the Philox stream. Per-device draws use step 0 of their purpose, so they
 * never change; the cycle-to-cycle draw uses the step. Bounded levels are the code range.
 * With a device family (response), dk * a(dk) * fac is further scaled by the family's response at the
 * code's state, f_up for potentiation and f_down for depression (direction taken before any scaling),
 * and a(dk) = max(0, 1 +- beta_i) with beta_i = asymmetry + response.up_down_dtod z_i. */
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
    hyb_moment_mode moment;   /* where v lives */
    float c2c_noise;          /* cycle-to-cycle relative step noise (sd), in [0, 10] */
    float d2d_gain_sd;        /* device-to-device step-gain spread (sd), in [0, 10] */
    float asymmetry;          /* up/down asymmetry, in (-1, 1) */
    float stuck_fraction;     /* fraction of synapses that never move, in [0, 1] */
    int32_t random_bits;      /* bits per stochastic rounding: 4, 8, 12, 16 or 32 (0 allowed with
                                 nearest rounding, which draws nothing) */
    int64_t rows;             /* neurons (rows) for HYB_MOMENT_MODE_PER_NEURON; n = rows * cols */
    int32_t round_gradient;   /* 1: gh rounded to an integer, floor(gh + 1/2), before the code step
                                 (LNS-Madam's reference rounds its normalised gradient); 0: not */
    int32_t reserved;         /* zero */
    hyb_device_response response; /* the device family (hybrid/device_response.h, code domain): the step is
                                     also scaled by f_up(x) (dk < 0) or f_down(x) of the code's state
                                     x = 1 - 2k/(K-1), and 1 +- asymmetry spreads by response.up_down_dtod;
                                     all zero (CONSTANT) = the model above */
} hyb_lns_madam_config;
HYB_STATIC_ASSERT(sizeof(hyb_lns_madam_config) == 288, "hyb_lns_madam_config layout changed");

/* What one step did (optional output of the step functions). */
typedef struct hyb_step_stats {
    int64_t elements;          /* n */
    int64_t changed;           /* codes (or weights) whose value changed */
    int64_t nonfinite_skipped; /* NaN or infinite gradient elements (skipped, or propagated) */
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

/* One Madam step on codes[0..n-1] in place, with gradient grad[0..n-1] and second moment
 * v[0..v_len-1] (in place, start at 0; v_len = n, rows, 1 or 0 by config->moment).
 * stats may be NULL. Nothing is written on failure; codes, grad and v must not overlap. */
HYB_API hyb_status hyb_lns_madam_step_u8(const hyb_lns_madam_config* config, uint8_t* codes,
                                         const float* grad, int64_t n, float* v, int64_t v_len,
                                         hyb_step_stats* stats);
HYB_API hyb_status hyb_lns_madam_step_u16(const hyb_lns_madam_config* config, uint16_t* codes,
                                          const float* grad, int64_t n, float* v,
                                          int64_t v_len, hyb_step_stats* stats);

HYB_EXTERN_C_END

#endif /* HYBRID_LNS_H */
