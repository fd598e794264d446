/* cuda_stub.c - the hyb_cuda_* entry points of a library built without CUDA: each says so.
 * (A CUDA build compiles native/cuda/ instead; hybrid/cuda.h documents both.) */
#include "internal.h"

#define HYB_NO_CUDA()                                                                      \
    hyb_fail(HYB_STATUS_CUDA_UNAVAILABLE,                                                  \
             "%s: libhybrid was built without CUDA (configured with HYBRID_CUDA=OFF, or "  \
             "AUTO found no nvcc); rebuild with -DHYBRID_CUDA=ON on a machine with the CUDA " \
             "toolkit", __func__)

hyb_status hyb_cuda_device_count(int32_t* count) { (void)count; return HYB_NO_CUDA(); }
hyb_status hyb_cuda_device_properties(int32_t ordinal, hyb_cuda_device_props* props) {
    (void)ordinal; (void)props; return HYB_NO_CUDA();
}
hyb_status hyb_cuda_device_get(int32_t* ordinal) { (void)ordinal; return HYB_NO_CUDA(); }
hyb_status hyb_cuda_device_set(int32_t ordinal) { (void)ordinal; return HYB_NO_CUDA(); }
hyb_status hyb_cuda_device_synchronize(void) { return HYB_NO_CUDA(); }
hyb_status hyb_cuda_memory_info(int64_t* free_bytes, int64_t* total_bytes) {
    (void)free_bytes; (void)total_bytes; return HYB_NO_CUDA();
}
hyb_status hyb_cuda_malloc(void** ptr, int64_t bytes) { (void)ptr; (void)bytes; return HYB_NO_CUDA(); }
hyb_status hyb_cuda_free(void* ptr) { (void)ptr; return HYB_NO_CUDA(); }
hyb_status hyb_cuda_memcpy_htod(void* dst, const void* src, int64_t bytes, void* stream) {
    (void)dst; (void)src; (void)bytes; (void)stream; return HYB_NO_CUDA();
}
hyb_status hyb_cuda_memcpy_dtoh(void* dst, const void* src, int64_t bytes, void* stream) {
    (void)dst; (void)src; (void)bytes; (void)stream; return HYB_NO_CUDA();
}
hyb_status hyb_cuda_memcpy_dtod(void* dst, const void* src, int64_t bytes, void* stream) {
    (void)dst; (void)src; (void)bytes; (void)stream; return HYB_NO_CUDA();
}
hyb_status hyb_cuda_memset(void* dst, int32_t value, int64_t bytes, void* stream) {
    (void)dst; (void)value; (void)bytes; (void)stream; return HYB_NO_CUDA();
}
hyb_status hyb_cuda_stream_create(void** stream) { (void)stream; return HYB_NO_CUDA(); }
hyb_status hyb_cuda_stream_destroy(void* stream) { (void)stream; return HYB_NO_CUDA(); }
hyb_status hyb_cuda_stream_synchronize(void* stream) { (void)stream; return HYB_NO_CUDA(); }
hyb_status hyb_cuda_event_create(void** event) { (void)event; return HYB_NO_CUDA(); }
hyb_status hyb_cuda_event_destroy(void* event) { (void)event; return HYB_NO_CUDA(); }
hyb_status hyb_cuda_event_record(void* event, void* stream) {
    (void)event; (void)stream; return HYB_NO_CUDA();
}
hyb_status hyb_cuda_event_synchronize(void* event) { (void)event; return HYB_NO_CUDA(); }
hyb_status hyb_cuda_event_elapsed(void* start, void* end, float* milliseconds) {
    (void)start; (void)end; (void)milliseconds; return HYB_NO_CUDA();
}
hyb_status hyb_cuda_lns_encode_u8(const hyb_lns_format* format, const float* x_dev,
                                  uint8_t* codes_dev, int64_t n, void* stream) {
    (void)format; (void)x_dev; (void)codes_dev; (void)n; (void)stream; return HYB_NO_CUDA();
}
hyb_status hyb_cuda_lns_encode_u16(const hyb_lns_format* format, const float* x_dev,
                                   uint16_t* codes_dev, int64_t n, void* stream) {
    (void)format; (void)x_dev; (void)codes_dev; (void)n; (void)stream; return HYB_NO_CUDA();
}
hyb_status hyb_cuda_lns_decode_u8(const hyb_lns_format* format, const uint8_t* codes_dev,
                                  float* x_dev, int64_t n, void* stream) {
    (void)format; (void)codes_dev; (void)x_dev; (void)n; (void)stream; return HYB_NO_CUDA();
}
hyb_status hyb_cuda_lns_decode_u16(const hyb_lns_format* format, const uint16_t* codes_dev,
                                   float* x_dev, int64_t n, void* stream) {
    (void)format; (void)codes_dev; (void)x_dev; (void)n; (void)stream; return HYB_NO_CUDA();
}
hyb_status hyb_cuda_lns_madam_step_u8(const hyb_lns_madam_config* config, uint8_t* codes_dev,
                                      const float* grad_dev, int64_t n, float* v_dev,
                                      int64_t v_len, hyb_step_stats* stats, void* stream) {
    (void)config; (void)codes_dev; (void)grad_dev; (void)n; (void)v_dev; (void)v_len;
    (void)stats; (void)stream;
    return HYB_NO_CUDA();
}
hyb_status hyb_cuda_lns_madam_step_u16(const hyb_lns_madam_config* config, uint16_t* codes_dev,
                                       const float* grad_dev, int64_t n, float* v_dev,
                                       int64_t v_len, hyb_step_stats* stats, void* stream) {
    (void)config; (void)codes_dev; (void)grad_dev; (void)n; (void)v_dev; (void)v_len;
    (void)stats; (void)stream;
    return HYB_NO_CUDA();
}
hyb_status hyb_cuda_madam_step_f32(const hyb_madam_config* config, float* w_dev,
                                   const float* grad_dev, float* v_dev, int64_t n,
                                   hyb_step_stats* stats, void* stream) {
    (void)config; (void)w_dev; (void)grad_dev; (void)v_dev; (void)n; (void)stats; (void)stream;
    return HYB_NO_CUDA();
}
hyb_status hyb_cuda_rms_f32(const float* x_dev, int64_t n, double* out, void* stream) {
    (void)x_dev; (void)n; (void)out; (void)stream; return HYB_NO_CUDA();
}
hyb_status hyb_cuda_random_uniform_f32(const hyb_random_stream* stream_position, int64_t offset,
                                       float* out_dev, int64_t n, void* stream) {
    (void)stream_position; (void)offset; (void)out_dev; (void)n; (void)stream;
    return HYB_NO_CUDA();
}
hyb_status hyb_cuda_lns_quantize_f32(const hyb_lns_quantize_config* config, const float* x_dev,
                                     float* y_dev, int64_t n, hyb_quantize_stats* stats,
                                     void* stream) {
    (void)config; (void)x_dev; (void)y_dev; (void)n; (void)stats; (void)stream;
    return HYB_NO_CUDA();
}
hyb_status hyb_cuda_lns_gemm_exact_u8(const hyb_lns_gemm_config* config, const uint8_t* a_dev,
                                      const uint8_t* b_dev, float* c_dev, hyb_gemm_stats* stats,
                                      void* stream) {
    (void)config; (void)a_dev; (void)b_dev; (void)c_dev; (void)stats; (void)stream;
    return HYB_NO_CUDA();
}
hyb_status hyb_cuda_lns_gemm_exact_u16(const hyb_lns_gemm_config* config, const uint16_t* a_dev,
                                       const uint16_t* b_dev, float* c_dev, hyb_gemm_stats* stats,
                                       void* stream) {
    (void)config; (void)a_dev; (void)b_dev; (void)c_dev; (void)stats; (void)stream;
    return HYB_NO_CUDA();
}
