/* sum_squares.cu - per-block sums of squares in the CPU's order. A block sum is a chain of
 * dependent double adds, so it is one thread's work either way: long blocks stage their
 * squares in shared memory (coalesced loads, one CUDA block per summation block), short ones
 * (rows shorter than 512) are summed by one thread each straight from memory. */
#include "sum_squares.cuh"
#include "lns_math.h"

static __device__ __forceinline__ double hyb_square_or_zero(float x, int finite_only) {
    const double d = finite_only && !hyb_isfinite_f32(x) ? 0.0 : (double)x;
    return d * d;
}

/* One CUDA block per summation block (grid-stride over them). */
static __global__ void sum_squares_block_kernel(const float* __restrict__ x, int64_t rows,
                                                int64_t cols, int finite_only,
                                                double* __restrict__ partial) {
    __shared__ double sq[HYB_SUM_BLOCK];
    const int64_t nb = hyb_sum_blocks_per_row(cols), total = rows * nb;
    for (int64_t s = blockIdx.x; s < total; s += gridDim.x) {
        const int64_t r = s / nb, b = s - r * nb;
        const float* p = x + r * cols + b * HYB_SUM_BLOCK;
        const int64_t left = cols - b * HYB_SUM_BLOCK;
        const int m = left < HYB_SUM_BLOCK ? (int)left : HYB_SUM_BLOCK;
        for (int i = threadIdx.x; i < m; i += blockDim.x) sq[i] = hyb_square_or_zero(p[i], finite_only);
        __syncthreads();
        if (threadIdx.x == 0) {
            double acc = 0.0;
            for (int i = 0; i < m; ++i) acc += sq[i];
            partial[s] = acc;
        }
        __syncthreads();
    }
}

/* One thread per row (rows of fewer than 512 elements: a single summation block each). */
static __global__ void sum_squares_row_kernel(const float* __restrict__ x, int64_t rows,
                                              int64_t cols, int finite_only,
                                              double* __restrict__ partial) {
    for (int64_t r = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; r < rows;
         r += (int64_t)gridDim.x * blockDim.x) {
        const float* p = x + r * cols;
        double acc = 0.0;
        for (int64_t i = 0; i < cols; ++i) acc += hyb_square_or_zero(p[i], finite_only);
        partial[r] = acc;
    }
}

cudaError_t sum_squares_partials_launch(const float* x, int64_t rows, int64_t cols,
                                        int finite_only, double* partial, cudaStream_t s) {
    if (rows <= 0 || cols <= 0) return cudaSuccess;
    if (cols < 512) {
        const int64_t want = (rows + HYB_CUDA_BLOCK - 1) / HYB_CUDA_BLOCK;
        const unsigned grid = (unsigned)(want < 65535 ? want : 65535);
        sum_squares_row_kernel<<<grid, HYB_CUDA_BLOCK, 0, s>>>(x, rows, cols, finite_only, partial);
    } else {
        const int64_t total = rows * hyb_sum_blocks_per_row(cols);
        const unsigned grid = (unsigned)(total < 65535 ? total : 65535);
        sum_squares_block_kernel<<<grid, HYB_CUDA_BLOCK, 0, s>>>(x, rows, cols, finite_only, partial);
    }
    return cudaGetLastError();
}
