/* lns_gemm.cuh - the exact LNS GEMM on the GPU: one thread per output, the reference dot
 * product of arith_math.h (products in k order, saturating buckets). */
#ifndef HYBRID_CUDA_LNS_GEMM_CUH
#define HYBRID_CUDA_LNS_GEMM_CUH
#include "common.cuh"
#endif
