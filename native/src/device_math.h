/* device_math.h - the element maths of the device families (hybrid/device_response.h, device.h), shared
 * by the C kernels, the CUDA kernels (HYB_HD) and, line for line, the C# twin (Hybrid.Synapse
 * Twin/DeviceMath.cs). Like lns_math.h it uses only IEEE +, -, *, /, floor, comparisons and Hybrid's own
 * exp2/log2 (never libm's), with no fused multiply-add, so every backend gives the same bits.
 *
 * A device's fixed draws (its gain, asymmetry and family spreads, drift exponent) depend only on (seed,
 * tensor, element), never on the step, so a device keeps them for life; the draws of a step (cycle
 * noise, write noise, pulse rounding) and of a read (read noise) take the step or the read as counter. */
#ifndef HYBRID_SRC_DEVICE_MATH_H
#define HYBRID_SRC_DEVICE_MATH_H

#include "lns_math.h"
#include "hybrid/device.h"

/* An Irwin-Hall normal from block e of a purpose's stream (the whole block: four uniforms). */
HYB_HD float hyb_device_normal(uint64_t seed, int64_t step, uint32_t tensor_id, uint32_t purpose,
                               uint64_t e) {
    const hyb_u32x4 r = hyb_stream_block(seed, step, tensor_id, purpose, e);
    return hyb_irwin_hall4(hyb_u32_to_unit_f32(r.v[0]), hyb_u32_to_unit_f32(r.v[1]),
                           hyb_u32_to_unit_f32(r.v[2]), hyb_u32_to_unit_f32(r.v[3]));
}

/* max(x, 0) as a compare and select (NaN -> 0). */
HYB_HD float hyb_device_pos(float x) { return x > 0.0f ? x : 0.0f; }

/* |x| as a compare and select (an exact sign flip). */
HYB_HD float hyb_device_abs(float x) { return x < 0.0f ? -x : x; }

/* b^g for b in [0, 1], g >= 0: 2^(g log2 b) in double, rounded once to float (0^g = 0 for g > 0, b^0 = 1). */
HYB_HD float hyb_device_pow01(float b, float g) {
    if (g == 0.0f) return 1.0f;
    if (!(b > 0.0f)) return 0.0f;
    double e = (double)g * hyb_log2_d((double)b);
    if (e < -1000.0) return 0.0f;
    return (float)hyb_exp2_d(e);
}

/* The fixed properties of one device: its up and down scales (1 +- beta_i, clamped at 0) and the
 * family's per-device slopes or exponents (gu for up, gd for down). */
typedef struct hyb_device_unit {
    float pot, dep; /* up (potentiation) and down (depression) scale */
    float gu, gd;   /* LINEAR/SOFT_BOUNDS: slopes; EXP: exponents; POW: exponents; else unused */
} hyb_device_unit;

HYB_HD hyb_device_unit hyb_device_unit_make(const hyb_device_response* r, float asymmetry,
                                            uint64_t seed, uint32_t tensor_id, uint64_t e) {
    hyb_device_unit d;
    float beta = asymmetry;
    if (r->up_down_dtod > 0.0f)
        beta = asymmetry + r->up_down_dtod * hyb_device_normal(seed, 0, tensor_id, HYB_RANDOM_PURPOSE_UP_DOWN, e);
    /* without a spread, 1 + asymmetry: the LNS step's pot_scale, bit for bit */
    d.pot = hyb_device_pos(1.0f + beta);
    d.dep = hyb_device_pos(1.0f - beta);
    d.gu = 0.0f;
    d.gd = 0.0f;
    switch (r->family) {
    case HYB_DEVICE_FAMILY_LINEAR: {
        float gu = r->gamma_up, gd = r->gamma_down;
        if (r->gamma_up_dtod > 0.0f)
            gu = gu + r->gamma_up_dtod * hyb_device_normal(seed, 0, tensor_id, HYB_RANDOM_PURPOSE_GAMMA_UP, e);
        if (r->gamma_down_dtod > 0.0f)
            gd = gd + r->gamma_down_dtod * hyb_device_normal(seed, 0, tensor_id, HYB_RANDOM_PURPOSE_GAMMA_DOWN, e);
        d.gu = hyb_device_abs(gu);
        d.gd = hyb_device_abs(gd);
        break;
    }
    case HYB_DEVICE_FAMILY_SOFT_BOUNDS:
        d.gu = 1.0f;
        d.gd = 1.0f;
        break;
    case HYB_DEVICE_FAMILY_EXP:
        d.gu = r->gamma_up;
        d.gd = r->gamma_down;
        break;
    case HYB_DEVICE_FAMILY_POW: {
        float b = r->pow_up_down, z = 0.0f;
        if (r->pow_up_down_dtod > 0.0f)
            b = b + r->pow_up_down_dtod * hyb_device_normal(seed, 0, tensor_id, HYB_RANDOM_PURPOSE_GAMMA_DOWN, e);
        if (r->pow_gamma_dtod > 0.0f)
            z = r->pow_gamma_dtod * hyb_device_normal(seed, 0, tensor_id, HYB_RANDOM_PURPOSE_GAMMA_UP, e);
        /* g_d = pow_gamma (1 + d beta + sd z), the same z both ways (aihwkit's PowStepDevice) */
        d.gu = hyb_device_pos(r->pow_gamma * ((1.0f + b) + z));
        d.gd = hyb_device_pos(r->pow_gamma * ((1.0f - b) + z));
        break;
    }
    default:
        break;
    }
    return d;
}

