/* runtime.cu - devices, memory, copies, streams and events: the few CUDA runtime calls the
 * C# host needs, each with its arguments checked and every failure a status with the CUDA
 * runtime's own words (common.cu). */
#include <stdio.h>
#include <string.h>
#include "common.cuh"

/* ---- devices ---- */

extern "C" hyb_status hyb_cuda_device_count(int32_t* count) {
    static const char* fn = "hyb_cuda_device_count";
    hyb_clear_error();
    HYB_CHECK_REQUIRED(count, "count");
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) return hyb_cuda_fail(fn, "cudaGetDeviceCount", e);
    if (n <= 0)
        return hyb_fail(HYB_STATUS_CUDA_UNAVAILABLE, "%s: the CUDA driver reports no device", fn);
    *count = n;
    return HYB_STATUS_OK;
}

static hyb_status check_ordinal(const char* fn, int32_t ordinal) {
    int n = 0;
    HYB_CUDA_TRY(fn, "cudaGetDeviceCount", cudaGetDeviceCount(&n));
    if (ordinal < 0 || ordinal >= n)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: device %d is outside [0, %d)", fn,
                        (int)ordinal, n);
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_device_properties(int32_t ordinal, hyb_cuda_device_props* props) {
    static const char* fn = "hyb_cuda_device_properties";
    hyb_clear_error();
    HYB_CHECK_REQUIRED(props, "props");
    hyb_status st = check_ordinal(fn, ordinal);
    if (st) return st;
    cudaDeviceProp p;
    HYB_CUDA_TRY(fn, "cudaGetDeviceProperties", cudaGetDeviceProperties(&p, ordinal));
    hyb_cuda_device_props out;
    memset(&out, 0, sizeof out);
    snprintf(out.name, sizeof out.name, "%s", p.name);
    out.total_memory = (int64_t)p.totalGlobalMem;
    out.ordinal = ordinal;
    out.compute_major = p.major;
    out.compute_minor = p.minor;
    out.multiprocessor_count = p.multiProcessorCount;
    /* Attributes rather than cudaDeviceProp fields: these stay in newer runtimes. */
    int v = 0;
    if (cudaDeviceGetAttribute(&v, cudaDevAttrMemoryClockRate, ordinal) == cudaSuccess)
        out.memory_clock_khz = v;
    v = 0;
    if (cudaDeviceGetAttribute(&v, cudaDevAttrGlobalMemoryBusWidth, ordinal) == cudaSuccess)
        out.memory_bus_width = v;
    (void)cudaGetLastError();
    v = 0;
    if (cudaDriverGetVersion(&v) == cudaSuccess) out.driver_version = v;
    v = 0;
    if (cudaRuntimeGetVersion(&v) == cudaSuccess) out.runtime_version = v;
    *props = out;
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_device_get(int32_t* ordinal) {
    static const char* fn = "hyb_cuda_device_get";
    hyb_clear_error();
    HYB_CHECK_REQUIRED(ordinal, "ordinal");
    int n = 0, d = 0;
    HYB_CUDA_TRY(fn, "cudaGetDeviceCount", cudaGetDeviceCount(&n));
    HYB_CUDA_TRY(fn, "cudaGetDevice", cudaGetDevice(&d));
    *ordinal = d;
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_device_set(int32_t ordinal) {
    static const char* fn = "hyb_cuda_device_set";
    hyb_clear_error();
    hyb_status st = check_ordinal(fn, ordinal);
    if (st) return st;
    HYB_CUDA_TRY(fn, "cudaSetDevice", cudaSetDevice(ordinal));
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_device_synchronize(void) {
    hyb_clear_error();
    HYB_CUDA_TRY("hyb_cuda_device_synchronize", "cudaDeviceSynchronize", cudaDeviceSynchronize());
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_memory_info(int64_t* free_bytes, int64_t* total_bytes) {
    static const char* fn = "hyb_cuda_memory_info";
    hyb_clear_error();
    HYB_CHECK_REQUIRED(free_bytes, "free_bytes");
    HYB_CHECK_REQUIRED(total_bytes, "total_bytes");
    size_t f = 0, t = 0;
    HYB_CUDA_TRY(fn, "cudaMemGetInfo", cudaMemGetInfo(&f, &t));
    *free_bytes = (int64_t)f;
    *total_bytes = (int64_t)t;
    return HYB_STATUS_OK;
}

/* ---- memory ---- */

static hyb_status check_bytes(const char* fn, int64_t bytes) {
    if (bytes < 0)
        return hyb_fail(HYB_STATUS_INVALID_LENGTH, "%s: bytes = %lld is negative", fn,
                        (long long)bytes);
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_malloc(void** ptr, int64_t bytes) {
    static const char* fn = "hyb_cuda_malloc";
    hyb_clear_error();
    HYB_CHECK_REQUIRED(ptr, "ptr");
    hyb_status st = check_bytes(fn, bytes);
    if (st) return st;
    if (bytes == 0) {
        *ptr = NULL;
        return HYB_STATUS_OK;
    }
    void* p = NULL;
    cudaError_t e = cudaMalloc(&p, (size_t)bytes);
    if (e != cudaSuccess) {
        char what[64];
        snprintf(what, sizeof what, "cudaMalloc(%lld bytes)", (long long)bytes);
        return hyb_cuda_fail(fn, what, e);
    }
    *ptr = p;
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_free(void* ptr) {
    hyb_clear_error();
    if (ptr == NULL) return HYB_STATUS_OK;
    HYB_CUDA_TRY("hyb_cuda_free", "cudaFree", cudaFree(ptr));
    return HYB_STATUS_OK;
}

/* 1 if p is host memory the CUDA runtime does not manage as device memory. */
static hyb_status check_host(const char* fn, const char* name, const void* p) {
    cudaPointerAttributes a;
    HYB_CUDA_TRY(fn, "cudaPointerGetAttributes", cudaPointerGetAttributes(&a, p));
    if (a.type == cudaMemoryTypeDevice)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "%s: %s = %p is device memory; pass host memory here", fn, name, p);
    return HYB_STATUS_OK;
}

/* A host<->device copy that returns once the host buffer may be reused: the device side is
 * checked like a kernel's buffer, the host side must not be device memory. */
static hyb_status copy_and_wait(const char* fn, void* dst, const void* src, int64_t bytes,
                                void* stream, cudaMemcpyKind kind) {
    hyb_clear_error();
    hyb_status st = check_bytes(fn, bytes);
    if (st || (st = hyb_check_ptr(fn, dst, "dst", bytes)) ||
        (st = hyb_check_ptr(fn, src, "src", bytes)))
        return st;
    if (bytes == 0) return HYB_STATUS_OK;
    const int to_device = kind == cudaMemcpyHostToDevice;
    if ((st = hyb_cuda_check_buffer(fn, to_device ? "dst" : "src", to_device ? dst : src,
                                    (size_t)bytes)) ||
        (st = check_host(fn, to_device ? "src" : "dst", to_device ? src : dst)))
        return st;
    cudaStream_t s = (cudaStream_t)stream;
    HYB_CUDA_TRY(fn, "cudaMemcpyAsync", cudaMemcpyAsync(dst, src, (size_t)bytes, kind, s));
    HYB_CUDA_TRY(fn, "cudaStreamSynchronize", cudaStreamSynchronize(s));
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_memcpy_htod(void* dst, const void* src, int64_t bytes,
                                           void* stream) {
    return copy_and_wait("hyb_cuda_memcpy_htod", dst, src, bytes, stream, cudaMemcpyHostToDevice);
}

extern "C" hyb_status hyb_cuda_memcpy_dtoh(void* dst, const void* src, int64_t bytes,
                                           void* stream) {
    return copy_and_wait("hyb_cuda_memcpy_dtoh", dst, src, bytes, stream, cudaMemcpyDeviceToHost);
}

extern "C" hyb_status hyb_cuda_memcpy_dtod(void* dst, const void* src, int64_t bytes,
                                           void* stream) {
    static const char* fn = "hyb_cuda_memcpy_dtod";
    hyb_clear_error();
    hyb_status st = check_bytes(fn, bytes);
    if (st || (st = hyb_check_ptr(fn, dst, "dst", bytes)) ||
        (st = hyb_check_ptr(fn, src, "src", bytes)) ||
        (st = hyb_check_disjoint(fn, dst, (size_t)bytes, "dst", src, (size_t)bytes, "src")))
        return st;
    if (bytes == 0) return HYB_STATUS_OK;
    if ((st = hyb_cuda_check_buffer(fn, "dst", dst, (size_t)bytes)) ||
        (st = hyb_cuda_check_buffer(fn, "src", src, (size_t)bytes)))
        return st;
    HYB_CUDA_TRY(fn, "cudaMemcpyAsync",
                 cudaMemcpyAsync(dst, src, (size_t)bytes, cudaMemcpyDeviceToDevice,
                                 (cudaStream_t)stream));
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_memset(void* dst, int32_t value, int64_t bytes, void* stream) {
    static const char* fn = "hyb_cuda_memset";
    hyb_clear_error();
    hyb_status st = check_bytes(fn, bytes);
    if (st || (st = hyb_check_ptr(fn, dst, "dst", bytes))) return st;
    if (value < 0 || value > 255)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: value = %d is outside [0, 255]", fn,
                        (int)value);
    if (bytes == 0) return HYB_STATUS_OK;
    if ((st = hyb_cuda_check_buffer(fn, "dst", dst, (size_t)bytes))) return st;
    HYB_CUDA_TRY(fn, "cudaMemsetAsync",
                 cudaMemsetAsync(dst, value, (size_t)bytes, (cudaStream_t)stream));
    return HYB_STATUS_OK;
}

/* ---- streams and events ---- */

extern "C" hyb_status hyb_cuda_stream_create(void** stream) {
    static const char* fn = "hyb_cuda_stream_create";
    hyb_clear_error();
    HYB_CHECK_REQUIRED(stream, "stream");
    cudaStream_t s = NULL;
    HYB_CUDA_TRY(fn, "cudaStreamCreateWithFlags",
                 cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    *stream = (void*)s;
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_stream_destroy(void* stream) {
    static const char* fn = "hyb_cuda_stream_destroy";
    hyb_clear_error();
    if (stream == NULL)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "%s: NULL is the default stream, which cannot be destroyed", fn);
    HYB_CUDA_TRY(fn, "cudaStreamDestroy", cudaStreamDestroy((cudaStream_t)stream));
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_stream_synchronize(void* stream) {
    hyb_clear_error();
    HYB_CUDA_TRY("hyb_cuda_stream_synchronize", "cudaStreamSynchronize",
                 cudaStreamSynchronize((cudaStream_t)stream));
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_event_create(void** event) {
    static const char* fn = "hyb_cuda_event_create";
    hyb_clear_error();
    HYB_CHECK_REQUIRED(event, "event");
    cudaEvent_t e = NULL;
    HYB_CUDA_TRY(fn, "cudaEventCreate", cudaEventCreate(&e));
    *event = (void*)e;
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_event_destroy(void* event) {
    static const char* fn = "hyb_cuda_event_destroy";
    hyb_clear_error();
    HYB_CHECK_REQUIRED(event, "event");
    HYB_CUDA_TRY(fn, "cudaEventDestroy", cudaEventDestroy((cudaEvent_t)event));
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_event_record(void* event, void* stream) {
    static const char* fn = "hyb_cuda_event_record";
    hyb_clear_error();
    HYB_CHECK_REQUIRED(event, "event");
    HYB_CUDA_TRY(fn, "cudaEventRecord", cudaEventRecord((cudaEvent_t)event, (cudaStream_t)stream));
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_event_synchronize(void* event) {
    static const char* fn = "hyb_cuda_event_synchronize";
    hyb_clear_error();
    HYB_CHECK_REQUIRED(event, "event");
    HYB_CUDA_TRY(fn, "cudaEventSynchronize", cudaEventSynchronize((cudaEvent_t)event));
    return HYB_STATUS_OK;
}

extern "C" hyb_status hyb_cuda_event_elapsed(void* start, void* end, float* milliseconds) {
    static const char* fn = "hyb_cuda_event_elapsed";
    hyb_clear_error();
    HYB_CHECK_REQUIRED(start, "start");
    HYB_CHECK_REQUIRED(end, "end");
    HYB_CHECK_REQUIRED(milliseconds, "milliseconds");
    float ms = 0.0f;
    HYB_CUDA_TRY(fn, "cudaEventElapsedTime",
                 cudaEventElapsedTime(&ms, (cudaEvent_t)start, (cudaEvent_t)end));
    *milliseconds = ms;
    return HYB_STATUS_OK;
}
