/* lns_step.cu - hyb_cuda_lns_madam_step_u8/u16, with every moment mode and device-model
 * option of the CPU step, through the same element step (hyb_lns_element, element_steps.h). One thread per Philox block of four elements
 * (element i uses lane i mod 4 of block i / 4, as on the CPU), so every uniform is drawn once
 * and nothing depends on the launch geometry. Shared moments are reduced first
 * (sum_squares.cu, then lns_moment_kernel), in the CPU's order, so they are the same floats. */
#include "lns_step.cuh"
#include "check.cuh"
#include "sum_squares.cuh"
#include "philox.h"

static __global__ void lns_moment_kernel(lns_step_args a, const double* __restrict__ partial,
                                         int64_t rows, float* __restrict__ v,
                                         float* __restrict__ d) {
    const hyb_step_lanes k = hyb_step_lanes_make(&a.k, a.bits, 0.0f, 0.0f);
    const int64_t nb = hyb_sum_blocks_per_row(a.cols);
    for (int64_t r = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; r < rows;
         r += (int64_t)gridDim.x * blockDim.x) {
        double total = 0.0;
        for (int64_t b = 0; b < nb; ++b) total += partial[r * nb + b]; /* block order */
        const float ms = (float)(total / (double)a.cols);             /* hyb_mean_square */
        float vr = v[r];
        d[r] = hyb_madam_moment(ms, &vr, &k);
        v[r] = vr;
    }
}

cudaError_t lns_moment_launch(const lns_step_args& a, const double* partial, int64_t rows,
                              float* v, float* d, cudaStream_t s) {
    const int64_t want = (rows + HYB_CUDA_BLOCK - 1) / HYB_CUDA_BLOCK;
    const unsigned grid = (unsigned)(want < 65535 ? want : 65535);
    lns_moment_kernel<<<grid, HYB_CUDA_BLOCK, 0, s>>>(a, partial, rows, v, d);
    return cudaGetLastError();
}

/* GENERAL = false is the plain step (per-synapse moment, no device model), compiled on its
 * own: the general kernel's extra state would cost it registers, and so occupancy, on the
 * path that must run at memory speed. GENERAL = true reads the mode and options at run time.
 * Launch bounds of 4 blocks of 256 per SM hold it to 64 registers (60-62 used on sm_90, no
 * spills; 79 without), a full wave of loads per SM in flight. */