/* The family's response f_d(x) >= 0 of a device in state x between b_min < b_max, up (1) or down (0). */
HYB_HD float hyb_device_response_at(const hyb_device_response* r, const hyb_device_unit* d, float x,
                                    float b_min, float b_max, int up) {
    switch (r->family) {
    case HYB_DEVICE_FAMILY_LINEAR:
    case HYB_DEVICE_FAMILY_SOFT_BOUNDS:
        return up ? hyb_device_pos(1.0f - d->gu * (x / b_max)) : hyb_device_pos(1.0f - d->gd * (x / b_min));
    case HYB_DEVICE_FAMILY_EXP: {
        const float z = (2.0f * r->exp_a) * x / (b_max - b_min) + r->exp_b;
        const float t = up ? d->gu * z : -(d->gd * z);
        double lg = (double)t * HYB_INV_LN2; /* e^t = 2^(t / ln 2) */
        lg = lg > 1000.0 ? 1000.0 : (lg < -1000.0 ? -1000.0 : lg);
        const double y = 1.0 - (double)(up ? r->a_up : r->a_down) * hyb_exp2_d(lg);
        return hyb_device_pos((float)y);
    }
    case HYB_DEVICE_FAMILY_POW: {
        float om = (b_max - x) / (b_max - b_min);
        om = om < 0.0f ? 0.0f : (om > 1.0f ? 1.0f : om);
        return up ? hyb_device_pow01(om, d->gu) : hyb_device_pow01(1.0f - om, d->gd);
    }
    case HYB_DEVICE_FAMILY_PIECEWISE: {
        const float* v = up ? r->piecewise_up : r->piecewise_down;
        const int m = r->nodes;
        if (m <= 1) return v[0];
        float p = (x - b_min) / (b_max - b_min) * (float)(m - 1);
        p = p < 0.0f ? 0.0f : (p > (float)(m - 1) ? (float)(m - 1) : p);
        int i = (int)HYB_FLOORF(p);
        i = i > m - 2 ? m - 2 : i;
        const float q = p - (float)i;
        return hyb_device_pos((1.0f - q) * v[i] + q * v[i + 1]);
    }
    default:
        return 1.0f;
    }
}

/* The code domain's state of magnitude index k: x = 1 - k * x_scale, x_scale = 2 / (K - 1) (0 for K = 1). */
HYB_HD float hyb_device_code_x_scale(int32_t bits) {
    const int32_t last = (int32_t)((1u << (bits - 1)) - 1u) - 1; /* K - 1 */
    return last > 0 ? (float)(2.0 / (double)last) : 0.0f;
}

/* The per-element device lanes of the LNS step (element_steps.h's hyb_lns_dev): the up and down scales
 * with the family's response at the code's state, and the device factor (gain, cycle noise, stuck). */
typedef struct hyb_lns_dev_scalar {
    float pot, dep, fac, up, down;
} hyb_lns_dev_scalar;

