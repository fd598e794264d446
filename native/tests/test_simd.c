/* test_simd.c - the CPU kernels' SIMD levels and their dispatcher.
 *
 * - Every level this CPU runs (scalar, AVX2, AVX-512) gives the scalar reference's results bit
 *   for bit: the LNS step for every random_bits, both roundings, every non-finite policy and
 *   moment mode, uint8 and uint16 codes, every length 0..300 and larger ones (threaded, ranges
 *   that cut stripes), the float Madam step, RMS and the input scans' verdicts.
 * - The rounding stream follows hybrid/random.h's layout: each element's change is predicted
 *   from raw Philox blocks (hyb_philox4x32_10) and the documented formula, independently.
 * - Stochastic rounding is unbiased for every random_bits (mean change within 5 sd).
 * - The dispatcher runs the widest level the CPU has (never the scalar one where AVX2 exists),
 *   HYBRID_SIMD forces a level, and a level that cannot run fails loudly. ctest runs this
 *   program three times: without HYBRID_SIMD, with HYBRID_SIMD=avx2 and with a bad value. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, nanosleep */
#include <math.h>
#include <time.h>
#include <stdint.h>
#include "check.h"

static const hyb_simd_level all_levels[3] = {HYB_SIMD_LEVEL_SCALAR, HYB_SIMD_LEVEL_AVX2,
                                             HYB_SIMD_LEVEL_AVX512};
static const int32_t all_bits[5] = {4, 8, 12, 16, 32};

static int runs(hyb_simd_level level) {
    hyb_simd_level before;
    if (hyb_simd_get(&before) != HYB_STATUS_OK) before = HYB_SIMD_LEVEL_SCALAR;
    int ok = hyb_simd_set(level) == HYB_STATUS_OK;
    hyb_simd_set(before);
    return ok;
}

static hyb_lns_madam_config lns_config(int bits, hyb_rounding rounding, int32_t r) {
    hyb_lns_madam_config c;
    memset(&c, 0, sizeof c);
    c.format.bits = bits;
    c.format.gamma = bits <= 8 ? 8.0f : 64.0f;
    c.format.w_max = 1.0f;
    c.lr = 2.0f / c.format.gamma; /* nearest rounding moves codes too */
    c.beta2 = 0.999f; c.g_bound = 10.0f; c.rounding = rounding;
    c.random_bits = rounding == HYB_ROUNDING_STOCHASTIC ? r : 0;
    c.tensor_id = 7; c.step = 1; c.seed = 0x1234567890ABCDEFull;
    return c;
}

/* Gradients with zeros, tiny values (g^2 underflows), outliers and, for the skip and propagate
 * policies, NaN and infinities. */
static void fill_grad(float* g, int64_t n, int nonfinite, unsigned salt) {
    test_rng_state = 0x51D ^ ((unsigned long long)n * 31 + salt);
    for (int64_t i = 0; i < n; ++i) {
        float x = test_normal() * 0.05f;
        if (i % 17 == 0) x = 0.0f;
        if (i % 53 == 5) x *= 1000.0f;
        if (i % 97 == 11) x = 1e-25f;
        if (nonfinite && i % 41 == 3) x = (i % 3 == 0) ? NAN : (i % 3 == 1 ? INFINITY : -INFINITY);
        g[i] = x;
    }
}

