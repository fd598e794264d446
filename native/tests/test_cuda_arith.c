/* The CUDA LNS arithmetic (hybrid/lns_arith.h, hybrid/cuda.h) against the CPU kernels, through
 * the public C ABI only: the quantiser for every B, both roundings, lengths 0..300 and 2^20 + 3,
 * in place and not, values and stats bit-identical; the exact GEMM on random shapes (tails,
 * zeros, truncation, a narrow accumulator that saturates), outputs and stats identical; bad
 * device data refused with nothing written. Without a GPU (or CUDA) it exits 77 (skipped). */
#include <math.h>
#include "check.h"

#define SKIP 77
#define BIG (((int64_t)1 << 20) + 3)

static void fill(float* x, int64_t n, float scale) {
    for (int64_t i = 0; i < n; ++i) {
        double u = test_uniform();
        x[i] = u < 0.05 ? 0.0f : scale * test_normal() * (float)pow(2.0, -10.0 * test_uniform());
        if (i % 97 == 5) x[i] = 3.0f * scale;
        if (i % 89 == 7) x[i] = scale * 1e-12f;
    }
}

static void test_quantize(float* h_x, float* h_y, float* h_r, float* d_x, float* d_y) {
    const float gammas[] = {1.0f, 8.0f, 2048.0f};
    for (int bits = 2; bits <= 16; ++bits)
        for (int gi = 0; gi < 3; ++gi)
            for (int rnd = 0; rnd < 2; ++rnd) {
                if ((double)((1 << (bits - 1)) - 2) / gammas[gi] > 100.0) continue;
                hyb_lns_quantize_config c;
                memset(&c, 0, sizeof c);
                c.format.bits = bits;
                c.format.gamma = gammas[gi];
                c.format.w_max = 0.37f;
                c.rounding = (hyb_rounding)rnd;
                c.nonfinite = HYB_NONFINITE_POLICY_SKIP;
                c.tensor_id = 5;
                c.step = 3;
                c.seed = 0xDEADBEEFCAFEF00Dull;
                for (int64_t n = 0; n <= BIG; n = n < 300 ? n + (bits == 8 ? 1 : 31) : (n == BIG ? BIG + 1 : BIG)) {
                    fill(h_x, n, 0.37f);
                    if (n > 9) h_x[9] = NAN;
                    hyb_quantize_stats cs, gs;
                    CHECK_OK(hyb_lns_quantize_f32(&c, h_x, h_r, n, &cs));
                    CHECK_OK(hyb_cuda_memcpy_htod(d_x, h_x, n * 4, NULL));
                    CHECK_OK(hyb_cuda_lns_quantize_f32(&c, d_x, n % 2 ? d_x : d_y, n, &gs, NULL));
                    CHECK_OK(hyb_cuda_memcpy_dtoh(h_y, n % 2 ? d_x : d_y, n * 4, NULL));
                    CHECK(memcmp(h_y, h_r, (size_t)n * 4) == 0, "B=%d gamma=%g rnd=%d n=%lld: values differ",
                          bits, (double)gammas[gi], rnd, (long long)n);
                    CHECK(memcmp(&cs, &gs, sizeof cs) == 0, "B=%d n=%lld: stats differ", bits, (long long)n);
                }
            }
}

static void random_codes(uint16_t* x, int64_t n, int bits) {
    const int kz = (1 << (bits - 1)) - 1;
    for (int64_t i = 0; i < n; ++i) {
        int k = (int)(test_uniform() * 40);
        if (k > kz || test_uniform() < 0.1) k = kz;
        x[i] = (uint16_t)(k | (test_uniform() < 0.5 ? 1 << (bits - 1) : 0));
    }
}

static void test_gemm(void* d_a, void* d_b, float* d_c) {
    const int64_t shapes[][3] = {{0, 4, 3}, {1, 1, 1}, {5, 7, 17}, {9, 33, 31}, {64, 784, 40}};
    const int accs[][2] = {{32, 24}, {12, 8}};
    for (int s = 0; s < 5; ++s)
        for (int g = 1; g <= 64; g *= 2)
            for (int ai = 0; ai < 2; ++ai)
                for (int bits = 8; bits <= 12; bits += 4) {
                    const int64_t m = shapes[s][0], k = shapes[s][1], n = shapes[s][2];
                    hyb_lns_gemm_config c;
                    memset(&c, 0, sizeof c);
                    c.a.bits = c.b.bits = bits;
                    c.a.gamma = c.b.gamma = (float)g;
                    c.a.w_max = 0.8f;
                    c.b.w_max = 1.7f;
                    c.m = m; c.k = k; c.n = n;
                    c.acc_bits = accs[ai][0];
                    c.frac_bits = accs[ai][1];
                    if (bits == 12 && g < 8) continue;
                    uint16_t* a = malloc(2 * (size_t)(m * k + 1));
                    uint16_t* b = malloc(2 * (size_t)(k * n + 1));
                    float* cpu = malloc(4 * (size_t)(m * n + 1));
                    float* gpu = malloc(4 * (size_t)(m * n + 1));
                    random_codes(a, m * k, bits);
                    random_codes(b, k * n, bits);
                    hyb_gemm_stats cs, gs;
                    if (bits == 8) {
                        uint8_t* a8 = malloc((size_t)(m * k + 1));
                        uint8_t* b8 = malloc((size_t)(k * n + 1));
                        for (int64_t i = 0; i < m * k; ++i) a8[i] = (uint8_t)a[i];
                        for (int64_t i = 0; i < k * n; ++i) b8[i] = (uint8_t)b[i];
                        CHECK_OK(hyb_lns_gemm_exact_u8(&c, a8, b8, cpu, &cs));
                        CHECK_OK(hyb_cuda_memcpy_htod(d_a, a8, m * k, NULL));
                        CHECK_OK(hyb_cuda_memcpy_htod(d_b, b8, k * n, NULL));
                        CHECK_OK(hyb_cuda_lns_gemm_exact_u8(&c, d_a, d_b, d_c, &gs, NULL));
                        free(a8);
                        free(b8);
                    } else {
                        CHECK_OK(hyb_lns_gemm_exact_u16(&c, a, b, cpu, &cs));
                        CHECK_OK(hyb_cuda_memcpy_htod(d_a, a, 2 * m * k, NULL));
                        CHECK_OK(hyb_cuda_memcpy_htod(d_b, b, 2 * k * n, NULL));
                        CHECK_OK(hyb_cuda_lns_gemm_exact_u16(&c, d_a, d_b, d_c, &gs, NULL));
                    }
                    CHECK_OK(hyb_cuda_memcpy_dtoh(gpu, d_c, 4 * m * n, NULL));
                    CHECK(memcmp(cpu, gpu, 4 * (size_t)(m * n)) == 0, "B=%d gamma=%d W=%d %lldx%lldx%lld: outputs differ",
                          bits, g, c.acc_bits, (long long)m, (long long)k, (long long)n);
                    CHECK(memcmp(&cs, &gs, sizeof cs) == 0, "B=%d gamma=%d W=%d: stats differ (%lld/%lld saturations)",
                          bits, g, c.acc_bits, (long long)cs.saturations, (long long)gs.saturations);
                    free(a); free(b); free(cpu); free(gpu);
                }
}

