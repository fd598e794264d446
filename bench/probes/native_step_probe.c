/* native_step_probe.c - the native steps at 16M elements against a memory copy of the same
 * bytes, in this thread's CPU time, from C: a load-robust companion to BenchmarkDotNet's wall-clock
 * tables when the machine is shared (other processes stretch wall time, not this thread's CPU
 * time; they still share the memory bus and caches, so the figures are upper bounds of a quiet
 * machine's). One thread; the SIMD level is the argument (0 scalar, 3 AVX2, 4 AVX-512).
 *   cmake -S . -B /tmp/hyb -DCMAKE_BUILD_TYPE=Release && cmake --build /tmp/hyb --target hybrid
 *   gcc -O2 -Inative/include bench/probes/native_step_probe.c -L/tmp/hyb/native -lhybrid \
 *       -Wl,-rpath,/tmp/hyb/native -o /tmp/step_probe && /tmp/step_probe 4
 * Each figure is the best of 8 rounds; the rounds interleave every case, so slow phases of the
 * machine hit them all alike. "% of copy" = copy time / step time for the same bytes (LNS B = 8:
 * 14 B per element, float Madam: 20 B).
 *   /tmp/step_probe LEVEL [N [ROUNDS]]: N elements (default 2^24) and ROUNDS rounds (default 8); a small N
 * (32768: every array in L1/L2) with many rounds (2000) gives the steps' compute cost per element, input
 * scans included, without the shared memory bus's noise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hybrid/hybrid.h"

static double cpu_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

enum { CASES = 10 };
static const char* names[CASES] = {
    "copy (14 B/element)", "LNS nearest, skip", "LNS nearest, reject", "LNS r=8, skip",
    "LNS r=8, reject", "LNS r=4, skip", "LNS r=32, skip", "copy (20 B/element)",
    "Madam, reject", "Madam, skip"};

int main(int argc, char** argv) {
    const int level = argc > 1 ? atoi(argv[1]) : 4;
    const int64_t n = argc > 2 ? atoll(argv[2]) : (int64_t)1 << 24;
    const int rounds = argc > 3 ? atoi(argv[3]) : 8;
    if (n < 1 || rounds < 1) {
        fprintf(stderr, "step_probe: N and ROUNDS must be >= 1\n");
        return 2;
    }
    if (hyb_threads_set(1) || hyb_simd_set((hyb_simd_level)level)) {
        fprintf(stderr, "step_probe: %s\n", hyb_last_error_message());
        return 1;
    }
    uint8_t* c = malloc((size_t)n);
    float* g = malloc((size_t)n * 4);
    float* v = calloc((size_t)n, 4);
    float* w = malloc((size_t)n * 4);
    char *a = malloc((size_t)n * 7), *b = malloc((size_t)n * 7);
    char *a2 = malloc((size_t)n * 10), *b2 = malloc((size_t)n * 10);
    if (!c || !g || !v || !w || !a || !b || !a2 || !b2) return 1;
    for (int64_t i = 0; i < n; ++i) {
        c[i] = (uint8_t)((uint32_t)i * 2654435761u >> 24);
        g[i] = (float)((uint32_t)i * 40503u % 1000u) / 1000.0f * 0.1f - 0.05f + 1e-6f;
        w[i] = 0.1f;
    }
    memset(a, 1, (size_t)n * 7); memset(b, 2, (size_t)n * 7);
    memset(a2, 1, (size_t)n * 10); memset(b2, 2, (size_t)n * 10);
    hyb_lns_madam_config cf;
    memset(&cf, 0, sizeof cf);
    cf.format.bits = 8; cf.format.gamma = 8.0f; cf.format.w_max = 1.0f;
    cf.lr = 0.01f; cf.beta2 = 0.999f; cf.g_bound = 10.0f; cf.step = 10; cf.seed = 42; cf.tensor_id = 3;
    hyb_madam_config m;
    memset(&m, 0, sizeof m);
    m.lr = 0.01f; m.beta2 = 0.999f; m.g_bound = 10.0f; m.w_max = 1.0f; m.step = 10;
    double best[CASES];
    for (int k = 0; k < CASES; ++k) best[k] = 1e30;
    for (int round = 0; round < rounds; ++round)
        for (int k = 0; k < CASES; ++k) {
            const int lns = k >= 1 && k <= 6;
            cf.rounding = k <= 2 ? HYB_ROUNDING_NEAREST : HYB_ROUNDING_STOCHASTIC;
            cf.random_bits = k <= 2 ? 0 : k == 5 ? 4 : k == 6 ? 32 : 8;
            cf.nonfinite = k == 2 || k == 4 ? HYB_NONFINITE_POLICY_REJECT : HYB_NONFINITE_POLICY_SKIP;
            m.nonfinite = k == 8 ? HYB_NONFINITE_POLICY_REJECT : HYB_NONFINITE_POLICY_SKIP;
            const double t0 = cpu_s();
            if (k == 0) memcpy(b, a, (size_t)n * 7);
            else if (k == 7) memcpy(b2, a2, (size_t)n * 10);
            else if (lns && hyb_lns_madam_step_u8(&cf, c, g, n, v, n, NULL)) return 1;
            else if (!lns && hyb_madam_step_f32(&m, w, g, v, n, NULL)) return 1;
            const double t = cpu_s() - t0;
            if (t < best[k]) best[k] = t;
        }
    printf("SIMD level %d, one thread, n = %lld, best of %d rounds (thread CPU time)\n", level, (long long)n, rounds);
    for (int k = 0; k < CASES; ++k) {
        const double copy = k >= 7 ? best[7] : best[0];
        printf("%-22s %8.2f ms  %5.1f %% of copy  %.2f ns/element\n", names[k], best[k] * 1e3,
               100.0 * copy / best[k], best[k] / (double)n * 1e9);
    }
    return 0;
}
