/* check.cu - the validation pass: the first bad element of each buffer, by atomicMin on its
 * index (each thread walks its elements in increasing order, so its first hit is its least). */
#include "check.cuh"
#include "lns_math.h"

template <typename code_t>
static __global__ void find_bad_kernel(const float* __restrict__ a, const float* __restrict__ b,
                                       const code_t* __restrict__ codes, uint32_t mask,
                                       int64_t n, int vec, unsigned long long* first) {
    const int64_t groups = (n + 3) / 4;
    int64_t fa = n, fb = n, fc = n;
    for (int64_t gi = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; gi < groups;
         gi += (int64_t)gridDim.x * blockDim.x) {
        const int64_t i0 = 4 * gi;
        const int m = n - i0 < 4 ? (int)(n - i0) : 4;
        float x[4];
        uint32_t c[4];
        if (a != nullptr && fa == n) {
            hyb_load4(a, i0, m, vec, x);
#pragma unroll
            for (int j = 3; j >= 0; --j)
                if (j < m && !hyb_isfinite_f32(x[j])) fa = i0 + j;
        }
        if (b != nullptr && fb == n) {
            hyb_load4(b, i0, m, vec, x);
#pragma unroll
            for (int j = 3; j >= 0; --j)
                if (j < m && !hyb_isfinite_f32(x[j])) fb = i0 + j;
        }
        if (codes != nullptr && fc == n) {
            hyb_load4(codes, i0, m, vec, c);
#pragma unroll
            for (int j = 3; j >= 0; --j)
                if (j < m && (c[j] & mask)) fc = i0 + j;
        }
    }
    if (fa < n) atomicMin(&first[0], (unsigned long long)fa);
    if (fb < n) atomicMin(&first[1], (unsigned long long)fb);
    if (fc < n) atomicMin(&first[2], (unsigned long long)fc);
}

hyb_status hyb_cuda_find_bad(const char* fn, cudaStream_t s, int64_t n, const float* a,
                             const float* b, const void* codes, int code_bytes, int32_t bits,
                             hyb_cuda_first_bad* out) {
    out->a = out->b = out->code = -1;
    if (bits >= 8 * code_bytes) codes = nullptr; /* every bit pattern is a valid code */
    if (n == 0 || (a == nullptr && b == nullptr && codes == nullptr)) return HYB_STATUS_OK;
    hyb_cuda_scratch scratch;
    hyb_status st = scratch.alloc(fn, 3 * sizeof(unsigned long long), s);
    if (st) return st;
    HYB_CUDA_TRY(fn, "cudaMemsetAsync(check)",
                 cudaMemsetAsync(scratch.words(), 0xFF, 3 * sizeof(unsigned long long), s));
    unsigned grid = 0;
    if ((st = hyb_cuda_grid(fn, (n + 3) / 4, &grid))) return st;
    const int vec = (a == nullptr || hyb_cuda_aligned(a, 4)) &&
                    (b == nullptr || hyb_cuda_aligned(b, 4)) &&
                    (codes == nullptr || hyb_cuda_aligned(codes, (size_t)code_bytes));
    /* codes is NULL when every bit pattern is valid (bits >= 8 code_bytes): no shift by 32 */
    const uint32_t mask = codes != nullptr ? ~((1u << bits) - 1u) : 0u;
    if (code_bytes == 1)
        find_bad_kernel<uint8_t><<<grid, HYB_CUDA_BLOCK, 0, s>>>(
            a, b, (const uint8_t*)codes, mask, n, vec, scratch.words());
    else
        find_bad_kernel<uint16_t><<<grid, HYB_CUDA_BLOCK, 0, s>>>(
            a, b, (const uint16_t*)codes, mask, n, vec, scratch.words());
    HYB_CUDA_TRY(fn, "launch(check)", cudaGetLastError());
    unsigned long long first[3];
    HYB_CUDA_TRY(fn, "cudaMemcpyAsync(check)",
                 cudaMemcpyAsync(first, scratch.words(), sizeof first, cudaMemcpyDeviceToHost, s));
    HYB_CUDA_TRY(fn, "cudaStreamSynchronize(check)", cudaStreamSynchronize(s));
    out->a = first[0] < (unsigned long long)n ? (int64_t)first[0] : -1;
    out->b = first[1] < (unsigned long long)n ? (int64_t)first[1] : -1;
    out->code = first[2] < (unsigned long long)n ? (int64_t)first[2] : -1;
    return HYB_STATUS_OK;
}

hyb_status hyb_cuda_check_step_data(const char* fn, cudaStream_t s, int64_t n, const float* grad,
                                    int reject, const float* w, const void* codes,
                                    int code_bytes, int32_t bits) {
    hyb_cuda_first_bad bad;
    hyb_status st = hyb_cuda_find_bad(fn, s, n, reject ? grad : nullptr, w, codes, code_bytes,
                                      bits, &bad);
    if (st) return st;
    if (bad.code >= 0)
        return hyb_fail(HYB_STATUS_INVALID_CODE,
                        "%s: codes[%lld] = %u has bits above bit %d of a %d-bit format", fn,
                        (long long)bad.code, (unsigned)hyb_cuda_peek_code(codes, code_bytes, bad.code),
                        (int)bits - 1, (int)bits);
    if (bad.a >= 0)
        return hyb_fail(HYB_STATUS_NON_FINITE,
                        "%s: grad[%lld] = %g is not finite (policy: reject)", fn,
                        (long long)bad.a, (double)hyb_cuda_peek_f32(grad, bad.a));
    if (bad.b >= 0)
        return hyb_fail(HYB_STATUS_NON_FINITE, "%s: w[%lld] = %g is not finite", fn,
                        (long long)bad.b, (double)hyb_cuda_peek_f32(w, bad.b));
    return HYB_STATUS_OK;
}

float hyb_cuda_peek_f32(const float* p, int64_t i) {
    float x = 0.0f;
    if (cudaMemcpy(&x, p + i, sizeof x, cudaMemcpyDeviceToHost) != cudaSuccess)
        (void)cudaGetLastError();
    return x;
}

uint32_t hyb_cuda_peek_code(const void* codes, int code_bytes, int64_t i) {
    uint16_t c = 0;
    const char* p = (const char*)codes + i * code_bytes;
    if (cudaMemcpy(&c, p, (size_t)code_bytes, cudaMemcpyDeviceToHost) != cudaSuccess)
        (void)cudaGetLastError();
    return code_bytes == 1 ? (uint32_t)(c & 0xFF) : (uint32_t)c;
}
