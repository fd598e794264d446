/* validate.c - argument checks shared by the entry points. Each names the function, the
 * argument, its value and the allowed range, so the managed exception says it all. */
#include <math.h>
#include <stdio.h>
#include "internal.h"
#include "lns_math.h"

hyb_status hyb_check_disjoint(const char* fn, const void* a, size_t an, const char* aname,
                              const void* b, size_t bn, const char* bname) {
    if (hyb_overlaps(a, an, b, bn))
        return hyb_fail(HYB_STATUS_OVERLAP, "%s: buffers %s and %s overlap", fn, aname, bname);
    return HYB_STATUS_OK;
}

hyb_status hyb_check_length(const char* fn, int64_t n) {
    if (n < 0 || n > HYB_MAX_ELEMENTS)
        return hyb_fail(HYB_STATUS_INVALID_LENGTH, "%s: n = %lld is negative or above 2^58", fn,
                        (long long)n);
    return HYB_STATUS_OK;
}

hyb_status hyb_check_ptr(const char* fn, const void* p, const char* name, int64_t n) {
    if (p == NULL && n > 0) return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: %s is NULL", fn, name);
    return HYB_STATUS_OK;
}

hyb_status hyb_check_lns_format(const char* fn, const hyb_lns_format* f, int code_bytes) {
    if (f == NULL) return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: format is NULL", fn);
    int max_bits = code_bytes == 1 ? 8 : HYB_LNS_MAX_BITS;
    if (f->bits < HYB_LNS_MIN_BITS || f->bits > max_bits)
        return hyb_fail(HYB_STATUS_INVALID_FORMAT,
                        "%s: bits = %d is outside [%d, %d] for %s codes", fn, (int)f->bits,
                        HYB_LNS_MIN_BITS, max_bits, code_bytes == 1 ? "uint8" : "uint16");
    if (!(f->gamma > 0.0f) || !(f->gamma <= (float)HYB_LNS_MAX_GAMMA))
        return hyb_fail(HYB_STATUS_INVALID_FORMAT, "%s: gamma = %g is outside (0, %d]", fn,
                        (double)f->gamma, HYB_LNS_MAX_GAMMA);
    if (!isfinite(f->w_max) || !(f->w_max >= 1.17549435e-38f))
        return hyb_fail(HYB_STATUS_INVALID_FORMAT,
                        "%s: w_max = %g must be a finite, normal, positive float", fn,
                        (double)f->w_max);
    /* the smallest non-zero level must stay a normal float; the last format that passed this
     * thread's check (a layer steps with one format every call) skips the log2 */
    static _Thread_local hyb_lns_format last_ok;
    if (f->bits == last_ok.bits && f->gamma == last_ok.gamma && f->w_max == last_ok.w_max &&
        f->reserved == 0)
        return HYB_STATUS_OK;
    int32_t kmax = (1 << (f->bits - 1)) - 1;
    double lo = hyb_log2_d((double)f->w_max) - (double)(kmax > 0 ? kmax - 1 : 0) / (double)f->gamma;
    if (lo < -126.0)
        return hyb_fail(HYB_STATUS_INVALID_FORMAT,
                        "%s: the smallest level w_max * 2^(-(K-1)/gamma) = 2^%.1f underflows "
                        "float (bits = %d, gamma = %g, w_max = %g); raise gamma or w_max",
                        fn, lo, (int)f->bits, (double)f->gamma, (double)f->w_max);
    if (f->reserved != 0)
        return hyb_fail(HYB_STATUS_INVALID_FORMAT, "%s: format.reserved must be 0", fn);
    last_ok = *f;
    return HYB_STATUS_OK;
}

