/* The exact LNS GEMM and the quantisers at every SIMD level this CPU has (hyb_simd_set forces
 * each in turn), bit for bit against the plain reference of arith_math.h (one output at a time,
 * products in k order, saturating int64 buckets):
 *   - shapes drawn from 1 ... 300 in each dimension (the vector levels' panel tails, blocks of k
 *     and row ranges), every layout (A and B plain or transposed), every W from 2 to 32 with F
 *     from 0 to W - 2, every gamma, both code widths, zeros, and operands that saturate almost
 *     every bucket, some buckets or none;
 *   - saturation at both ends of a 32-bit accumulator (int32 overflow) and of a narrow one;
 *   - the quantise-and-encode entries: y as hyb_lns_quantize_f32 gives it, codes as
 *     hyb_lns_encode gives for y, with y omitted, in place, stochastic, non-finite skipped. */
#include <math.h>
#include "check.h"
#include "arith_math.h"

static int levels[3], nlevels = 0;

static void find_levels(void) {
    hyb_simd_level best;
    CHECK_OK(hyb_simd_best(&best));
    levels[nlevels++] = HYB_SIMD_LEVEL_SCALAR;
    if (best >= HYB_SIMD_LEVEL_AVX2) levels[nlevels++] = HYB_SIMD_LEVEL_AVX2;
    if (best >= HYB_SIMD_LEVEL_AVX512) levels[nlevels++] = HYB_SIMD_LEVEL_AVX512;
}

static void reference(const hyb_lns_gemm_config* c, const uint16_t* a, const uint16_t* b, float* out,
                      int64_t* sat, int64_t* trunc) {
    double scale[HYB_LNS_GEMM_MAX_GAMMA];
    int64_t acc[HYB_LNS_GEMM_MAX_GAMMA];
    for (int r = 0; r < (int)c->a.gamma; ++r) scale[r] = hyb_lns_bucket_scale(r, (int)c->a.gamma);
    *sat = *trunc = 0;
    for (int64_t m = 0; m < c->m; ++m)
        for (int64_t n = 0; n < c->n; ++n) {
            int64_t ao, lda, bo, ldb;
            hyb_lns_gemm_strides(c, m, n, &ao, &lda, &bo, &ldb);
            out[m * c->n + n] = hyb_lns_gemm_dot_u16(a + ao, lda, b + bo, ldb, c->k, c, scale, acc, sat, trunc);
        }
}

/* Codes with magnitudes k < kmax_draw (small k = large products), a zero fraction, random signs. */
static void codes(uint16_t* x, int64_t n, int bits, int kmax_draw, double zero) {
    const int kz = (1 << (bits - 1)) - 1;
    for (int64_t i = 0; i < n; ++i) {
        int k = (int)(test_uniform() * kmax_draw);
        if (k > kz - 1) k = kz - 1;
        if (test_uniform() < zero) k = kz;
        x[i] = (uint16_t)(k | (test_uniform() < 0.5 ? 1u << (bits - 1) : 0u));
    }
}

static const int dims[] = {1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 200, 255, 256, 257, 300};
enum { NDIMS = sizeof dims / sizeof dims[0] };

static int draw_dim(void) { return dims[(int)(test_uniform() * NDIMS)]; }

