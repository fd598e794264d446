/* madam.c - the float32 Madam step and the deterministic RMS used for its w_max. */
#include <stdlib.h>
#include "internal.h"
#include "lanes_scalar.h"
#include "element_steps.h"

/* The scalar reference range of a hyb_madam_job: one element step per weight. */
void hyb_madam_range_scalar(const void* p, int64_t begin, int64_t end, int64_t counts[2]) {
    const hyb_madam_job* j = (const hyb_madam_job*)p;
    const hyb_madam_consts c = {j->beta2, j->one_m_beta2, j->bias_corr, j->g_bound, 0.0f, 1.0f, 1.0f, 0};
    const hyb_step_lanes k = hyb_step_lanes_make(&c, 0, j->lr, j->w_max);
    hyb_vi nch = 0, nnf = 0;
    const int flags = j->flags & HYB_STEP_PROPAGATE; /* the reference takes no shortcut */
    for (int64_t i = begin; i < end; ++i)
        j->w[i] = hyb_madam_element(&k, flags, j->w[i], j->grad[i], &j->v[i], &nch, &nnf);
    counts[0] += nch;
    counts[1] += nnf;
}

hyb_status hyb_madam_step_f32(const hyb_madam_config* cfg, float* w, const float* grad,
                              float* v, int64_t n, hyb_step_stats* stats) {
    static const char* fn = "hyb_madam_step_f32";
    hyb_clear_error();
    hyb_status st = hyb_check_madam_step(fn, cfg, w, grad, v, n);
    if (st) return st;
    const hyb_cpu_kernels* cpu = hyb_cpu();
    if (!cpu) return HYB_STATUS_INVALID_ARGUMENT;
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
    const hyb_madam_job job = {w, grad, v, cfg->lr, cfg->w_max,
                               (cfg->nonfinite == HYB_NONFINITE_POLICY_PROPAGATE ? HYB_STEP_PROPAGATE : 0) |
                                   (cfg->nonfinite == HYB_NONFINITE_POLICY_REJECT ? HYB_STEP_FINITE : 0),
                               c.beta2, c.one_m_beta2, c.bias_corr, c.g_bound};
    int64_t counts[2];
    hyb_parallel(n, HYB_CHUNK, n, cpu->madam_range ? cpu->madam_range : hyb_madam_range_scalar, &job,
                 counts);
    if (stats) {
        stats->elements = n;
        stats->changed = counts[0];
        stats->nonfinite_skipped = counts[1];
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
    if (!hyb_cpu()) return HYB_STATUS_INVALID_ARGUMENT;
    int64_t bad = hyb_find_nonfinite(x, n);
    if (bad >= 0)
        return hyb_fail(HYB_STATUS_NON_FINITE, "%s: x[%lld] = %g is not finite", fn,
                        (long long)bad, (double)x[bad]);
    *out = sqrt(hyb_sum_squares(x, n, 1) / (double)n);
    return HYB_STATUS_OK;
}
