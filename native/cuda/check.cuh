/* check.cuh - the read-only pass that validates device data before a kernel writes: the
 * first non-finite element of up to two float buffers, the first code with bits at or above
 * bit B. One pass, one read-back, one synchronisation of the stream. */
#ifndef HYBRID_CUDA_CHECK_CUH
#define HYBRID_CUDA_CHECK_CUH
#include "common.cuh"

/* Index of the first bad element of each buffer, or -1. NULL buffers are not checked;
 * code_bytes is 1 or 2 and codes are checked only when bits < 8 * code_bytes. */
struct hyb_cuda_first_bad { int64_t a, b, code; };
hyb_status hyb_cuda_find_bad(const char* fn, cudaStream_t s, int64_t n, const float* a,
                             const float* b, const void* codes, int code_bytes, int32_t bits,
                             hyb_cuda_first_bad* out);

/* The device-data checks of a step before it writes, with the CPU entry's messages: the codes
 * in their format (codes may be NULL), grad finite under the reject policy, w finite (w may
 * be NULL). One pass, one synchronisation when anything is checked. */
hyb_status hyb_cuda_check_step_data(const char* fn, cudaStream_t s, int64_t n, const float* grad,
                                    int reject, const float* w, const void* codes,
                                    int code_bytes, int32_t bits);

/* Reads one element back (for the message naming a bad value). */
float hyb_cuda_peek_f32(const float* p, int64_t i);
uint32_t hyb_cuda_peek_code(const void* codes, int code_bytes, int64_t i);
#endif
