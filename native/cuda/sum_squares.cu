/* sum_squares.cu - the CPU's deterministic sum of squares (hybrid/limits.h's order) on the GPU,
 * with every thread of a block at work: thread j of HYB_SUM_LANES sums lane j of a summation
 * block (elements j, j + 256, ... in order), then the lanes combine by halving, as the CPU's
 * SIMD lanes do; a second pass combines a row's block sums the same way. The same doubles as
 * hyb_sum_squares, so the shared moments are the same floats and the codes the same codes. */
#include "sum_squares.cuh"
#include "lns_math.h"

static __device__ __forceinline__ double hyb_square_or_zero(float x, int finite_only) {
    const double d = finite_only && !hyb_isfinite_f32(x) ? 0.0 : (double)x;
    return d * d;
}

/* The halving combination of the block's HYB_SUM_LANES lane sums (one per thread, in s);
 * returns the result in s[0]. Ends synchronised. */
static __device__ __forceinline__ void hyb_block_halving(double* s) {
    for (int h = HYB_SUM_LANES / 2; h >= 1; h /= 2) {
        __syncthreads();
        if ((int)threadIdx.x < h) s[threadIdx.x] = s[threadIdx.x] + s[threadIdx.x + h];
    }
    __syncthreads();
}

/* Block sums of rows with several summation blocks: one CUDA block of HYB_SUM_LANES threads per
 * summation block (grid-stride over them), thread j summing lane j. */
static __global__ void __launch_bounds__(HYB_SUM_LANES)
sum_blocks_kernel(const float* __restrict__ x, int64_t rows, int64_t cols, int finite_only,
                  double* __restrict__ partial) {
    __shared__ double s[HYB_SUM_LANES];
    const int64_t nb = hyb_sum_blocks_per_row(cols), total = rows * nb;
    for (int64_t q = blockIdx.x; q < total; q += gridDim.x) {
        const int64_t r = q / nb, b = q - r * nb;
        const float* p = x + r * cols + b * HYB_SUM_BLOCK;
        const int64_t left = cols - b * HYB_SUM_BLOCK;
        const int m = left < HYB_SUM_BLOCK ? (int)left : HYB_SUM_BLOCK;
        double acc = 0.0;
        for (int i = threadIdx.x; i < m; i += HYB_SUM_LANES) acc += hyb_square_or_zero(p[i], finite_only);
        s[threadIdx.x] = acc;
        hyb_block_halving(s);
        if (threadIdx.x == 0) partial[q] = s[0];
    }
}

/* Rows of one summation block each: one warp per row, lane j of the 256 held by thread j mod 32
 * (8 lanes a thread); the first three halvings (h = 128, 64, 32) in registers, the rest by
 * shuffles, which pair exactly the lanes the CPU pairs. */
static __global__ void sum_short_rows_kernel(const float* __restrict__ x, int64_t rows, int64_t cols,
                                             int finite_only, double* __restrict__ totals) {
    const int t = threadIdx.x & 31;
    const int64_t warps = ((int64_t)gridDim.x * blockDim.x) >> 5;
    for (int64_t r = (blockIdx.x * (int64_t)blockDim.x + threadIdx.x) >> 5; r < rows; r += warps) {
        const float* p = x + r * cols;
        double a[8];
#pragma unroll
        for (int m = 0; m < 8; ++m) {
            double acc = 0.0;
            for (int64_t i = t + 32 * m; i < cols; i += HYB_SUM_LANES) acc += hyb_square_or_zero(p[i], finite_only);
            a[m] = acc;
        }
#pragma unroll
        for (int m = 0; m < 4; ++m) a[m] = a[m] + a[m + 4]; /* h = 128 */
        a[0] = a[0] + a[2];                                  /* h = 64 */
        a[1] = a[1] + a[3];
        double v = a[0] + a[1];                              /* h = 32 */
        for (int h = 16; h >= 1; h >>= 1) {
            const double o = __shfl_down_sync(0xFFFFFFFFu, v, h);
            if (t < h) v = v + o;
        }
        if (t == 0) totals[r] = v;
    }
}

/* A row's total from its nb block sums: lane j adds sums j, j + 256, ... in order, then halving;
 * one CUDA block per row. */
static __global__ void __launch_bounds__(HYB_SUM_LANES)
sum_combine_kernel(const double* __restrict__ partial, int64_t rows, int64_t nb,
                   double* __restrict__ totals) {
    __shared__ double s[HYB_SUM_LANES];
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        double acc = 0.0;
        for (int64_t b = threadIdx.x; b < nb; b += HYB_SUM_LANES) acc += partial[r * nb + b];
        s[threadIdx.x] = acc;
        hyb_block_halving(s);
        if (threadIdx.x == 0) totals[r] = s[0];
    }
}

size_t sum_squares_scratch_bytes(int64_t rows, int64_t cols) {
    const int64_t nb = hyb_sum_blocks_per_row(cols);
    return nb > 1 ? (size_t)(rows * nb) * sizeof(double) : 0;
}

cudaError_t sum_squares_rows_launch(const float* x, int64_t rows, int64_t cols, int finite_only,
                                    double* partial, double* totals, cudaStream_t s) {
    if (rows <= 0 || cols <= 0) return cudaSuccess;
    const int64_t nb = hyb_sum_blocks_per_row(cols);
    if (nb == 1) {
        const int64_t want = (rows * 32 + HYB_CUDA_BLOCK - 1) / HYB_CUDA_BLOCK;
        const unsigned grid = (unsigned)(want < 65535 ? want : 65535);
        sum_short_rows_kernel<<<grid, HYB_CUDA_BLOCK, 0, s>>>(x, rows, cols, finite_only, totals);
        return cudaGetLastError();
    }
    const int64_t total = rows * nb;
    const unsigned grid = (unsigned)(total < 65535 ? total : 65535);
    sum_blocks_kernel<<<grid, HYB_SUM_LANES, 0, s>>>(x, rows, cols, finite_only, partial);
    const unsigned cgrid = (unsigned)(rows < 65535 ? rows : 65535);
    sum_combine_kernel<<<cgrid, HYB_SUM_LANES, 0, s>>>(partial, rows, nb, totals);
    return cudaGetLastError();
}