hyb_status hyb_check_madam_common(const char* fn, float lr, float beta2, float g_bound,
                                  int64_t step, hyb_nonfinite_policy policy) {
    if (!isfinite(lr) || lr < 0.0f)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: lr = %g must be finite and >= 0",
                        fn, (double)lr);
    if (!(beta2 >= 0.0f && beta2 < 1.0f))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: beta2 = %g is outside [0, 1)", fn,
                        (double)beta2);
    if (!(g_bound > 0.0f) || !isfinite(g_bound))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: g_bound = %g must be finite and > 0",
                        fn, (double)g_bound);
    if (step < 1)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: step = %lld must be >= 1", fn,
                        (long long)step);
    if (policy != HYB_NONFINITE_POLICY_REJECT && policy != HYB_NONFINITE_POLICY_SKIP &&
        policy != HYB_NONFINITE_POLICY_PROPAGATE)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: nonfinite policy %d is unknown", fn,
                        (int)policy);
    return HYB_STATUS_OK;
}

hyb_status hyb_check_lns_codec(const char* fn, const hyb_lns_format* format, int code_bytes,
                               const float* x, const void* codes, int64_t n, int decode) {
    hyb_status st = hyb_check_lns_format(fn, format, code_bytes);
    if (st || (st = hyb_check_length(fn, n))) return st;
    if (decode ? ((st = hyb_check_ptr(fn, codes, "codes", n)) || (st = hyb_check_ptr(fn, x, "x", n)))
               : ((st = hyb_check_ptr(fn, x, "x", n)) || (st = hyb_check_ptr(fn, codes, "codes", n))))
        return st;
    return hyb_check_disjoint(fn, x, (size_t)n * 4, "x", codes, (size_t)n * (size_t)code_bytes,
                              "codes");
}

hyb_status hyb_check_madam_step(const char* fn, const hyb_madam_config* cfg, const float* w,
                                const float* grad, const float* v, int64_t n) {
    if (cfg == NULL) return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: config is NULL", fn);
    hyb_status st = hyb_check_madam_common(fn, cfg->lr, cfg->beta2, cfg->g_bound, cfg->step,
                                           cfg->nonfinite);
    if (st) return st;
    if (!(cfg->w_max > 0.0f) || !isfinite(cfg->w_max))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: w_max = %g must be finite and > 0",
                        fn, (double)cfg->w_max);
    if (cfg->reserved != 0)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: config.reserved must be 0", fn);
    if ((st = hyb_check_length(fn, n)) || (st = hyb_check_ptr(fn, w, "w", n)) ||
        (st = hyb_check_ptr(fn, grad, "grad", n)) || (st = hyb_check_ptr(fn, v, "v", n)))
        return st;
    const size_t fb = (size_t)n * 4;
    if ((st = hyb_check_disjoint(fn, w, fb, "w", grad, fb, "grad")) ||
        (st = hyb_check_disjoint(fn, w, fb, "w", v, fb, "v")) ||
        (st = hyb_check_disjoint(fn, grad, fb, "grad", v, fb, "v")))
        return st;
    return HYB_STATUS_OK;
}

/* A response parameter: finite, |x| <= HYB_DEVICE_MAX_PARAM, >= 0 when nonneg, and 0 unless `used`. */
static hyb_status check_param(const char* fn, const char* family, const char* name, float x, int used,
                              int nonneg) {
    if (!used) {
        if (x != 0.0f)
            return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                            "%s: response.%s = %g does not apply to the %s family (must be 0)", fn, name,
                            (double)x, family);
        return HYB_STATUS_OK;
    }
    if (!(x >= (nonneg ? 0.0f : -(float)HYB_DEVICE_MAX_PARAM) && x <= (float)HYB_DEVICE_MAX_PARAM))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: response.%s = %g is outside [%s, %d]", fn, name,
                        (double)x, nonneg ? "0" : "-1000", HYB_DEVICE_MAX_PARAM);
    return HYB_STATUS_OK;
}

