/* hybrid/limits.h - the numbers every backend must agree on, named once.
 *
 * The C kernels, the CUDA kernels and the managed twin (through the generated
 * Hybrid.Native.Interop.HybridConstants) all use these names; none of them writes the number
 * again. A kernel that adds a shared constant adds it here (or beside the enum it belongs to). */
#ifndef HYBRID_LIMITS_H
#define HYBRID_LIMITS_H

/* Largest element count accepted anywhere: 2^58 (the random stream's 56-bit block counter
 * times the elements one block serves). */
#define HYB_MAX_ELEMENTS 288230376151711744LL

/* Every deterministic sum of squares (RMS, the per-neuron and per-tensor moments) adds x^2 in
 * double in one fixed order, the same on every backend, thread count, SIMD level and launch
 * geometry: the elements in blocks of HYB_SUM_BLOCK; within a block, lane j of HYB_SUM_LANES
 * adds x_j^2, x_(j+L)^2, x_(j+2L)^2, ... in order (from 0.0), and the lanes combine by halving:
 * lane[j] += lane[j + h] for h = L/2, L/4, ..., 1, giving lane[0]. The blocks' sums combine
 * the same way (lane j adds sums j, j + L, ...; then halving). Lane-wise, SIMD units and GPU
 * threads sum a block together, yet the double is the same everywhere. */
#define HYB_SUM_BLOCK 4096

/* Lanes of a block's sum of squares (see HYB_SUM_BLOCK). */
#define HYB_SUM_LANES 256

/* LNS formats: B in [HYB_LNS_MIN_BITS, HYB_LNS_MAX_BITS], gamma in (0, HYB_LNS_MAX_GAMMA]. */
#define HYB_LNS_MIN_BITS 2     /* smallest B: ternary */
#define HYB_LNS_MAX_BITS 16    /* largest B */
#define HYB_LNS_MAX_GAMMA 4096 /* largest gamma (levels per octave) */

/* The LNS step's largest real-valued code step, gamma * lr * g_bound / ln 2: 2^20. */
#define HYB_LNS_MAX_CODE_STEPS 1048576

/* Each LNS step's dk is clamped to +-2^16 before rounding: beyond any code range, and small
 * enough that dk + u and the integer conversion stay exact. */
#define HYB_LNS_STEP_CLAMP 65536

/* Device model: c2c_noise and d2d_gain_sd lie in [0, HYB_DEVICE_MAX_SD]. */
#define HYB_DEVICE_MAX_SD 10

/* Random purposes (hyb_random_purpose) are 8 bits of the Philox counter: 0 ..
 * HYB_RANDOM_MAX_PURPOSE. */
#define HYB_RANDOM_MAX_PURPOSE 255

/* Exact LNS GEMM (hybrid/lns_arith.h): gamma is a power of two up to HYB_LNS_GEMM_MAX_GAMMA
 * (one accumulator per remainder bucket), accumulators are at most HYB_LNS_GEMM_MAX_ACC_BITS wide. */
#define HYB_LNS_GEMM_MAX_GAMMA 64
#define HYB_LNS_GEMM_MAX_ACC_BITS 32

#endif /* HYBRID_LIMITS_H */
