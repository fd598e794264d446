/* Every CUDA kernel against its CPU kernel, through the public C ABI only:
 *   - LNS encode/decode (uint8, uint16), every B, codes and values bit-identical;
 *   - the LNS Madam step, every B, both roundings, both non-finite policies, codes, v and
 *     stats bit-identical, over two steps;
 *   - the float Madam step: weights within the documented tolerance (4e-7 relative per step)
 *     and reported as bit-identical or not, v and stats identical;
 *   - RMS (the same double) and the Philox uniforms (the same floats, any offset);
 * for every length 0..300 (each vector tail, aligned and misaligned buffers), several seeds,
 * and the large lengths 2^16+3, 2^20+5 and 2^24. Then the CUDA-only behaviour: host pointers
 * and short buffers refused, all-or-nothing on device data, streams and events.
 * Without a GPU (or without CUDA compiled in) it prints why and exits 77, which ctest reports
 * as skipped (SKIP_RETURN_CODE). */
#include <math.h>
#include "check.h"

#define SKIP 77
#define BIG ((int64_t)1 << 24)

static const int64_t large_lengths[] = {((int64_t)1 << 16) + 3, ((int64_t)1 << 20) + 5, BIG};
static const uint64_t seeds[] = {0, 7, 0xDEADBEEFCAFEF00Dull};

/* Device buffers big enough for every case, plus one element for misaligned starts. */
static void* d_x;     /* float  */
static void* d_y;     /* float  */
static void* d_v;     /* float  */
static void* d_c;     /* uint16 (also used as uint8) */
static float *h_x, *h_y, *h_v, *h_v2, *h_w, *h_w2;
static uint16_t *h_c, *h_c2;

static int64_t mismatch_f32(const float* a, const float* b, int64_t n) {
    for (int64_t i = 0; i < n; ++i)
        if (memcmp(a + i, b + i, 4) != 0) return i;
    return -1;
}
static int64_t mismatch_bytes(const void* a, const void* b, int64_t n, int size) {
    const unsigned char *pa = (const unsigned char*)a, *pb = (const unsigned char*)b;
    for (int64_t i = 0; i < n; ++i)
        if (memcmp(pa + i * size, pb + i * size, (size_t)size) != 0) return i;
    return -1;
}

static float gamma_for(int bits) { return bits <= 4 ? 1.0f : (bits <= 8 ? 8.0f : 64.0f); }

/* Test data, generated once per (length, seed) and copied from there: the large lengths would
 * otherwise spend more time making data than comparing kernels. */
static float* memo_vals;
static int64_t memo_vals_n = -1;
static uint64_t memo_vals_seed;
static float* memo_grad[2];
static int64_t memo_grad_n[2] = {-1, -1};
static uint64_t memo_grad_seed[2];

/* Normal values spread over many octaves, with exact zeros, subnormals and huge values. */
static void fill_values(float* x, int64_t n, uint64_t seed) {
    if (memo_vals_n != n || memo_vals_seed != seed) {
        test_rng_state = 0x9E3779B97F4A7C15ull ^ (seed * 0x100000001B3ull) ^ (uint64_t)n;
        for (int64_t i = 0; i < n; ++i) {
            double u = test_uniform();
            float s = test_normal();
            float v = u < 0.05 ? 0.0f : s * (float)pow(2.0, -12.0 * test_uniform());
            if (u > 0.995) v = (u > 0.9975 ? 3.0e38f : -1.0e-39f);
            memo_vals[i] = v;
        }
        memo_vals_n = n;
        memo_vals_seed = seed;
    }
    memcpy(x, memo_vals, (size_t)n * 4);
}
static void fill_codes(uint16_t* c, int64_t n, int bits, uint64_t seed) {
    test_rng_state = 0xC0FFEE ^ (seed * 0x9E3779B97F4A7C15ull) ^ (uint64_t)(n * 31 + bits);
    const uint32_t ncodes = 1u << bits;
    for (int64_t i = 0; i < n; ++i) c[i] = (uint16_t)(test_uniform() * ncodes);
}
/* Gradients (slot: which of two cached sets), a tenth of them small, one in 64 so small that
 * g^2 underflows (a full +-g_bound step from v = 0); with `nonfinite`, a NaN and an infinity
 * in it. */
