/* lns_decode.cu - hyb_cuda_lns_decode_u8/u16. Like the CPU, large tensors go through a table
 * of all 2^B values (B <= 16: at most 256 KB, cached in L1/L2) that hyb_lns_decode_one fills,
 * so both ways give the same floats; small ones evaluate hyb_lns_decode_one per element. */
#include "lns_decode.cuh"
#include "check.cuh"
#include "lns_math.h"

static __global__ void lns_decode_table_kernel(float* table, int32_t bits, float gamma,
                                               float w_max) {
    const uint32_t ncodes = 1u << bits;
    for (uint32_t c = blockIdx.x * blockDim.x + threadIdx.x; c < ncodes;
         c += gridDim.x * blockDim.x)
        table[c] = hyb_lns_decode_one(c, bits, gamma, w_max);
}

template <typename code_t>
static __global__ void lns_decode_kernel(const code_t* __restrict__ codes, float* __restrict__ x,
                                         int64_t n, int32_t bits, float gamma, float w_max,
                                         const float* __restrict__ table, int vec) {
    const int64_t groups = (n + 3) / 4;
    for (int64_t gi = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; gi < groups;
         gi += (int64_t)gridDim.x * blockDim.x) {
        const int64_t i0 = 4 * gi;
        const int m = n - i0 < 4 ? (int)(n - i0) : 4;
        uint32_t c[4];
        float xs[4];
        hyb_load4(codes, i0, m, vec, c);
        if (table != nullptr)
            for (int j = 0; j < 4; ++j) xs[j] = __ldg(table + c[j]);
        else
            for (int j = 0; j < 4; ++j) xs[j] = hyb_lns_decode_one(c[j], bits, gamma, w_max);
        hyb_store4(x, i0, m, vec, xs);
    }
}

cudaError_t lns_decode_table_launch(float* table, int32_t bits, float gamma, float w_max,
                                    cudaStream_t s) {
    const unsigned ncodes = 1u << bits;
    const unsigned grid = (ncodes + HYB_CUDA_BLOCK - 1) / HYB_CUDA_BLOCK;
    lns_decode_table_kernel<<<grid, HYB_CUDA_BLOCK, 0, s>>>(table, bits, gamma, w_max);
    return cudaGetLastError();
}

template <typename code_t>
cudaError_t lns_decode_launch(const code_t* codes, float* x, int64_t n, int32_t bits,
                              float gamma, float w_max, const float* table, unsigned grid,
                              cudaStream_t s) {
    const int vec = hyb_cuda_aligned(codes, sizeof(code_t)) && hyb_cuda_aligned(x, 4);
    lns_decode_kernel<code_t><<<grid, HYB_CUDA_BLOCK, 0, s>>>(codes, x, n, bits, gamma, w_max,
                                                              table, vec);
    return cudaGetLastError();
}

template <typename code_t>
static hyb_status lns_decode(const char* fn, const hyb_lns_format* format, const code_t* codes,
                             float* x, int64_t n, void* stream) {
    hyb_clear_error();
    const int cb = (int)sizeof(code_t);
    hyb_status st = hyb_check_lns_codec(fn, format, cb, x, codes, n, 1);
    if (st) return st;
    if (n == 0) return HYB_STATUS_OK;
    if ((st = hyb_cuda_check_buffer(fn, "codes", codes, (size_t)n * cb)) ||
        (st = hyb_cuda_check_buffer(fn, "x", x, (size_t)n * 4)))
        return st;
    cudaStream_t s = (cudaStream_t)stream;
    const int32_t bits = format->bits;
    hyb_cuda_first_bad bad;
    if ((st = hyb_cuda_find_bad(fn, s, n, nullptr, nullptr, codes, cb, bits, &bad))) return st;
    if (bad.code >= 0)
        return hyb_fail(HYB_STATUS_INVALID_CODE,
                        "%s: codes[%lld] = %u has bits above bit %d of a %d-bit format", fn,
                        (long long)bad.code, (unsigned)hyb_cuda_peek_code(codes, cb, bad.code),
                        (int)bits - 1, (int)bits);
    unsigned grid = 0;
    if ((st = hyb_cuda_grid(fn, (n + 3) / 4, &grid))) return st;
    const int64_t ncodes = (int64_t)1 << bits;
    const bool use_table = n >= 4 * ncodes;
    if (use_table) {
        hyb_cuda_scratch table;
        if ((st = table.alloc(fn, (size_t)ncodes * 4, s))) return st;
        HYB_CUDA_TRY(fn, "launch(lns_decode_table)",
                     lns_decode_table_launch((float*)table.ptr, bits, format->gamma,
                                             format->w_max, s));
        HYB_CUDA_TRY(fn, "launch(lns_decode)",
                     lns_decode_launch<code_t>(codes, x, n, bits, format->gamma, format->w_max,
                                               (const float*)table.ptr, grid, s));
        return HYB_STATUS_OK;
    }
    HYB_CUDA_TRY(fn, "launch(lns_decode)",
                 lns_decode_launch<code_t>(codes, x, n, bits, format->gamma, format->w_max,
                                           nullptr, grid, s));
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_lns_decode_u8(const hyb_lns_format* format,
                                             const uint8_t* codes_dev, float* x_dev, int64_t n,
                                             void* stream) {
    return lns_decode<uint8_t>("hyb_cuda_lns_decode_u8", format, codes_dev, x_dev, n, stream);
}

extern "C" hyb_status hyb_cuda_lns_decode_u16(const hyb_lns_format* format,
                                              const uint16_t* codes_dev, float* x_dev,
                                              int64_t n, void* stream) {
    return lns_decode<uint16_t>("hyb_cuda_lns_decode_u16", format, codes_dev, x_dev, n, stream);
}
