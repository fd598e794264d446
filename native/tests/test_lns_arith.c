/* LNS quantisation and the exact LNS GEMM on the CPU (hybrid/lns_arith.h):
 *   - hand-checked grid values, saturation, underflow, non-finite policies, in place;
 *   - the vectorised quantiser equal to the plain reference search (arith_math.h) for every B,
 *     several gamma, both roundings, every length 0..300 and a large one;
 *   - stochastic quantisation unbiased in value;
 *   - the exact GEMM equal to the plain dot product (arith_math.h) on random shapes (tails,
 *     zeros, truncation), with a saturating case checked by hand, and independent of the
 *     thread count;
 *   - bad arguments refused with nothing written. */
#include <math.h>
#include "check.h"
#include "arith_math.h"

static hyb_lns_quantize_config qcfg(int bits, float gamma, float scale, hyb_rounding r) {
    hyb_lns_quantize_config c;
    memset(&c, 0, sizeof c);
    c.format.bits = bits;
    c.format.gamma = gamma;
    c.format.w_max = scale;
    c.rounding = r;
    c.nonfinite = HYB_NONFINITE_POLICY_REJECT;
    c.tensor_id = 3;
    c.step = 11;
    c.seed = 42;
    return c;
}

/* The plain reference: tables and hyb_lns_quantize_index, element by element. */
static void quantize_reference(const hyb_lns_quantize_config* c, const float* x, float* y, int64_t n) {
    const int32_t kz = (1 << (c->format.bits - 1)) - 1;
    float* lv = malloc(sizeof(float) * (size_t)kz);
    float* th = malloc(sizeof(float) * (size_t)kz);
    for (int32_t k = 0; k < kz; ++k) {
        lv[k] = hyb_lns_level(k, c->format.gamma, c->format.w_max);
        th[k] = hyb_lns_threshold(k, kz, c->format.gamma, c->format.w_max);
    }
    for (int64_t i = 0; i < n; ++i) {
        float u = 0.0f;
        if (c->rounding == HYB_ROUNDING_STOCHASTIC) {
            hyb_u32x4 r = hyb_stream_block(c->seed, c->step, c->tensor_id, HYB_RANDOM_PURPOSE_QUANTIZE,
                                           (uint64_t)(i >> 2));
            u = hyb_u32_to_unit_f32(r.v[i & 3]);
        }
        int32_t k = hyb_lns_quantize_index(x[i], u, c->rounding == HYB_ROUNDING_STOCHASTIC, lv, th, kz);
        y[i] = k == kz ? 0.0f : (x[i] < 0.0f ? -lv[k] : lv[k]);
    }
    free(lv);
    free(th);
}

static void fill(float* x, int64_t n, float scale) {
    for (int64_t i = 0; i < n; ++i) {
        double u = test_uniform();
        x[i] = u < 0.05 ? 0.0f : scale * test_normal() * (float)pow(2.0, -10.0 * test_uniform());
        if (i % 97 == 5) x[i] = 3.0f * scale;      /* saturates */
        if (i % 89 == 7) x[i] = scale * 1e-12f;    /* underflows */
    }
}

static void test_hand_values(void) {
    /* B = 4, gamma = 1, scale 1: levels 1, 1/2, ..., 1/64; zero below 1/128 */
    hyb_lns_quantize_config c = qcfg(4, 1.0f, 1.0f, HYB_ROUNDING_NEAREST);
    const float x[] = {0.0f, 1.0f, 0.75f, 0.70f, -0.3f, 2.0f, 1.0f / 64, 1.0f / 128, 1.0f / 129, -1e-30f};
    /* 0.75 > sqrt(1/2) -> 1; 0.70 < 0.7071 -> 0.5; 0.3 > 0.3536? no, 0.3 < 0.3536 -> 0.25 */
    const float want[] = {0.0f, 1.0f, 1.0f, 0.5f, -0.25f, 1.0f, 1.0f / 64, 1.0f / 64, 0.0f, 0.0f};
    float y[10];
    hyb_quantize_stats st;
    CHECK_OK(hyb_lns_quantize_f32(&c, x, y, 10, &st));
    for (int i = 0; i < 10; ++i) CHECK(y[i] == want[i], "x = %g -> %g, want %g", (double)x[i], (double)y[i], (double)want[i]);
    CHECK(st.elements == 10 && st.saturated == 1 && st.underflowed == 2 && st.nonfinite == 0,
          "stats %lld %lld %lld %lld", (long long)st.elements, (long long)st.saturated,
          (long long)st.underflowed, (long long)st.nonfinite);
    CHECK(!signbit(y[9]), "an underflow is +0");
}

