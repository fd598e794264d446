/* madam_step.cuh - the float32 Madam step on the GPU: hyb_madam_element (element_steps.h),
 * w <- clamp(w * exp(-lr * gh * sign(w)), -w_max, w_max). */
#ifndef HYBRID_CUDA_MADAM_STEP_CUH
#define HYBRID_CUDA_MADAM_STEP_CUH
#include "common.cuh"
#include "lanes_scalar.h"
#include "element_steps.h"
/* counters (device, may be NULL): [0] += weights changed, [1] += non-finite gradients. */
cudaError_t madam_step_launch(const hyb_madam_consts& k, float lr, float w_max, int propagate,
                              float* w, const float* grad, float* v, int64_t n,
                              unsigned long long* counters, unsigned grid, cudaStream_t s);
#endif
