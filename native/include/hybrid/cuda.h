/* hybrid/cuda.h - the CUDA backend: devices, memory, streams, events and the kernels on the GPU.
 *
 * Every function here is always exported. In a library built without CUDA (HYBRID_CUDA=OFF,
 * or AUTO without nvcc) each returns HYB_STATUS_CUDA_UNAVAILABLE with a message saying so.
 * In a CUDA build on a machine without a driver or device, the device functions return
 * HYB_STATUS_CUDA_UNAVAILABLE with the CUDA runtime's own words; the library still loads (the
 * runtime is linked statically and finds the driver only when first asked).
 *
 * Pointers. Device buffers, streams and events are `void*`: device addresses from
 * hyb_cuda_malloc (or any other allocator of the same CUDA context, e.g. a framework's), a
 * stream from hyb_cuda_stream_create (NULL = the legacy default stream), an event from
 * hyb_cuda_event_create. A kernel entry checks, before it launches, that every non-empty
 * buffer is device (or managed) memory of the current device and that the bytes it will touch
 * lie inside one allocation; host memory is refused with HYB_STATUS_INVALID_ARGUMENT.
 *
 * Kernels. hyb_cuda_<kernel> computes exactly what the CPU function of the same name (without
 * `cuda_`) computes, bit for bit (the element maths is one shared header, compiled without
 * fused multiply-add), with the same argument rules and messages. They are stream-ordered:
 * a call returns once the work is queued, unless it must read something back first, which it
 * says: validating device data (non-finite input, out-of-format codes) or filling a stats
 * struct means one read-only pass and a synchronisation of the stream before the call
 * returns. All-or-nothing holds as on the CPU: nothing is written when a check fails. A
 * CUDA failure after the launch (an asynchronous fault) surfaces as HYB_STATUS_CUDA_ERROR
 * from a later call that synchronises. */
#ifndef HYBRID_CUDA_H
#define HYBRID_CUDA_H

#include <stdint.h>
#include "hybrid/export.h"
#include "hybrid/status.h"
#include "hybrid/random.h"
#include "hybrid/lns.h"
#include "hybrid/lns_arith.h"
#include "hybrid/madam.h"

HYB_EXTERN_C_BEGIN

/* What one CUDA device is. Strings are NUL-terminated and truncated to fit; a figure the
 * driver does not report is 0. */
typedef struct hyb_cuda_device_props {
    char name[256];                /* e.g. "NVIDIA H200" */
    int64_t total_memory;          /* bytes of device memory */
    int32_t ordinal;               /* the device's number, 0-based */
    int32_t compute_major;         /* compute capability, major (9 for sm_90) */
    int32_t compute_minor;         /* compute capability, minor */
    int32_t multiprocessor_count;  /* streaming multiprocessors */
    int32_t memory_clock_khz;      /* peak memory clock in kHz */
    int32_t memory_bus_width;      /* memory bus width in bits */
    int32_t driver_version;        /* CUDA version the driver supports, 1000*major + 10*minor */
    int32_t runtime_version;       /* CUDA runtime compiled in, 1000*major + 10*minor */
} hyb_cuda_device_props;
HYB_STATIC_ASSERT(sizeof(hyb_cuda_device_props) == 296, "hyb_cuda_device_props layout changed");

/* ---- devices ---- */

/* Number of CUDA devices (>= 1 on success). HYB_STATUS_CUDA_UNAVAILABLE when built without
 * CUDA, without a driver, or with no device; the message says which. */
HYB_API hyb_status hyb_cuda_device_count(int32_t* count);

/* Properties of device `ordinal` in [0, count). */
HYB_API hyb_status hyb_cuda_device_properties(int32_t ordinal, hyb_cuda_device_props* props);

/* The calling thread's current device, which allocations and kernels use. */
HYB_API hyb_status hyb_cuda_device_get(int32_t* ordinal);
/* Makes device `ordinal` in [0, count) the calling thread's current device. */
HYB_API hyb_status hyb_cuda_device_set(int32_t ordinal);

/* Waits for all work on the current device; reports any asynchronous fault. */
HYB_API hyb_status hyb_cuda_device_synchronize(void);

/* Free and total bytes of the current device's memory. */
HYB_API hyb_status hyb_cuda_memory_info(int64_t* free_bytes, int64_t* total_bytes);

/* ---- memory ---- */

/* Allocates `bytes` (>= 0) of device memory on the current device, aligned to at least 256
 * bytes; *ptr is NULL for 0 bytes. HYB_STATUS_OUT_OF_MEMORY when the device is full. */
HYB_API hyb_status hyb_cuda_malloc(void** ptr, int64_t bytes);

/* Frees memory from hyb_cuda_malloc (NULL is fine). Waits for work that may still use it. */
HYB_API hyb_status hyb_cuda_free(void* ptr);

/* Copies `bytes` from host to device. The host buffer may be reused when the call returns:
 * it waits for the copy (and for earlier work on the stream). */
HYB_API hyb_status hyb_cuda_memcpy_htod(void* dst_dev, const void* src_host, int64_t bytes,
                                        void* stream);

/* Copies `bytes` from device to host; returns when the host buffer holds them. */
HYB_API hyb_status hyb_cuda_memcpy_dtoh(void* dst_host, const void* src_dev, int64_t bytes,
                                        void* stream);

/* Copies `bytes` between device buffers, queued on the stream (does not wait). The ranges
 * must not overlap. */
HYB_API hyb_status hyb_cuda_memcpy_dtod(void* dst_dev, const void* src_dev, int64_t bytes,
                                        void* stream);

/* Sets `bytes` of device memory to the byte `value` (0..255), queued on the stream. */
HYB_API hyb_status hyb_cuda_memset(void* dst_dev, int32_t value, int64_t bytes, void* stream);

