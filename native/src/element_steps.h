/* element_steps.h - the per-element steps of every kernel, written once: the LNS Madam step
 * and the float32 Madam step of one element, on "lanes". Include one lanes header first:
 * lanes_scalar.h (the C reference loops and every CUDA kernel: one element, HYB_HD),
 * lanes_avx2.h or lanes_avx512.h (the vector kernels: 8 or 16 elements at once). The C# twin
 * (Hybrid.Synapse Twin/LnsMath.cs, Simd/SimdMath.cs) follows these lines one for one.
 *
 * Every line is one IEEE operation in a fixed order (no fused multiply-add: the C build passes
 * -ffp-contract=off, nvcc --fmad=false), and every select is an explicit compare-and-blend,
 * so each instantiation gives every element the same bits. A kernel that needs a new element
 * step (quantise, an exact product) adds it here in the same way. */
#ifndef HYBRID_SRC_ELEMENT_STEPS_H
#define HYBRID_SRC_ELEMENT_STEPS_H

#ifndef HYB_LANES
#  error "include lanes_scalar.h, lanes_avx2.h or lanes_avx512.h before element_steps.h"
#endif
#include "lns_math.h"

/* What a step call knows of all its elements (flags of hyb_lns_element, hyb_madam_element):
 * known properties let the vector kernels skip work whose result is known, never changing a bit. */
enum {
    HYB_STEP_PROPAGATE = 1, /* non-finite gradients go through IEEE arithmetic (else: left alone) */
    HYB_STEP_DEVICE = 2,    /* apply the asymmetry and the device factor */
    HYB_STEP_FINITE = 4,    /* every gradient is finite (the reject policy checked): no masks */
    HYB_STEP_IN_RANGE = 8   /* |gh code_scale| <= HYB_LNS_STEP_CLAMP for every gh: no dk clamp */
};

/* A step's constants (hyb_madam_consts, computed once on the host) in every lane. */
typedef struct hyb_step_lanes {
    hyb_vf beta2, one_m_beta2, bias_corr; /* the moment update */
    hyb_vf g_bound, neg_g_bound;          /* the clamp of the normalised gradient */
    hyb_vf code_scale;                    /* LNS: gamma lr / ln 2 */
    hyb_vi kmax, sign_mask, k_last;       /* LNS: K = 2^(B-1) - 1, ~K, K - 1 */
    int sign_shift;                       /* LNS: 32 - B, taking a code's sign bit to bit 31 */
    hyb_vf neg_lr, w_max, neg_w_max;      /* float Madam: -lr, +-w_max */
    int round_gradient;                   /* LNS: gh rounded to an integer (hyb_madam_consts) */
} hyb_step_lanes;

/* bits: the LNS format's B (0 for float Madam); lr and w_max: float Madam's (0 for LNS). */
HYB_LANE hyb_step_lanes hyb_step_lanes_make(const hyb_madam_consts* c, int32_t bits, float lr,
                                            float w_max) {
    hyb_step_lanes k;
    const int32_t kmax = bits > 0 ? (int32_t)((1u << (bits - 1)) - 1u) : 0;
    k.beta2 = hyb_f_set(c->beta2);
    k.one_m_beta2 = hyb_f_set(c->one_m_beta2);
    k.bias_corr = hyb_f_set(c->bias_corr);
    k.g_bound = hyb_f_set(c->g_bound);
    k.neg_g_bound = hyb_f_set(-c->g_bound);
    k.code_scale = hyb_f_set(c->code_scale);
    k.kmax = hyb_i_set(kmax);
    k.sign_mask = hyb_i_set(~kmax);
    k.k_last = hyb_i_set(kmax - 1);
    k.sign_shift = bits > 0 ? 32 - bits : 0;
    k.round_gradient = c->round_gradient;
    k.neg_lr = hyb_f_set(-lr);
    k.w_max = hyb_f_set(w_max);
    k.neg_w_max = hyb_f_set(-w_max);
    return k;
}

/* Lanes whose float is finite (exponent bits not all ones). */
HYB_LANE hyb_vm hyb_f_isfinite(hyb_vf x) {
    const hyb_vi e = hyb_i_set(0x7F800000);
    return hyb_m_not(hyb_i_eq(hyb_i_and(hyb_f_bits(x), e), e));
}

