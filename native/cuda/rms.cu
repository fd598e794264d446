/* rms.cu - hyb_cuda_rms_f32: the sum of squares on the device in the CPU's order
 * (sum_squares.cu), so the same double as hyb_rms_f32. */
#include <math.h>
#include "sum_squares.cuh"
#include "check.cuh"

extern "C" hyb_status hyb_cuda_rms_f32(const float* x, int64_t n, double* out, void* stream) {
    static const char* fn = "hyb_cuda_rms_f32";
    hyb_clear_error();
    if (out == NULL) return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: out is NULL", fn);
    hyb_status st = hyb_check_length(fn, n);
    if (st) return st;
    if (n == 0) return hyb_fail(HYB_STATUS_INVALID_LENGTH, "%s: n = 0 (RMS of nothing)", fn);
    if ((st = hyb_check_ptr(fn, x, "x", n)) ||
        (st = hyb_cuda_check_buffer(fn, "x", x, (size_t)n * 4)))
        return st;
    cudaStream_t s = (cudaStream_t)stream;
    hyb_cuda_first_bad bad;
    if ((st = hyb_cuda_find_bad(fn, s, n, x, nullptr, nullptr, 4, 32, &bad))) return st;
    if (bad.a >= 0)
        return hyb_fail(HYB_STATUS_NON_FINITE, "%s: x[%lld] = %g is not finite", fn,
                        (long long)bad.a, (double)hyb_cuda_peek_f32(x, bad.a));
    /* the total on the device, in the CPU's order; one double comes back */
    const size_t pbytes = sum_squares_scratch_bytes(1, n);
    hyb_cuda_scratch scratch;
    if ((st = scratch.alloc(fn, 8 + pbytes, s))) return st;
    double* total = (double*)scratch.ptr;
    HYB_CUDA_TRY(fn, "launch(rms)",
                 sum_squares_rows_launch(x, 1, n, 1, pbytes ? total + 1 : nullptr, total, s));
    double host = 0.0;
    HYB_CUDA_TRY(fn, "cudaMemcpyAsync(rms)",
                 cudaMemcpyAsync(&host, total, sizeof host, cudaMemcpyDeviceToHost, s));
    HYB_CUDA_TRY(fn, "cudaStreamSynchronize", cudaStreamSynchronize(s));
    *out = sqrt(host / (double)n);
    return HYB_STATUS_OK;
}
