/* rms.cu - hyb_cuda_rms_f32. One CUDA block per 4096-element block of x: the squares are
 * formed in parallel into shared memory, then one thread adds them in element order (the
 * CPU's order, so the same double); the host adds the block sums in order and takes sqrt. */
#include <math.h>
#include <stdlib.h>
#include "rms.cuh"
#include "check.cuh"

static __global__ void rms_partials_kernel(const float* __restrict__ x, int64_t n,
                                           double* __restrict__ partial) {
    __shared__ double sq[HYB_RMS_BLOCK_ELEMS];
    const int64_t nblocks = (n + HYB_RMS_BLOCK_ELEMS - 1) / HYB_RMS_BLOCK_ELEMS;
    for (int64_t b = blockIdx.x; b < nblocks; b += gridDim.x) {
        const int64_t s = b * HYB_RMS_BLOCK_ELEMS;
        const int m = n - s < HYB_RMS_BLOCK_ELEMS ? (int)(n - s) : HYB_RMS_BLOCK_ELEMS;
        for (int i = threadIdx.x; i < m; i += blockDim.x) {
            const double xi = (double)x[s + i];
            sq[i] = xi * xi;
        }
        __syncthreads();
        if (threadIdx.x == 0) {
            double acc = 0.0;
            for (int i = 0; i < m; ++i) acc += sq[i];
            partial[b] = acc;
        }
        __syncthreads();
    }
}

cudaError_t rms_partials_launch(const float* x, int64_t n, double* partial, cudaStream_t s) {
    const int64_t nblocks = (n + HYB_RMS_BLOCK_ELEMS - 1) / HYB_RMS_BLOCK_ELEMS;
    const unsigned grid = (unsigned)(nblocks < 65535 ? nblocks : 65535);
    rms_partials_kernel<<<grid, HYB_CUDA_BLOCK, 0, s>>>(x, n, partial);
    return cudaGetLastError();
}

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
    const int64_t nblocks = (n + HYB_RMS_BLOCK_ELEMS - 1) / HYB_RMS_BLOCK_ELEMS;
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
    e = rms_partials_launch(x, n, (double*)partial.ptr, s);
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
