/* The float32 Madam step against hand-worked values and its invariants, and the RMS. */
#include <math.h>
#include "check.h"

static hyb_madam_config config(float w_max, int64_t step) {
    hyb_madam_config c;
    memset(&c, 0, sizeof c);
    c.lr = 0.01f; c.beta2 = 0.999f; c.g_bound = 10.0f; c.w_max = w_max;
    c.nonfinite = HYB_NONFINITE_POLICY_REJECT; c.step = step;
    return c;
}

static int close_rel(double a, double b, double tol) { return fabs(a - b) <= tol * fabs(b); }

int main(void) {
    /* Step 1 from v = 0: gh = sign(g), so w <- w exp(-lr sign(g) sign(w)). */
    {
        hyb_madam_config c = config(2.0f, 1);
        float w[5] = {0.5f, -0.5f, 0.0f, 1.99f, -0.25f};
        float g[5] = {0.2f, 0.2f, 3.0f, -1.0f, -4.0f};
        float v[5] = {0};
        CHECK_OK(hyb_madam_step_f32(&c, w, g, v, 5, NULL));
        CHECK(close_rel(w[0], 0.5 * exp(-0.01), 4e-7), "w0 %.9g", w[0]);
        CHECK(close_rel(w[1], -0.5 * exp(0.01), 4e-7), "w1 %.9g", w[1]);
        CHECK(w[2] == 0.0f, "zero moved to %g", w[2]);
        CHECK(w[3] == 2.0f, "clamp at w_max: %.9g", w[3]);   /* 1.99 e^0.01 = 2.01 > 2 */
        CHECK(close_rel(w[4], -0.25 * exp(-0.01), 4e-7), "w4 %.9g", w[4]);
        CHECK(close_rel(v[0], (1.0 - (double)0.999f) * 0.04, 1e-6), "v0 %g", v[0]);
    }
    /* Second step by hand: v1 = 0.001 g1^2, v2 = 0.999 v1 + 0.001 g2^2, bc = 1 - 0.999^2. */
    {
        hyb_madam_config c = config(10.0f, 1);
        float w[1] = {1.0f}, v[1] = {0};
        float g1[1] = {1.0f}, g2[1] = {0.5f};
        CHECK_OK(hyb_madam_step_f32(&c, w, g1, v, 1, NULL));
        c.step = 2;
        CHECK_OK(hyb_madam_step_f32(&c, w, g2, v, 1, NULL));
        const double b2 = (double)0.999f; /* the float beta2 the kernel sees */
        double v2 = b2 * (1 - b2) + (1 - b2) * 0.25, bc = 1 - b2 * b2;
        double gh = 0.5 / sqrt(v2 / bc);
        double want = exp(-0.01) * exp(-0.01 * gh); /* step 1: gh = 1 */
        CHECK(close_rel(w[0], want, 1e-6), "two steps: %.9g want %.9g", w[0], want);
        CHECK(close_rel(v[0], v2, 1e-6), "v %.9g want %.9g", v[0], v2);
    }
    /* g_bound: with a tiny history a huge gradient is clamped to 10 normalised units. */
    {
        hyb_madam_config c = config(100.0f, 1000000);
        float w[1] = {1.0f}, v[1] = {1e-12f}, g[1] = {1.0f};
        c.beta2 = 0.0f; /* v = g^2 -> gh = 1 ... */
        CHECK_OK(hyb_madam_step_f32(&c, w, g, v, 1, NULL));
        CHECK(close_rel(w[0], exp(-0.01), 4e-7), "beta2 = 0: %.9g", w[0]);
        c.beta2 = 0.999f;
        v[0] = 1e-12f; w[0] = 1.0f; g[0] = 1.0f;
        CHECK_OK(hyb_madam_step_f32(&c, w, g, v, 1, NULL)); /* gh = 1/sqrt(0.001) = 31.6 -> 10 */
        CHECK(close_rel(w[0], exp(-0.1), 4e-7), "g_bound: %.9g want %.9g", w[0], exp(-0.1));
    }
    /* The authors' reference (jxbz/madam) divides by IEEE rules: g so small that g^2 underflows
     * with v = 0 gives g/0 = +-inf, clamped to a full g_bound step; a zero gradient gives
     * 0/0 = NaN -> 0, no step. */
    {
        hyb_madam_config c = config(10.0f, 1);
        float w[3] = {1.0f, -1.0f, 1.0f}, v[3] = {0}, g[3] = {1e-25f, 1e-25f, 0.0f};
        hyb_step_stats st;
        CHECK_OK(hyb_madam_step_f32(&c, w, g, v, 3, &st));
        CHECK(v[0] == 0.0f, "g^2 underflows: v = %g", v[0]);
        CHECK(close_rel(w[0], exp(-0.1), 4e-7), "underflowed g: full step, %.9g want %.9g", w[0], exp(-0.1));
        CHECK(close_rel(w[1], -exp(0.1), 4e-7), "underflowed g, w < 0: %.9g want %.9g", w[1], -exp(0.1));
        CHECK(w[2] == 1.0f, "zero gradient moved the weight to %.9g", w[2]);
        CHECK(st.changed == 2 && st.nonfinite_skipped == 0, "stats %lld %lld", (long long)st.changed,
              (long long)st.nonfinite_skipped);
    }
    /* PROPAGATE, as the reference: a NaN or infinite gradient enters v by IEEE arithmetic (NaN,
     * +inf), gh = NaN -> 0, so the weight stays, and with v poisoned it stays on later steps. */
    {
        hyb_madam_config c = config(10.0f, 1);
        c.nonfinite = HYB_NONFINITE_POLICY_PROPAGATE;
        float w[4] = {0.5f, 0.5f, 0.5f, 0.5f}, v[4] = {0};
        float g1[4] = {NAN, INFINITY, -INFINITY, 1.0f}, g2[4] = {1.0f, 1.0f, 1.0f, 1.0f};
        hyb_step_stats st;
        CHECK_OK(hyb_madam_step_f32(&c, w, g1, v, 4, &st));
        CHECK(w[0] == 0.5f && w[1] == 0.5f && w[2] == 0.5f, "non-finite g moved: %g %g %g", w[0], w[1], w[2]);
        CHECK(isnan(v[0]) && isinf(v[1]) && isinf(v[2]), "v = %g %g %g", v[0], v[1], v[2]);
        CHECK(st.nonfinite_skipped == 3 && st.changed == 1, "stats %lld %lld",
              (long long)st.nonfinite_skipped, (long long)st.changed);
        c.step = 2;
        CHECK_OK(hyb_madam_step_f32(&c, w, g2, v, 4, &st));
        CHECK(w[0] == 0.5f && w[1] == 0.5f && w[2] == 0.5f, "frozen elements moved: %g %g %g", w[0], w[1], w[2]);
        CHECK(st.changed == 1 && st.nonfinite_skipped == 0, "step 2 stats %lld", (long long)st.changed);
        /* SKIP leaves v alone instead */
        c.nonfinite = HYB_NONFINITE_POLICY_SKIP; c.step = 1;
        float ws[2] = {0.5f, 0.5f}, vs[2] = {0.25f, 0.25f}, gs[2] = {NAN, INFINITY};
        CHECK_OK(hyb_madam_step_f32(&c, ws, gs, vs, 2, &st));
        CHECK(ws[0] == 0.5f && vs[0] == 0.25f && vs[1] == 0.25f && st.nonfinite_skipped == 2, "skip");
    }
    /* Invariants on random data over many steps: sign frozen, zeros stay, |w| <= w_max. */
    {
        enum { N = 100000 };
        float* w = malloc(4 * N); float* g = malloc(4 * N); float* v = calloc(N, 4);
        signed char* sign0 = malloc(N);
        for (int i = 0; i < N; ++i) {
            w[i] = (i % 97 == 0) ? 0.0f : 0.1f * test_normal();
            sign0[i] = (signed char)((w[i] > 0) - (w[i] < 0));
        }
        double rms;
        CHECK_OK(hyb_rms_f32(w, N, &rms));
        hyb_madam_config c = config((float)(3.0 * rms), 1);
        c.lr = 0.1f;
        for (int t = 1; t <= 20; ++t) {
            for (int i = 0; i < N; ++i) g[i] = test_normal();
            c.step = t;
            CHECK_OK(hyb_madam_step_f32(&c, w, g, v, N, NULL));
        }
        int bad_sign = 0, bad_clamp = 0;
        for (int i = 0; i < N; ++i) {
            bad_sign += ((w[i] > 0) - (w[i] < 0)) != sign0[i];
            bad_clamp += fabsf(w[i]) > c.w_max;
        }
        CHECK(bad_sign == 0, "%d weights changed sign or left zero", bad_sign);
        CHECK(bad_clamp == 0, "%d weights beyond w_max", bad_clamp);
        free(w); free(g); free(v); free(sign0);
    }
    /* RMS: exact on a simple vector and independent of the thread count. */
    {
        float x[4] = {3.0f, -4.0f, 0.0f, 0.0f};
        double r;
        CHECK_OK(hyb_rms_f32(x, 4, &r));
        CHECK(r == 2.5, "rms %g", r);
        enum { N = 1 << 20 };
        float* y = malloc(4 * N);
        for (int i = 0; i < N; ++i) y[i] = test_normal();
        double r1, r2;
        CHECK_OK(hyb_threads_set(1));
        CHECK_OK(hyb_rms_f32(y, N, &r1));
        CHECK_OK(hyb_threads_set(0));
        CHECK_OK(hyb_rms_f32(y, N, &r2));
        CHECK(r1 == r2, "rms depends on threads: %.17g vs %.17g", r1, r2);
        free(y);
    }
    return check_report("test_madam");
}
