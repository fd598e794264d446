/* madam_step.cu - hyb_cuda_madam_step_f32: the CPU step's element step (hyb_madam_element,
 * element_steps.h), four elements per thread. The exponential is the shared polynomial
 * hyb_madam_exp (not CUDA's expf), and nvcc runs with --fmad=false and IEEE division and square
 * root, so the weights come out bit-identical to hyb_madam_step_f32's. */
#include "madam_step.cuh"
#include "check.cuh"

static __global__ void madam_step_kernel(hyb_madam_consts c, float lr, float wmax, int propagate,
                                         float* __restrict__ w, const float* __restrict__ grad,
                                         float* __restrict__ v, int64_t n, int vec,
                                         unsigned long long* counters) {
    const hyb_step_lanes k = hyb_step_lanes_make(&c, 0, lr, wmax);
    const int64_t groups = (n + 3) / 4;
    hyb_vi changed = 0, nonfinite = 0;
    for (int64_t gi = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; gi < groups;
         gi += (int64_t)gridDim.x * blockDim.x) {
        const int64_t i0 = 4 * gi;
        const int m = n - i0 < 4 ? (int)(n - i0) : 4;
        float g[4], vv[4], ww[4];
        hyb_load4(grad, i0, m, vec, g);
        hyb_load4(v, i0, m, vec, vv);
        hyb_load4(w, i0, m, vec, ww);
#pragma unroll
        for (int j = 0; j < 4; ++j)
            if (j < m)
                ww[j] = hyb_madam_element(&k, propagate ? HYB_STEP_PROPAGATE : 0, ww[j], g[j], &vv[j],
                                          &changed, &nonfinite);
        hyb_store4(v, i0, m, vec, vv);
        hyb_store4(w, i0, m, vec, ww);
    }
    if (counters != nullptr) {
        hyb_warp_add(&counters[0], (unsigned long long)changed);
        hyb_warp_add(&counters[1], (unsigned long long)nonfinite);
    }
}

cudaError_t madam_step_launch(const hyb_madam_consts& k, float lr, float w_max, int propagate,
                              float* w, const float* grad, float* v, int64_t n,
                              unsigned long long* counters, unsigned grid, cudaStream_t s) {
    const int vec = hyb_cuda_aligned(w, 4) && hyb_cuda_aligned(grad, 4) && hyb_cuda_aligned(v, 4);
    madam_step_kernel<<<grid, HYB_CUDA_BLOCK, 0, s>>>(k, lr, w_max, propagate, w, grad, v, n, vec,
                                                      counters);
    return cudaGetLastError();
}

extern "C" hyb_status hyb_cuda_madam_step_f32(const hyb_madam_config* cfg, float* w,
                                              const float* grad, float* v, int64_t n,
                                              hyb_step_stats* stats, void* stream) {
    static const char* fn = "hyb_cuda_madam_step_f32";
    hyb_clear_error();
    hyb_status st = hyb_check_madam_step(fn, cfg, w, grad, v, n);
    if (st) return st;
    const size_t fb = (size_t)n * 4;
    if (n == 0) {
        if (stats) *stats = hyb_step_stats{0, 0, 0, 0};
        return HYB_STATUS_OK;
    }
    if ((st = hyb_cuda_check_buffers3(fn, "w", w, fb, "grad", grad, fb, "v", v, fb))) return st;
    cudaStream_t s = (cudaStream_t)stream;
    if ((st = hyb_cuda_check_step_data(fn, s, n, grad,
                                       cfg->nonfinite == HYB_NONFINITE_POLICY_REJECT, w, nullptr,
                                       4, 32)))
        return st;
    const hyb_madam_consts k =
        hyb_madam_consts_make(cfg->beta2, cfg->g_bound, cfg->step, 1.0f, 0.0f, 0.0f);
    unsigned grid = 0;
    if ((st = hyb_cuda_grid(fn, (n + 3) / 4, &grid))) return st;
    hyb_cuda_scratch counters;
    if (stats) {
        if ((st = counters.alloc(fn, 2 * sizeof(unsigned long long), s))) return st;
        HYB_CUDA_TRY(fn, "cudaMemsetAsync(counters)",
                     cudaMemsetAsync(counters.ptr, 0, 2 * sizeof(unsigned long long), s));
    }
    HYB_CUDA_TRY(fn, "launch(madam_step)",
                 madam_step_launch(k, cfg->lr, cfg->w_max,
                                   cfg->nonfinite == HYB_NONFINITE_POLICY_PROPAGATE, w, grad, v, n,
                                   counters.words(), grid, s));
    return stats ? hyb_cuda_read_stats(fn, counters, n, stats, s) : HYB_STATUS_OK;
}