/* One case at every level: the outputs' bits and the counts equal the reference's. */
static void check_case(hyb_lns_gemm_config c, const uint16_t* a, const uint16_t* b, const char* what) {
    const int64_t na = c.m * c.k, nb = c.k * c.n, nc = c.m * c.n;
    float* ref = malloc(4 * (size_t)nc + 4);
    float* out = malloc(4 * (size_t)nc + 4);
    int64_t sat, trunc;
    reference(&c, a, b, ref, &sat, &trunc);
    const int narrow = c.a.bits <= 8 && c.b.bits <= 8;
    uint8_t* a8 = malloc((size_t)na + 1);
    uint8_t* b8 = malloc((size_t)nb + 1);
    for (int64_t i = 0; i < na; ++i) a8[i] = (uint8_t)a[i];
    for (int64_t i = 0; i < nb; ++i) b8[i] = (uint8_t)b[i];
    for (int l = 0; l < nlevels; ++l) {
        CHECK_OK(hyb_simd_set((hyb_simd_level)levels[l]));
        for (int width = narrow ? 1 : 2; width <= 2; ++width) {
            hyb_gemm_stats st;
            memset(out, 0xFF, 4 * (size_t)nc);
            if (width == 1) CHECK_OK(hyb_lns_gemm_exact_u8(&c, a8, b8, out, &st));
            else CHECK_OK(hyb_lns_gemm_exact_u16(&c, a, b, out, &st));
            int64_t bad = -1;
            for (int64_t i = 0; i < nc && bad < 0; ++i)
                if (memcmp(&out[i], &ref[i], 4) != 0) bad = i;
            CHECK(bad < 0, "%s level %d u%d %lldx%lldx%lld W=%d F=%d gamma=%g tA=%d tB=%d: c[%lld] = %a, reference %a",
                  what, levels[l], 8 * width, (long long)c.m, (long long)c.k, (long long)c.n, c.acc_bits, c.frac_bits,
                  (double)c.a.gamma, c.a_transposed, c.b_transposed, (long long)bad, bad < 0 ? 0.0 : (double)out[bad],
                  bad < 0 ? 0.0 : (double)ref[bad]);
            CHECK(st.saturations == sat && st.truncated == trunc && st.macs == c.m * c.k * c.n,
                  "%s level %d u%d W=%d F=%d: saturations %lld / %lld, truncated %lld / %lld", what, levels[l], 8 * width,
                  c.acc_bits, c.frac_bits, (long long)st.saturations, (long long)sat, (long long)st.truncated, (long long)trunc);
            CHECK(st.simd_level == levels[l], "stats name the kernel that ran: %lld, forced %d", (long long)st.simd_level, levels[l]);
        }
    }
    CHECK_OK(hyb_simd_set((hyb_simd_level)levels[nlevels - 1]));
    free(ref); free(out); free(a8); free(b8);
}

static hyb_lns_gemm_config config(int bits, int gamma, int64_t m, int64_t k, int64_t n, int w, int f, int ta, int tb) {
    hyb_lns_gemm_config c;
    memset(&c, 0, sizeof c);
    c.a.bits = c.b.bits = bits;
    c.a.gamma = c.b.gamma = (float)gamma;
    c.a.w_max = 0.8f;
    c.b.w_max = 1.7f;
    c.m = m; c.k = k; c.n = n;
    c.acc_bits = w;
    c.frac_bits = f;
    c.a_transposed = ta;
    c.b_transposed = tb;
    return c;
}

/* Random cases over shapes, layouts, W, F, gamma, widths and magnitudes; about 100M reference MACs. */
static void test_random_cases(void) {
    static const int gammas[] = {1, 2, 4, 8, 16, 32, 64};
    int64_t budget = 100000000;
    for (int i = 0; budget > 0; ++i) {
        const int w = 2 + i % 31;                        /* every W from 2 to 32, in turn */
        const int f = (int)(test_uniform() * (w - 1));    /* F in [0, W - 2] */
        const int gamma = gammas[(int)(test_uniform() * 7)];
        /* B = 8 on uint8 or uint16; wide formats (B = 12) need gamma >= 32 to stay normal floats */
        const int bits = gamma >= 32 && test_uniform() < 0.5 ? 12 : (gamma >= 2 ? 8 : 6);
        const int64_t m = draw_dim(), k = draw_dim(), n = draw_dim();
        const int64_t macs = m * k * n;
        if (macs > 6000000) continue;
        budget -= macs;
        const hyb_lns_gemm_config c = config(bits, gamma, m, k, n, w, f, test_uniform() < 0.5, test_uniform() < 0.5);
        /* magnitudes: large products (saturate narrow W), a wide spread (truncation), or small */
        const double u = test_uniform();
        const int kmax = u < 0.3 ? gamma * 2 : u < 0.7 ? gamma * (f + 3) : gamma * 10;
        const double zero = test_uniform() < 0.3 ? 0.5 : test_uniform() * 0.1;
        uint16_t* a = malloc(2 * (size_t)(m * k));
        uint16_t* b = malloc(2 * (size_t)(k * n));
        codes(a, m * k, bits, kmax, zero);
        codes(b, k * n, bits, kmax, test_uniform() < 0.2 ? 0.5 : 0.05);
        check_case(c, a, b, "random");
        free(a);
        free(b);
    }
}