static void test_nonfinite_and_in_place(void) {
    hyb_lns_quantize_config c = qcfg(8, 8.0f, 2.0f, HYB_ROUNDING_NEAREST);
    float x[4] = {0.3f, NAN, -INFINITY, 1.0f}, y[4] = {9, 9, 9, 9};
    CHECK_FAILS(hyb_lns_quantize_f32(&c, x, y, 4, NULL), HYB_STATUS_NON_FINITE, "x[1]");
    CHECK(y[0] == 9 && y[3] == 9, "nothing written on failure");
    c.nonfinite = HYB_NONFINITE_POLICY_SKIP;
    hyb_quantize_stats st;
    CHECK_OK(hyb_lns_quantize_f32(&c, x, x, 4, &st));
    CHECK(isnan(x[1]) && x[2] == -INFINITY && st.nonfinite == 2, "non-finite copied and counted");
    float ref[1], one = 0.3f;
    quantize_reference(&c, &one, ref, 1);
    CHECK(x[0] == ref[0], "in place");
}

static void test_matches_reference(void) {
    enum { N = 300, BIG = 200003 };
    float* x = malloc(sizeof(float) * BIG);
    float* y = malloc(sizeof(float) * BIG);
    float* r = malloc(sizeof(float) * BIG);
    /* 4, 8, 16: whole levels per octave (AVX-512 looks their tables up in registers at 8 bits and
     * fewer); 5.5: not whole, so the look-up table does not repeat and is gathered */
    const float gammas[] = {0.5f, 1.0f, 4.0f, 5.5f, 8.0f, 16.0f, 100.0f, 2048.0f};
    for (int bits = 2; bits <= 16; ++bits)
        for (int gi = 0; gi < 8; ++gi)
            for (int rnd = 0; rnd < 2; ++rnd) {
                float gamma = gammas[gi];
                if ((double)((1 << (bits - 1)) - 2) / gamma > 100.0) continue; /* levels must stay normal */
                hyb_lns_quantize_config c = qcfg(bits, gamma, 0.37f, (hyb_rounding)rnd);
                c.nonfinite = HYB_NONFINITE_POLICY_SKIP;
                for (int64_t n = 0; n <= N; n += (bits == 8 ? 1 : 37)) {
                    fill(x, n, 0.37f);
                    CHECK_OK(hyb_lns_quantize_f32(&c, x, y, n, NULL));
                    quantize_reference(&c, x, r, n);
                    for (int64_t i = 0; i < n; ++i)
                        if (memcmp(&y[i], &r[i], 4) != 0) {
                            CHECK(0, "B=%d gamma=%g rnd=%d n=%lld: y[%lld] = %a, reference %a (x = %a)", bits,
                                  (double)gamma, rnd, (long long)n, (long long)i, (double)y[i], (double)r[i], (double)x[i]);
                            break;
                        }
                }
                if (bits == 8 || bits == 16) {
                    fill(x, BIG, 0.37f);
                    CHECK_OK(hyb_lns_quantize_f32(&c, x, y, BIG, NULL));
                    quantize_reference(&c, x, r, BIG);
                    CHECK(memcmp(y, r, sizeof(float) * BIG) == 0, "B=%d gamma=%g rnd=%d: large tensor", bits, (double)gamma, rnd);
                }
            }
    free(x);
    free(y);
    free(r);
}

