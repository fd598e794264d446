/* sum_squares.cuh - the CPU's deterministic sum of squares (reduce.c, hyb_sum_squares) on the
 * GPU, per row: hybrid/limits.h's order (lanes within each HYB_SUM_BLOCK block, halving, then
 * the blocks' sums the same way), non-finite elements as 0 when finite_only: the CPU's doubles. */
#ifndef HYBRID_CUDA_SUM_SQUARES_CUH
#define HYBRID_CUDA_SUM_SQUARES_CUH
#include "common.cuh"
/* Block sums per row of x[rows][cols]. */
static __host__ __device__ inline int64_t hyb_sum_blocks_per_row(int64_t cols) {
    return (cols + HYB_SUM_BLOCK - 1) / HYB_SUM_BLOCK;
}
/* Device scratch (bytes) for the block sums of rows of more than one block (0 otherwise). */
size_t sum_squares_scratch_bytes(int64_t rows, int64_t cols);
/* totals[r] = row r's sum of squares; partial: sum_squares_scratch_bytes(rows, cols) of scratch. */
cudaError_t sum_squares_rows_launch(const float* x, int64_t rows, int64_t cols, int finite_only,
                                    double* partial, double* totals, cudaStream_t s);
#endif