/* One step configuration on every level against the scalar reference. */
static int step_case(hyb_lns_madam_config c, int wide, int64_t n, int64_t rows) {
    const int before = check_failures;
    const int64_t nv = c.moment == HYB_MOMENT_MODE_PER_SYNAPSE ? n
                     : c.moment == HYB_MOMENT_MODE_PER_NEURON ? rows
                     : c.moment == HYB_MOMENT_MODE_PER_TENSOR ? 1 : 0;
    c.rows = c.moment == HYB_MOMENT_MODE_PER_NEURON ? rows : 0;
    const size_t cb = wide ? 2 : 1;
    uint8_t* c0 = malloc(n * cb + 1); uint8_t* c1 = malloc(n * cb + 1);
    float* g = malloc(4 * n + 4); float* v0 = calloc(nv + 1, 4); float* v1 = calloc(nv + 1, 4);
    test_rng_state = 0xC0DE ^ (unsigned long long)(n * 7 + c.format.bits);
    for (int64_t i = 0; i < n; ++i) {
        const uint32_t code = (uint32_t)(test_uniform() * (1u << c.format.bits));
        if (wide) ((uint16_t*)c0)[i] = (uint16_t)code; else c0[i] = (uint8_t)code;
    }
    for (int t = 1; t <= 2; ++t) {
        c.step = t;
        fill_grad(g, n, c.nonfinite != HYB_NONFINITE_POLICY_REJECT, (unsigned)t);
        memcpy(c1, c0, n * cb);
        memcpy(v1, v0, 4 * nv);
        hyb_step_stats want, got;
        CHECK_OK(hyb_simd_set(HYB_SIMD_LEVEL_SCALAR));
        CHECK_OK(wide ? hyb_lns_madam_step_u16(&c, (uint16_t*)c0, g, n, v0, nv, &want)
                      : hyb_lns_madam_step_u8(&c, c0, g, n, v0, nv, &want));
        for (int l = 1; l < 3; ++l) {
            if (!runs(all_levels[l])) continue;
            uint8_t* cl = malloc(n * cb + 1); float* vl = malloc(4 * nv + 4);
            memcpy(cl, c1, n * cb);
            memcpy(vl, v1, 4 * nv);
            CHECK_OK(hyb_simd_set(all_levels[l]));
            CHECK_OK(wide ? hyb_lns_madam_step_u16(&c, (uint16_t*)cl, g, n, vl, nv, &got)
                          : hyb_lns_madam_step_u8(&c, cl, g, n, vl, nv, &got));
            CHECK(memcmp(cl, c0, n * cb) == 0 && memcmp(vl, v0, 4 * nv) == 0 &&
                      got.changed == want.changed && got.nonfinite_skipped == want.nonfinite_skipped,
                  "level %d B=%d %s r=%d policy=%d moment=%d n=%lld step %d: codes %s, v %s, "
                  "changed %lld/%lld", (int)all_levels[l], c.format.bits, wide ? "u16" : "u8",
                  c.random_bits, (int)c.nonfinite, (int)c.moment, (long long)n, t,
                  memcmp(cl, c0, n * cb) ? "differ" : "same", memcmp(vl, v0, 4 * nv) ? "differ" : "same",
                  (long long)got.changed, (long long)want.changed);
            free(cl); free(vl);
        }
    }
    free(c0); free(c1); free(g); free(v0); free(v1);
    return check_failures == before;
}

static int madam_case(int64_t n, hyb_nonfinite_policy policy) {
    const int before = check_failures;
    hyb_madam_config m;
    memset(&m, 0, sizeof m);
    m.lr = 0.05f; m.beta2 = 0.999f; m.g_bound = 10.0f; m.w_max = 1.0f; m.nonfinite = policy; m.step = 3;
    float* w0 = malloc(4 * n + 4); float* w1 = malloc(4 * n + 4);
    float* v0 = malloc(4 * n + 4); float* v1 = malloc(4 * n + 4); float* g = malloc(4 * n + 4);
    test_rng_state = 0xBEEF ^ (unsigned long long)n;
    for (int64_t i = 0; i < n; ++i) {
        w0[i] = i % 13 == 0 ? 0.0f : 0.3f * test_normal();
        v0[i] = i % 7 == 0 ? 0.0f : 0.01f * (float)test_uniform();
    }
    fill_grad(g, n, policy != HYB_NONFINITE_POLICY_REJECT, 9);
    memcpy(w1, w0, 4 * n);
    memcpy(v1, v0, 4 * n);
    hyb_step_stats want, got;
    CHECK_OK(hyb_simd_set(HYB_SIMD_LEVEL_SCALAR));
    CHECK_OK(hyb_madam_step_f32(&m, w0, g, v0, n, &want));
    double r0 = 0;
    if (n > 0) CHECK_OK(hyb_rms_f32(w1, n, &r0));
    for (int l = 1; l < 3; ++l) {
        if (!runs(all_levels[l])) continue;
        float* wl = malloc(4 * n + 4); float* vl = malloc(4 * n + 4);
        memcpy(wl, w1, 4 * n);
        memcpy(vl, v1, 4 * n);
        CHECK_OK(hyb_simd_set(all_levels[l]));
        CHECK_OK(hyb_madam_step_f32(&m, wl, g, vl, n, &got));
        CHECK(memcmp(wl, w0, 4 * n) == 0 && memcmp(vl, v0, 4 * n) == 0 && got.changed == want.changed &&
                  got.nonfinite_skipped == want.nonfinite_skipped,
              "madam level %d n=%lld policy %d: w %s, v %s", (int)all_levels[l], (long long)n,
              (int)policy, memcmp(wl, w0, 4 * n) ? "differ" : "same", memcmp(vl, v0, 4 * n) ? "differ" : "same");
        if (n > 0) {
            double rl = 0;
            CHECK_OK(hyb_rms_f32(w1, n, &rl));
            CHECK(rl == r0, "rms level %d n=%lld: %.17g vs %.17g", (int)all_levels[l], (long long)n, rl, r0);
        }
        free(wl); free(vl);
    }
    CHECK_OK(hyb_simd_set(HYB_SIMD_LEVEL_SCALAR));
    free(w0); free(w1); free(v0); free(v1); free(g);
    return check_failures == before;
}

