/* rms.cuh - the deterministic RMS on the GPU: the sum of squares of each fixed block of 4096
 * elements in double, in element order, exactly as hyb_rms_f32 forms it. */
#ifndef HYBRID_CUDA_RMS_CUH
#define HYBRID_CUDA_RMS_CUH
#include "common.cuh"
enum { HYB_RMS_BLOCK_ELEMS = 4096 };
/* partial[b] = sum over block b of (double)x^2, b < ceil(n / 4096). */
cudaError_t rms_partials_launch(const float* x, int64_t n, double* partial, cudaStream_t s);
#endif
