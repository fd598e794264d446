/* lns_step.cuh - the LNS Madam step on the GPU: per element hyb_lns_element (element_steps.h),
 * with uniforms and device draws from the shared Philox stream (philox.h). */
#ifndef HYBRID_CUDA_LNS_STEP_CUH
#define HYBRID_CUDA_LNS_STEP_CUH
#include "common.cuh"
#include "lanes_scalar.h"
#include "element_steps.h"
#include "device_math.h"

/* Everything a step kernel needs besides the buffers (computed once on the host). */
struct lns_step_args {
    hyb_madam_consts k;
    uint64_t seed;
    int64_t step;
    uint32_t tensor_id;
    int32_t bits;
    int32_t stochastic;
    int32_t moment;      /* hyb_moment_mode */
    int32_t propagate;   /* 1 under HYB_NONFINITE_POLICY_PROPAGATE */
    int32_t random_bits; /* r of stochastic rounding; 0 for nearest */
    int32_t device;      /* 1 if any device-model option is on */
    float c2c, d2d, stuck;
    float asymmetry;     /* the up/down asymmetry (hyb_lns_device_lanes) */
    float x_scale;       /* the code domain's state scale (hyb_device_code_x_scale) */
    hyb_device_response response; /* the device family */
    int64_t cols;        /* elements per row sharing one moment (per neuron: n / rows) */
};

/* Shared moments (per neuron / per tensor): v[r] <- b2 v[r] + (1 - b2) ms_r, d[r] = its
 * denominator, ms_r = (float)(totals[r] / cols), totals the rows' sums of g^2. */
cudaError_t lns_moment_launch(const lns_step_args& a, const double* totals, int64_t rows,
                              float* v, float* d, cudaStream_t s);

/* The step. d: the shared denominators (per-neuron/per-tensor modes, else NULL); counters
 * (device, may be NULL): [0] += codes changed, [1] += non-finite gradients skipped. */
template <typename code_t>
cudaError_t lns_step_launch(const lns_step_args& a, code_t* codes, const float* grad, float* v,
                            const float* d, int64_t n, unsigned long long* counters,
                            unsigned grid, cudaStream_t s);
#endif
