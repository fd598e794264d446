/* The LNS Madam step: hand-worked steps, clamping, frozen sign and zero, unbiased
 * stochastic rounding, and results independent of the thread count. */
#include <math.h>
#include "check.h"

static hyb_lns_madam_config config(int bits, float gamma, float lr, hyb_rounding r) {
    hyb_lns_madam_config c;
    memset(&c, 0, sizeof c);
    c.format.bits = bits; c.format.gamma = gamma; c.format.w_max = 1.0f;
    c.lr = lr; c.beta2 = 0.999f; c.g_bound = 10.0f; c.rounding = r;
    c.nonfinite = HYB_NONFINITE_POLICY_REJECT; c.tensor_id = 3; c.step = 1; c.seed = 42;
    return c;
}

int main(void) {
    /* Hand-worked: first step, v = 0, so v = (1-b2) g^2, bias correction 1-b2, gh = sign(g)
     * = +-1; dk = gamma lr gh sign(w) / ln 2 = 8 * 0.1 / 0.693 = 1.154 -> nearest 1. */
    {
        hyb_lns_madam_config c = config(8, 8.0f, 0.1f, HYB_ROUNDING_NEAREST);
        /* codes: +k=10, -k=10 (128|10), +k=0, +k=126 (smallest), zero 127, -k=0 */
        uint8_t codes[6] = {10, 138, 0, 126, 127, 128};
        float g[6] = {0.3f, 0.3f, -2.0f, 0.5f, 1.0f, 0.7f};
        float v[6] = {0};
        hyb_step_stats st;
        CHECK_OK(hyb_lns_madam_step_u8(&c, codes, g, v, 6, &st));
        CHECK(codes[0] == 11, "w>0, g>0: magnitude shrinks: k 10 -> %d", codes[0]);
        CHECK(codes[1] == 128 + 9, "w<0, g>0: magnitude grows: k 10 -> %d", codes[1] - 128);
        CHECK(codes[2] == 0, "w>0, g<0 at k=0: clamps at w_max, got %d", codes[2]);
        CHECK(codes[3] == 126, "smallest level clamps at K-1, got %d", codes[3]);
        CHECK(codes[4] == 127, "zero stays zero, got %d", codes[4]);
        CHECK(codes[5] == 128, "w<0 at k=0, g>0: clamps at w_max, got %d", codes[5]);
        float want_v = (1.0f - 0.999f) * (0.3f * 0.3f);
        CHECK(fabsf(v[0] - want_v) <= 1e-6f * want_v, "v = %g, want %g", v[0], want_v);
        CHECK(st.elements == 6 && st.changed == 2 && st.nonfinite_skipped == 0,
              "stats %lld %lld %lld", (long long)st.elements, (long long)st.changed,
              (long long)st.nonfinite_skipped);
    }
    /* lr 0.01: dk = 0.115 -> nearest rounds it away (the stall the anchors have). */
    {
        hyb_lns_madam_config c = config(8, 8.0f, 0.01f, HYB_ROUNDING_NEAREST);
        uint8_t codes[1] = {40};
        float g[1] = {1.0f}, v[1] = {0};
        CHECK_OK(hyb_lns_madam_step_u8(&c, codes, g, v, 1, NULL));
        CHECK(codes[0] == 40, "small step rounds to no change, got %d", codes[0]);
    }
    /* Stochastic rounding is unbiased: with dk = 0.1154 for every element, the mean change
     * over n elements is dk within 5 standard deviations (sd = sqrt(p(1-p)/n)). */
    {
        enum { N = 200000 };
        hyb_lns_madam_config c = config(16, 512.0f, 0.01f / 64.0f, HYB_ROUNDING_STOCHASTIC);
        uint16_t* codes = malloc(2 * N);
        float* g = malloc(4 * N);
        float* v = calloc(N, 4);
        for (int i = 0; i < N; ++i) { codes[i] = 1000; g[i] = 1.0f; }
        CHECK_OK(hyb_lns_madam_step_u16(&c, codes, g, v, N, NULL));
        double mean = 0;
        for (int i = 0; i < N; ++i) mean += codes[i] - 1000;
        mean /= N;
        double p = 8.0 * 0.01 / log(2.0), sd = sqrt(p * (1 - p) / N);
        CHECK(fabs(mean - p) < 5 * sd, "mean step %g, expected %g +- %g", mean, p, 5 * sd);
        free(codes); free(g); free(v);
    }
    /* The thread count changes nothing: one thread vs all, n large enough to be threaded. */
    for (int r = 0; r < 2; ++r) {
        enum { N = 1 << 20 };
        hyb_lns_madam_config c = config(8, 8.0f, 0.05f, (hyb_rounding)r);
        uint8_t* c1 = malloc(N); uint8_t* c2 = malloc(N);
        float* g = malloc(4 * N); float* v1 = calloc(N, 4); float* v2 = calloc(N, 4);
        for (int i = 0; i < N; ++i) {
            c1[i] = c2[i] = (uint8_t)(test_uniform() * 256);
            g[i] = test_normal();
        }
        for (int step = 1; step <= 3; ++step) {
            c.step = step;
            CHECK_OK(hyb_threads_set(1));
            CHECK_OK(hyb_lns_madam_step_u8(&c, c1, g, v1, N, NULL));
            CHECK_OK(hyb_threads_set(0));
            CHECK_OK(hyb_lns_madam_step_u8(&c, c2, g, v2, N, NULL));
        }
        CHECK(memcmp(c1, c2, N) == 0, "rounding %d: codes depend on the thread count", r);
        CHECK(memcmp(v1, v2, 4 * (size_t)N) == 0, "rounding %d: v depends on the thread count", r);
        free(c1); free(c2); free(g); free(v1); free(v2);
    }
    /* Skip policy: a NaN gradient leaves its code and v alone and is counted. */
    {
        hyb_lns_madam_config c = config(8, 8.0f, 0.1f, HYB_ROUNDING_NEAREST);
        c.nonfinite = HYB_NONFINITE_POLICY_SKIP;
        uint8_t codes[3] = {10, 10, 10};
        float g[3] = {1.0f, NAN, INFINITY}, v[3] = {0.5f, 0.5f, 0.5f};
        hyb_step_stats st;
        CHECK_OK(hyb_lns_madam_step_u8(&c, codes, g, v, 3, &st));
        CHECK(codes[1] == 10 && codes[2] == 10 && v[1] == 0.5f && v[2] == 0.5f,
              "skipped elements changed");
        CHECK(st.nonfinite_skipped == 2, "skipped %lld", (long long)st.nonfinite_skipped);
    }
    return check_report("test_lns_step");
}
