/* sum_squares.cuh - the CPU's deterministic sum of squares (reduce.c, hyb_sum_squares) on the
 * GPU, per row: each fixed block of HYB_SUM_BLOCK elements of a row summed in element order in double,
 * non-finite elements as 0. The caller adds a row's block sums in order (RMS on the host, the
 * shared moments of the LNS step on the device), which gives the CPU's double exactly. */
#ifndef HYBRID_CUDA_SUM_SQUARES_CUH
#define HYBRID_CUDA_SUM_SQUARES_CUH
#include "common.cuh"
/* Block sums per row of x[rows][cols]. */
static __host__ __device__ inline int64_t hyb_sum_blocks_per_row(int64_t cols) {
    return (cols + HYB_SUM_BLOCK - 1) / HYB_SUM_BLOCK;
}
/* partial[r * nb + b] = sum of x^2 over block b of row r; nb = hyb_sum_blocks_per_row(cols).
 * Non-finite elements count as 0 when finite_only (as hyb_sum_squares). */
cudaError_t sum_squares_partials_launch(const float* x, int64_t rows, int64_t cols,
                                        int finite_only, double* partial, cudaStream_t s);
#endif
