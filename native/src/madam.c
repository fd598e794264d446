/* madam.c - the float32 Madam step and the deterministic RMS used for its w_max. */
#include <stdlib.h>
#include "internal.h"
#include "lanes_scalar.h"
#include "element_steps.h"

static void madam_chunk(const hyb_step_lanes* k, int propagate, float* w, const float* g,
                        float* v, int64_t begin, int64_t end, int64_t* changed,
                        int64_t* nonfinite) {
    hyb_vi nch = 0, nnf = 0;
    for (int64_t i = begin; i < end; ++i) w[i] = hyb_madam_element(k, propagate, w[i], g[i], &v[i], &nch, &nnf);
    *changed += nch;
    *nonfinite += nnf;
}

hyb_status hyb_madam_step_f32(const hyb_madam_config* cfg, float* w, const float* grad,
                              float* v, int64_t n, hyb_step_stats* stats) {
    static const char* fn = "hyb_madam_step_f32";
    hyb_clear_error();
    hyb_status st = hyb_check_madam_step(fn, cfg, w, grad, v, n);
    if (st) return st;
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
    const hyb_madam_consts c = hyb_madam_consts_make(cfg->beta2, cfg->g_bound, cfg->step, 1.0f, 0.0f, 0.0f);
    const hyb_step_lanes k = hyb_step_lanes_make(&c, 0, cfg->lr, cfg->w_max);
    const int propagate = cfg->nonfinite == HYB_NONFINITE_POLICY_PROPAGATE;
    int64_t changed = 0, skipped = 0;
    const int64_t nchunks = (n + HYB_CHUNK - 1) / HYB_CHUNK;
    const int nt = hyb_threads_for(n);
    (void)nt;
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1) reduction(+ : changed, skipped)
    for (int64_t ch = 0; ch < nchunks; ++ch) {
        const int64_t b = ch * HYB_CHUNK;
        const int64_t e = b + HYB_CHUNK < n ? b + HYB_CHUNK : n;
        madam_chunk(&k, propagate, w, grad, v, b, e, &changed, &skipped);
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
    *out = sqrt(hyb_sum_squares(x, n, 1) / (double)n);
    return HYB_STATUS_OK;
}
