/* random_uniform.cuh - the shared Philox stream's uniforms into device memory. */
#ifndef HYBRID_CUDA_RANDOM_UNIFORM_CUH
#define HYBRID_CUDA_RANDOM_UNIFORM_CUH
#include "common.cuh"
cudaError_t random_uniform_launch(uint64_t seed, int64_t step, uint32_t tensor_id,
                                  uint32_t purpose, int64_t offset, float* out, int64_t n,
                                  unsigned grid, cudaStream_t s);
#endif