template <typename code_t, bool GENERAL>
static __global__ void __launch_bounds__(HYB_CUDA_BLOCK, 4)
lns_step_kernel(lns_step_args a, code_t* __restrict__ codes, const float* __restrict__ grad,
                float* __restrict__ v, const float* __restrict__ dsh, int64_t n, int vec,
                unsigned long long* counters) {
    const hyb_step_lanes k = hyb_step_lanes_make(&a.k, a.bits, 0.0f, 0.0f);
    const int moment = GENERAL ? a.moment : (int)HYB_MOMENT_MODE_PER_SYNAPSE;
    const int64_t groups = (n + 3) / 4;
    hyb_vi changed = 0, nonfinite = 0;
    for (int64_t gi = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; gi < groups;
         gi += (int64_t)gridDim.x * blockDim.x) {
        const int64_t i0 = 4 * gi;
        const int m = n - i0 < 4 ? (int)(n - i0) : 4;
        float u[4] = {0.5f, 0.5f, 0.5f, 0.5f};
        if (a.stochastic) {
            hyb_u32x4 r = hyb_stream_block(a.seed, a.step, a.tensor_id,
                                           HYB_RANDOM_PURPOSE_ROUNDING, (uint64_t)gi);
#pragma unroll
            for (int j = 0; j < 4; ++j) u[j] = hyb_u32_to_unit_f32(r.v[j]);
        }
        float fac[4] = {1.0f, 1.0f, 1.0f, 1.0f};
        float d[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        if (GENERAL) {
            if (a.device) {
#pragma unroll
                for (int j = 0; j < 4; ++j)
                    if (j < m)
                        fac[j] = hyb_lns_device_factor(a.seed, a.step, a.tensor_id,
                                                       (uint64_t)(i0 + j), a.c2c, a.d2d, a.stuck);
            }
            if (moment == HYB_MOMENT_MODE_PER_TENSOR) {
                d[0] = d[1] = d[2] = d[3] = dsh[0];
            } else if (moment == HYB_MOMENT_MODE_PER_NEURON) {
                int64_t row = i0 / a.cols, end = (row + 1) * a.cols; /* rows may end mid-group */
#pragma unroll
                for (int j = 0; j < 4; ++j) {
                    while (i0 + j >= end) { ++row; end += a.cols; }
                    if (j < m) d[j] = dsh[row];
                }
            }
        }
        float g[4], vv[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        uint32_t c[4];
        hyb_load4(grad, i0, m, vec, g);
        hyb_load4(codes, i0, m, vec, c);
        if (moment == HYB_MOMENT_MODE_PER_SYNAPSE) hyb_load4(v, i0, m, vec, vv);
#pragma unroll
        for (int j = 0; j < 4; ++j)
            if (j < m)
                c[j] = (uint32_t)hyb_lns_element(&k, moment, a.propagate, GENERAL && a.device,
                                                 (hyb_vi)c[j], g[j], &vv[j], d[j], u[j], fac[j],
                                                 &changed, &nonfinite);
        if (moment == HYB_MOMENT_MODE_PER_SYNAPSE) hyb_store4(v, i0, m, vec, vv);
        hyb_store4(codes, i0, m, vec, c);
    }
    if (counters != nullptr) {
        hyb_warp_add(&counters[0], (unsigned long long)changed);
        hyb_warp_add(&counters[1], (unsigned long long)nonfinite);
    }
}

template <typename code_t>
cudaError_t lns_step_launch(const lns_step_args& a, code_t* codes, const float* grad, float* v,
                            const float* d, int64_t n, unsigned long long* counters,
                            unsigned grid, cudaStream_t s) {
    const int plain = a.moment == HYB_MOMENT_MODE_PER_SYNAPSE && !a.device;
    const int vec = hyb_cuda_aligned(codes, sizeof(code_t)) && hyb_cuda_aligned(grad, 4) &&
                    (a.moment != HYB_MOMENT_MODE_PER_SYNAPSE || hyb_cuda_aligned(v, 4));
    if (plain)
        lns_step_kernel<code_t, false><<<grid, HYB_CUDA_BLOCK, 0, s>>>(a, codes, grad, v, d, n,
                                                                       vec, counters);
    else
        lns_step_kernel<code_t, true><<<grid, HYB_CUDA_BLOCK, 0, s>>>(a, codes, grad, v, d, n,
                                                                      vec, counters);
    return cudaGetLastError();
}

/* The checks of hyb_lns_madam_step_* (hyb_check_lns_step and the same buffer checks, same
 * order, same messages), then the device checks (codes in format, grad finite under the
 * reject policy), then the shared moments and the step, all in stream order. */
template <typename code_t>
static hyb_status lns_step(const char* fn, const hyb_lns_madam_config* cfg, code_t* codes,
                           const float* grad, int64_t n, float* v, int64_t v_len,
                           hyb_step_stats* stats, void* stream) {
    hyb_clear_error();
    const int cb = (int)sizeof(code_t);
    hyb_status st = hyb_check_lns_step(fn, cfg, cb, codes, grad, n, v, v_len);
    if (st) return st;
    const size_t cbytes = (size_t)n * cb, fbytes = (size_t)n * 4, vbytes = (size_t)v_len * 4;
    if (n == 0) { /* nothing moves, not even a shared moment (as on the CPU) */
        if (stats) *stats = hyb_step_stats{0, 0, 0, 0};
        return HYB_STATUS_OK;
    }
    if ((st = hyb_cuda_check_buffers3(fn, "codes", codes, cbytes, "grad", grad, fbytes, "v", v,
                                      vbytes)))
        return st;
    cudaStream_t s = (cudaStream_t)stream;
    if ((st = hyb_cuda_check_step_data(fn, s, n, grad,
                                       cfg->nonfinite == HYB_NONFINITE_POLICY_REJECT, nullptr,
                                       codes, cb, cfg->format.bits)))
        return st;
    /* Validated: from here on the step writes. */
    lns_step_args a;
    a.k = hyb_madam_consts_make(cfg->beta2, cfg->g_bound, cfg->step, cfg->format.gamma,
                                cfg->lr, cfg->asymmetry);
    a.k.round_gradient = cfg->round_gradient;
    a.seed = cfg->seed;
    a.step = cfg->step;
    a.tensor_id = cfg->tensor_id;
    a.bits = cfg->format.bits;
    a.stochastic = cfg->rounding == HYB_ROUNDING_STOCHASTIC;
    a.moment = (int32_t)cfg->moment;
    a.propagate = cfg->nonfinite == HYB_NONFINITE_POLICY_PROPAGATE;
    a.device = hyb_lns_device_model_on(cfg);
    a.c2c = cfg->c2c_noise;
    a.d2d = cfg->d2d_gain_sd;
    a.stuck = cfg->stuck_fraction;
    const int64_t rows = cfg->moment == HYB_MOMENT_MODE_PER_NEURON ? cfg->rows : 1;
    a.cols = n / rows;
    unsigned grid = 0;
    if ((st = hyb_cuda_grid(fn, (n + 3) / 4, &grid))) return st;
    /* Scratch: [0, 2) counters; then, for a shared moment, the rows' denominators (floats)
     * and the block sums of g^2 (doubles, 8-aligned). */
    const int shared = cfg->moment == HYB_MOMENT_MODE_PER_NEURON ||
                       cfg->moment == HYB_MOMENT_MODE_PER_TENSOR;
    const int64_t nb = hyb_sum_blocks_per_row(a.cols);
    const size_t d_off = 16, p_off = d_off + (((size_t)rows * 4 + 7) & ~(size_t)7);
    const size_t bytes = shared ? p_off + (size_t)(rows * nb) * 8 : 16;
    hyb_cuda_scratch scratch;
    if (stats || shared) {
        if ((st = scratch.alloc(fn, bytes, s))) return st;
        HYB_CUDA_TRY(fn, "cudaMemsetAsync(counters)", cudaMemsetAsync(scratch.ptr, 0, 16, s));
    }
    char* base = (char*)scratch.ptr;
    float* d = shared ? (float*)(base + d_off) : nullptr;
    if (shared) {
        double* partial = (double*)(base + p_off);
        HYB_CUDA_TRY(fn, "launch(sum_squares)",
                     sum_squares_partials_launch(grad, rows, a.cols, !a.propagate, partial, s));
        HYB_CUDA_TRY(fn, "launch(lns_moment)", lns_moment_launch(a, partial, rows, v, d, s));
    }
    HYB_CUDA_TRY(fn, "launch(lns_step)",
                 lns_step_launch<code_t>(a, codes, grad, v, d, n,
                                         stats ? scratch.words() : nullptr, grid, s));
    return stats ? hyb_cuda_read_stats(fn, scratch, n, stats, s) : HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_lns_madam_step_u8(const hyb_lns_madam_config* config,
                                                 uint8_t* codes_dev, const float* grad_dev,
                                                 int64_t n, float* v_dev, int64_t v_len,
                                                 hyb_step_stats* stats, void* stream) {
    return lns_step<uint8_t>("hyb_cuda_lns_madam_step_u8", config, codes_dev, grad_dev, n, v_dev,
                             v_len, stats, stream);
}

extern "C" hyb_status hyb_cuda_lns_madam_step_u16(const hyb_lns_madam_config* config,
                                                  uint16_t* codes_dev, const float* grad_dev,
                                                  int64_t n, float* v_dev, int64_t v_len,
                                                  hyb_step_stats* stats, void* stream) {
    return lns_step<uint16_t>("hyb_cuda_lns_madam_step_u16", config, codes_dev, grad_dev, n,
                              v_dev, v_len, stats, stream);
}