static void fill_grad(float* g, int64_t n, uint64_t seed, int nonfinite, int slot) {
    if (memo_grad_n[slot] != n || memo_grad_seed[slot] != seed) {
        test_rng_state = 0xABCDEF ^ (seed * 0xD1B54A32D192ED03ull) ^ (uint64_t)n;
        for (int64_t i = 0; i < n; ++i)
            memo_grad[slot][i] = test_normal() * (test_uniform() < 0.1 ? 1e-3f : 1.0f) *
                                 (i % 64 == 7 ? 1e-25f : 1.0f);
        memo_grad_n[slot] = n;
        memo_grad_seed[slot] = seed;
    }
    memcpy(g, memo_grad[slot], (size_t)n * 4);
    if (nonfinite && n > 2) {
        g[n / 3] = NAN;
        g[n - 1] = INFINITY;
    }
}

/* Host <-> device helpers; every failure is a CHECK with the library's message. */
static void up(void* d, const void* h, int64_t bytes) { CHECK_OK(hyb_cuda_memcpy_htod(d, h, bytes, NULL)); }
static void down(void* h, const void* d, int64_t bytes) { CHECK_OK(hyb_cuda_memcpy_dtoh(h, d, bytes, NULL)); }

/* ---- encode / decode ---- */

static int codec_case(int bits, int wide, int64_t n, uint64_t seed, int misalign) {
    const int cb = wide ? 2 : 1;
    hyb_lns_format f = {bits, gamma_for(bits), 1.0f, 0};
    float* dx = (float*)d_x + misalign;
    char* dc = (char*)d_c + misalign * cb;
    int before = check_failures;
    fill_values(h_x, n, seed);
    up(dx, h_x, n * 4);
    /* encode */
    if (wide) {
        CHECK_OK(hyb_lns_encode_u16(&f, h_x, h_c, n));
        CHECK_OK(hyb_cuda_lns_encode_u16(&f, dx, (uint16_t*)dc, n, NULL));
    } else {
        CHECK_OK(hyb_lns_encode_u8(&f, h_x, (uint8_t*)h_c, n));
        CHECK_OK(hyb_cuda_lns_encode_u8(&f, dx, (uint8_t*)dc, n, NULL));
    }
    down(h_c2, dc, n * cb);
    int64_t bad = mismatch_bytes(h_c, h_c2, n, cb);
    CHECK(bad < 0, "encode B=%d %s n=%lld seed=%llu misalign=%d: code %lld differs", bits,
          wide ? "u16" : "u8", (long long)n, (unsigned long long)seed, misalign, (long long)bad);
    /* decode random valid codes */
    fill_codes(h_c, n, bits, seed);
    if (!wide)
        for (int64_t i = 0; i < n; ++i) ((uint8_t*)h_c)[i] = (uint8_t)h_c[i];
    up(dc, h_c, n * cb);
    if (wide) {
        CHECK_OK(hyb_lns_decode_u16(&f, h_c, h_y, n));
        CHECK_OK(hyb_cuda_lns_decode_u16(&f, (uint16_t*)dc, dx, n, NULL));
    } else {
        CHECK_OK(hyb_lns_decode_u8(&f, (uint8_t*)h_c, h_y, n));
        CHECK_OK(hyb_cuda_lns_decode_u8(&f, (uint8_t*)dc, dx, n, NULL));
    }
    down(h_x, dx, n * 4);
    bad = mismatch_f32(h_y, h_x, n);
    CHECK(bad < 0, "decode B=%d %s n=%lld seed=%llu: x[%lld] %a vs CPU %a", bits,
          wide ? "u16" : "u8", (long long)n, (unsigned long long)seed, (long long)bad,
          bad >= 0 ? (double)h_x[bad] : 0.0, bad >= 0 ? (double)h_y[bad] : 0.0);
    return check_failures == before;
}