static void test_stochastic_unbiased(void) {
    enum { N = 1 << 18 };
    float* x = malloc(sizeof(float) * N);
    float* y = malloc(sizeof(float) * N);
    const float values[] = {0.7f, 0.013f, 1e-4f, 0.999f};
    for (int v = 0; v < 4; ++v) {
        for (int i = 0; i < N; ++i) x[i] = values[v];
        hyb_lns_quantize_config c = qcfg(6, 2.0f, 1.0f, HYB_ROUNDING_STOCHASTIC);
        CHECK_OK(hyb_lns_quantize_f32(&c, x, y, N, NULL));
        double s = 0, s2 = 0;
        for (int i = 0; i < N; ++i) { s += y[i]; s2 += (double)y[i] * y[i]; }
        double mean = s / N, sd = sqrt(s2 / N - mean * mean);
        CHECK(fabs(mean - values[v]) <= 5 * sd / sqrt((double)N) + 1e-9, "x = %g: mean %g, sd %g",
              (double)values[v], mean, sd);
    }
    free(x);
    free(y);
}

static hyb_lns_gemm_config gcfg(int bits, float gamma, int64_t m, int64_t k, int64_t n, int w, int f) {
    hyb_lns_gemm_config c;
    memset(&c, 0, sizeof c);
    c.a.bits = bits; c.a.gamma = gamma; c.a.w_max = 0.8f;
    c.b.bits = bits; c.b.gamma = gamma; c.b.w_max = 1.7f;
    c.m = m; c.k = k; c.n = n;
    c.acc_bits = w;
    c.frac_bits = f;
    return c;
}

static void gemm_reference(const hyb_lns_gemm_config* c, const uint16_t* a, const uint16_t* b, float* out,
                           int64_t* sat, int64_t* trunc) {
    double scale[HYB_LNS_GEMM_MAX_GAMMA];
    int64_t acc[HYB_LNS_GEMM_MAX_GAMMA];
    for (int r = 0; r < (int)c->a.gamma; ++r) scale[r] = hyb_lns_bucket_scale(r, (int)c->a.gamma);
    *sat = *trunc = 0;
    for (int64_t m = 0; m < c->m; ++m)
        for (int64_t n = 0; n < c->n; ++n)
            out[m * c->n + n] = hyb_lns_gemm_dot_u16(a + m * c->k, 1, b + n, c->n, c->k, c, scale, acc, sat, trunc);
}

static void random_codes(uint16_t* x, int64_t n, int bits) {
    const int kz = (1 << (bits - 1)) - 1;
    for (int64_t i = 0; i < n; ++i) {
        uint16_t k = (uint16_t)(test_uniform() * 40); /* mostly large magnitudes: products that count */
        if (k > kz) k = (uint16_t)kz;
        if (test_uniform() < 0.1) k = (uint16_t)kz;   /* zeros */
        x[i] = (uint16_t)(k | (test_uniform() < 0.5 ? 1u << (bits - 1) : 0u));
    }
}

static void test_gemm_matches_reference(void) {
    const int64_t shapes[][3] = {{0, 5, 3}, {3, 0, 4}, {1, 1, 1}, {5, 7, 17}, {9, 33, 31}, {16, 64, 48}, {3, 300, 5}, {64, 784, 40}};
    const float gammas[] = {1, 2, 4, 8, 16, 32, 64};
    for (int s = 0; s < 8; ++s)
        for (int gi = 0; gi < 7; ++gi)
            for (int wide = 0; wide < 2; ++wide) {
                const int64_t m = shapes[s][0], k = shapes[s][1], n = shapes[s][2];
                /* the smallest level must stay a normal float: (K - 1) / gamma <= 100 */
                const int bits = wide ? 12 : (gammas[gi] >= 2 ? 8 : 6);
                if (wide && gammas[gi] < 32) continue;
                hyb_lns_gemm_config c = gcfg(bits, gammas[gi], m, k, n, 32, 24);
                uint16_t* a = malloc(2 * (size_t)(m * k + 1));
                uint16_t* b = malloc(2 * (size_t)(k * n + 1));
                float* out = malloc(4 * (size_t)(m * n + 1));
                float* ref = malloc(4 * (size_t)(m * n + 1));
                random_codes(a, m * k, bits);
                random_codes(b, k * n, bits);
                int64_t sat, trunc;
                gemm_reference(&c, a, b, ref, &sat, &trunc);
                hyb_gemm_stats st;
                CHECK_OK(hyb_lns_gemm_exact_u16(&c, a, b, out, &st));
                CHECK(memcmp(out, ref, 4 * (size_t)(m * n)) == 0, "u16 B=%d gamma=%g %lldx%lldx%lld", bits,
                      (double)gammas[gi], (long long)m, (long long)k, (long long)n);
                CHECK(st.saturations == sat && st.truncated == trunc && st.macs == m * k * n,
                      "stats %lld/%lld %lld/%lld", (long long)st.saturations, (long long)sat,
                      (long long)st.truncated, (long long)trunc);
                if (bits <= 8) {
                    uint8_t* a8 = malloc((size_t)(m * k + 1));
                    uint8_t* b8 = malloc((size_t)(k * n + 1));
                    for (int64_t i = 0; i < m * k; ++i) a8[i] = (uint8_t)a[i];
                    for (int64_t i = 0; i < k * n; ++i) b8[i] = (uint8_t)b[i];
                    CHECK_OK(hyb_lns_gemm_exact_u8(&c, a8, b8, out, NULL));
                    CHECK(memcmp(out, ref, 4 * (size_t)(m * n)) == 0, "u8 gamma=%g %lldx%lldx%lld",
                          (double)gammas[gi], (long long)m, (long long)k, (long long)n);
                    free(a8);
                    free(b8);
                }
                free(a); free(b); free(out); free(ref);
            }
}

