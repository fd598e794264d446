/* hybrid/madam.h - the float32 Madam step (Bernstein et al., "Learning compositional
 * functions via multiplicative weight updates", NeurIPS 2020; repo jxbz/madam).
 *
 * Per element, with bias correction bc = 1 - beta2^t:
 *     v  <- beta2 * v + (1 - beta2) * g^2
 *     gh <- g / sqrt(v / bc),  NaN -> 0,  clamped to +-g_bound
 *     w  <- w * exp(-lr * gh * sign(w))
 *     w  <- clamp(w, -w_max, +w_max)
 * The division is IEEE's, as in jxbz/madam: a gradient whose g^2 underflows (v = 0) divides to
 * +-inf and takes a full +-g_bound step; 0/0 takes none. Under HYB_NONFINITE_POLICY_PROPAGATE
 * a NaN or infinite gradient poisons that element's v, which freezes it from then on, as the
 * reference (and Hybrid.Training's TorchSharp Madam) does.
 * A weight's sign never changes and an exact zero never moves. w_max is p_scale * RMS(w)
 * at the first step (defaults p_scale = 3), fixed after: the caller computes it once
 * with hyb_rms_f32 and passes it every step. exp is a float polynomial accurate to
 * about 2 ulp, so results agree with other implementations within a few ulp per step. */
#ifndef HYBRID_MADAM_H
#define HYBRID_MADAM_H

#include <stdint.h>
#include "hybrid/export.h"
#include "hybrid/status.h"
#include "hybrid/lns.h"

HYB_EXTERN_C_BEGIN

/* Settings of one float32 Madam step. */
typedef struct hyb_madam_config {
    float lr;        /* finite, >= 0 (0.01) */
    float beta2;     /* in [0, 1) (0.999) */
    float g_bound;   /* > 0 (10) */
    float w_max;     /* > 0, finite: p_scale * RMS(w at step 1) */
    hyb_nonfinite_policy nonfinite; /* reject or skip NaN/inf gradients */
    int32_t reserved; /* zero */
    int64_t step;    /* t >= 1 */
} hyb_madam_config;
HYB_STATIC_ASSERT(sizeof(hyb_madam_config) == 32, "hyb_madam_config layout changed");

/* One Madam step on w[0..n-1] in place, with gradient grad and second moment v (in place,
 * start at 0). stats may be NULL. w, grad and v must not overlap. */
HYB_API hyb_status hyb_madam_step_f32(const hyb_madam_config* config, float* w,
                                      const float* grad, float* v, int64_t n,
                                      hyb_step_stats* stats);

/* Root mean square of x[0..n-1] (n >= 1) in double precision, summed in fixed blocks of
 * HYB_SUM_BLOCK elements so that the result does not depend on the thread count. Fails on
 * non-finite input. */
HYB_API hyb_status hyb_rms_f32(const float* x, int64_t n, double* out);

HYB_EXTERN_C_END

#endif /* HYBRID_MADAM_H */