/* ---- the LNS Madam step ---- */

/* One step configuration beyond B and the code width. */
typedef struct step_opts {
    hyb_rounding rounding;
    hyb_nonfinite_policy policy;
    hyb_moment_mode moment;
    int64_t rows;  /* per-neuron rows (must divide n) */
    int device;    /* the device model on (every option) */
    int random_bits; /* r of stochastic rounding (0: the default) */
} step_opts;

/* Random bits per rounding, cycling through every allowed value. */
static int bits_for(int64_t i) {
    static const int r[] = {4, 8, 12, 16, 32};
    return r[i % 5];
}

/* The largest of 1024, 7, 5, 3, 2, 1 that divides n (1 for n = 0), as the managed tests do. */
static int64_t rows_for(int64_t n) {
    static const int64_t cand[] = {1024, 7, 5, 3, 2, 1};
    for (int i = 0; i < 6; ++i)
        if (n > 0 && n % cand[i] == 0) return cand[i];
    return 1;
}

static int64_t moment_len(const step_opts* o, int64_t n) {
    switch (o->moment) {
    case HYB_MOMENT_MODE_PER_SYNAPSE: return n;
    case HYB_MOMENT_MODE_PER_NEURON: return o->rows;
    case HYB_MOMENT_MODE_PER_TENSOR: return 1;
    default: return 0;
    }
}

static int lns_step_case(int bits, int wide, step_opts o, int64_t n, uint64_t seed, int misalign) {
    const int cb = wide ? 2 : 1;
    hyb_lns_madam_config c;
    memset(&c, 0, sizeof c);
    c.format.bits = bits; c.format.gamma = gamma_for(bits); c.format.w_max = 1.0f;
    c.lr = 2.0f / c.format.gamma; /* large enough that nearest rounding moves codes too */
    c.beta2 = 0.999f; c.g_bound = 10.0f; c.rounding = o.rounding; c.nonfinite = o.policy;
    c.tensor_id = (uint32_t)(n % 5); c.seed = seed;
    c.random_bits = o.random_bits ? o.random_bits : HYB_RANDOM_BITS_DEFAULT;
    c.moment = o.moment;
    c.rows = o.moment == HYB_MOMENT_MODE_PER_NEURON ? o.rows : 0;
    if (o.device) {
        c.c2c_noise = 0.3f; c.d2d_gain_sd = 0.2f; c.asymmetry = 0.25f; c.stuck_fraction = 0.1f;
    }
    const int64_t nv = moment_len(&o, n);
    float* dg = (float*)d_y + misalign;
    float* dv = nv > 0 ? (float*)d_v + misalign : NULL;
    char* dc = (char*)d_c + misalign * cb;
    int before = check_failures;
    fill_codes(h_c, n, bits, seed);
    if (!wide)
        for (int64_t i = 0; i < n; ++i) ((uint8_t*)h_c)[i] = (uint8_t)h_c[i];
    memset(h_v, 0, (size_t)(nv > 0 ? nv : 1) * 4);
    up(dc, h_c, n * cb);
    if (nv > 0) up(dv, h_v, nv * 4);
    for (int t = 1; t <= 2; ++t) {
        c.step = t;
        fill_grad(h_y, n, seed + 1000u * (uint64_t)t, o.policy != HYB_NONFINITE_POLICY_REJECT, t - 1);
        up(dg, h_y, n * 4);
        hyb_step_stats want = {0}, got = {0};
        float* hv = nv > 0 ? h_v : NULL;
        if (wide) {
            CHECK_OK(hyb_lns_madam_step_u16(&c, h_c, h_y, n, hv, nv, &want));
            CHECK_OK(hyb_cuda_lns_madam_step_u16(&c, (uint16_t*)dc, dg, n, dv, nv, &got, NULL));
        } else {
            CHECK_OK(hyb_lns_madam_step_u8(&c, (uint8_t*)h_c, h_y, n, hv, nv, &want));
            CHECK_OK(hyb_cuda_lns_madam_step_u8(&c, (uint8_t*)dc, dg, n, dv, nv, &got, NULL));
        }
        down(h_c2, dc, n * cb);
        if (nv > 0) down(h_v2, dv, nv * 4);
        int64_t bc = mismatch_bytes(h_c, h_c2, n, cb), bv = mismatch_f32(h_v, h_v2, nv);
        CHECK(bc < 0 && bv < 0 && memcmp(&want, &got, sizeof want) == 0,
              "step B=%d %s rounding=%d policy=%d moment=%d rows=%lld device=%d n=%lld seed=%llu "
              "misalign=%d t=%d: first code diff %lld, first v diff %lld, changed %lld/%lld, "
              "skipped %lld/%lld", bits, wide ? "u16" : "u8", (int)o.rounding, (int)o.policy,
              (int)o.moment, (long long)o.rows, o.device, (long long)n, (unsigned long long)seed,
              misalign, t, (long long)bc, (long long)bv, (long long)got.changed,
              (long long)want.changed, (long long)got.nonfinite_skipped,
              (long long)want.nonfinite_skipped);
        if (check_failures != before) break;
    }
    return check_failures == before;
}