HYB_HD hyb_lns_dev_scalar hyb_lns_device_lanes(const hyb_device_response* r, float asymmetry, int32_t bits,
                                               float x_scale, uint64_t seed, uint32_t tensor_id, uint32_t code,
                                               uint64_t e, float fac) {
    const hyb_device_unit d = hyb_device_unit_make(r, asymmetry, seed, tensor_id, e);
    hyb_lns_dev_scalar s;
    s.pot = d.pot;
    s.dep = d.dep;
    s.fac = fac;
    s.up = 1.0f;
    s.down = 1.0f;
    if (r->family != HYB_DEVICE_FAMILY_CONSTANT) {
        const uint32_t kmax = (1u << (bits - 1)) - 1u;
        const float x = 1.0f - (float)(code & kmax) * x_scale;
        s.up = hyb_device_response_at(r, &d, x, -1.0f, 1.0f, 1);
        s.down = hyb_device_response_at(r, &d, x, -1.0f, 1.0f, 0);
    }
    return s;
}

/* The drift exponent nu_i = max(0, nu (1 + nu_dtod z_i)) of device e. */
HYB_HD float hyb_device_drift_nu(float nu, float nu_dtod, uint64_t seed, uint32_t tensor_id, uint64_t e) {
    if (nu_dtod > 0.0f)
        return hyb_device_pos(nu * (1.0f + nu_dtod * hyb_device_normal(seed, 0, tensor_id,
                                                                         HYB_RANDOM_PURPOSE_DRIFT_NU, e)));
    return nu;
}

/* log2((t + t0) / t0) in double: the drift's time term (0 at t = 0). */
HYB_HD double hyb_device_drift_log2(double t, double t0) {
    return t > 0.0 ? hyb_log2_d((t + t0) / t0) : 0.0;
}

/* One LNS read (hyb_lns_read_config): the magnitude of index k with offset o, read noise rn (code levels)
 * and drift term nu_l2 = nu_i log2((t + t0) / t0): w_max 2^(-(k + o + rn) / gamma - nu_l2), rounded once. */
HYB_HD float hyb_lns_read_magnitude(int32_t k, float o, float rn, double nu_l2, float gamma, float w_max) {
    const float kr = ((float)k + o) + rn;
    double e = -(double)kr / (double)gamma - nu_l2;
    e = e > 1000.0 ? 1000.0 : (e < -1000.0 ? -1000.0 : e);
    return (float)((double)w_max * hyb_exp2_d(e));
}

/* The pulse-count rounding uniform of element e (HYB_RANDOM_PURPOSE_PULSE_ROUNDING): word e mod 4 of
 * block e / 4, as a 24-bit uniform. */
HYB_HD float hyb_device_pulse_uniform(uint64_t seed, int64_t step, uint32_t tensor_id, uint64_t e) {
    const hyb_u32x4 r = hyb_stream_block(seed, step, tensor_id, HYB_RANDOM_PURPOSE_PULSE_ROUNDING, e >> 2);
    return hyb_u32_to_unit_f32(r.v[e & 3]);
}

/* The weight domain's new hidden state of device e after np > 0 pulses up (1) or down (0) from state h
 * (hyb_device_update_config): np dw_min, times the direction's scale, the device factor and the family's
 * response at h, added in the direction and clamped to [w_min, w_max]. */
HYB_HD float hyb_device_weight_step(const hyb_device_update_config* c, float h, float np, int up, uint64_t e) {
    const hyb_device_unit d = hyb_device_unit_make(&c->response, c->asymmetry, c->seed, c->tensor_id, e);
    const float fac = hyb_lns_device_factor(c->seed, c->step, c->tensor_id, e, c->c2c_noise, c->d2d_gain_sd,
                                            c->stuck_fraction);
    const float f = hyb_device_response_at(&c->response, &d, h, c->w_min, c->w_max, up);
    float s = np * c->dw_min;
    s = s * (up ? d.pot : d.dep);
    s = s * fac;
    s = s * f;
    float hn = up ? h + s : h - s;
    hn = hn < c->w_min ? c->w_min : (hn > c->w_max ? c->w_max : hn);
    return hn;
}

/* A drifted weight: w 2^(-nu l2), l2 = log2((t + t0) / t0), in double, rounded once. */
HYB_HD float hyb_device_drift_weight(float w, float nu, double l2) {
    double e = -(double)nu * l2;
    e = e < -1000.0 ? -1000.0 : e;
    return (float)((double)w * hyb_exp2_d(e));
}

#endif