/* ---- streams and events ---- */

/* A new non-blocking stream on the current device. */
HYB_API hyb_status hyb_cuda_stream_create(void** stream);
/* Destroys a stream from hyb_cuda_stream_create once its queued work is done (not NULL). */
HYB_API hyb_status hyb_cuda_stream_destroy(void* stream);
/* Waits until all work queued on the stream is done; reports any asynchronous fault. */
HYB_API hyb_status hyb_cuda_stream_synchronize(void* stream);

/* A new timing event. */
HYB_API hyb_status hyb_cuda_event_create(void** event);
/* Destroys an event from hyb_cuda_event_create. */
HYB_API hyb_status hyb_cuda_event_destroy(void* event);
/* Records the event at the current end of the stream's queue. */
HYB_API hyb_status hyb_cuda_event_record(void* event, void* stream);
/* Waits until the event has happened. */
HYB_API hyb_status hyb_cuda_event_synchronize(void* event);
/* Milliseconds between two recorded, completed events (resolution about 0.5 us). */
HYB_API hyb_status hyb_cuda_event_elapsed(void* start, void* end, float* milliseconds);

/* ---- kernels: the CPU functions' twins on device buffers ---- */

/* hyb_lns_encode_* on device buffers. Checks x (finite) on the device first, so it
 * synchronises the stream once. */
HYB_API hyb_status hyb_cuda_lns_encode_u8(const hyb_lns_format* format, const float* x_dev,
                                          uint8_t* codes_dev, int64_t n, void* stream);
HYB_API hyb_status hyb_cuda_lns_encode_u16(const hyb_lns_format* format, const float* x_dev,
                                           uint16_t* codes_dev, int64_t n, void* stream);

/* hyb_lns_decode_* on device buffers. Checks the codes on the device (and synchronises the
 * stream once) when B is below the code width; with B = 8 (u8) or 16 (u16) it is fully
 * asynchronous. */
HYB_API hyb_status hyb_cuda_lns_decode_u8(const hyb_lns_format* format,
                                          const uint8_t* codes_dev, float* x_dev, int64_t n,
                                          void* stream);
HYB_API hyb_status hyb_cuda_lns_decode_u16(const hyb_lns_format* format,
                                           const uint16_t* codes_dev, float* x_dev, int64_t n,
                                           void* stream);

/* hyb_lns_madam_step_*: every moment mode and device-model option, the same codes, v and
 * stats. v_dev holds v_len = n, rows, 1 or 0 moments by config->moment (NULL for 0). stats
 * (host memory) may be NULL. With the skip policy, B equal to the code width (8 for u8, 16
 * for u16) and stats NULL the call is fully asynchronous; otherwise it checks the codes and/or
 * grad on the device and synchronises the stream once (twice with stats). Per-neuron and
 * per-tensor moments first reduce g^2 on the device in the CPU's order (blocks of 4096 summed
 * in sequence), so the shared moments are the same floats too. */
HYB_API hyb_status hyb_cuda_lns_madam_step_u8(const hyb_lns_madam_config* config,
                                              uint8_t* codes_dev, const float* grad_dev,
                                              int64_t n, float* v_dev, int64_t v_len,
                                              hyb_step_stats* stats, void* stream);
HYB_API hyb_status hyb_cuda_lns_madam_step_u16(const hyb_lns_madam_config* config,
                                               uint16_t* codes_dev, const float* grad_dev,
                                               int64_t n, float* v_dev, int64_t v_len,
                                               hyb_step_stats* stats, void* stream);

/* hyb_madam_step_f32. Always checks w (finite) on the device, and grad under the reject
 * policy, so it synchronises the stream once. stats (host memory) may be NULL. */
HYB_API hyb_status hyb_cuda_madam_step_f32(const hyb_madam_config* config, float* w_dev,
                                           const float* grad_dev, float* v_dev, int64_t n,
                                           hyb_step_stats* stats, void* stream);

/* hyb_rms_f32: the same blocked double sum, so the same double; *out is host memory. */
HYB_API hyb_status hyb_cuda_rms_f32(const float* x_dev, int64_t n, double* out, void* stream);

/* hyb_random_uniform_f32 into device memory. */
HYB_API hyb_status hyb_cuda_random_uniform_f32(const hyb_random_stream* stream_position,
                                               int64_t offset, float* out_dev, int64_t n,
                                               void* stream);

/* hyb_lns_quantize_f32 on device buffers (x_dev may equal y_dev). Under the reject policy it
 * checks x on the device first (one synchronisation); with stats (host memory) it waits for the
 * stream once more. */
HYB_API hyb_status hyb_cuda_lns_quantize_f32(const hyb_lns_quantize_config* config,
                                             const float* x_dev, float* y_dev, int64_t n,
                                             hyb_quantize_stats* stats, void* stream);

/* hyb_lns_gemm_exact_*: one thread per output, products in k order, the same floats and
 * counts. Checks the codes on the device when B is below the code width (one synchronisation
 * per operand); with stats (host memory) it waits for the stream. */
HYB_API hyb_status hyb_cuda_lns_gemm_exact_u8(const hyb_lns_gemm_config* config,
                                              const uint8_t* a_dev, const uint8_t* b_dev,
                                              float* c_dev, hyb_gemm_stats* stats, void* stream);
HYB_API hyb_status hyb_cuda_lns_gemm_exact_u16(const hyb_lns_gemm_config* config,
                                               const uint16_t* a_dev, const uint16_t* b_dev,
                                               float* c_dev, hyb_gemm_stats* stats, void* stream);

HYB_EXTERN_C_END

#endif /* HYBRID_CUDA_H */
