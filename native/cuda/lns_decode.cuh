/* lns_decode.cuh - LNS decode on the GPU: x[i] = hyb_lns_decode_one(codes[i]) (lns_math.h),
 * directly or through a table of every code's value filled by the same function. */
#ifndef HYBRID_CUDA_LNS_DECODE_CUH
#define HYBRID_CUDA_LNS_DECODE_CUH
#include "common.cuh"
template <typename code_t>
cudaError_t lns_decode_launch(const code_t* codes, float* x, int64_t n, int32_t bits,
                              float gamma, float w_max, const float* table, unsigned grid,
                              cudaStream_t s);
cudaError_t lns_decode_table_launch(float* table, int32_t bits, float gamma, float w_max,
                                    cudaStream_t s);
#endif
