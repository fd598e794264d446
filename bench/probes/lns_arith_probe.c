/* lns_arith_probe.c - times libhybrid's exact LNS GEMM and LNS quantiser from C on a shared
 * machine: for each case the wall time and the process CPU time of the best of 5 repetitions, and
 * G MAC/s (GEMM) or ns per value (quantiser) by both clocks. On a loaded machine the wall figure
 * measures the machine's load; the CPU-time figure (one thread) is close to what the code does on
 * a core of its own. Evidence for docs/compare.md; not part of the build or the tests.
 *
 * From the repository root, after a build (dotnet build, or CMake into build/native-Release):
 *   gcc -O2 -Inative/include bench/probes/lns_arith_probe.c -Lbuild/native-Release/native -lhybrid \
 *       -Wl,-rpath,$PWD/build/native-Release/native -o /tmp/lns_arith_probe && /tmp/lns_arith_probe
 * The GEMM operands are LNS-Madam's format (8-bit codes, gamma 8, 32-bit accumulators, F = 24),
 * magnitudes over the first 5 octaves; A has 50 % zero codes (activations after a ReLU), which the
 * datapath skips; G MAC/s counts every product, zeros included.
 *   /tmp/lns_arith_probe quant N REPS   the quantiser alone on N values, best of REPS: N = 65536 REPS = 2000 gives
 *                                       the cache-resident cost (bench/RESULTS.md, issue 21), which moves less with
 *                                       the machine's memory traffic than the 2^20 default. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hybrid/hybrid.h"

static double clock_s(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct { const char* name; int m, k, n; } shape;

int main(int argc, char** argv) {
    const int quant_only = argc > 1 && strcmp(argv[1], "quant") == 0;
    const int64_t n = quant_only && argc > 2 ? atoll(argv[2]) : 1 << 20;
    const int reps = quant_only && argc > 3 ? atoi(argv[3]) : 5;
    const shape shapes[] = {{"fc1 fwd 128x784x256", 128, 784, 256}, {"fc1 bwd-w 256x128x784", 256, 128, 784},
                            {"fc2 128x256x256", 128, 256, 256}};
    srand(1);
    printf("| exact GEMM | threads | zero A | wall ms | CPU ms | G MAC/s (wall) | G MAC/s (CPU) |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for (int s = 0; s < (quant_only ? 0 : 3); ++s) {
        const shape sh = shapes[s];
        uint8_t* a = malloc((size_t)sh.m * sh.k);
        uint8_t* b = malloc((size_t)sh.k * sh.n);
        float* c = malloc(4 * (size_t)sh.m * sh.n);
        for (int i = 0; i < sh.k * sh.n; ++i) b[i] = (uint8_t)((rand() % 40) | ((rand() & 1) << 7));
        for (int zero = 0; zero <= 1; ++zero) {
            for (int i = 0; i < sh.m * sh.k; ++i)
                a[i] = zero && (rand() & 1) ? 127 : (uint8_t)((rand() % 40) | ((rand() & 1) << 7));
            hyb_lns_gemm_config cfg;
            memset(&cfg, 0, sizeof cfg);
            cfg.a.bits = cfg.b.bits = 8;
            cfg.a.gamma = cfg.b.gamma = 8;
            cfg.a.w_max = cfg.b.w_max = 1;
            cfg.m = sh.m; cfg.k = sh.k; cfg.n = sh.n;
            cfg.acc_bits = 32;
            cfg.frac_bits = 24;
            for (int threads = 1; threads <= 2; ++threads) {
                hyb_threads_set(threads);
                double best_wall = 1e9, best_cpu = 1e9;
                for (int rep = 0; rep < 5; ++rep) {
                    double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
                    if (hyb_lns_gemm_exact_u8(&cfg, a, b, c, NULL) != HYB_STATUS_OK) {
                        fprintf(stderr, "%s\n", hyb_last_error_message());
                        return 1;
                    }
                    double w = clock_s(CLOCK_MONOTONIC) - w0, cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
                    if (w < best_wall) best_wall = w;
                    if (cpu < best_cpu) best_cpu = cpu;
                }
                double macs = (double)sh.m * sh.k * sh.n;
                printf("| %s | %d | %s | %.2f | %.2f | %.2f | %.2f |\n", sh.name, threads, zero ? "50 %" : "0", 1e3 * best_wall,
                       1e3 * best_cpu, macs / best_wall / 1e9, macs * threads / best_cpu / 1e9);
            }
        }
        free(a); free(b); free(c);
    }
    float* x = malloc(4 * (size_t)n);
    float* y = malloc(4 * (size_t)n);
    for (int64_t i = 0; i < n; ++i) x[i] = ((float)rand() / (float)RAND_MAX - 0.5f) * 3.0f;
    printf("\n| quantiser (%lld values, best of %d) | rounding", (long long)n, reps);
    printf(" | threads | wall ns/value | CPU ns/value |\n|---|---|---:|---:|---:|\n");
    for (int r = 0; r < 2; ++r)
        for (int threads = 1; threads <= 2; ++threads) {
            hyb_threads_set(threads);
            hyb_lns_quantize_config q;
            memset(&q, 0, sizeof q);
            q.format.bits = 8;
            q.format.gamma = 8;
            q.format.w_max = 1.5f;
            q.rounding = (hyb_rounding)r;
            double best_wall = 1e9, best_cpu = 1e9;
            for (int rep = 0; rep < reps; ++rep) {
                double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
                hyb_lns_quantize_f32(&q, x, y, n, NULL);
                double w = clock_s(CLOCK_MONOTONIC) - w0, cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
                if (w < best_wall) best_wall = w;
                if (cpu < best_cpu) best_cpu = cpu;
            }
            printf("| lns8/8 | %s | %d | %.2f | %.2f |\n", r ? "stochastic" : "nearest", threads, 1e9 * best_wall / (double)n,
                   1e9 * best_cpu / (double)n / threads);
        }
    hyb_threads_set(0);
    free(x);
    free(y);
    return 0;
}