/* sign(x) in {-1, 0, +1} (NaN -> 0). */
HYB_LANE hyb_vf hyb_f_sign(hyb_vf x) {
    const hyb_vf zero = hyb_f_set(0.0f);
    return hyb_f_sel(hyb_f_gt(x, zero), hyb_f_set(1.0f),
                     hyb_f_sel(hyb_f_lt(x, zero), hyb_f_set(-1.0f), zero));
}

/* v <- beta2 v + (1 - beta2) x (x = g^2, or a mean of g^2 for a shared moment); returns the
 * denominator sqrt(v / bc). */
HYB_LANE hyb_vf hyb_madam_moment(hyb_vf x, hyb_vf* v, const hyb_step_lanes* k) {
    const hyb_vf nv = hyb_f_add(hyb_f_mul(k->beta2, *v), hyb_f_mul(k->one_m_beta2, x));
    *v = nv;
    return hyb_f_sqrt(hyb_f_div(nv, k->bias_corr));
}

/* gh = g / d, NaN -> 0, clamped to +-g_bound: IEEE division as in jxbz/madam, so 0/0 gives
 * 0 and g/0 (g^2 underflowed, g != 0) gives +-inf, clamped to a full +-g_bound step. */
HYB_LANE hyb_vf hyb_madam_divide(hyb_vf g, hyb_vf d, const hyb_step_lanes* k) {
    hyb_vf gh = hyb_f_div(g, d);
    gh = hyb_f_sel(hyb_f_isnan(gh), hyb_f_set(0.0f), gh);
    /* min then max: the clamps sel(gt(gh, g_bound), g_bound, gh) and sel(lt(gh, -g_bound), -g_bound, gh)
     * in one instruction each (gh is not NaN here, g_bound > 0) */
    return hyb_f_max(hyb_f_min(gh, k->g_bound), k->neg_g_bound);
}

/* The normalised, clamped gradient of one element with its own moment; updates *v. */
HYB_LANE hyb_vf hyb_madam_normalised(hyb_vf g, hyb_vf* v, const hyb_step_lanes* k) {
    return hyb_madam_divide(g, hyb_madam_moment(hyb_f_mul(g, g), v, k), k);
}

/* A device model's per-element lanes (HYB_STEP_DEVICE; device_math.h's hyb_lns_device_lanes): the
 * potentiation and depression scales 1 +- beta_i, the device factor (gain, cycle noise, stuck) and the
 * family's response for either direction at the code's state. All exactly 1 without a device model. */
typedef struct hyb_lns_dev {
    hyb_vf pot, dep, fac, up, down;
} hyb_lns_dev;

/* The new LNS code after a step of gh: dk = gh gamma lr / ln 2 with the sign of w (the
 * magnitude shrinks, k grows, when w g > 0); with HYB_STEP_DEVICE scaled by the direction's
 * scale (pot for dk < 0, else dep), the device factor and the direction's family response, the
 * direction taken from dk before any scaling (each factor exactly 1 without a device model, so
 * skipping them changes no bit); clamped to +-HYB_LNS_STEP_CLAMP (unless HYB_STEP_IN_RANGE says it
 * cannot bind), rounded as floor(dk + u) (u = 1/2: nearest; a uniform: stochastic), added to k and
 * clamped to [0, K-1]. Zero codes (k = K) never move and the sign never changes. */
