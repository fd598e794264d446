/* lns_step.cu - hyb_cuda_lns_madam_step_u8/u16, with every moment mode and device-model
 * option of the CPU step, through the same element step (hyb_lns_element, element_steps.h).
 *
 * Stochastic rounding: one thread per Philox block of the rounding stream (hybrid/random.h), so
 * every uniform is drawn once, in registers, fused into the step. A warp is one stripe: for
 * each of the block's E slots its 32 threads step 32 consecutive elements (coalesced). Nearest
 * rounding draws nothing: four consecutive elements a thread, with vector loads. Nothing
 * depends on the launch geometry. Shared moments are reduced first (sum_squares.cu, then
 * lns_moment_kernel) in the CPU's order, so they are the same floats. */
#include "lns_step.cuh"
#include "check.cuh"
#include "sum_squares.cuh"
#include "philox.h"

static __global__ void lns_moment_kernel(lns_step_args a, const double* __restrict__ totals,
                                         int64_t rows, float* __restrict__ v,
                                         float* __restrict__ d) {
    const hyb_step_lanes k = hyb_step_lanes_make(&a.k, a.bits, 0.0f, 0.0f);
    for (int64_t r = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; r < rows;
         r += (int64_t)gridDim.x * blockDim.x) {
        const float ms = (float)(totals[r] / (double)a.cols); /* hyb_mean_square */
        float vr = v[r];
        d[r] = hyb_madam_moment(ms, &vr, &k);
        v[r] = vr;
    }
}

cudaError_t lns_moment_launch(const lns_step_args& a, const double* totals, int64_t rows,
                              float* v, float* d, cudaStream_t s) {
    const int64_t want = (rows + HYB_CUDA_BLOCK - 1) / HYB_CUDA_BLOCK;
    const unsigned grid = (unsigned)(want < 65535 ? want : 65535);
    lns_moment_kernel<<<grid, HYB_CUDA_BLOCK, 0, s>>>(a, totals, rows, v, d);
    return cudaGetLastError();
}

/* The shared-moment denominator of element i (per tensor, per neuron). */
static __device__ __forceinline__ float shared_d(const lns_step_args& a, const float* dsh, int64_t i) {
    return a.moment == HYB_MOMENT_MODE_PER_TENSOR ? dsh[0] : dsh[i / a.cols];
}

/* The device factor of element i (hyb_lns_device_factor) with the stuck draw given: its block
 * i/4 serves four neighbours, so callers draw it once for them. */
static __device__ __forceinline__ float device_factor(const lns_step_args& a, uint64_t i, float stuck_u) {
    float f = hyb_lns_device_factor(a.seed, a.step, a.tensor_id, i, a.c2c, a.d2d, 0.0f);
    return a.stuck > 0.0f && stuck_u < a.stuck ? 0.0f : f;
}

/* The device lanes of element i with code `code` and factor fac (device_math.h, as the CPU's reference). */
static __device__ __forceinline__ hyb_lns_dev device_lanes(const lns_step_args& a, uint32_t code, uint64_t i,
                                                           float fac) {
    const hyb_lns_dev_scalar s = hyb_lns_device_lanes(&a.response, a.asymmetry, a.bits, a.x_scale, a.seed,
                                                      a.tensor_id, code, i, fac);
    hyb_lns_dev d;
    d.pot = s.pot;
    d.dep = s.dep;
    d.fac = s.fac;
    d.up = s.up;
    d.down = s.down;
    return d;
}

/* GENERAL = false is the plain step (per-synapse moment, no device model), compiled on its own:
 * the general kernel's extra state would cost it registers, and so occupancy, on the path that
 * must run at memory speed. STATS = false counts nothing (no counters, no atomics). Launch
 * bounds of 4 blocks of 256 per SM hold it to 64 registers. */
