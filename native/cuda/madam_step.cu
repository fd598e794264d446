/* madam_step.cu - hyb_cuda_madam_step_f32: the CPU step's element maths, four elements per
 * thread. The exponential is the shared polynomial hyb_expf (not CUDA's expf), and nvcc runs
 * with --fmad=false and IEEE division and square root, so the weights come out bit-identical
 * to hyb_madam_step_f32's. */
#include "madam_step.cuh"
#include "check.cuh"

static __global__ void madam_step_kernel(hyb_madam_consts k, float lr, float wmax,
                                         float* __restrict__ w, const float* __restrict__ grad,
                                         float* __restrict__ v, int64_t n, int vec,
                                         unsigned long long* counters) {
    const int64_t groups = (n + 3) / 4;
    unsigned long long changed = 0, skipped = 0;
    for (int64_t gi = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; gi < groups;
         gi += (int64_t)gridDim.x * blockDim.x) {
        const int64_t i0 = 4 * gi;
        const int m = n - i0 < 4 ? (int)(n - i0) : 4;
        float g[4], vv[4], ww[4];
        hyb_load4(grad, i0, m, vec, g);
        hyb_load4(v, i0, m, vec, vv);
        hyb_load4(w, i0, m, vec, ww);
        for (int j = 0; j < 4; ++j) {
            const int ok = hyb_isfinite_f32(g[j]);
            float vn = vv[j];
            const float gh = hyb_madam_normalised(ok ? g[j] : 0.0f, &vn, &k);
            const float wi = ww[j];
            const float sgn = wi > 0.0f ? 1.0f : (wi < 0.0f ? -1.0f : 0.0f);
            float wn = wi * hyb_expf(-lr * gh * sgn); /* w <- w * exp(-lr * gh * sign(w)) */
            wn = wn > wmax ? wmax : wn;
            wn = wn < -wmax ? -wmax : wn;
            wn = ok ? wn : wi;
            changed += (j < m) & (wn != wi);
            skipped += (j < m) & !ok;
            vv[j] = ok ? vn : vv[j];
            ww[j] = wn;
        }
        hyb_store4(v, i0, m, vec, vv);
        hyb_store4(w, i0, m, vec, ww);
    }
    if (counters != nullptr) {
        hyb_warp_add(&counters[0], changed);
        hyb_warp_add(&counters[1], skipped);
    }
}

cudaError_t madam_step_launch(const hyb_madam_consts& k, float lr, float w_max, float* w,
                              const float* grad, float* v, int64_t n,
                              unsigned long long* counters, unsigned grid, cudaStream_t s) {
    const int vec = hyb_cuda_aligned(w, 4) && hyb_cuda_aligned(grad, 4) && hyb_cuda_aligned(v, 4);
    madam_step_kernel<<<grid, HYB_CUDA_BLOCK, 0, s>>>(k, lr, w_max, w, grad, v, n, vec, counters);
    return cudaGetLastError();
}

extern "C" hyb_status hyb_cuda_madam_step_f32(const hyb_madam_config* cfg, float* w,
                                              const float* grad, float* v, int64_t n,
                                              hyb_step_stats* stats, void* stream) {
    static const char* fn = "hyb_cuda_madam_step_f32";
    hyb_clear_error();
    if (cfg == NULL) return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: config is NULL", fn);
    hyb_status st = hyb_check_madam_common(fn, cfg->lr, cfg->beta2, cfg->g_bound, cfg->step,
                                           cfg->nonfinite);
    if (st) return st;
    if (!(cfg->w_max > 0.0f) || !hyb_isfinite_f32(cfg->w_max))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: w_max = %g must be finite and > 0",
                        fn, (double)cfg->w_max);
    if (cfg->reserved != 0)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: config.reserved must be 0", fn);
    if ((st = hyb_check_length(fn, n)) || (st = hyb_check_ptr(fn, w, "w", n)) ||
        (st = hyb_check_ptr(fn, grad, "grad", n)) || (st = hyb_check_ptr(fn, v, "v", n)))
        return st;
    const size_t fb = (size_t)n * 4;
    if ((st = hyb_check_disjoint(fn, w, fb, "w", grad, fb, "grad")) ||
        (st = hyb_check_disjoint(fn, w, fb, "w", v, fb, "v")) ||
        (st = hyb_check_disjoint(fn, grad, fb, "grad", v, fb, "v")))
        return st;
    if (n == 0) {
        if (stats) *stats = hyb_step_stats{0, 0, 0, 0};
        return HYB_STATUS_OK;
    }
    if ((st = hyb_cuda_check_buffer(fn, "w", w, fb)) ||
        (st = hyb_cuda_check_buffer(fn, "grad", grad, fb)) ||
        (st = hyb_cuda_check_buffer(fn, "v", v, fb)))
        return st;
    cudaStream_t s = (cudaStream_t)stream;
    const int reject = cfg->nonfinite == HYB_NONFINITE_POLICY_REJECT;
    hyb_cuda_first_bad bad;
    if ((st = hyb_cuda_find_bad(fn, s, n, reject ? grad : nullptr, w, nullptr, 4, 32, &bad)))
        return st;
    if (bad.a >= 0)
        return hyb_fail(HYB_STATUS_NON_FINITE,
                        "%s: grad[%lld] = %g is not finite (policy: reject)", fn,
                        (long long)bad.a, (double)hyb_cuda_peek_f32(grad, bad.a));
    if (bad.b >= 0)
        return hyb_fail(HYB_STATUS_NON_FINITE, "%s: w[%lld] = %g is not finite", fn,
                        (long long)bad.b, (double)hyb_cuda_peek_f32(w, bad.b));
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
                 madam_step_launch(k, cfg->lr, cfg->w_max, w, grad, v, n, counters.words(), grid,
                                   s));
    if (stats) {
        unsigned long long c[2];
        HYB_CUDA_TRY(fn, "cudaMemcpyAsync(counters)",
                     cudaMemcpyAsync(c, counters.ptr, sizeof c, cudaMemcpyDeviceToHost, s));
        HYB_CUDA_TRY(fn, "cudaStreamSynchronize", cudaStreamSynchronize(s));
        *stats = hyb_step_stats{n, (int64_t)c[0], (int64_t)c[1], 0};
    }
    return HYB_STATUS_OK;
}