HYB_LANE hyb_vi hyb_lns_step_code(hyb_vi code, hyb_vf gh, hyb_vf u, const hyb_lns_dev* dv, int flags,
                                  const hyb_step_lanes* k) {
    const hyb_vi kk = hyb_i_and(code, k->kmax);
    const hyb_vi sign = hyb_i_and(code, k->sign_mask);
    const hyb_vi zero = hyb_i_set(0);
    hyb_vf dk = hyb_f_mul(gh, k->code_scale);
    /* -dk where the sign bit is set: an exact sign flip (a validated code has no bit above B - 1, so the
     * shifted sign is 0 or exactly bit 31) */
    dk = hyb_i_as_f(hyb_i_xor(hyb_f_bits(dk), hyb_i_shl(sign, k->sign_shift)));
    if (flags & HYB_STEP_DEVICE) {
        const hyb_vm pot = hyb_f_lt(dk, hyb_f_set(0.0f));
        dk = hyb_f_mul(dk, hyb_f_sel(pot, dv->pot, dv->dep));
        dk = hyb_f_mul(dk, dv->fac);
        dk = hyb_f_mul(dk, hyb_f_sel(pot, dv->up, dv->down));
    }
    if (!(flags & HYB_STEP_IN_RANGE)) {
        const hyb_vf lim = hyb_f_set((float)HYB_LNS_STEP_CLAMP);
        dk = hyb_f_sel(hyb_f_gt(dk, lim), lim, dk);
        dk = hyb_f_sel(hyb_f_lt(dk, hyb_f_set(-(float)HYB_LNS_STEP_CLAMP)),
                       hyb_f_set(-(float)HYB_LNS_STEP_CLAMP), dk);
    }
    const hyb_vf r = hyb_f_floor(hyb_f_add(dk, u));
    hyb_vi kn = hyb_i_add(kk, hyb_f_to_i(r));
    kn = hyb_i_min(hyb_i_max(kn, zero), k->k_last); /* clamped to [0, K - 1] */
    return hyb_i_sel(hyb_i_eq(kk, k->kmax), code, hyb_i_or(sign, kn));
}

/* The new code from the normalised gradient gh: rounded to an integer first where the step says so
 * (round_gradient), then hyb_lns_step_code. hyb_lns_element's second half, apart so that a vector
 * loop can run the first half (the divisions) of one group ahead of this half of the previous one. */
HYB_LANE hyb_vi hyb_lns_code_from_gh(hyb_vi code, hyb_vf gh, hyb_vf u, const hyb_lns_dev* dv, int flags,
                                     const hyb_step_lanes* k) {
    if (k->round_gradient) gh = hyb_f_floor(hyb_f_add(gh, hyb_f_set(0.5f)));
    return hyb_lns_step_code(code, gh, u, dv, flags, k);
}

/* One element of the LNS Madam step: returns the new code and updates *v (per-synapse
 * moment), *changed and *nonfinite. `moment` is the hyb_moment_mode; d_shared the shared
 * moment's denominator (per neuron, per tensor); u the rounding uniform; dv the device lanes
 * (read only with HYB_STEP_DEVICE); `flags` the HYB_STEP_* the caller knows. A non-finite gradient
 * leaves the element alone unless HYB_STEP_PROPAGATE, where IEEE arithmetic decides (lns.h). */
HYB_LANE hyb_vi hyb_lns_element(const hyb_step_lanes* k, int moment, int flags, hyb_vi code,
                                hyb_vf g, hyb_vf* v, hyb_vf d_shared, hyb_vf u, const hyb_lns_dev* dv,
                                hyb_vi* changed, hyb_vi* nonfinite) {
    const int finite = flags & HYB_STEP_FINITE;
    const hyb_vm ok = finite ? hyb_m_set(1) : hyb_f_isfinite(g);
    const hyb_vm keep = hyb_m_and(hyb_m_not(ok), hyb_m_set(!(flags & HYB_STEP_PROPAGATE)));
    const hyb_vf gi = finite ? g : hyb_f_sel(keep, hyb_f_set(0.0f), g);
    hyb_vf gh;
    if (moment == HYB_MOMENT_MODE_PER_SYNAPSE) {
        hyb_vf vn = *v;
        gh = hyb_madam_normalised(gi, &vn, k);
        *v = finite ? vn : hyb_f_sel(keep, *v, vn);
    } else if (moment == HYB_MOMENT_MODE_NONE) {
        gh = hyb_f_sign(gi); /* sign-only */
    } else {
        gh = hyb_madam_divide(gi, d_shared, k);
    }
    hyb_vi cn = hyb_lns_code_from_gh(code, gh, u, dv, flags, k);
    if (!finite) cn = hyb_i_sel(keep, code, cn);
    *changed = hyb_i_count(*changed, hyb_m_not(hyb_i_eq(cn, code)));
    if (!finite) *nonfinite = hyb_i_count(*nonfinite, hyb_m_not(ok));
    return cn;
}

/* e^x for the float Madam step: x = n ln2 + r (Cody-Waite, |r| <= ln2/2), e^r by its Taylor
 * polynomial to r^7 (truncation below 2^-27), times 2^n from the exponent bits. About 2 ulp
 * from the correctly rounded value; arguments are clamped to [-87, 88]. */