/* The MLP's shapes in LNS-Madam's format (lns8/8, W = 32, F = 24) in the layouts training calls. */
static void test_training_layouts(void) {
    const int64_t s[][5] = {{128, 784, 256, 0, 1}, {128, 256, 784, 0, 0}, {256, 128, 784, 1, 0}, {128, 256, 10, 0, 1}};
    for (int i = 0; i < 4; ++i) {
        const hyb_lns_gemm_config c = config(8, 8, s[i][0], s[i][1], s[i][2], 32, 24, (int)s[i][3], (int)s[i][4]);
        uint16_t* a = malloc(2 * (size_t)(c.m * c.k));
        uint16_t* b = malloc(2 * (size_t)(c.k * c.n));
        codes(a, c.m * c.k, 8, 40, 0.5);
        codes(b, c.k * c.n, 8, 40, 0.0);
        check_case(c, a, b, "training layout");
        free(a);
        free(b);
    }
}

/* Saturation at both ends: a 32-bit accumulator (the vector kernels' int32 overflow) and W = 5. */
static void test_saturation_ends(void) {
    /* gamma 1, F = 30: a product of two k = 0 codes is 2^30 units; +,+,+ then -,-,-,-,- then + */
    for (int w = 32; w >= 5; w -= 27) {
        const int f = w - 2;
        hyb_lns_gemm_config c = config(6, 1, 2, 9, 17, w, f, 0, 0);
        uint16_t a[18], b[9 * 17];
        const int sgn[9] = {0, 0, 0, 1, 1, 1, 1, 1, 0};
        for (int k = 0; k < 9; ++k) {
            a[k] = (uint16_t)(sgn[k] << 5);          /* row 0: that sequence */
            a[9 + k] = (uint16_t)((1 - sgn[k]) << 5); /* row 1: its negation */
            for (int n = 0; n < 17; ++n) b[k * 17 + n] = (uint16_t)(n % 3 == 2 ? 31 : 0); /* some zero columns */
        }
        check_case(c, a, b, "saturation ends");
        float out[34];
        hyb_gemm_stats st;
        CHECK_OK(hyb_lns_gemm_exact_u16(&c, a, b, out, &st));
        CHECK(st.saturations > 0, "W = %d saturates (%lld)", w, (long long)st.saturations);
    }
}

