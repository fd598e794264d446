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
    c.random_bits = HYB_RANDOM_BITS_DEFAULT;
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
        CHECK_OK(hyb_lns_madam_step_u8(&c, codes, g, 6, v, 6, &st));
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
        CHECK_OK(hyb_lns_madam_step_u8(&c, codes, g, 1, v, 1, NULL));
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
        CHECK_OK(hyb_lns_madam_step_u16(&c, codes, g, N, v, N, NULL));
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
            CHECK_OK(hyb_lns_madam_step_u8(&c, c1, g, N, v1, N, NULL));
            CHECK_OK(hyb_threads_set(0));
            CHECK_OK(hyb_lns_madam_step_u8(&c, c2, g, N, v2, N, NULL));
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
        CHECK_OK(hyb_lns_madam_step_u8(&c, codes, g, 3, v, 3, &st));
        CHECK(codes[1] == 10 && codes[2] == 10 && v[1] == 0.5f && v[2] == 0.5f,
              "skipped elements changed");
        CHECK(st.nonfinite_skipped == 2, "skipped %lld", (long long)st.nonfinite_skipped);
    }
    /* IEEE division as the authors' reference: an underflowing g^2 (v = 0) takes a full
     * g_bound step, dk = 8 * 0.01 * 10 / ln 2 = 1.154 -> nearest 1; a zero gradient none. */
    {
        hyb_lns_madam_config c = config(8, 8.0f, 0.01f, HYB_ROUNDING_NEAREST);
        uint8_t codes[3] = {10, 128 | 10, 10};
        float g[3] = {1e-25f, 1e-25f, 0.0f}, v[3] = {0};
        CHECK_OK(hyb_lns_madam_step_u8(&c, codes, g, 3, v, 3, NULL));
        CHECK(codes[0] == 11 && codes[1] == (128 | 9) && codes[2] == 10, "underflow: %d %d %d",
              codes[0], codes[1], codes[2]);
    }
    /* PROPAGATE: NaN/inf gradients poison v and take no step, then the element stays frozen;
     * per tensor, one NaN freezes the whole tensor (its shared v is NaN). */
    {
        hyb_lns_madam_config c = config(8, 8.0f, 0.1f, HYB_ROUNDING_NEAREST);
        c.nonfinite = HYB_NONFINITE_POLICY_PROPAGATE;
        uint8_t codes[3] = {10, 10, 10};
        float g[3] = {NAN, INFINITY, 1.0f}, v[3] = {0}, g2[3] = {1.0f, 1.0f, 1.0f};
        hyb_step_stats st;
        CHECK_OK(hyb_lns_madam_step_u8(&c, codes, g, 3, v, 3, &st));
        CHECK(codes[0] == 10 && codes[1] == 10 && codes[2] == 11, "propagate: %d %d %d", codes[0], codes[1], codes[2]);
        CHECK(isnan(v[0]) && isinf(v[1]) && st.nonfinite_skipped == 2, "v %g %g, counted %lld", v[0], v[1],
              (long long)st.nonfinite_skipped);
        c.step = 2;
        CHECK_OK(hyb_lns_madam_step_u8(&c, codes, g2, 3, v, 3, &st));
        CHECK(codes[0] == 10 && codes[1] == 10 && st.changed == 1, "frozen: %d %d", codes[0], codes[1]);
        c.moment = HYB_MOMENT_MODE_PER_TENSOR; c.step = 1;
        uint8_t ct[3] = {10, 10, 10};
        float vt[1] = {0};
        CHECK_OK(hyb_lns_madam_step_u8(&c, ct, g, 3, vt, 1, &st));
        CHECK(ct[0] == 10 && ct[1] == 10 && ct[2] == 10 && isnan(vt[0]), "per tensor: %d %d %d v %g",
              ct[0], ct[1], ct[2], vt[0]);
        /* sign-only: +-inf steps by its sign, NaN does not */
        c.moment = HYB_MOMENT_MODE_NONE;
        uint8_t cs[3] = {10, 10, 10};
        CHECK_OK(hyb_lns_madam_step_u8(&c, cs, g, 3, NULL, 0, &st));
        CHECK(cs[0] == 10 && cs[1] == 11 && cs[2] == 11, "sign-only: %d %d %d", cs[0], cs[1], cs[2]);
    }
    /* Per-neuron moment, by hand: 2 rows x 3; row means of g^2 feed one v per row, so every
     * synapse of a row divides by the same sqrt(v_r / bc). Step 1: v_r = (1-b2) ms_r, bc = 1-b2
     * (as floats), so gh = g / sqrt(ms_r) up to rounding. */
    {
        hyb_lns_madam_config c = config(8, 8.0f, 0.1f, HYB_ROUNDING_NEAREST);
        c.moment = HYB_MOMENT_MODE_PER_NEURON;
        c.rows = 2;
        uint8_t codes[6] = {40, 40, 40, 40, 40, 40};
        float g[6] = {1.0f, 1.0f, 1.0f, 0.1f, 3.0f, 0.0f};
        float v[2] = {0, 0};
        CHECK_OK(hyb_lns_madam_step_u8(&c, codes, g, 6, v, 2, NULL));
        /* row 0: ms = 1, gh = 1, dk = 1.154 -> +1; row 1: ms = (0.01 + 9 + 0)/3 = 3.0033,
         * gh = (0.1, 3, 0) / 1.733 = (0.058, 1.731, 0) -> dk = (0.067, 1.998, 0) -> (0, +2, 0) */
        CHECK(codes[0] == 41 && codes[1] == 41 && codes[2] == 41, "row 0: %d %d %d", codes[0], codes[1], codes[2]);
        CHECK(codes[3] == 40 && codes[4] == 42 && codes[5] == 40, "row 1: %d %d %d", codes[3], codes[4], codes[5]);
        CHECK(fabsf(v[1] - (1.0f - 0.999f) * (9.01f / 3.0f)) < 1e-8f, "v[1] = %g", v[1]);
        /* per-tensor: one v for all six */
        c.moment = HYB_MOMENT_MODE_PER_TENSOR;
        float vt[1] = {0};
        uint8_t ct[6] = {40, 40, 40, 40, 40, 40};
        CHECK_OK(hyb_lns_madam_step_u8(&c, ct, g, 6, vt, 1, NULL));
        /* ms = (3 + 9.01)/6 = 2.0017, d = 1.4148: gh = (0.707 x3, 0.0707, 2.12, 0) -> dk = 0.816, 0.08, 2.45 */
        CHECK(ct[0] == 41 && ct[3] == 40 && ct[4] == 42 && ct[5] == 40, "per-tensor: %d %d %d %d", ct[0], ct[3], ct[4], ct[5]);
        /* sign-only: gh = sign(g), no v at all */
        c.moment = HYB_MOMENT_MODE_NONE;
        uint8_t cs[6] = {40, 40, 40, 40, 40, 40};
        CHECK_OK(hyb_lns_madam_step_u8(&c, cs, g, 6, NULL, 0, NULL));
        CHECK(cs[3] == 41 && cs[4] == 41 && cs[5] == 40, "sign-only: %d %d %d", cs[3], cs[4], cs[5]);
    }
    /* Device model: all-off options are the plain model bit for bit (checked by running with
     * explicit zeros vs memset config); all stuck -> nothing moves; stuck fraction p -> about p
     * of the synapses never move over many steps; d2d gain is fixed per device across steps. */
    {
        enum { N = 100000 };
        hyb_lns_madam_config c = config(12, 64.0f, 0.05f, HYB_ROUNDING_STOCHASTIC);
        uint16_t* c0 = malloc(2 * N); uint16_t* c1 = malloc(2 * N);
        float* g = malloc(4 * N); float* v = calloc(N, 4);
        for (int i = 0; i < N; ++i) { c0[i] = (uint16_t)(100 + i % 1000); g[i] = test_normal(); }
        memcpy(c1, c0, 2 * N);
        c.stuck_fraction = 1.0f;
        CHECK_OK(hyb_lns_madam_step_u16(&c, c1, g, N, v, N, NULL));
        CHECK(memcmp(c0, c1, 2 * N) == 0, "all stuck, yet codes moved");
        /* a constant gradient moves every free synapse by 4.6 levels a step, so exactly the
         * stuck ones stay put; binomial sd of the share sqrt(0.1875 / N) = 0.0014 */
        c.stuck_fraction = 0.25f;
        int moved = 0;
        memset(v, 0, 4 * N);
        for (int i = 0; i < N; ++i) g[i] = 1.0f;
        for (int t = 1; t <= 3; ++t) {
            c.step = t;
            CHECK_OK(hyb_lns_madam_step_u16(&c, c1, g, N, v, N, NULL));
        }
        for (int i = 0; i < N; ++i) moved += c1[i] != c0[i];
        double stuck = 1.0 - (double)moved / N;
        CHECK(fabs(stuck - 0.25) < 0.01, "stuck fraction %g, expected 0.25", stuck);
        free(c0); free(c1); free(g); free(v);
    }
    /* Errors particular to the new options. */
    {
        hyb_lns_madam_config c = config(8, 8.0f, 0.1f, HYB_ROUNDING_NEAREST);
        uint8_t codes[6] = {0};
        float g[6] = {0}, v[6] = {0};
        c.moment = HYB_MOMENT_MODE_PER_NEURON; c.rows = 4;
        CHECK_FAILS(hyb_lns_madam_step_u8(&c, codes, g, 6, v, 4, NULL), HYB_STATUS_INVALID_ARGUMENT, "divide");
        c.rows = 3;
        CHECK_FAILS(hyb_lns_madam_step_u8(&c, codes, g, 6, v, 6, NULL), HYB_STATUS_INVALID_LENGTH, "needs 3");
        c.moment = (hyb_moment_mode)9;
        CHECK_FAILS(hyb_lns_madam_step_u8(&c, codes, g, 6, v, 6, NULL), HYB_STATUS_INVALID_ARGUMENT, "moment");
        c.moment = HYB_MOMENT_MODE_PER_SYNAPSE; c.c2c_noise = -0.1f;
        CHECK_FAILS(hyb_lns_madam_step_u8(&c, codes, g, 6, v, 6, NULL), HYB_STATUS_INVALID_ARGUMENT, "c2c_noise");
        c.c2c_noise = 0; c.asymmetry = 1.0f;
        CHECK_FAILS(hyb_lns_madam_step_u8(&c, codes, g, 6, v, 6, NULL), HYB_STATUS_INVALID_ARGUMENT, "asymmetry");
        c.asymmetry = 0; c.stuck_fraction = 1.5f;
        CHECK_FAILS(hyb_lns_madam_step_u8(&c, codes, g, 6, v, 6, NULL), HYB_STATUS_INVALID_ARGUMENT, "stuck_fraction");
        c.stuck_fraction = 0; c.d2d_gain_sd = NAN;
        CHECK_FAILS(hyb_lns_madam_step_u8(&c, codes, g, 6, v, 6, NULL), HYB_STATUS_INVALID_ARGUMENT, "d2d_gain_sd");
    }
    return check_report("test_lns_step");
}
