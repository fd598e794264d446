/* madam.c - the float32 Madam step and the deterministic RMS used for its w_max. */
#include <stdlib.h>
#include "internal.h"
#include "lns_math.h"

static void madam_chunk(const hyb_madam_config* cfg, const hyb_madam_consts* k, float* w,
                        const float* g, float* v, int64_t begin, int64_t end,
                        int64_t* changed, int64_t* skipped) {
    const float lr = cfg->lr, wmax = cfg->w_max;
    int64_t nchanged = 0, nskipped = 0;
    for (int64_t i = begin; i < end; ++i) {
        const float gi = g[i];
        const int ok = hyb_isfinite_f32(gi);
        const float vi = v[i];
        float vn = vi;
        const float gh = hyb_madam_normalised(ok ? gi : 0.0f, &vn, k);
        const float wi = w[i];
        const float s = wi > 0.0f ? 1.0f : (wi < 0.0f ? -1.0f : 0.0f);
        float wn = wi * hyb_expf(-lr * gh * s);  /* w <- w * exp(-lr * gh * sign(w)) */
        wn = wn > wmax ? wmax : wn;
        wn = wn < -wmax ? -wmax : wn;
        wn = ok ? wn : wi;
        v[i] = ok ? vn : vi;
        w[i] = wn;
        nchanged += wn != wi;
        nskipped += !ok;
    }
    *changed += nchanged;
    *skipped += nskipped;
}

hyb_status hyb_madam_step_f32(const hyb_madam_config* cfg, float* w, const float* grad,
                              float* v, int64_t n, hyb_step_stats* stats) {
    static const char* fn = "hyb_madam_step_f32";
    hyb_clear_error();
    HYB_CHECK_REQUIRED(cfg, "config");
    hyb_status st = hyb_check_madam_common(fn, cfg->lr, cfg->beta2, cfg->g_bound, cfg->step,
                                           cfg->nonfinite);
    if (st) return st;
    if (!(cfg->w_max > 0.0f) || !hyb_isfinite_f32(cfg->w_max))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: w_max = %g must be finite and > 0",
                        fn, (double)cfg->w_max);
    if (cfg->reserved != 0)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: config.reserved must be 0", fn);
    HYB_CHECK_LENGTH(n);
    HYB_CHECK_PTR(w, "w", n);
    HYB_CHECK_PTR(grad, "grad", n);
    HYB_CHECK_PTR(v, "v", n);
    const size_t fb = (size_t)n * 4;
    if ((st = hyb_check_disjoint(fn, w, fb, "w", grad, fb, "grad")) ||
        (st = hyb_check_disjoint(fn, w, fb, "w", v, fb, "v")) ||
        (st = hyb_check_disjoint(fn, grad, fb, "grad", v, fb, "v")))
        return st;
    if (cfg->nonfinite == HYB_NONFINITE_POLICY_REJECT) {
        int64_t bad = hyb_find_nonfinite(grad, n);
        if (bad >= 0)
            return hyb_fail(HYB_STATUS_NON_FINITE,
                            "%s: grad[%lld] = %g is not finite (policy: reject)", fn,
                            (long long)bad, (double)grad[bad]);
    }
    int64_t bad = hyb_find_nonfinite(w, n);
    if (bad >= 0)
        return hyb_fail(HYB_STATUS_NON_FINITE, "%s: w[%lld] = %g is not finite", fn,
                        (long long)bad, (double)w[bad]);
    hyb_madam_consts k = hyb_madam_consts_make(cfg->beta2, cfg->g_bound, cfg->step, 1.0f, 0.0f, 0.0f);
    int64_t changed = 0, skipped = 0;
    const int64_t nchunks = (n + HYB_CHUNK - 1) / HYB_CHUNK;
    const int nt = hyb_threads_for(n);
    (void)nt;
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1) reduction(+ : changed, skipped)
    for (int64_t ch = 0; ch < nchunks; ++ch) {
        const int64_t b = ch * HYB_CHUNK;
        const int64_t e = b + HYB_CHUNK < n ? b + HYB_CHUNK : n;
        madam_chunk(cfg, &k, w, grad, v, b, e, &changed, &skipped);
    }
    if (stats) {
        stats->elements = n;
        stats->changed = changed;
        stats->nonfinite_skipped = skipped;
        stats->reserved = 0;
    }
    return HYB_STATUS_OK;
}

hyb_status hyb_rms_f32(const float* x, int64_t n, double* out) {
    static const char* fn = "hyb_rms_f32";
    hyb_clear_error();
    HYB_CHECK_REQUIRED(out, "out");
    HYB_CHECK_LENGTH(n);
    if (n == 0) return hyb_fail(HYB_STATUS_INVALID_LENGTH, "%s: n = 0 (RMS of nothing)", fn);
    HYB_CHECK_PTR(x, "x", n);
    int64_t bad = hyb_find_nonfinite(x, n);
    if (bad >= 0)
        return hyb_fail(HYB_STATUS_NON_FINITE, "%s: x[%lld] = %g is not finite", fn,
                        (long long)bad, (double)x[bad]);
    *out = sqrt(hyb_sum_squares(x, n) / (double)n);
    return HYB_STATUS_OK;
}