HYB_LANE hyb_vf hyb_madam_exp(hyb_vf x) {
    const hyb_vf lo = hyb_f_set(-87.0f), hi = hyb_f_set(88.0f);
    x = hyb_f_sel(hyb_f_lt(x, lo), lo, x);
    x = hyb_f_sel(hyb_f_gt(x, hi), hi, x);
    const hyb_vf n = hyb_f_floor(hyb_f_add(hyb_f_mul(x, hyb_f_set(1.44269504088896341f)), hyb_f_set(0.5f)));
    hyb_vf r = hyb_f_sub(x, hyb_f_mul(n, hyb_f_set(0.693145751953125f))); /* ln 2, high part (exact product) */
    r = hyb_f_sub(r, hyb_f_mul(n, hyb_f_set(1.42860676533018704e-06f)));    /* ln 2, low part */
    hyb_vf p = hyb_f_set(1.0f / 5040.0f);
    p = hyb_f_add(hyb_f_mul(p, r), hyb_f_set(1.0f / 720.0f));
    p = hyb_f_add(hyb_f_mul(p, r), hyb_f_set(1.0f / 120.0f));
    p = hyb_f_add(hyb_f_mul(p, r), hyb_f_set(1.0f / 24.0f));
    p = hyb_f_add(hyb_f_mul(p, r), hyb_f_set(1.0f / 6.0f));
    p = hyb_f_add(hyb_f_mul(p, r), hyb_f_set(0.5f));
    p = hyb_f_add(hyb_f_mul(p, r), hyb_f_set(1.0f));
    p = hyb_f_add(hyb_f_mul(p, r), hyb_f_set(1.0f));
    const hyb_vf scale = hyb_i_as_f(hyb_i_shl(hyb_i_add(hyb_f_to_i(n), hyb_i_set(127)), 23));
    return hyb_f_mul(p, scale);
}

/* The float32 Madam step's new weight from the normalised gradient gh: clamp(w exp(-lr gh sign(w)),
 * +-w_max). hyb_madam_element's second half, apart so that a vector loop can run the first half
 * (hyb_madam_normalised) of one group ahead of this half of the previous one. */
HYB_LANE hyb_vf hyb_madam_apply(const hyb_step_lanes* k, hyb_vf w, hyb_vf gh) {
    hyb_vf wn = hyb_f_mul(w, hyb_madam_exp(hyb_f_mul(hyb_f_mul(k->neg_lr, gh), hyb_f_sign(w))));
    /* the clamps as min then max (wn is never NaN: w and gh are finite, and sign(0) = 0 makes the
     * exponent 0 where w is) */
    return hyb_f_max(hyb_f_min(wn, k->w_max), k->neg_w_max);
}

/* One element of the float32 Madam step: w <- clamp(w exp(-lr gh sign(w)), +-w_max); returns
 * the new weight and updates *v, *changed and *nonfinite (non-finite gradients and `flags` as in
 * hyb_lns_element). */
HYB_LANE hyb_vf hyb_madam_element(const hyb_step_lanes* k, int flags, hyb_vf w, hyb_vf g,
                                  hyb_vf* v, hyb_vi* changed, hyb_vi* nonfinite) {
    const int finite = flags & HYB_STEP_FINITE;
    const hyb_vm ok = finite ? hyb_m_set(1) : hyb_f_isfinite(g);
    const hyb_vm keep = hyb_m_and(hyb_m_not(ok), hyb_m_set(!(flags & HYB_STEP_PROPAGATE)));
    hyb_vf vn = *v;
    const hyb_vf gh = hyb_madam_normalised(finite ? g : hyb_f_sel(keep, hyb_f_set(0.0f), g), &vn, k);
    hyb_vf wn = hyb_madam_apply(k, w, gh);
    if (!finite) {
        wn = hyb_f_sel(keep, w, wn);
        vn = hyb_f_sel(keep, *v, vn);
    }
    *v = vn;
    /* wn != w, as floats (a changed weight; NaN never arises: w and gh are finite) */
    *changed = hyb_i_count(*changed, hyb_m_or(hyb_f_lt(wn, w), hyb_f_gt(wn, w)));
    if (!finite) *nonfinite = hyb_i_count(*nonfinite, hyb_m_not(ok));
    return wn;
}

#endif
