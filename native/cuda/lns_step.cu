/* lns_step.cu - hyb_cuda_lns_madam_step_u8/u16. One thread per Philox block of four
 * elements (element i uses lane i mod 4 of block i / 4, as on the CPU), so every uniform is
 * drawn exactly once and the result does not depend on the launch geometry. */
#include "lns_step.cuh"
#include "check.cuh"
#include "philox.h"

template <typename code_t>
static __global__ void lns_step_kernel(lns_step_args a, code_t* __restrict__ codes,
                                       const float* __restrict__ grad, float* __restrict__ v,
                                       int64_t n, int vec, unsigned long long* counters) {
    const hyb_madam_consts k = a.k;
    const int64_t groups = (n + 3) / 4;
    unsigned long long changed = 0, skipped = 0;
    for (int64_t gi = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; gi < groups;
         gi += (int64_t)gridDim.x * blockDim.x) {
        const int64_t i0 = 4 * gi;
        const int m = n - i0 < 4 ? (int)(n - i0) : 4;
        float u[4] = {0.5f, 0.5f, 0.5f, 0.5f};
        if (a.stochastic) {
            hyb_u32x4 r = hyb_stream_block(a.seed, a.step, a.tensor_id,
                                           HYB_RANDOM_PURPOSE_ROUNDING, (uint64_t)gi);
            for (int j = 0; j < 4; ++j) u[j] = hyb_u32_to_unit_f32(r.v[j]);
        }
        float g[4], vv[4];
        uint32_t c[4];
        hyb_load4(grad, i0, m, vec, g);
        hyb_load4(v, i0, m, vec, vv);
        hyb_load4(codes, i0, m, vec, c);
        for (int j = 0; j < 4; ++j) {
            const int ok = hyb_isfinite_f32(g[j]);
            float vn = vv[j];
            const float gh = hyb_madam_normalised(ok ? g[j] : 0.0f, &vn, &k);
            uint32_t cn = hyb_lns_step_one(c[j], gh, u[j], a.bits, &k);
            cn = ok ? cn : c[j];
            changed += (j < m) & (cn != c[j]);
            skipped += (j < m) & !ok;
            vv[j] = ok ? vn : vv[j];
            c[j] = cn;
        }
        hyb_store4(v, i0, m, vec, vv);
        hyb_store4(codes, i0, m, vec, c);
    }
    if (counters != nullptr) {
        hyb_warp_add(&counters[0], changed);
        hyb_warp_add(&counters[1], skipped);
    }
}

template <typename code_t>
cudaError_t lns_step_launch(const lns_step_args& a, code_t* codes, const float* grad, float* v,
                            int64_t n, unsigned long long* counters, unsigned grid,
                            cudaStream_t s) {
    const int vec = hyb_cuda_aligned(codes, sizeof(code_t)) && hyb_cuda_aligned(grad, 4) &&
                    hyb_cuda_aligned(v, 4);
    lns_step_kernel<code_t><<<grid, HYB_CUDA_BLOCK, 0, s>>>(a, codes, grad, v, n, vec, counters);
    return cudaGetLastError();
}

/* The checks of hyb_lns_madam_step_* in the same order with the same messages, then the
 * device checks (codes in format, grad finite under the reject policy), then the launch. */
