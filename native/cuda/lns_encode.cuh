/* lns_encode.cuh - LNS encode on the GPU: codes[i] = hyb_lns_encode_one(x[i]) (lns_math.h). */
#ifndef HYBRID_CUDA_LNS_ENCODE_CUH
#define HYBRID_CUDA_LNS_ENCODE_CUH
#include "common.cuh"
template <typename code_t>
cudaError_t lns_encode_launch(const float* x, code_t* codes, int64_t n, int32_t bits,
                              float gamma, double log2_wmax, unsigned grid, cudaStream_t s);
#endif