static void test_gemm_saturation_by_hand(void) {
    /* gamma 1, W = 4 (range -8..7), F = 2: a product of two k = 0 codes is 2^2 = 4 units. One row
     * of products +4 +4 +4 -4 runs 4, 7 (8 clamped), 7 (11 clamped), 3: two saturations, and
     * the value 3 units = 3/4 s_A s_B. */
    hyb_lns_gemm_config c = gcfg(6, 1.0f, 1, 4, 1, 4, 2);
    const uint8_t a[4] = {0, 0, 0, 0x20};
    const uint8_t b[4] = {0, 0, 0, 0};
    float out;
    hyb_gemm_stats st;
    CHECK_OK(hyb_lns_gemm_exact_u8(&c, a, b, &out, &st));
    const float want = (float)(3.0 * 0.25 * ((double)0.8f * (double)1.7f));
    CHECK(out == want, "saturated value %a, want %a", (double)out, (double)want);
    CHECK(st.saturations == 2 && st.truncated == 0, "saturations %lld", (long long)st.saturations);
    /* a product below one unit: codes 3 and 0 give q = 3 > F = 2 */
    const uint8_t a2[1] = {3};
    c.k = 1;
    CHECK_OK(hyb_lns_gemm_exact_u8(&c, a2, b, &out, &st));
    CHECK(out == 0.0f && st.truncated == 1, "truncated product: %g, %lld", (double)out, (long long)st.truncated);
}

static void test_gemm_threads(void) {
    hyb_lns_gemm_config c = gcfg(8, 8.0f, 128, 256, 96, 12, 10); /* narrow: some outputs saturate */
    uint16_t* a = malloc(2 * 128 * 256);
    uint16_t* b = malloc(2 * 256 * 96);
    random_codes(a, 128 * 256, 8);
    random_codes(b, 256 * 96, 8);
    uint8_t* a8 = malloc(128 * 256);
    uint8_t* b8 = malloc(256 * 96);
    for (int i = 0; i < 128 * 256; ++i) a8[i] = (uint8_t)a[i];
    for (int i = 0; i < 256 * 96; ++i) b8[i] = (uint8_t)b[i];
    float one[128 * 96], two[128 * 96];
    hyb_gemm_stats s1, s2;
    CHECK_OK(hyb_threads_set(1));
    CHECK_OK(hyb_lns_gemm_exact_u8(&c, a8, b8, one, &s1));
    CHECK_OK(hyb_threads_set(2));
    CHECK_OK(hyb_lns_gemm_exact_u8(&c, a8, b8, two, &s2));
    CHECK_OK(hyb_threads_set(0));
    CHECK(memcmp(one, two, sizeof one) == 0 && s1.saturations == s2.saturations, "thread count changed the result");
    CHECK(s1.saturations > 0, "the narrow accumulator saturates somewhere (%lld)", (long long)s1.saturations);
    float ref[128 * 96];
    int64_t sat, trunc;
    gemm_reference(&c, a, b, ref, &sat, &trunc);
    CHECK(memcmp(one, ref, sizeof one) == 0 && sat == s1.saturations, "saturating GEMM equals the reference");
    free(a); free(b); free(a8); free(b8);
}

