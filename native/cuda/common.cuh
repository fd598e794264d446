/* common.cuh - what every CUDA entry point shares: CUDA errors as Hybrid statuses, the checks
 * that a pointer is device memory big enough for what a kernel will touch, launch geometry,
 * four-element vector loads, and a small stream-ordered scratch buffer for read-backs. */
#ifndef HYBRID_CUDA_COMMON_CUH
#define HYBRID_CUDA_COMMON_CUH

#include <cuda_runtime.h>
#include <stddef.h>
#include <stdint.h>
#include "internal.h"

/* A failed CUDA call as a status with the runtime's words: "fn: what: <string> (<name>)".
 * No driver, no device and similar map to HYB_STATUS_CUDA_UNAVAILABLE, allocation failures to
 * HYB_STATUS_OUT_OF_MEMORY, everything else to HYB_STATUS_CUDA_ERROR. */
hyb_status hyb_cuda_fail(const char* fn, const char* what, cudaError_t err);

#define HYB_CUDA_TRY(fn, what, call)                                                       \
    do {                                                                                   \
        cudaError_t e_ = (call);                                                           \
        if (e_ != cudaSuccess) return hyb_cuda_fail(fn, what, e_);                         \
    } while (0)

/* Checks that [p, p + bytes) is device (or managed) memory of the current device inside one
 * allocation; bytes == 0 always passes. `name` is the argument's name for the message. One
 * driver query per buffer (cuPointerGetAttributes), plus cudaGetDevice; the _on form takes the
 * current device from the caller, who asked once for all its buffers. */
hyb_status hyb_cuda_check_buffer(const char* fn, const char* name, const void* p, size_t bytes);
hyb_status hyb_cuda_check_buffer_on(const char* fn, int device, const char* name, const void* p,
                                    size_t bytes);
hyb_status hyb_cuda_current_device(const char* fn, int* device);

/* hyb_cuda_check_buffer for the three buffers of a step (names, pointers, bytes). */
hyb_status hyb_cuda_check_buffers3(const char* fn, const char* an, const void* a, size_t ab,
                                   const char* bn, const void* b, size_t bb, const char* cn,
                                   const void* c, size_t cbytes);

/* Blocks of 256 threads for `items` work items (grid-stride loops cover the rest), at most a
 * few waves of the current device. */
enum { HYB_CUDA_BLOCK = 256 };
hyb_status hyb_cuda_grid(const char* fn, int64_t items, unsigned* grid);

/* 1 if every pointer is aligned for four-element vector loads of its type. */
static inline int hyb_cuda_aligned(const void* p, size_t elem_bytes) {
    return ((uintptr_t)p % (4 * elem_bytes)) == 0;
}

/* Temporary device memory for one call (read-back words, a decode table), freed in stream
 * order when it goes out of scope. */
struct hyb_cuda_scratch {
    void* ptr = nullptr;
    cudaStream_t stream = nullptr;
    bool pooled = false;
    hyb_status alloc(const char* fn, size_t bytes, cudaStream_t s);
    unsigned long long* words() const { return (unsigned long long*)ptr; }
    ~hyb_cuda_scratch();
};

/* A step's stats from its two device counters (changed, non-finite): one read-back and one
 * synchronisation of the stream. */
hyb_status hyb_cuda_read_stats(const char* fn, const hyb_cuda_scratch& counters, int64_t n,
                               hyb_step_stats* stats, cudaStream_t s);

/* ---- device helpers ---- */

/* Loads/stores the four elements i0..i0+3 (only m < 4 of them at the tail), as one vector
 * access when `vec` says the base pointer is aligned and the group is whole. The loops have
 * a fixed trip count so that the four-element arrays stay in registers. */
__device__ __forceinline__ void hyb_load4(const float* p, int64_t i0, int m, int vec, float o[4]) {
    if (vec && m == 4) {
        float4 t = *reinterpret_cast<const float4*>(p + i0);
        o[0] = t.x; o[1] = t.y; o[2] = t.z; o[3] = t.w;
    } else {
#pragma unroll
        for (int j = 0; j < 4; ++j) o[j] = j < m ? p[i0 + j] : 0.0f;
    }
}
__device__ __forceinline__ void hyb_store4(float* p, int64_t i0, int m, int vec, const float o[4]) {
    if (vec && m == 4) {
        *reinterpret_cast<float4*>(p + i0) = make_float4(o[0], o[1], o[2], o[3]);
    } else {
#pragma unroll
        for (int j = 0; j < 4; ++j)
            if (j < m) p[i0 + j] = o[j];
    }
}
__device__ __forceinline__ void hyb_load4(const uint8_t* p, int64_t i0, int m, int vec, uint32_t o[4]) {
    if (vec && m == 4) {
        uchar4 t = *reinterpret_cast<const uchar4*>(p + i0);
        o[0] = t.x; o[1] = t.y; o[2] = t.z; o[3] = t.w;
    } else {
#pragma unroll
        for (int j = 0; j < 4; ++j) o[j] = j < m ? p[i0 + j] : 0u;
    }
}
__device__ __forceinline__ void hyb_store4(uint8_t* p, int64_t i0, int m, int vec, const uint32_t o[4]) {
    if (vec && m == 4) {
        *reinterpret_cast<uchar4*>(p + i0) =
            make_uchar4((uint8_t)o[0], (uint8_t)o[1], (uint8_t)o[2], (uint8_t)o[3]);
    } else {
#pragma unroll
        for (int j = 0; j < 4; ++j)
            if (j < m) p[i0 + j] = (uint8_t)o[j];
    }
}
__device__ __forceinline__ void hyb_load4(const uint16_t* p, int64_t i0, int m, int vec, uint32_t o[4]) {
    if (vec && m == 4) {
        ushort4 t = *reinterpret_cast<const ushort4*>(p + i0);
        o[0] = t.x; o[1] = t.y; o[2] = t.z; o[3] = t.w;
    } else {
#pragma unroll
        for (int j = 0; j < 4; ++j) o[j] = j < m ? p[i0 + j] : 0u;
    }
}
__device__ __forceinline__ void hyb_store4(uint16_t* p, int64_t i0, int m, int vec, const uint32_t o[4]) {
    if (vec && m == 4) {
        *reinterpret_cast<ushort4*>(p + i0) =
            make_ushort4((uint16_t)o[0], (uint16_t)o[1], (uint16_t)o[2], (uint16_t)o[3]);
    } else {
#pragma unroll
        for (int j = 0; j < 4; ++j)
            if (j < m) p[i0 + j] = (uint16_t)o[j];
    }
}

/* Adds a per-thread count into *total with one atomic per warp (counts of a whole block's
 * warps land in the same word, so the order of atomics never changes the sum). */
__device__ __forceinline__ void hyb_warp_add(unsigned long long* total, unsigned long long x) {
    for (int off = 16; off > 0; off >>= 1) x += __shfl_down_sync(0xFFFFFFFFu, x, off);
    if ((threadIdx.x & 31) == 0 && x != 0) atomicAdd(total, x);
}

#endif
