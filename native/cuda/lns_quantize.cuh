/* lns_quantize.cuh - LNS quantisation on the GPU: y[i] = the grid value of x[i]
 * (hyb_lns_quantize_index, arith_math.h), the grid tables filled on the device. */
#ifndef HYBRID_CUDA_LNS_QUANTIZE_CUH
#define HYBRID_CUDA_LNS_QUANTIZE_CUH
#include "common.cuh"
#endif
