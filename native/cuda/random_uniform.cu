/* random_uniform.cu - hyb_cuda_random_uniform_f32: one thread per Philox block of the stream
 * (elements 4b .. 4b+3), writing the lanes that fall in [offset, offset + n). */
#include "random_uniform.cuh"
#include "philox.h"

static __global__ void random_uniform_kernel(uint64_t seed, int64_t step, uint32_t tensor_id,
                                             uint32_t purpose, int64_t offset,
                                             float* __restrict__ out, int64_t n) {
    const int64_t first = offset / 4, last = (offset + n - 1) / 4;
    for (int64_t b = first + blockIdx.x * (int64_t)blockDim.x + threadIdx.x; b <= last;
         b += (int64_t)gridDim.x * blockDim.x) {
        hyb_u32x4 r = hyb_stream_block(seed, step, tensor_id, purpose, (uint64_t)b);
        for (int j = 0; j < 4; ++j) {
            const int64_t i = 4 * b + j - offset;
            if (i >= 0 && i < n) out[i] = hyb_u32_to_unit_f32(r.v[j]);
        }
    }
}

cudaError_t random_uniform_launch(uint64_t seed, int64_t step, uint32_t tensor_id,
                                  uint32_t purpose, int64_t offset, float* out, int64_t n,
                                  unsigned grid, cudaStream_t s) {
    random_uniform_kernel<<<grid, HYB_CUDA_BLOCK, 0, s>>>(seed, step, tensor_id, purpose, offset,
                                                          out, n);
    return cudaGetLastError();
}

extern "C" hyb_status hyb_cuda_random_uniform_f32(const hyb_random_stream* rs, int64_t offset,
                                                  float* out, int64_t n, void* stream) {
    static const char* fn = "hyb_cuda_random_uniform_f32";
    hyb_clear_error();
    if (rs == NULL) return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: stream is NULL", fn);
    hyb_status st = hyb_check_length(fn, n);
    if (st || (st = hyb_check_ptr(fn, out, "out", n))) return st;
    if (offset < 0 || offset > HYB_MAX_ELEMENTS - n)
        return hyb_fail(HYB_STATUS_INVALID_LENGTH,
                        "%s: offset = %lld must be >= 0 with offset + n <= 2^58", fn,
                        (long long)offset);
    if ((uint32_t)rs->purpose > 255u)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: purpose = %d is outside [0, 255]", fn,
                        (int)rs->purpose);
    if (n == 0) return HYB_STATUS_OK;
    if ((st = hyb_cuda_check_buffer(fn, "out", out, (size_t)n * 4))) return st;
    const int64_t blocks = (offset + n - 1) / 4 - offset / 4 + 1;
    unsigned grid = 0;
    if ((st = hyb_cuda_grid(fn, blocks, &grid))) return st;
    HYB_CUDA_TRY(fn, "launch(random_uniform)",
                 random_uniform_launch(rs->seed, rs->step, rs->tensor_id, (uint32_t)rs->purpose,
                                       offset, out, n, grid, (cudaStream_t)stream));
    return HYB_STATUS_OK;
}