template <typename code_t, bool GENERAL, bool STATS>
static __global__ void __launch_bounds__(HYB_CUDA_BLOCK, 4)
lns_stochastic_kernel(lns_step_args a, code_t* __restrict__ codes, const float* __restrict__ grad,
                      float* __restrict__ v, const float* __restrict__ dsh, int64_t n,
                      unsigned long long* counters) {
    const hyb_step_lanes k = hyb_step_lanes_make(&a.k, a.bits, 0.0f, 0.0f);
    const int moment = GENERAL ? a.moment : (int)HYB_MOMENT_MODE_PER_SYNAPSE;
    const int flags = (a.propagate ? HYB_STEP_PROPAGATE : 0) | (GENERAL && a.device ? HYB_STEP_DEVICE : 0);
    const int r = a.random_bits, e = hyb_rounding_per_block(r);
    const int64_t se = (int64_t)HYB_RANDOM_STRIPE * e;
    const int64_t blocks = (n + se - 1) / se * HYB_RANDOM_STRIPE; /* whole stripes: warp-uniform */
    hyb_vi changed = 0, nonfinite = 0;
    for (int64_t b = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; b < blocks;
         b += (int64_t)gridDim.x * blockDim.x) {
        const int q = (int)(b % HYB_RANDOM_STRIPE);
        const int64_t first = b / HYB_RANDOM_STRIPE * se + q; /* the element of slot 0 */
        const hyb_u32x4 w = hyb_stream_block(a.seed, a.step, a.tensor_id,
                                             HYB_RANDOM_PURPOSE_ROUNDING, (uint64_t)b);
        for (int slot = 0; slot < e; ++slot) {
            const int64_t i = first + (int64_t)slot * HYB_RANDOM_STRIPE;
            float fac = 1.0f;
            if (GENERAL && a.device) {
                /* the warp's 32 elements are consecutive: lane 4m draws the stuck block of
                 * elements 4m .. 4m+3 and hands each its word (the whole warp takes part) */
                float su = 1.0f;
                if (a.stuck > 0.0f) {
                    hyb_u32x4 sb = {{0u, 0u, 0u, 0u}};
                    if ((q & 3) == 0)
                        sb = hyb_stream_block(a.seed, 0, a.tensor_id, HYB_RANDOM_PURPOSE_STUCK,
                                              (uint64_t)i >> 2);
                    const int src = (threadIdx.x & 31) & ~3, lane = q & 3;
                    uint32_t word = 0;
#pragma unroll
                    for (int j = 0; j < 4; ++j) {
                        const uint32_t x = __shfl_sync(0xFFFFFFFFu, sb.v[j], src);
                        word = j == lane ? x : word;
                    }
                    su = hyb_u32_to_unit_f32(word);
                }
                if (i < n) fac = device_factor(a, (uint64_t)i, su);
            }
            if (i >= n) continue;
            const float u = hyb_rounding_slice(w.v[slot & 3], slot >> 2, r);
            float vi = moment == HYB_MOMENT_MODE_PER_SYNAPSE ? v[i] : 0.0f;
            const float d = GENERAL && (moment == HYB_MOMENT_MODE_PER_TENSOR ||
                                        moment == HYB_MOMENT_MODE_PER_NEURON)
                                ? shared_d(a, dsh, i) : 0.0f;
            hyb_vi ch = 0, nf = 0;
            const uint32_t c0 = (uint32_t)codes[i];
            hyb_lns_dev dv = {1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
            if (GENERAL && a.device) dv = device_lanes(a, c0, (uint64_t)i, fac);
            const uint32_t cn = (uint32_t)hyb_lns_element(&k, moment, flags, (hyb_vi)c0, grad[i],
                                                          &vi, d, u, &dv, &ch, &nf);
            codes[i] = (code_t)cn;
            if (moment == HYB_MOMENT_MODE_PER_SYNAPSE) v[i] = vi;
            if (STATS) { changed += ch; nonfinite += nf; }
        }
    }
    if (STATS) {
        hyb_warp_add(&counters[0], (unsigned long long)changed);
        hyb_warp_add(&counters[1], (unsigned long long)nonfinite);
    }
}

/* Nearest rounding (u = 1/2: no draws), four consecutive elements a thread, vector loads. */
template <typename code_t, bool GENERAL, bool STATS>
static __global__ void __launch_bounds__(HYB_CUDA_BLOCK, 4)
lns_nearest_kernel(lns_step_args a, code_t* __restrict__ codes, const float* __restrict__ grad,
                   float* __restrict__ v, const float* __restrict__ dsh, int64_t n, int vec,
                   unsigned long long* counters) {
    const hyb_step_lanes k = hyb_step_lanes_make(&a.k, a.bits, 0.0f, 0.0f);
    const int moment = GENERAL ? a.moment : (int)HYB_MOMENT_MODE_PER_SYNAPSE;
    const int flags = (a.propagate ? HYB_STEP_PROPAGATE : 0) | (GENERAL && a.device ? HYB_STEP_DEVICE : 0);
    const int64_t groups = (n + 3) / 4;
    hyb_vi changed = 0, nonfinite = 0;
    for (int64_t gi = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; gi < groups;
         gi += (int64_t)gridDim.x * blockDim.x) {
        const int64_t i0 = 4 * gi;
        const int m = n - i0 < 4 ? (int)(n - i0) : 4;
        float g[4], vv[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        uint32_t c[4];
        hyb_load4(grad, i0, m, vec, g);
        hyb_load4(codes, i0, m, vec, c);
        if (moment == HYB_MOMENT_MODE_PER_SYNAPSE) hyb_load4(v, i0, m, vec, vv);
        float fac[4] = {1.0f, 1.0f, 1.0f, 1.0f};
        if (GENERAL && a.device) {
            /* the stuck draw of all four is one block, i0/4 (drawn once, not four times) */
            hyb_u32x4 sb = {{0u, 0u, 0u, 0u}};
            if (a.stuck > 0.0f)
                sb = hyb_stream_block(a.seed, 0, a.tensor_id, HYB_RANDOM_PURPOSE_STUCK, (uint64_t)gi);
#pragma unroll
            for (int j = 0; j < 4; ++j)
                if (j < m) fac[j] = device_factor(a, (uint64_t)(i0 + j), hyb_u32_to_unit_f32(sb.v[j]));
        }
        hyb_vi ch = 0, nf = 0;
#pragma unroll
        for (int j = 0; j < 4; ++j)
            if (j < m) {
                const float d = GENERAL && (moment == HYB_MOMENT_MODE_PER_TENSOR ||
                                            moment == HYB_MOMENT_MODE_PER_NEURON)
                                    ? shared_d(a, dsh, i0 + j) : 0.0f;
            {
                hyb_lns_dev dv = {1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
                if (GENERAL && a.device) dv = device_lanes(a, c[j], (uint64_t)(i0 + j), fac[j]);
                c[j] = (uint32_t)hyb_lns_element(&k, moment, flags, (hyb_vi)c[j], g[j], &vv[j], d,
                                                 0.5f, &dv, &ch, &nf);
            }
            }
        if (STATS) { changed += ch; nonfinite += nf; }
        if (moment == HYB_MOMENT_MODE_PER_SYNAPSE) hyb_store4(v, i0, m, vec, vv);
        hyb_store4(codes, i0, m, vec, c);
    }
    if (STATS) {
        hyb_warp_add(&counters[0], (unsigned long long)changed);
        hyb_warp_add(&counters[1], (unsigned long long)nonfinite);
    }
}

template <typename code_t, bool GENERAL, bool STATS>
static void launch_one(const lns_step_args& a, code_t* codes, const float* grad, float* v,
                       const float* d, int64_t n, int vec, unsigned long long* counters,
                       unsigned grid, cudaStream_t s) {
    if (a.random_bits)
        lns_stochastic_kernel<code_t, GENERAL, STATS><<<grid, HYB_CUDA_BLOCK, 0, s>>>(
            a, codes, grad, v, d, n, counters);
    else
        lns_nearest_kernel<code_t, GENERAL, STATS><<<grid, HYB_CUDA_BLOCK, 0, s>>>(
            a, codes, grad, v, d, n, vec, counters);
}

template <typename code_t>
cudaError_t lns_step_launch(const lns_step_args& a, code_t* codes, const float* grad, float* v,
                            const float* d, int64_t n, unsigned long long* counters,
                            unsigned grid, cudaStream_t s) {
    const int plain = a.moment == HYB_MOMENT_MODE_PER_SYNAPSE && !a.device;
    const int vec = hyb_cuda_aligned(codes, sizeof(code_t)) && hyb_cuda_aligned(grad, 4) &&
                    (a.moment != HYB_MOMENT_MODE_PER_SYNAPSE || hyb_cuda_aligned(v, 4));
    if (plain && counters == nullptr) launch_one<code_t, false, false>(a, codes, grad, v, d, n, vec, counters, grid, s);
    else if (plain) launch_one<code_t, false, true>(a, codes, grad, v, d, n, vec, counters, grid, s);
    else if (counters == nullptr) launch_one<code_t, true, false>(a, codes, grad, v, d, n, vec, counters, grid, s);
    else launch_one<code_t, true, true>(a, codes, grad, v, d, n, vec, counters, grid, s);
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
    a.asymmetry = cfg->asymmetry;
    a.x_scale = hyb_device_code_x_scale(cfg->format.bits);
    a.response = cfg->response;
    a.random_bits = cfg->rounding == HYB_ROUNDING_STOCHASTIC ? cfg->random_bits : 0;
    const int64_t rows = cfg->moment == HYB_MOMENT_MODE_PER_NEURON ? cfg->rows : 1;
    a.cols = n / rows;
    unsigned grid = 0;
    const int64_t items = a.random_bits
        ? (n + (int64_t)HYB_RANDOM_STRIPE * hyb_rounding_per_block(a.random_bits) - 1) /
              ((int64_t)HYB_RANDOM_STRIPE * hyb_rounding_per_block(a.random_bits)) * HYB_RANDOM_STRIPE
        : (n + 3) / 4;
    if ((st = hyb_cuda_grid(fn, items, &grid))) return st;
    /* Scratch: [0, 2) counters; then, for a shared moment, the rows' denominators (floats),
     * their totals of g^2 and the block sums (doubles, 8-aligned). */
    const int shared = cfg->moment == HYB_MOMENT_MODE_PER_NEURON ||
                       cfg->moment == HYB_MOMENT_MODE_PER_TENSOR;
    const size_t d_off = 16, t_off = d_off + (((size_t)rows * 4 + 7) & ~(size_t)7);
    const size_t p_off = t_off + (size_t)rows * 8;
    const size_t bytes = shared ? p_off + sum_squares_scratch_bytes(rows, a.cols) : 16;
    hyb_cuda_scratch scratch;
    if (stats || shared) {
        if ((st = scratch.alloc(fn, bytes, s))) return st;
        HYB_CUDA_TRY(fn, "cudaMemsetAsync(counters)", cudaMemsetAsync(scratch.ptr, 0, 16, s));
    }
    char* base = (char*)scratch.ptr;
    float* d = shared ? (float*)(base + d_off) : nullptr;
    if (shared) {
        double* totals = (double*)(base + t_off);
        HYB_CUDA_TRY(fn, "launch(sum_squares)",
                     sum_squares_rows_launch(grad, rows, a.cols, !a.propagate,
                                             (double*)(base + p_off), totals, s));
        HYB_CUDA_TRY(fn, "launch(lns_moment)", lns_moment_launch(a, totals, rows, v, d, s));
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