/* Moment modes x device model x a few B, both roundings, on one length. */
static void step_options_cases(int64_t n, uint64_t seed, int misalign, int* cases, int* failed,
                               int full_b) {
    static const int bits16[] = {3, 8, 12, 16}, bits8[] = {3, 8};
    for (int mode = 0; mode < 4; ++mode)
        for (int dev = 0; dev < 2; ++dev) {
            if (mode == HYB_MOMENT_MODE_PER_SYNAPSE && !dev) continue; /* the main matrix's */
            for (int r = 0; r < 2; ++r) {
                step_opts o = {(hyb_rounding)r, (hyb_nonfinite_policy)((n / 2 + r) % 3),
                               (hyb_moment_mode)mode, rows_for(n), dev, bits_for(n + mode)};
                for (int bi = 0; bi < (full_b ? 4 : 2); ++bi) {
                    ++*cases;
                    if (!lns_step_case(full_b ? bits16[bi] : 12 - 4 * bi, 1, o, n, seed, misalign))
                        ++*failed;
                }
                for (int bi = 0; bi < (full_b ? 2 : 1); ++bi) {
                    ++*cases;
                    if (!lns_step_case(full_b ? bits8[bi] : 8, 0, o, n, seed, misalign)) ++*failed;
                }
            }
        }
}

/* ---- the float Madam step ---- */

static int64_t madam_not_identical = 0; /* weights that differ in any bit (reported) */
static double madam_max_rel = 0.0;