hyb_status hyb_check_device_response(const char* fn, const hyb_device_response* r) {
    static const char* names[] = {"constant", "linear-step", "soft-bounds", "exp-step", "pow-step",
                                  "piecewise-step"};
    if ((uint32_t)r->family > (uint32_t)HYB_DEVICE_FAMILY_PIECEWISE)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: device family %d is unknown", fn, (int)r->family);
    const char* f = names[r->family];
    const int lin = r->family == HYB_DEVICE_FAMILY_LINEAR, ex = r->family == HYB_DEVICE_FAMILY_EXP;
    const int pw = r->family == HYB_DEVICE_FAMILY_POW, pc = r->family == HYB_DEVICE_FAMILY_PIECEWISE;
    hyb_status st;
    if ((st = check_param(fn, f, "gamma_up", r->gamma_up, lin || ex, 0)) ||
        (st = check_param(fn, f, "gamma_down", r->gamma_down, lin || ex, 0)) ||
        (st = check_param(fn, f, "gamma_up_dtod", r->gamma_up_dtod, lin, 1)) ||
        (st = check_param(fn, f, "gamma_down_dtod", r->gamma_down_dtod, lin, 1)) ||
        (st = check_param(fn, f, "a_up", r->a_up, ex, 1)) ||
        (st = check_param(fn, f, "a_down", r->a_down, ex, 1)) ||
        (st = check_param(fn, f, "exp_a", r->exp_a, ex, 0)) ||
        (st = check_param(fn, f, "exp_b", r->exp_b, ex, 0)) ||
        (st = check_param(fn, f, "pow_gamma", r->pow_gamma, pw, 1)) ||
        (st = check_param(fn, f, "pow_gamma_dtod", r->pow_gamma_dtod, pw, 1)) ||
        (st = check_param(fn, f, "pow_up_down", r->pow_up_down, pw, 0)) ||
        (st = check_param(fn, f, "pow_up_down_dtod", r->pow_up_down_dtod, pw, 1)) ||
        (st = check_param(fn, f, "up_down_dtod", r->up_down_dtod, 1, 1)))
        return st;
    if (r->up_down_dtod > (float)HYB_DEVICE_MAX_SD)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: response.up_down_dtod = %g is outside [0, %d]", fn,
                        (double)r->up_down_dtod, HYB_DEVICE_MAX_SD);
    if (pc && (r->nodes < 1 || r->nodes > HYB_DEVICE_MAX_NODES))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: response.nodes = %d is outside [1, %d]", fn,
                        (int)r->nodes, HYB_DEVICE_MAX_NODES);
    if (!pc && r->nodes != 0)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: response.nodes = %d must be 0 for the %s family", fn,
                        (int)r->nodes, f);
    for (int i = 0; i < HYB_DEVICE_MAX_NODES; ++i) {
        const int used = pc && i < r->nodes;
        char up[24], down[24];
        snprintf(up, sizeof up, "piecewise_up[%d]", i);
        snprintf(down, sizeof down, "piecewise_down[%d]", i);
        if ((st = check_param(fn, f, up, r->piecewise_up[i], used, 1)) ||
            (st = check_param(fn, f, down, r->piecewise_down[i], used, 1)))
            return st;
    }
    if (r->reserved != 0)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: response.reserved must be 0", fn);
    return HYB_STATUS_OK;
}

