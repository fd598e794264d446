/* lns_step.cuh - the LNS Madam step on the GPU: per element hyb_madam_normalised then
 * hyb_lns_step_one (lns_math.h), uniforms from the shared Philox stream (philox.h). */
#ifndef HYBRID_CUDA_LNS_STEP_CUH
#define HYBRID_CUDA_LNS_STEP_CUH
#include "common.cuh"
#include "lns_math.h"

/* Everything a step kernel needs besides the buffers (computed once on the host). */
struct lns_step_args {
    hyb_madam_consts k;
    uint64_t seed;
    int64_t step;
    uint32_t tensor_id;
    int32_t bits;
    int32_t stochastic;
};

/* counters (device, may be NULL): [0] += codes changed, [1] += non-finite gradients skipped. */
template <typename code_t>
cudaError_t lns_step_launch(const lns_step_args& a, code_t* codes, const float* grad, float* v,
                            int64_t n, unsigned long long* counters, unsigned grid,
                            cudaStream_t s);
#endif