static void test_bad_device_data(float* d_x, float* d_y, void* d_a, void* d_b, float* d_c) {
    hyb_lns_quantize_config q;
    memset(&q, 0, sizeof q);
    q.format.bits = 8;
    q.format.gamma = 8;
    q.format.w_max = 1;
    float h[4] = {1, 2, INFINITY, 4}, keep[4] = {7, 7, 7, 7}, back[4];
    CHECK_OK(hyb_cuda_memcpy_htod(d_x, h, 16, NULL));
    CHECK_OK(hyb_cuda_memcpy_htod(d_y, keep, 16, NULL));
    CHECK_FAILS(hyb_cuda_lns_quantize_f32(&q, d_x, d_y, 4, NULL, NULL), HYB_STATUS_NON_FINITE, "x[2]");
    CHECK_OK(hyb_cuda_memcpy_dtoh(back, d_y, 16, NULL));
    CHECK(memcmp(back, keep, 16) == 0, "nothing written");
    CHECK_FAILS(hyb_cuda_lns_quantize_f32(&q, h, d_y, 4, NULL, NULL), HYB_STATUS_INVALID_ARGUMENT, "host memory");
    hyb_lns_gemm_config c;
    memset(&c, 0, sizeof c);
    c.a.bits = c.b.bits = 4;
    c.a.gamma = c.b.gamma = 1;
    c.a.w_max = c.b.w_max = 1;
    c.m = c.k = c.n = 2;
    c.acc_bits = 32;
    c.frac_bits = 24;
    uint8_t codes[4] = {1, 2, 0x1F, 3};
    CHECK_OK(hyb_cuda_memcpy_htod(d_a, codes, 4, NULL));
    CHECK_OK(hyb_cuda_memcpy_htod(d_b, codes, 4, NULL));
    CHECK_OK(hyb_cuda_memcpy_htod(d_c, keep, 16, NULL));
    CHECK_FAILS(hyb_cuda_lns_gemm_exact_u8(&c, d_a, d_b, d_c, NULL, NULL), HYB_STATUS_INVALID_CODE, "a[2]");
    CHECK_OK(hyb_cuda_memcpy_dtoh(back, d_c, 16, NULL));
    CHECK(memcmp(back, keep, 16) == 0, "nothing written");
}

int main(void) {
    int32_t count = 0;
    hyb_status st = hyb_cuda_device_count(&count);
    if (st != HYB_STATUS_OK) {
        printf("test_cuda_arith: skipped: %s\n", hyb_last_error_message());
        return SKIP;
    }
    float *h_x = malloc(4 * BIG), *h_y = malloc(4 * BIG), *h_r = malloc(4 * BIG);
    void *d_x, *d_y, *d_a, *d_b, *d_c;
    CHECK_OK(hyb_cuda_malloc(&d_x, 4 * BIG));
    CHECK_OK(hyb_cuda_malloc(&d_y, 4 * BIG));
    CHECK_OK(hyb_cuda_malloc(&d_a, 2 * 64 * 784));
    CHECK_OK(hyb_cuda_malloc(&d_b, 2 * 784 * 40));
    CHECK_OK(hyb_cuda_malloc(&d_c, 4 * 64 * 40));
    test_quantize(h_x, h_y, h_r, d_x, d_y);
    test_gemm(d_a, d_b, d_c);
    test_bad_device_data(d_x, d_y, d_a, d_b, d_c);
    hyb_cuda_free(d_x);
    hyb_cuda_free(d_y);
    hyb_cuda_free(d_a);
    hyb_cuda_free(d_b);
    hyb_cuda_free(d_c);
    free(h_x); free(h_y); free(h_r);
    return check_report("test_cuda_arith");
}
