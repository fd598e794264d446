/* rms.cu - hyb_cuda_rms_f32: the block sums of squares on the device (sum_squares.cu, the
 * CPU's order), added in order on the host, so the same double as hyb_rms_f32. */
#include <math.h>
#include <stdlib.h>
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
    const int64_t nblocks = hyb_sum_blocks_per_row(n);
    double* host = (double*)malloc((size_t)nblocks * sizeof(double));
    if (!host)
        return hyb_fail(HYB_STATUS_OUT_OF_MEMORY, "%s: cannot allocate %lld partial sums", fn,
                        (long long)nblocks);
    hyb_cuda_scratch partial;
    cudaError_t e = cudaSuccess;
    const char* what = "launch(rms)";
    if ((st = partial.alloc(fn, (size_t)nblocks * sizeof(double), s))) {
        free(host);
        return st;
    }
    e = sum_squares_partials_launch(x, 1, n, 1, (double*)partial.ptr, s);
    if (e == cudaSuccess) {
        what = "cudaMemcpyAsync(rms partials)";
        e = cudaMemcpyAsync(host, partial.ptr, (size_t)nblocks * sizeof(double),
                            cudaMemcpyDeviceToHost, s);
    }
    if (e == cudaSuccess) {
        what = "cudaStreamSynchronize";
        e = cudaStreamSynchronize(s);
    }
    if (e != cudaSuccess) {
        free(host);
        return hyb_cuda_fail(fn, what, e);
    }
    double total = 0.0;
    for (int64_t b = 0; b < nblocks; ++b) total += host[b];
    free(host);
    *out = sqrt(total / (double)n);
    return HYB_STATUS_OK;
}