hyb_status hyb_check_lns_step(const char* fn, const hyb_lns_madam_config* cfg, int code_bytes,
                              const void* codes, const float* grad, int64_t n, const float* v,
                              int64_t v_len) {
    if (cfg == NULL) return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: config is NULL", fn);
    hyb_status st = hyb_check_lns_format(fn, &cfg->format, code_bytes);
    if (st) return st;
    if ((st = hyb_check_madam_common(fn, cfg->lr, cfg->beta2, cfg->g_bound, cfg->step,
                                     cfg->nonfinite)))
        return st;
    if (cfg->rounding != HYB_ROUNDING_NEAREST && cfg->rounding != HYB_ROUNDING_STOCHASTIC)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: rounding %d is unknown", fn,
                        (int)cfg->rounding);
    const int32_t r = cfg->random_bits;
    if (!(r == 4 || r == 8 || r == 12 || r == 16 || r == 32 ||
          (r == 0 && cfg->rounding == HYB_ROUNDING_NEAREST)))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "%s: random_bits = %d is not 4, 8, 12, 16 or 32%s", fn, (int)r,
                        cfg->rounding == HYB_ROUNDING_NEAREST ? " (or 0 with nearest rounding)"
                                                              : " (stochastic rounding)");
    const double scale = (double)cfg->format.gamma * (double)cfg->lr * HYB_INV_LN2;
    if (!(scale <= 3.4028234663852886e38)) /* the code scale is a float (hyb_madam_consts) */
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "%s: gamma * lr / ln 2 = %g code steps per unit gradient overflows float",
                        fn, scale);
    const double steps = scale * (double)cfg->g_bound;
    if (!(steps <= (double)HYB_LNS_MAX_CODE_STEPS))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "%s: gamma * lr * g_bound / ln 2 = %g code steps exceeds 2^20 = %d", fn, steps,
                        HYB_LNS_MAX_CODE_STEPS);
    if (!(cfg->c2c_noise >= 0.0f && cfg->c2c_noise <= (float)HYB_DEVICE_MAX_SD))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: c2c_noise = %g is outside [0, %d]", fn,
                        (double)cfg->c2c_noise, HYB_DEVICE_MAX_SD);
    if (!(cfg->d2d_gain_sd >= 0.0f && cfg->d2d_gain_sd <= (float)HYB_DEVICE_MAX_SD))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: d2d_gain_sd = %g is outside [0, %d]",
                        fn, (double)cfg->d2d_gain_sd, HYB_DEVICE_MAX_SD);
    if (!(cfg->asymmetry > -1.0f && cfg->asymmetry < 1.0f))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: asymmetry = %g is outside (-1, 1)", fn,
                        (double)cfg->asymmetry);
    if (!(cfg->stuck_fraction >= 0.0f && cfg->stuck_fraction <= 1.0f))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "%s: stuck_fraction = %g is outside [0, 1]", fn,
                        (double)cfg->stuck_fraction);
    if ((st = hyb_check_device_response(fn, &cfg->response))) return st;
    if (cfg->round_gradient != 0 && cfg->round_gradient != 1)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: round_gradient = %d must be 0 or 1", fn,
                        (int)cfg->round_gradient);
    if (cfg->reserved != 0)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: config.reserved must be 0", fn);
    if ((st = hyb_check_length(fn, n))) return st;
    if (v_len < 0)
        return hyb_fail(HYB_STATUS_INVALID_LENGTH, "%s: v_len = %lld is negative", fn,
                        (long long)v_len);
    int64_t want;
    switch (cfg->moment) {
    case HYB_MOMENT_MODE_PER_SYNAPSE: want = n; break;
    case HYB_MOMENT_MODE_PER_NEURON:
        if (cfg->rows < 1 || cfg->rows > (n > 0 ? n : 1) || (n > 0 && n % cfg->rows != 0))
            return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                            "%s: rows = %lld must be >= 1 and divide n = %lld (per-neuron moment)",
                            fn, (long long)cfg->rows, (long long)n);
        want = cfg->rows;
        break;
    case HYB_MOMENT_MODE_PER_TENSOR: want = 1; break;
    case HYB_MOMENT_MODE_NONE: want = 0; break;
    default:
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: moment mode %d is unknown", fn,
                        (int)cfg->moment);
    }
    if (v_len != want)
        return hyb_fail(HYB_STATUS_INVALID_LENGTH,
                        "%s: v_len = %lld but moment mode %d with n = %lld needs %lld", fn,
                        (long long)v_len, (int)cfg->moment, (long long)n, (long long)want);
    if ((st = hyb_check_ptr(fn, codes, "codes", n)) || (st = hyb_check_ptr(fn, grad, "grad", n)) ||
        (st = hyb_check_ptr(fn, v, "v", v_len)))
        return st;
    const size_t cb = (size_t)n * (size_t)code_bytes, fb = (size_t)n * 4, vb = (size_t)v_len * 4;
    if ((st = hyb_check_disjoint(fn, codes, cb, "codes", grad, fb, "grad")) ||
        (st = hyb_check_disjoint(fn, codes, cb, "codes", v, vb, "v")) ||
        (st = hyb_check_disjoint(fn, grad, fb, "grad", v, vb, "v")))
        return st;
    return HYB_STATUS_OK;
}
