/* hd.h - one spelling for functions shared by the C kernels and the CUDA kernels.
 * HYB_HD marks a small inline function compiled for the host and, under nvcc, the device.
 * The HYB_FLOOR/HYB_FLOORF/HYB_SQRTF wrappers are the correctly rounded IEEE operations
 * on both sides (the C build uses -fno-math-errno so they compile to single instructions). */
#ifndef HYBRID_SRC_HD_H
#define HYBRID_SRC_HD_H

#if defined(__CUDACC__)
#  define HYB_HD static __host__ __device__ __forceinline__
#  define HYB_FLOOR(x) floor(x)
#  define HYB_FLOORF(x) floorf(x)
#  define HYB_SQRTF(x) sqrtf(x)
#else
#  include <math.h>
#  define HYB_HD static inline
#  define HYB_FLOOR(x) floor(x)
#  define HYB_FLOORF(x) floorf(x)
#  define HYB_SQRTF(x) sqrtf(x)
#endif

#endif
