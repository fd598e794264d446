/* native_call_probe.c - times libhybrid's entry points from C, with no .NET in between: what a
 * tiny call costs and how the LNS step scales with threads and SIMD levels. Evidence for
 * bench/RESULTS.md; not part of the build or the tests.
 *
 * Build against a libhybrid build tree, from the repository root:
 *   cmake -S . -B /tmp/hyb -DCMAKE_BUILD_TYPE=Release && cmake --build /tmp/hyb --target hybrid
 *   gcc -O2 -Inative/include bench/probes/native_call_probe.c -L/tmp/hyb/native -lhybrid \
 *       -Wl,-rpath,/tmp/hyb/native -o /tmp/probe && /tmp/probe
 * Each figure is the best of 7 repetitions (per-call figures: of 100 000 calls). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "hybrid/hybrid.h"

/* Per-call figures use this thread's CPU time, so that other processes on a shared machine do
 * not inflate them (on an idle machine it equals the wall time); the thread-count figures use
 * the wall clock, which is what threads are for. */
static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static double wall_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

#define PER_CALL(label, expr)                                                              \
    do {                                                                                   \
        double best = 1e30;                                                                \
        for (int rep = 0; rep < 7; ++rep) {                                                \
            double t0 = now_ns();                                                          \
            for (int i = 0; i < 100000; ++i) { expr; }                                     \
            double t = (now_ns() - t0) / 100000;                                           \
            if (t < best) best = t;                                                        \
        }                                                                                  \
        printf("%-44s %8.1f ns\n", label, best);                                           \
    } while (0)

int main(void) {
    hyb_lns_madam_config c = {0};
    c.format.bits = 8; c.format.gamma = 8.0f; c.format.w_max = 1.0f;
    c.lr = 0.01f; c.beta2 = 0.999f; c.g_bound = 10.0f;
    c.rounding = HYB_ROUNDING_STOCHASTIC; c.nonfinite = HYB_NONFINITE_POLICY_REJECT;
    c.step = 10; c.seed = 42; c.random_bits = HYB_RANDOM_BITS_DEFAULT;
    hyb_lns_madam_config nearest = c;
    nearest.rounding = HYB_ROUNDING_NEAREST;
    uint8_t code[1] = {40};
    float g[1] = {0.01f}, v[1] = {0.0f};
    hyb_step_stats st;
    int32_t threads;

    printf("-- one call\n");
    PER_CALL("hyb_threads_get, no limit (omp_get_num_procs)", hyb_threads_get(&threads));
    hyb_threads_set(1);
    PER_CALL("hyb_threads_get, limit 1", hyb_threads_get(&threads));
    PER_CALL("hyb_lns_madam_step_u8, n = 0", hyb_lns_madam_step_u8(&c, code, g, 0, v, 0, &st));
    PER_CALL("hyb_lns_madam_step_u8, n = 1, nearest", hyb_lns_madam_step_u8(&nearest, code, g, 1, v, 1, &st));
    PER_CALL("hyb_lns_madam_step_u8, n = 1, stochastic", hyb_lns_madam_step_u8(&c, code, g, 1, v, 1, &st));

    hyb_lns_madam_config skip = nearest;
    skip.nonfinite = HYB_NONFINITE_POLICY_SKIP;
    PER_CALL("hyb_lns_madam_step_u8, n = 1, nearest, skip", hyb_lns_madam_step_u8(&skip, code, g, 1, v, 1, &st));
    PER_CALL("hyb_lns_madam_step_u8, n = 1, stochastic, no stats", hyb_lns_madam_step_u8(&c, code, g, 1, v, 1, NULL));

    printf("-- LNS step, B = 8, stochastic, by thread count\n");
    for (long n = 1L << 20; n <= 1L << 24; n <<= 4) {
        uint8_t* cs = malloc((size_t)n);
        float* gs = malloc((size_t)n * 4);
        float* vs = calloc((size_t)n, 4);
        if (!cs || !gs || !vs) return 1;
        for (long i = 0; i < n; ++i) {
            cs[i] = (uint8_t)((uint32_t)i * 2654435761u >> 24);
            gs[i] = (float)((uint32_t)i * 40503u % 1000u) / 1000.0f * 0.1f - 0.05f + 1e-6f;
        }
        for (int th = 1; th <= 2; ++th) {
            hyb_threads_set(th);
            double best = 1e30;
            for (int rep = 0; rep < 7; ++rep) {
                double t0 = wall_ns();
                hyb_lns_madam_step_u8(&c, cs, gs, n, vs, n, &st);
                double t = wall_ns() - t0;
                if (t < best) best = t;
            }
            printf("n = %-9ld threads = %d %27.2f ms\n", n, th, best / 1e6);
        }
        free(cs); free(gs); free(vs);
    }
    return 0;
}