template <typename code_t>
static hyb_status lns_step(const char* fn, const hyb_lns_madam_config* cfg, code_t* codes,
                           const float* grad, float* v, int64_t n, hyb_step_stats* stats,
                           void* stream) {
    hyb_clear_error();
    if (cfg == NULL) return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: config is NULL", fn);
    const int cb = (int)sizeof(code_t);
    hyb_status st = hyb_check_lns_format(fn, &cfg->format, cb);
    if (st) return st;
    if ((st = hyb_check_madam_common(fn, cfg->lr, cfg->beta2, cfg->g_bound, cfg->step,
                                     cfg->nonfinite)))
        return st;
    if (cfg->rounding != HYB_ROUNDING_NEAREST && cfg->rounding != HYB_ROUNDING_STOCHASTIC)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: rounding %d is unknown", fn,
                        (int)cfg->rounding);
    lns_step_args a;
    a.k = hyb_madam_consts_make(cfg->beta2, cfg->g_bound, cfg->step, cfg->format.gamma, cfg->lr);
    if (!((double)a.k.code_scale * (double)cfg->g_bound <= 1048576.0))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "%s: gamma * lr * g_bound / ln 2 = %g code steps exceeds 2^20", fn,
                        (double)a.k.code_scale * (double)cfg->g_bound);
    if ((st = hyb_check_length(fn, n)) || (st = hyb_check_ptr(fn, codes, "codes", n)) ||
        (st = hyb_check_ptr(fn, grad, "grad", n)) || (st = hyb_check_ptr(fn, v, "v", n)))
        return st;
    const size_t cbytes = (size_t)n * cb, fbytes = (size_t)n * 4;
    if ((st = hyb_check_disjoint(fn, codes, cbytes, "codes", grad, fbytes, "grad")) ||
        (st = hyb_check_disjoint(fn, codes, cbytes, "codes", v, fbytes, "v")) ||
        (st = hyb_check_disjoint(fn, grad, fbytes, "grad", v, fbytes, "v")))
        return st;
    if (n == 0) {
        if (stats) *stats = hyb_step_stats{0, 0, 0, 0};
        return HYB_STATUS_OK;
    }
    if ((st = hyb_cuda_check_buffer(fn, "codes", codes, cbytes)) ||
        (st = hyb_cuda_check_buffer(fn, "grad", grad, fbytes)) ||
        (st = hyb_cuda_check_buffer(fn, "v", v, fbytes)))
        return st;
    cudaStream_t s = (cudaStream_t)stream;
    const int reject = cfg->nonfinite == HYB_NONFINITE_POLICY_REJECT;
    hyb_cuda_first_bad bad;
    if ((st = hyb_cuda_find_bad(fn, s, n, reject ? grad : nullptr, nullptr, codes, cb,
                                cfg->format.bits, &bad)))
        return st;
    if (bad.code >= 0)
        return hyb_fail(HYB_STATUS_INVALID_CODE,
                        "%s: codes[%lld] = %u has bits above bit %d of a %d-bit format", fn,
                        (long long)bad.code, (unsigned)hyb_cuda_peek_code(codes, cb, bad.code),
                        (int)cfg->format.bits - 1, (int)cfg->format.bits);
    if (bad.a >= 0)
        return hyb_fail(HYB_STATUS_NON_FINITE,
                        "%s: grad[%lld] = %g is not finite (policy: reject)", fn,
                        (long long)bad.a, (double)hyb_cuda_peek_f32(grad, bad.a));
    a.seed = cfg->seed;
    a.step = cfg->step;
    a.tensor_id = cfg->tensor_id;
    a.bits = cfg->format.bits;
    a.stochastic = cfg->rounding == HYB_ROUNDING_STOCHASTIC;
    unsigned grid = 0;
    if ((st = hyb_cuda_grid(fn, (n + 3) / 4, &grid))) return st;
    hyb_cuda_scratch counters;
    if (stats) {
        if ((st = counters.alloc(fn, 2 * sizeof(unsigned long long), s))) return st;
        HYB_CUDA_TRY(fn, "cudaMemsetAsync(counters)",
                     cudaMemsetAsync(counters.ptr, 0, 2 * sizeof(unsigned long long), s));
    }
    HYB_CUDA_TRY(fn, "launch(lns_step)",
                 lns_step_launch<code_t>(a, codes, grad, v, n, counters.words(), grid, s));
    if (stats) {
        unsigned long long c[2];
        HYB_CUDA_TRY(fn, "cudaMemcpyAsync(counters)",
                     cudaMemcpyAsync(c, counters.ptr, sizeof c, cudaMemcpyDeviceToHost, s));
        HYB_CUDA_TRY(fn, "cudaStreamSynchronize", cudaStreamSynchronize(s));
        *stats = hyb_step_stats{n, (int64_t)c[0], (int64_t)c[1], 0};
    }
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_lns_madam_step_u8(const hyb_lns_madam_config* config,
                                                 uint8_t* codes_dev, const float* grad_dev,
                                                 float* v_dev, int64_t n, hyb_step_stats* stats,
                                                 void* stream) {
    return lns_step<uint8_t>("hyb_cuda_lns_madam_step_u8", config, codes_dev, grad_dev, v_dev, n,
                             stats, stream);
}

extern "C" hyb_status hyb_cuda_lns_madam_step_u16(const hyb_lns_madam_config* config,
                                                  uint16_t* codes_dev, const float* grad_dev,
                                                  float* v_dev, int64_t n,
                                                  hyb_step_stats* stats, void* stream) {
    return lns_step<uint16_t>("hyb_cuda_lns_madam_step_u16", config, codes_dev, grad_dev, v_dev,
                              n, stats, stream);
}