static int madam_case(int64_t n, uint64_t seed, hyb_nonfinite_policy pol, int misalign) {
    hyb_madam_config m;
    memset(&m, 0, sizeof m);
    m.lr = 0.05f; m.beta2 = 0.999f; m.g_bound = 10.0f; m.w_max = 2.0f; m.nonfinite = pol;
    float* dw = (float*)d_x + misalign;
    float* dg = (float*)d_y + misalign;
    float* dv = (float*)d_v + misalign;
    int before = check_failures;
    fill_values(h_w, n, seed);
    for (int64_t i = 0; i < n; ++i) /* finite, inside +-w_max, as a real model's weights */
        h_w[i] = fabsf(h_w[i]) > 1.5f ? (h_w[i] > 0 ? 1.5f : -1.5f) : h_w[i];
    memset(h_v, 0, (size_t)n * 4);
    up(dw, h_w, n * 4);
    up(dv, h_v, n * 4);
    for (int t = 1; t <= 2; ++t) {
        m.step = t;
        fill_grad(h_y, n, seed + 77u * (uint64_t)t, pol != HYB_NONFINITE_POLICY_REJECT, t - 1);
        up(dg, h_y, n * 4);
        hyb_step_stats want = {0}, got = {0};
        CHECK_OK(hyb_madam_step_f32(&m, h_w, h_y, h_v, n, &want));
        CHECK_OK(hyb_cuda_madam_step_f32(&m, dw, dg, dv, n, &got, NULL));
        down(h_w2, dw, n * 4);
        down(h_v2, dv, n * 4);
        int64_t bv = mismatch_f32(h_v, h_v2, n);
        int64_t far = -1;
        for (int64_t i = 0; i < n; ++i) {
            if (memcmp(h_w + i, h_w2 + i, 4) == 0) continue;
            ++madam_not_identical;
            double rel = fabs((double)h_w2[i] - (double)h_w[i]) / fabs((double)h_w[i]);
            if (rel > madam_max_rel) madam_max_rel = rel;
            if (!(rel <= 4e-7 * t) && far < 0) far = i;
        }
        CHECK(far < 0 && bv < 0, "madam n=%lld seed=%llu policy=%d t=%d: w[%lld] %.9g vs CPU %.9g "
              "(tolerance 4e-7 per step), first v diff %lld", (long long)n,
              (unsigned long long)seed, (int)pol, t, (long long)far,
              far >= 0 ? (double)h_w2[far] : 0.0, far >= 0 ? (double)h_w[far] : 0.0,
              (long long)bv);
        /* stats count changed weights: equal whenever the weights are bit-identical */
        const int same_w = memcmp(h_w, h_w2, (size_t)n * 4) == 0;
        CHECK(got.elements == want.elements && got.nonfinite_skipped == want.nonfinite_skipped &&
              (!same_w || got.changed == want.changed),
              "madam stats n=%lld: changed %lld/%lld, skipped %lld/%lld", (long long)n,
              (long long)got.changed, (long long)want.changed,
              (long long)got.nonfinite_skipped, (long long)want.nonfinite_skipped);
        if (check_failures != before) break;
        memcpy(h_w, h_w2, (size_t)n * 4); /* continue from the GPU's weights */
    }
    return check_failures == before;
}

/* ---- RMS and the random stream ---- */

static int rms_random_case(int64_t n, uint64_t seed, int misalign) {
    int before = check_failures;
    float* dx = (float*)d_x + misalign;
    if (n > 0) {
        fill_values(h_x, n, seed);
        up(dx, h_x, n * 4);
        double want = 0, got = 0;
        CHECK_OK(hyb_rms_f32(h_x, n, &want));
        CHECK_OK(hyb_cuda_rms_f32(dx, n, &got, NULL));
        CHECK(memcmp(&want, &got, 8) == 0, "rms n=%lld: %.17g vs CPU %.17g", (long long)n, got, want);
    }
    hyb_random_stream rs = {seed, 3, 11, HYB_RANDOM_PURPOSE_ROUNDING};
    const int64_t offsets[] = {0, 1, 6, ((int64_t)1 << 33) + 3};
    for (int k = 0; k < 4; ++k) {
        CHECK_OK(hyb_random_uniform_f32(&rs, offsets[k], h_x, n));
        CHECK_OK(hyb_cuda_random_uniform_f32(&rs, offsets[k], dx, n, NULL));
        down(h_y, dx, n * 4);
        int64_t bad = mismatch_f32(h_x, h_y, n);
        CHECK(bad < 0, "uniform n=%lld offset=%lld: element %lld differs", (long long)n,
              (long long)offsets[k], (long long)bad);
    }
    return check_failures == before;
}

/* ---- CUDA-only behaviour ---- */