/* The documented layout (hybrid/random.h), from raw Philox blocks. */
static float layout_uniform(uint64_t seed, int64_t step, uint32_t tensor, int r, uint64_t i) {
    const uint64_t e = 4 * (32 / r), se = HYB_RANDOM_STRIPE * e, t = i % se;
    const uint64_t block = i / se * HYB_RANDOM_STRIPE + t % HYB_RANDOM_STRIPE;
    const uint64_t slot = t / HYB_RANDOM_STRIPE;
    const uint32_t counter[4] = {(uint32_t)block,
                                 ((uint32_t)(block >> 32) & 0xFFFFFFu) | (HYB_RANDOM_PURPOSE_ROUNDING << 24),
                                 (uint32_t)step, tensor};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t out[4];
    hyb_philox4x32_10(counter, key, out);
    const uint32_t w = out[slot % 4];
    if (r == 32) return (float)(w >> 8) / 16777216.0f;
    const uint32_t s = (w >> ((slot / 4) * r)) & ((1u << r) - 1u);
    return (float)(((double)s + 0.5) / (double)(1u << r));
}

int main(void) {
    const char* env = getenv("HYBRID_SIMD");
    hyb_simd_level best, now;
    CHECK_OK(hyb_simd_best(&best));
    __builtin_cpu_init();
    const int has_avx2 = __builtin_cpu_supports("avx2");
    const int has_avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    printf("test_simd: CPU avx2=%d avx512=%d, best level %d, HYBRID_SIMD=%s\n", has_avx2, has_avx512,
           (int)best, env ? env : "(unset)");
    /* the dispatcher: never the scalar path where the CPU has AVX2 (on x86-64) */
#if defined(__x86_64__)
    CHECK(!has_avx2 || best >= HYB_SIMD_LEVEL_AVX2, "the CPU has AVX2 but the best level is %d", (int)best);
    CHECK(!has_avx512 || best == HYB_SIMD_LEVEL_AVX512, "the CPU has AVX-512 but the best level is %d", (int)best);
#endif
    if (env && strcmp(env, "bogus") == 0) {
        /* a level that cannot run: every kernel fails, saying why; hyb_simd_set recovers */
        uint8_t code = 10;
        float g = 1.0f, v = 0.0f;
        hyb_lns_madam_config c = lns_config(8, HYB_ROUNDING_NEAREST, 0);
        CHECK_FAILS(hyb_simd_get(&now), HYB_STATUS_INVALID_ARGUMENT, "HYBRID_SIMD = 'bogus'");
        CHECK_FAILS(hyb_lns_madam_step_u8(&c, &code, &g, 1, &v, 1, NULL), HYB_STATUS_INVALID_ARGUMENT,
                    "HYBRID_SIMD");
        CHECK(code == 10 && v == 0.0f, "a failed call wrote");
        CHECK_OK(hyb_simd_set(HYB_SIMD_LEVEL_SCALAR));
        CHECK_OK(hyb_lns_madam_step_u8(&c, &code, &g, 1, &v, 1, NULL));
        return check_report("test_simd (HYBRID_SIMD=bogus)");
    }
    CHECK_OK(hyb_simd_get(&now));
    if (env && strcmp(env, "avx2") == 0 && has_avx2) CHECK(now == HYB_SIMD_LEVEL_AVX2, "HYBRID_SIMD=avx2 but level %d", (int)now);
    if (!env) CHECK(now == best, "no HYBRID_SIMD, yet level %d instead of the best %d", (int)now, (int)best);
    hyb_build_info info;
    CHECK_OK(hyb_build_info_get(&info));
    CHECK(info.simd_level == now && info.stream_version == HYB_STREAM_VERSION, "build info: level %d, stream %d",
          (int)info.simd_level, (int)info.stream_version);
    CHECK_FAILS(hyb_simd_set((hyb_simd_level)42), HYB_STATUS_INVALID_ARGUMENT, "level 42");
    if (!has_avx512) CHECK_FAILS(hyb_simd_set(HYB_SIMD_LEVEL_AVX512), HYB_STATUS_INVALID_ARGUMENT, "avx512");

    int cases = 0, failed = 0;
#define RUN(call) do { ++cases; if (!(call)) ++failed; } while (0)
    /* every length 0..300 (every vector tail, stripes cut anywhere) */
    for (int64_t n = 0; n <= 300 && failed < 10; ++n) {
        const int32_t r = all_bits[n % 5];
        for (int round = 0; round < 2; ++round) {
            hyb_lns_madam_config c = lns_config(8, (hyb_rounding)round, r);
            c.nonfinite = (hyb_nonfinite_policy)((n + round) % 3);
            RUN(step_case(c, 0, n, 1));
            c.format.bits = 12; c.format.gamma = 64.0f; c.lr = 2.0f / 64.0f;
            RUN(step_case(c, 1, n, 1));
            c.moment = (hyb_moment_mode)(1 + n % 3);
            const int64_t rows = n % 3 == 0 && n > 0 ? 3 : 1;
            RUN(step_case(c, 1, n, n > 0 && n % rows == 0 ? rows : 1));
            c.round_gradient = 1; /* gh rounded to an integer before the code step */
            RUN(step_case(c, 1, n, n > 0 && n % rows == 0 ? rows : 1));
        }
        RUN(madam_case(n, (hyb_nonfinite_policy)(n % 3)));
    }
    printf("test_simd: lengths 0..300: %d cases, %d failed\n", cases, failed);
    /* large: threaded, every random_bits, policy and moment mode, both code widths */
    CHECK_OK(hyb_threads_set(0));
    for (int ri = 0; ri < 5 && failed < 10; ++ri)
        for (int mode = 0; mode < 4; ++mode) {
            hyb_lns_madam_config c = lns_config(8, HYB_ROUNDING_STOCHASTIC, all_bits[ri]);
            c.moment = (hyb_moment_mode)mode;
            c.nonfinite = (hyb_nonfinite_policy)((ri + mode) % 3);
            RUN(step_case(c, 0, 300013, 7));
            c.format.bits = 16; c.format.gamma = 512.0f; c.lr = 2.0f / 512.0f;
            RUN(step_case(c, 1, 70006, 71));
            c.round_gradient = 1;
            RUN(step_case(c, 1, 70006, 71));
        }
    /* sign-only with g_bound far below 1: |gh| = 1 > g_bound, so gamma lr g_bound / ln 2 says nothing
     * of dk (here ~1e19 code steps): the vector paths must still clamp it as the reference does */
    for (int round_gradient = 0; round_gradient < 2; ++round_gradient) {
        hyb_lns_madam_config c = lns_config(8, HYB_ROUNDING_NEAREST, 0);
        c.moment = HYB_MOMENT_MODE_NONE; c.g_bound = 1e-30f; c.lr = 1e18f;
        c.round_gradient = round_gradient;
        RUN(step_case(c, 0, 300013, 1));
        RUN(step_case(c, 0, 301, 1));
    }
    RUN(madam_case(1 << 20, HYB_NONFINITE_POLICY_PROPAGATE));
    RUN(madam_case((1 << 20) + 37, HYB_NONFINITE_POLICY_REJECT)); /* the pipelined loop, threaded, chunk tails */
    printf("test_simd: large lengths: %d cases, %d failed\n", cases, failed);

    /* the thread pool (threads.c): the build says it has one, and its idle workers sleep. After a
     * threaded call, 200 ms of sleep costs the process almost no CPU time (a spinning worker,
     * OpenMP's default, would burn most of it) */
    CHECK(info.threading == HYB_THREADING_POOL || info.threading == HYB_THREADING_SERIAL,
          "threading %d: neither the pool nor serial", (int)info.threading);
    {
        RUN(madam_case(1 << 20, HYB_NONFINITE_POLICY_PROPAGATE)); /* workers started and now idle */
        struct timespec c0, c1, nap = {0, 200000000};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
        nanosleep(&nap, NULL);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
        const double idle_ms = (double)(c1.tv_sec - c0.tv_sec) * 1e3 + (double)(c1.tv_nsec - c0.tv_nsec) * 1e-6;
        CHECK(idle_ms < 20.0, "idle workers used %.1f ms of CPU in 200 ms of sleep: they spin", idle_ms);
        printf("test_simd: idle pool: %.2f ms CPU in 200 ms\n", idle_ms);
    }

    /* the layout, predicted element by element: dk = gamma lr / ln 2 = f for every element
     * (step 1, g = 1: gh = 1), so the code moves by floor(f + u) = 1 exactly when u >= 1 - f */
    for (int ri = 0; ri < 5; ++ri)
        for (int l = 0; l < 3; ++l) {
            if (!runs(all_levels[l])) continue;
            enum { N = 5000 };
            const int32_t r = all_bits[ri];
            hyb_lns_madam_config c = lns_config(16, HYB_ROUNDING_STOCHASTIC, r);
            c.format.gamma = 512.0f; c.lr = 0.3f / 512.0f;
            c.tensor_id = 3; c.seed = 99; c.step = 1;
            uint16_t codes[N]; float g[N], v[N];
            for (int i = 0; i < N; ++i) { codes[i] = 1000; g[i] = 1.0f; v[i] = 0.0f; }
            CHECK_OK(hyb_simd_set(all_levels[l]));
            CHECK_OK(hyb_lns_madam_step_u16(&c, codes, g, N, v, N, NULL));
            const double f = 512.0 * (double)c.lr / log(2.0);
            int wrong = 0, first = -1;
            for (int i = 0; i < N; ++i) {
                const float u = layout_uniform(c.seed, c.step, c.tensor_id, r, (uint64_t)i);
                /* near the threshold float rounding of dk decides; skip those few */
                if (fabs((double)u - (1.0 - f)) < 1e-6) continue;
                const int want = (double)u >= 1.0 - f ? 1001 : 1000;
                if (codes[i] != want) { ++wrong; if (first < 0) first = i; }
            }
            CHECK(wrong == 0, "layout r=%d level %d: %d elements off the documented stream, first %d", r,
                  (int)all_levels[l], wrong, first);
        }

    /* unbiased for every r: dk spread over [0, 4) so the r-bit grid's rounding averages out;
     * mean(dk' - dk) within 5 sd of 0. Per-tensor moment: gh = g / sqrt(mean g^2) */
    for (int ri = 0; ri < 5; ++ri) {
        enum { N = 200000 };
        const int32_t r = all_bits[ri];
        hyb_lns_madam_config c = lns_config(16, HYB_ROUNDING_STOCHASTIC, r);
        c.format.gamma = 512.0f; c.lr = 0.002f; c.moment = HYB_MOMENT_MODE_PER_TENSOR; c.seed = 5 + ri;
        uint16_t* codes = malloc(2 * N); float* g = malloc(4 * N); float v = 0.0f;
        double sum_g2 = 0;
        for (int i = 0; i < N; ++i) { codes[i] = 20000; g[i] = (float)((i * 0.618033988749895) - floor(i * 0.618033988749895)); sum_g2 += (double)g[i] * g[i]; }
        CHECK_OK(hyb_simd_set(best));
        CHECK_OK(hyb_lns_madam_step_u16(&c, codes, g, N, &v, 1, NULL));
        const double d = sqrt(sum_g2 / N), scale = 512.0 * (double)c.lr / log(2.0);
        double diff = 0, var = 0;
        for (int i = 0; i < N; ++i) {
            const double dk = scale * g[i] / d, frac = dk - floor(dk);
            diff += (double)codes[i] - 20000.0 - dk;
            var += frac * (1 - frac);
        }
        const double mean = diff / N, sd = sqrt(var) / N;
        CHECK(fabs(mean) < 5 * sd, "r=%d: mean code change - dk = %.3g, 5 sd = %.3g", r, mean, 5 * sd);
        printf("test_simd: unbiased r=%d: mean(dk' - dk) = %+.2e (sd %.2e)\n", r, mean, sd);
        free(codes); free(g);
    }
    CHECK_OK(hyb_simd_set(best));
    printf("test_simd: %d step comparisons, %d failed\n", cases, failed);
    return check_report("test_simd");
}