/* Quantise-and-encode: y as hyb_lns_quantize_f32 makes it, codes as hyb_lns_encode makes for y. */
static void test_quantize_encode(void) {
    enum { N = 70001 };
    float* x = malloc(4 * N);
    float* y = malloc(4 * N);
    float* y2 = malloc(4 * N);
    uint16_t* c16 = malloc(2 * N);
    uint16_t* e16 = malloc(2 * N);
    uint8_t* c8 = malloc(N);
    uint8_t* e8 = malloc(N);
    const int bitss[] = {2, 5, 8, 12, 16};
    const float gammas[] = {1.0f, 8.0f, 8.0f, 256.0f, 2048.0f};
    for (int l = 0; l < nlevels; ++l) {
        CHECK_OK(hyb_simd_set((hyb_simd_level)levels[l]));
        for (int bi = 0; bi < 5; ++bi)
            for (int rnd = 0; rnd < 2; ++rnd) {
                const int bits = bitss[bi];
                hyb_lns_quantize_config q;
                memset(&q, 0, sizeof q);
                q.format.bits = bits;
                q.format.gamma = gammas[bi];
                q.format.w_max = 0.37f;
                q.rounding = (hyb_rounding)rnd;
                q.nonfinite = HYB_NONFINITE_POLICY_SKIP;
                q.seed = 9;
                q.step = 4;
                q.tensor_id = 2;
                const int64_t ns[] = {0, 1, 15, 16, 17, 255, 256, 257, 1000, N};
                for (int ni = 0; ni < 10; ++ni) {
                    const int64_t n = ns[ni];
                    for (int64_t i = 0; i < n; ++i) {
                        const double u = test_uniform();
                        x[i] = u < 0.05 ? 0.0f : 0.37f * test_normal() * (float)pow(2.0, -12.0 * test_uniform());
                        if (i % 101 == 3) x[i] = 2.0f;
                        if (i % 211 == 9) x[i] = -1e-30f;
                        if (i % 307 == 11) x[i] = NAN;
                    }
                    hyb_quantize_stats s1, s2, s3;
                    CHECK_OK(hyb_lns_quantize_f32(&q, x, y, n, &s1));
                    CHECK_OK(hyb_lns_quantize_encode_u16(&q, x, y2, c16, n, &s2));
                    CHECK(memcmp(y, y2, 4 * (size_t)n) == 0, "level %d B=%d rnd=%d n=%lld: y differs", levels[l], bits, rnd, (long long)n);
                    for (int64_t i = 0; i < n; ++i) y2[i] = isnan(y[i]) ? 0.0f : y[i];
                    hyb_lns_format f = q.format;
                    CHECK_OK(hyb_lns_encode_u16(&f, y2, e16, n));
                    CHECK(memcmp(c16, e16, 2 * (size_t)n) == 0, "level %d B=%d rnd=%d n=%lld: codes are not encode(y)", levels[l],
                          bits, rnd, (long long)n);
                    CHECK(s1.saturated == s2.saturated && s1.underflowed == s2.underflowed && s1.nonfinite == s2.nonfinite,
                          "counts agree");
                    memset(c16, 0xAB, 2 * (size_t)n);
                    CHECK_OK(hyb_lns_quantize_encode_u16(&q, x, NULL, c16, n, &s3));
                    CHECK(memcmp(c16, e16, 2 * (size_t)n) == 0 && s3.saturated == s1.saturated, "codes only");
                    if (bits <= 8) {
                        memcpy(y2, x, 4 * (size_t)n);
                        CHECK_OK(hyb_lns_quantize_encode_u8(&q, y2, y2, c8, n, NULL)); /* in place */
                        CHECK(memcmp(y, y2, 4 * (size_t)n) == 0, "in place");
                        for (int64_t i = 0; i < n; ++i) y2[i] = isnan(y[i]) ? 0.0f : y[i];
                        CHECK_OK(hyb_lns_encode_u8(&f, y2, e8, n));
                        CHECK(memcmp(c8, e8, (size_t)n) == 0, "u8 codes");
                    }
                }
            }
    }
    CHECK_OK(hyb_simd_set((hyb_simd_level)levels[nlevels - 1]));
    hyb_lns_quantize_config q;
    memset(&q, 0, sizeof q);
    q.format.bits = 9;
    q.format.gamma = 8;
    q.format.w_max = 1;
    CHECK_FAILS(hyb_lns_quantize_encode_u8(&q, x, y, c8, 4, NULL), HYB_STATUS_INVALID_FORMAT, "bits");
    q.format.bits = 8;
    CHECK_FAILS(hyb_lns_quantize_encode_u8(&q, x, y, (uint8_t*)x + 1, 4, NULL), HYB_STATUS_OVERLAP, "codes");
    free(x); free(y); free(y2); free(c16); free(e16); free(c8); free(e8);
}

static void test_bad_layout(void) {
    hyb_lns_gemm_config c = config(8, 8, 2, 2, 2, 32, 24, 2, 0);
    uint8_t a[4] = {0}, b[4] = {0};
    float out[4] = {5, 5, 5, 5};
    CHECK_FAILS(hyb_lns_gemm_exact_u8(&c, a, b, out, NULL), HYB_STATUS_INVALID_ARGUMENT, "a_transposed");
    CHECK(out[0] == 5, "nothing written");
}

int main(void) {
    find_levels();
    test_bad_layout();
    test_saturation_ends();
    test_training_layouts();
    test_quantize_encode();
    test_random_cases();
    printf("levels checked: %d\n", nlevels);
    return check_report("test_lns_gemm");
}