static void cuda_only(void) {
    enum { N = 1000 };
    hyb_lns_format f = {12, 64.0f, 1.0f, 0};
    /* host memory where device memory belongs */
    CHECK_FAILS(hyb_cuda_lns_encode_u16(&f, h_x, (uint16_t*)d_c, N, NULL),
                HYB_STATUS_INVALID_ARGUMENT, "host memory");
    /* a buffer shorter than n says so (8 MB wanted from 64 bytes: beyond any rounding of the
     * allocation's size) */
    void* small = NULL;
    CHECK_OK(hyb_cuda_malloc(&small, 64));
    CHECK_FAILS(hyb_cuda_lns_encode_u16(&f, (float*)d_x, (uint16_t*)small, (int64_t)1 << 22, NULL),
                HYB_STATUS_INVALID_ARGUMENT, "allocation ends");
    CHECK_OK(hyb_cuda_free(small));
    /* all-or-nothing on device data: a bad code late in the tensor, nothing written */
    hyb_lns_madam_config c;
    memset(&c, 0, sizeof c);
    c.format = f; c.lr = 0.5f; c.beta2 = 0.999f; c.g_bound = 10.0f;
    c.rounding = HYB_ROUNDING_STOCHASTIC; c.step = 1; c.seed = 3; c.random_bits = 8;
    fill_codes(h_c, N, 12, 1);
    h_c[N - 7] = 1u << 12;
    fill_grad(h_y, N, 2, 0, 0);
    for (int i = 0; i < N; ++i) h_v[i] = 0.25f;
    up(d_c, h_c, N * 2);
    up(d_y, h_y, N * 4);
    up(d_v, h_v, N * 4);
    CHECK_FAILS(hyb_cuda_lns_madam_step_u16(&c, (uint16_t*)d_c, (float*)d_y, N, (float*)d_v, N,
                                            NULL, NULL),
                HYB_STATUS_INVALID_CODE, "codes[993] = 4096");
    down(h_c2, d_c, N * 2);
    down(h_v2, d_v, N * 4);
    CHECK(memcmp(h_c, h_c2, N * 2) == 0 && memcmp(h_v, h_v2, N * 4) == 0,
          "a rejected step wrote to the device buffers");
    h_c[N - 7] = 5;
    h_y[400] = -INFINITY;
    up(d_c, h_c, N * 2);
    up(d_y, h_y, N * 4);
    CHECK_FAILS(hyb_cuda_lns_madam_step_u16(&c, (uint16_t*)d_c, (float*)d_y, N, (float*)d_v, N,
                                            NULL, NULL),
                HYB_STATUS_NON_FINITE, "grad[400] = -inf is not finite (policy: reject)");
    down(h_c2, d_c, N * 2);
    CHECK(memcmp(h_c, h_c2, N * 2) == 0, "a rejected step wrote codes");
    hyb_madam_config m;
    memset(&m, 0, sizeof m);
    m.lr = 0.01f; m.beta2 = 0.999f; m.g_bound = 10.0f; m.w_max = 1.0f; m.step = 1;
    m.nonfinite = HYB_NONFINITE_POLICY_SKIP;
    h_w[0] = 0.5f; h_w[1] = NAN;
    up(d_x, h_w, 8);
    CHECK_FAILS(hyb_cuda_madam_step_f32(&m, (float*)d_x, (float*)d_y, (float*)d_v, 2, NULL, NULL),
                HYB_STATUS_NON_FINITE, "w[1] = nan is not finite");
    h_x[0] = 1.0f; h_x[1] = NAN;
    up(d_x, h_x, 8);
    CHECK_FAILS(hyb_cuda_lns_encode_u16(&f, (float*)d_x, (uint16_t*)d_c, 2, NULL),
                HYB_STATUS_NON_FINITE, "x[1] = nan");
    /* streams and events: work on a stream, timed, and the same bits as on the default stream */
    void *s = NULL, *e0 = NULL, *e1 = NULL;
    CHECK_OK(hyb_cuda_stream_create(&s));
    CHECK_OK(hyb_cuda_event_create(&e0));
    CHECK_OK(hyb_cuda_event_create(&e1));
    fill_values(h_x, N, 9);
    CHECK_OK(hyb_cuda_memcpy_htod(d_x, h_x, N * 4, s));
    CHECK_OK(hyb_cuda_event_record(e0, s));
    CHECK_OK(hyb_cuda_lns_encode_u16(&f, (float*)d_x, (uint16_t*)d_c, N, s));
    CHECK_OK(hyb_cuda_memcpy_dtod(d_y, d_x, N * 4, s));
    CHECK_OK(hyb_cuda_memset(d_v, 0, N * 4, s));
    CHECK_OK(hyb_cuda_event_record(e1, s));
    CHECK_OK(hyb_cuda_event_synchronize(e1));
    float ms = -1;
    CHECK_OK(hyb_cuda_event_elapsed(e0, e1, &ms));
    CHECK(ms >= 0.0f && ms < 1000.0f, "elapsed %g ms", (double)ms);
    CHECK_OK(hyb_cuda_stream_synchronize(s));
    CHECK_OK(hyb_lns_encode_u16(&f, h_x, h_c, N));
    down(h_c2, d_c, N * 2);
    down(h_y, d_y, N * 4);
    down(h_v, d_v, N * 4);
    CHECK(memcmp(h_c, h_c2, N * 2) == 0, "encode on a stream differs from the CPU");
    CHECK(memcmp(h_x, h_y, N * 4) == 0, "device-to-device copy differs");
    int zeros = 1;
    for (int i = 0; i < N; ++i) zeros &= h_v[i] == 0.0f;
    CHECK(zeros, "memset left non-zero bytes");
    CHECK_OK(hyb_cuda_event_destroy(e0));
    CHECK_OK(hyb_cuda_event_destroy(e1));
    CHECK_OK(hyb_cuda_stream_destroy(s));
    CHECK_OK(hyb_cuda_device_synchronize());
}

