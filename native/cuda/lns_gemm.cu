/* lns_gemm.cu - hyb_cuda_lns_gemm_exact_u8/u16: one thread per output C[m, n], the reference dot
 * product of arith_math.h (either layout of A and B) (products in k order into saturating int64 buckets, then the bucket
 * constants in double), so every output and count is the CPU's. Threads of a warp take
 * neighbouring n: their reads of B's row k are coalesced, A's element is a broadcast. */
#include "lns_gemm.cuh"
#include "check.cuh"
#include "arith_math.h"

template <typename code_t>
__device__ __forceinline__ float gemm_dot(const code_t* a_row, int64_t lda, const code_t* b_col,
                                          int64_t ldb, int64_t kdim, const hyb_lns_gemm_config* cfg,
                                          const double* scale, int64_t* acc, int64_t* sat,
                                          int64_t* trunc);
template <>
__device__ __forceinline__ float gemm_dot<uint8_t>(const uint8_t* a_row, int64_t lda,
                                                   const uint8_t* b_col, int64_t ldb, int64_t kdim,
                                                   const hyb_lns_gemm_config* cfg,
                                                   const double* scale, int64_t* acc,
                                                   int64_t* sat, int64_t* trunc) {
    return hyb_lns_gemm_dot_u8(a_row, lda, b_col, ldb, kdim, cfg, scale, acc, sat, trunc);
}
template <>
__device__ __forceinline__ float gemm_dot<uint16_t>(const uint16_t* a_row, int64_t lda,
                                                    const uint16_t* b_col, int64_t ldb, int64_t kdim,
                                                    const hyb_lns_gemm_config* cfg,
                                                    const double* scale, int64_t* acc,
                                                    int64_t* sat, int64_t* trunc) {
    return hyb_lns_gemm_dot_u16(a_row, lda, b_col, ldb, kdim, cfg, scale, acc, sat, trunc);
}

template <typename code_t>
static __global__ void gemm_kernel(hyb_lns_gemm_config cfg, const code_t* __restrict__ a,
                                   const code_t* __restrict__ b, float* __restrict__ c,
                                   unsigned long long* counters) {
    __shared__ double scale[HYB_LNS_GEMM_MAX_GAMMA];
    const int32_t gamma = (int32_t)cfg.a.gamma;
    for (int32_t r = threadIdx.x; r < gamma; r += blockDim.x) scale[r] = hyb_lns_bucket_scale(r, gamma);
    __syncthreads();
    int64_t acc[HYB_LNS_GEMM_MAX_GAMMA];
    int64_t sat = 0, trunc = 0;
    const int64_t outputs = cfg.m * cfg.n;
    for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < outputs;
         idx += (int64_t)gridDim.x * blockDim.x) {
        const int64_t m = idx / cfg.n, n = idx % cfg.n;
        int64_t ao, lda, bo, ldb;
        hyb_lns_gemm_strides(&cfg, m, n, &ao, &lda, &bo, &ldb);
        c[idx] = gemm_dot<code_t>(a + ao, lda, b + bo, ldb, cfg.k, &cfg, scale, acc, &sat, &trunc);
    }
    if (counters != nullptr) {
        hyb_warp_add(&counters[0], (unsigned long long)sat);
        hyb_warp_add(&counters[1], (unsigned long long)trunc);
    }
}

template <typename code_t>
static hyb_status gemm_exact(const char* fn, const hyb_lns_gemm_config* cfg, const code_t* a,
                             const code_t* b, float* c, hyb_gemm_stats* stats, void* stream) {
    hyb_clear_error();
    const int cb = (int)sizeof(code_t);
    hyb_status st = hyb_check_lns_gemm(fn, cfg, cb, a, b, c);
    if (st) return st;
    const int64_t na = cfg->m * cfg->k, nb = cfg->k * cfg->n, nc = cfg->m * cfg->n;
    if ((st = hyb_cuda_check_buffers3(fn, "a", a, (size_t)na * cb, "b", b, (size_t)nb * cb, "c", c,
                                      (size_t)nc * 4)))
        return st;
    cudaStream_t s = (cudaStream_t)stream;
    hyb_cuda_first_bad bad;
    if ((st = hyb_cuda_find_bad(fn, s, na, nullptr, nullptr, a, cb, cfg->a.bits, &bad))) return st;
    if (bad.code >= 0)
        return hyb_fail(HYB_STATUS_INVALID_CODE, "%s: a[%lld] = %u has bits above bit %d of a %d-bit format",
                        fn, (long long)bad.code, (unsigned)hyb_cuda_peek_code(a, cb, bad.code),
                        (int)cfg->a.bits - 1, (int)cfg->a.bits);
    if ((st = hyb_cuda_find_bad(fn, s, nb, nullptr, nullptr, b, cb, cfg->b.bits, &bad))) return st;
    if (bad.code >= 0)
        return hyb_fail(HYB_STATUS_INVALID_CODE, "%s: b[%lld] = %u has bits above bit %d of a %d-bit format",
                        fn, (long long)bad.code, (unsigned)hyb_cuda_peek_code(b, cb, bad.code),
                        (int)cfg->b.bits - 1, (int)cfg->b.bits);
    /* Validated: from here on c is written. */
    hyb_cuda_scratch scratch;
    if (stats) {
        if ((st = scratch.alloc(fn, 16, s))) return st;
        HYB_CUDA_TRY(fn, "cudaMemsetAsync(counters)", cudaMemsetAsync(scratch.ptr, 0, 16, s));
    }
    if (nc > 0) {
        unsigned grid = 0;
        if ((st = hyb_cuda_grid(fn, nc, &grid))) return st;
        gemm_kernel<code_t><<<grid, HYB_CUDA_BLOCK, 0, s>>>(*cfg, a, b, c,
                                                             stats ? scratch.words() : nullptr);
        HYB_CUDA_TRY(fn, "launch(lns_gemm_exact)", cudaGetLastError());
    }
    if (stats) {
        unsigned long long w[2];
        HYB_CUDA_TRY(fn, "cudaMemcpyAsync(counters)",
                     cudaMemcpyAsync(w, scratch.ptr, sizeof w, cudaMemcpyDeviceToHost, s));
        HYB_CUDA_TRY(fn, "cudaStreamSynchronize", cudaStreamSynchronize(s));
        *stats = hyb_gemm_stats{cfg->m * cfg->k * cfg->n, (int64_t)w[0],
                                (int64_t)w[1], -1};
    }
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_lns_gemm_exact_u8(const hyb_lns_gemm_config* config,
                                                 const uint8_t* a_dev, const uint8_t* b_dev,
                                                 float* c_dev, hyb_gemm_stats* stats, void* stream) {
    return gemm_exact<uint8_t>("hyb_cuda_lns_gemm_exact_u8", config, a_dev, b_dev, c_dev, stats, stream);
}

extern "C" hyb_status hyb_cuda_lns_gemm_exact_u16(const hyb_lns_gemm_config* config,
                                                  const uint16_t* a_dev, const uint16_t* b_dev,
                                                  float* c_dev, hyb_gemm_stats* stats, void* stream) {
    return gemm_exact<uint16_t>("hyb_cuda_lns_gemm_exact_u16", config, a_dev, b_dev, c_dev, stats, stream);
}
