/* lns_encode.cu - hyb_cuda_lns_encode_u8/u16: the CPU encoder's element maths, four elements
 * per thread (vector loads when aligned), after the same checks as hyb_lns_encode_*. */
#include "lns_encode.cuh"
#include "check.cuh"
#include "lns_math.h"

template <typename code_t>
static __global__ void lns_encode_kernel(const float* __restrict__ x, code_t* __restrict__ codes,
                                         int64_t n, int32_t bits, float gamma, double log2_wmax,
                                         int vec) {
    const int64_t groups = (n + 3) / 4;
    for (int64_t gi = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; gi < groups;
         gi += (int64_t)gridDim.x * blockDim.x) {
        const int64_t i0 = 4 * gi;
        const int m = n - i0 < 4 ? (int)(n - i0) : 4;
        float xs[4];
        uint32_t c[4];
        hyb_load4(x, i0, m, vec, xs);
        for (int j = 0; j < 4; ++j) c[j] = hyb_lns_encode_one(xs[j], bits, gamma, log2_wmax);
        hyb_store4(codes, i0, m, vec, c);
    }
}

template <typename code_t>
cudaError_t lns_encode_launch(const float* x, code_t* codes, int64_t n, int32_t bits,
                              float gamma, double log2_wmax, unsigned grid, cudaStream_t s) {
    const int vec = hyb_cuda_aligned(x, 4) && hyb_cuda_aligned(codes, sizeof(code_t));
    lns_encode_kernel<code_t><<<grid, HYB_CUDA_BLOCK, 0, s>>>(x, codes, n, bits, gamma,
                                                              log2_wmax, vec);
    return cudaGetLastError();
}

template <typename code_t>
static hyb_status lns_encode(const char* fn, const hyb_lns_format* format, const float* x,
                             code_t* codes, int64_t n, void* stream) {
    hyb_clear_error();
    const int cb = (int)sizeof(code_t);
    hyb_status st = hyb_check_lns_codec(fn, format, cb, x, codes, n, 0);
    if (st) return st;
    if (n == 0) return HYB_STATUS_OK;
    if ((st = hyb_cuda_check_buffer(fn, "x", x, (size_t)n * 4)) ||
        (st = hyb_cuda_check_buffer(fn, "codes", codes, (size_t)n * cb)))
        return st;
    cudaStream_t s = (cudaStream_t)stream;
    hyb_cuda_first_bad bad;
    if ((st = hyb_cuda_find_bad(fn, s, n, x, nullptr, nullptr, cb, 16, &bad))) return st;
    if (bad.a >= 0)
        return hyb_fail(HYB_STATUS_NON_FINITE, "%s: x[%lld] = %g is not finite", fn,
                        (long long)bad.a, (double)hyb_cuda_peek_f32(x, bad.a));
    unsigned grid = 0;
    if ((st = hyb_cuda_grid(fn, (n + 3) / 4, &grid))) return st;
    const double log2_wmax = hyb_log2_d((double)format->w_max);
    HYB_CUDA_TRY(fn, "launch(lns_encode)",
                 lns_encode_launch<code_t>(x, codes, n, format->bits, format->gamma, log2_wmax,
                                           grid, s));
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_lns_encode_u8(const hyb_lns_format* format, const float* x_dev,
                                             uint8_t* codes_dev, int64_t n, void* stream) {
    return lns_encode<uint8_t>("hyb_cuda_lns_encode_u8", format, x_dev, codes_dev, n, stream);
}

extern "C" hyb_status hyb_cuda_lns_encode_u16(const hyb_lns_format* format, const float* x_dev,
                                              uint16_t* codes_dev, int64_t n, void* stream) {
    return lns_encode<uint16_t>("hyb_cuda_lns_encode_u16", format, x_dev, codes_dev, n, stream);
}