int main(void) {
    int32_t count = 0;
    hyb_status st = hyb_cuda_device_count(&count);
    if (st != HYB_STATUS_OK) {
        printf("test_cuda: SKIPPED, no GPU to test on: %s\n", hyb_last_error_message());
        return SKIP;
    }
    hyb_cuda_device_props p;
    CHECK_OK(hyb_cuda_device_properties(0, &p));
    printf("test_cuda: %s, compute %d.%d, %d SMs, %.1f GiB, driver %d, runtime %d\n", p.name,
           (int)p.compute_major, (int)p.compute_minor, (int)p.multiprocessor_count,
           (double)p.total_memory / (1 << 30), (int)p.driver_version, (int)p.runtime_version);
    const int64_t cap = BIG + 1;
    CHECK_OK(hyb_cuda_malloc(&d_x, cap * 4));
    CHECK_OK(hyb_cuda_malloc(&d_y, cap * 4));
    CHECK_OK(hyb_cuda_malloc(&d_v, cap * 4));
    CHECK_OK(hyb_cuda_malloc(&d_c, cap * 2));
    h_x = malloc(cap * 4); h_y = malloc(cap * 4); h_v = malloc(cap * 4); h_v2 = malloc(cap * 4);
    h_w = malloc(cap * 4); h_w2 = malloc(cap * 4); h_c = malloc(cap * 2); h_c2 = malloc(cap * 2);
    memo_vals = malloc(cap * 4); memo_grad[0] = malloc(cap * 4); memo_grad[1] = malloc(cap * 4);
    if (check_failures || !h_x || !h_y || !h_v || !h_v2 || !h_w || !h_w2 || !h_c || !h_c2 ||
        !memo_vals || !memo_grad[0] || !memo_grad[1]) {
        fprintf(stderr, "test_cuda: cannot allocate the test buffers\n");
        return 1;
    }
    int cases = 0, failed = 0;
#define RUN(call) do { ++cases; if (!(call)) ++failed; } while (0)
    /* every length 0..300, aligned and (one element off) misaligned, three seeds */
    for (int si = 0; si < 3; ++si) {
        for (int64_t n = 0; n <= 300 && failed < 20; ++n) {
            const int mis = (int)(n & 1);
            for (int b = 2; b <= 16; ++b) RUN(codec_case(b, 1, n, seeds[si], mis));
            for (int b = 2; b <= 8; ++b) RUN(codec_case(b, 0, n, seeds[si], mis));
            for (int r = 0; r < 2; ++r) {
                const step_opts o = {(hyb_rounding)r, (hyb_nonfinite_policy)((n / 2) % 3),
                                     HYB_MOMENT_MODE_PER_SYNAPSE, 1, 0, bits_for(n)};
                for (int b = 2; b <= 16; ++b) RUN(lns_step_case(b, 1, o, n, seeds[si], mis));
                for (int b = 2; b <= 8; ++b) RUN(lns_step_case(b, 0, o, n, seeds[si], mis));
            }
            if (si == 1) step_options_cases(n, seeds[si], mis, &cases, &failed, 1);
            RUN(madam_case(n, seeds[si], (hyb_nonfinite_policy)((n / 2) % 3), mis));
            RUN(rms_random_case(n, seeds[si], mis));
        }
        printf("test_cuda: lengths 0..300, seed %llu: %d cases, %d failed\n",
               (unsigned long long)seeds[si], cases, failed);
    }
    /* large lengths: every B and option once, with the second seed */
    for (int li = 0; li < 3 && failed < 20; ++li) {
        const int64_t n = large_lengths[li];
        for (int b = 2; b <= 16; ++b) RUN(codec_case(b, 1, n, seeds[1], 0));
        for (int b = 2; b <= 8; ++b) RUN(codec_case(b, 0, n, seeds[1], 0));
        for (int r = 0; r < 2 + 4; ++r) /* nearest, then stochastic with every random_bits */
            for (int pol = 0; pol < 3; ++pol) {
                const step_opts o = {r == 0 ? HYB_ROUNDING_NEAREST : HYB_ROUNDING_STOCHASTIC,
                                     (hyb_nonfinite_policy)pol, HYB_MOMENT_MODE_PER_SYNAPSE, 1, 0,
                                     r == 0 ? 0 : bits_for(r - 1)};
                for (int b = 2; b <= 16; ++b) RUN(lns_step_case(b, 1, o, n, seeds[1], 0));
                for (int b = 2; b <= 8; ++b) RUN(lns_step_case(b, 0, o, n, seeds[1], 0));
            }
        step_options_cases(n, seeds[1], 0, &cases, &failed, 0);
        RUN(madam_case(n, seeds[1], HYB_NONFINITE_POLICY_REJECT, 0));
        RUN(madam_case(n, seeds[1], HYB_NONFINITE_POLICY_SKIP, 1));
        RUN(madam_case(n, seeds[1], HYB_NONFINITE_POLICY_PROPAGATE, 0));
        RUN(rms_random_case(n, seeds[1], 0));
        printf("test_cuda: length %lld: %d cases, %d failed\n", (long long)n, cases, failed);
    }
    /* per-neuron shapes the lengths above do not reach: rows of 3 (groups of four span rows,
     * one thread sums each row) and rows of 5000 (two summation blocks per row) */
    {
        const int64_t shapes[2][2] = {{(int64_t)1 << 20, 3}, {1000, 5000}};
        for (int k = 0; k < 2 && failed < 20; ++k)
            for (int dev = 0; dev < 2; ++dev) {
                const step_opts o = {HYB_ROUNDING_STOCHASTIC, HYB_NONFINITE_POLICY_SKIP,
                                     HYB_MOMENT_MODE_PER_NEURON, shapes[k][0], dev, 12};
                RUN(lns_step_case(12, 1, o, shapes[k][0] * shapes[k][1], seeds[2], k));
                RUN(lns_step_case(8, 0, o, shapes[k][0] * shapes[k][1], seeds[2], 0));
            }
        printf("test_cuda: per-neuron shapes: %d cases, %d failed\n", cases, failed);
    }
    cuda_only();
    printf("test_cuda: float Madam weights %s bit-identical to the CPU (%lld differed; largest "
           "relative difference %.3g)\n", madam_not_identical ? "NOT" : "", 
           (long long)madam_not_identical, madam_max_rel);
    CHECK_OK(hyb_cuda_free(d_x));
    CHECK_OK(hyb_cuda_free(d_y));
    CHECK_OK(hyb_cuda_free(d_v));
    CHECK_OK(hyb_cuda_free(d_c));
    free(h_x); free(h_y); free(h_v); free(h_v2); free(h_w); free(h_w2); free(h_c); free(h_c2);
    free(memo_vals); free(memo_grad[0]); free(memo_grad[1]);
    printf("test_cuda: %d kernel comparisons, %d failed\n", cases, failed);
    return check_report("test_cuda");
}