static void test_gemm_bad_arguments(void) {
    uint8_t a[4] = {0, 1, 2, 3}, b[4] = {0, 1, 2, 3};
    float out[4] = {5, 5, 5, 5};
    hyb_lns_gemm_config c = gcfg(8, 8.0f, 2, 2, 2, 32, 24);
    c.a.gamma = c.b.gamma = 6.0f;
    CHECK_FAILS(hyb_lns_gemm_exact_u8(&c, a, b, out, NULL), HYB_STATUS_INVALID_FORMAT, "power of two");
    c = gcfg(8, 8.0f, 2, 2, 2, 32, 24);
    c.b.gamma = 4.0f;
    CHECK_FAILS(hyb_lns_gemm_exact_u8(&c, a, b, out, NULL), HYB_STATUS_INVALID_FORMAT, "one gamma");
    c = gcfg(8, 8.0f, 2, 2, 2, 8, 7);
    CHECK_FAILS(hyb_lns_gemm_exact_u8(&c, a, b, out, NULL), HYB_STATUS_INVALID_ARGUMENT, "too small for one product");
    c = gcfg(8, 8.0f, 2, 2, 2, 33, 24);
    CHECK_FAILS(hyb_lns_gemm_exact_u8(&c, a, b, out, NULL), HYB_STATUS_INVALID_ARGUMENT, "acc_bits");
    c = gcfg(9, 8.0f, 2, 2, 2, 32, 24);
    CHECK_FAILS(hyb_lns_gemm_exact_u8(&c, a, b, out, NULL), HYB_STATUS_INVALID_FORMAT, "bits = 9");
    c = gcfg(2, 1.0f, 2, 2, 2, 32, 24);
    const uint8_t bad[4] = {0, 1, 4, 1};
    CHECK_FAILS(hyb_lns_gemm_exact_u8(&c, bad, b, out, NULL), HYB_STATUS_INVALID_CODE, "a[2]");
    c = gcfg(8, 8.0f, 1, 4, 1, 32, 24);
    CHECK_FAILS(hyb_lns_gemm_exact_u8(&c, a, b, (float*)a, NULL), HYB_STATUS_OVERLAP, "overlap");
    c.m = -1;
    CHECK_FAILS(hyb_lns_gemm_exact_u8(&c, a, b, out, NULL), HYB_STATUS_INVALID_LENGTH, "negative");
    CHECK(out[0] == 5 && out[3] == 5, "nothing written");
    hyb_lns_quantize_config q = qcfg(17, 8.0f, 1.0f, HYB_ROUNDING_NEAREST);
    CHECK_FAILS(hyb_lns_quantize_f32(&q, out, out, 4, NULL), HYB_STATUS_INVALID_FORMAT, "bits = 17");
    q = qcfg(8, 8.0f, 1.0f, (hyb_rounding)5);
    CHECK_FAILS(hyb_lns_quantize_f32(&q, out, out, 4, NULL), HYB_STATUS_INVALID_ARGUMENT, "rounding");
    q = qcfg(8, 8.0f, 1.0f, HYB_ROUNDING_NEAREST);
    CHECK_FAILS(hyb_lns_quantize_f32(&q, out, out + 1, 3, NULL), HYB_STATUS_OVERLAP, "overlap");
    CHECK(out[0] == 5 && out[3] == 5, "nothing written");
}

int main(void) {
    test_hand_values();
    test_nonfinite_and_in_place();
    test_matches_reference();
    test_stochastic_unbiased();
    test_gemm_matches_reference();
    test_gemm_saturation_by_hand();
    test_gemm_threads();
    test_gemm_bad_arguments();
    return check_report("test_lns_arith");
}
