/* lns_quantize.cu - hyb_cuda_lns_quantize_f32: the CPU quantiser's decisions on the GPU. The grid
 * tables are filled on the device by the CPU's own functions (arith_math.h: hyb_lns_level and
 * hyb_lns_threshold, double arithmetic without FMA), then one thread per Philox block of four
 * elements searches them (hyb_lns_quantize_index); element i uses lane i mod 4 of block i / 4,
 * as on the CPU, so nothing depends on the launch geometry. Same checks and messages as the CPU. */
#include "lns_quantize.cuh"
#include "check.cuh"
#include "arith_math.h"
#include "philox.h"

static __global__ void grid_kernel(int32_t kz, float gamma, float w_max, float* __restrict__ lv,
                                   float* __restrict__ th) {
    for (int32_t k = blockIdx.x * blockDim.x + threadIdx.x; k < kz; k += gridDim.x * blockDim.x) {
        lv[k] = hyb_lns_level(k, gamma, w_max);
        th[k] = hyb_lns_threshold(k, kz, gamma, w_max);
    }
}

struct quantize_args {
    uint64_t seed;
    int64_t step;
    uint32_t tensor_id;
    int32_t kz;
    int32_t stochastic;
};

static __global__ void quantize_kernel(quantize_args a, const float* x, float* y, int64_t n,
                                       const float* __restrict__ lv,
                                       const float* __restrict__ th,
                                       unsigned long long* counters) {
    const int64_t groups = (n + 3) / 4;
    unsigned long long sat = 0, under = 0, nonfin = 0;
    for (int64_t gi = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; gi < groups;
         gi += (int64_t)gridDim.x * blockDim.x) {
        const int64_t i0 = 4 * gi;
        const int m = n - i0 < 4 ? (int)(n - i0) : 4;
        float u[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        if (a.stochastic) {
            const hyb_u32x4 r = hyb_stream_block(a.seed, a.step, a.tensor_id,
                                                 HYB_RANDOM_PURPOSE_QUANTIZE, (uint64_t)gi);
            for (int j = 0; j < 4; ++j) u[j] = hyb_u32_to_unit_f32(r.v[j]);
        }
        for (int j = 0; j < m; ++j) {
            const float xi = x[i0 + j];
            if (!hyb_isfinite_f32(xi)) {
                y[i0 + j] = xi;
                ++nonfin;
                continue;
            }
            const int32_t k = hyb_lns_quantize_index(xi, u[j], a.stochastic, lv, th, a.kz);
            const float v = k == a.kz ? 0.0f : lv[k];
            y[i0 + j] = k == a.kz ? 0.0f : (xi < 0.0f ? -v : v);
            sat += xi > lv[0] || xi < -lv[0];
            under += k == a.kz && xi != 0.0f;
        }
    }
    if (counters != nullptr) {
        hyb_warp_add(&counters[0], sat);
        hyb_warp_add(&counters[1], under);
        hyb_warp_add(&counters[2], nonfin);
    }
}

extern "C" hyb_status hyb_cuda_lns_quantize_f32(const hyb_lns_quantize_config* cfg,
                                                const float* x, float* y, int64_t n,
                                                hyb_quantize_stats* stats, void* stream) {
    static const char* fn = "hyb_cuda_lns_quantize_f32";
    hyb_clear_error();
    hyb_status st = hyb_check_lns_quantize(fn, cfg, x, y, n);
    if (st) return st;
    if (n == 0) {
        if (stats) *stats = hyb_quantize_stats{0, 0, 0, 0};
        return HYB_STATUS_OK;
    }
    if ((st = hyb_cuda_check_buffer(fn, "x", x, (size_t)n * 4)) ||
        (st = hyb_cuda_check_buffer(fn, "y", y, (size_t)n * 4)))
        return st;
    cudaStream_t s = (cudaStream_t)stream;
    if (cfg->nonfinite == HYB_NONFINITE_POLICY_REJECT) {
        hyb_cuda_first_bad bad;
        if ((st = hyb_cuda_find_bad(fn, s, n, x, nullptr, nullptr, 2, 16, &bad))) return st;
        if (bad.a >= 0)
            return hyb_fail(HYB_STATUS_NON_FINITE, "%s: x[%lld] = %g is not finite", fn,
                            (long long)bad.a, (double)hyb_cuda_peek_f32(x, bad.a));
    }
    /* Validated: from here on y is written. Scratch: 3 counters, then the two tables. */
    quantize_args a;
    a.seed = cfg->seed;
    a.step = cfg->step;
    a.tensor_id = cfg->tensor_id;
    a.kz = (1 << (cfg->format.bits - 1)) - 1;
    a.stochastic = cfg->rounding == HYB_ROUNDING_STOCHASTIC;
    hyb_cuda_scratch scratch;
    if ((st = scratch.alloc(fn, 32 + 2 * (size_t)a.kz * 4, s))) return st;
    HYB_CUDA_TRY(fn, "cudaMemsetAsync(counters)", cudaMemsetAsync(scratch.ptr, 0, 32, s));
    float* lv = (float*)((char*)scratch.ptr + 32);
    float* th = lv + a.kz;
    const unsigned tgrid = (unsigned)((a.kz + HYB_CUDA_BLOCK - 1) / HYB_CUDA_BLOCK);
    grid_kernel<<<tgrid, HYB_CUDA_BLOCK, 0, s>>>(a.kz, cfg->format.gamma, cfg->format.w_max, lv, th);
    HYB_CUDA_TRY(fn, "launch(lns_grid)", cudaGetLastError());
    unsigned grid = 0;
    if ((st = hyb_cuda_grid(fn, (n + 3) / 4, &grid))) return st;
    quantize_kernel<<<grid, HYB_CUDA_BLOCK, 0, s>>>(a, x, y, n, lv, th, scratch.words());
    HYB_CUDA_TRY(fn, "launch(lns_quantize)", cudaGetLastError());
    if (stats) {
        unsigned long long c[3];
        HYB_CUDA_TRY(fn, "cudaMemcpyAsync(counters)",
                     cudaMemcpyAsync(c, scratch.ptr, sizeof c, cudaMemcpyDeviceToHost, s));
        HYB_CUDA_TRY(fn, "cudaStreamSynchronize", cudaStreamSynchronize(s));
        *stats = hyb_quantize_stats{n, (int64_t)c[0], (int64_t)c[1], (int64_t)c[2]};
    }
    return HYB_STATUS_OK;
}
