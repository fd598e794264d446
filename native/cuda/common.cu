/* common.cu - CUDA errors as statuses, device-buffer checks, launch geometry, scratch. */
#include "common.cuh"

static hyb_status status_of(cudaError_t err) {
    switch (err) {
    case cudaErrorNoDevice:
    case cudaErrorInsufficientDriver:
    case cudaErrorStubLibrary:
    case cudaErrorDevicesUnavailable:
    case cudaErrorSystemDriverMismatch:
    case cudaErrorCompatNotSupportedOnDevice:
    case cudaErrorSystemNotReady:
    case cudaErrorInitializationError:
        return HYB_STATUS_CUDA_UNAVAILABLE;
    case cudaErrorMemoryAllocation:
        return HYB_STATUS_OUT_OF_MEMORY;
    default:
        return HYB_STATUS_CUDA_ERROR;
    }
}

hyb_status hyb_cuda_fail(const char* fn, const char* what, cudaError_t err) {
    hyb_status s = status_of(err);
    /* Clear a non-sticky error so that it is not reported again by the next call; sticky
     * ones (a faulted context) stay and keep failing, which is the truth. */
    (void)cudaGetLastError();
    return hyb_fail(s, "%s: %s failed: %s (%s, %d)%s", fn, what, cudaGetErrorString(err),
                    cudaGetErrorName(err), (int)err,
                    s == HYB_STATUS_CUDA_UNAVAILABLE ? "; is there an NVIDIA GPU and driver?" : "");
}

/* cuMemGetAddressRange (driver API) through the runtime's entry-point lookup, so that the
 * library links no libcuda and still loads without a driver. CUdeviceptr is 64-bit. */
typedef int (*hyb_get_range_fn)(unsigned long long* base, size_t* size, unsigned long long ptr);

static hyb_get_range_fn get_range_fn(void) {
    static hyb_get_range_fn fn = [] {
        void* p = nullptr;
        cudaDriverEntryPointQueryResult q;
#if CUDART_VERSION >= 12050
        cudaError_t e = cudaGetDriverEntryPointByVersion("cuMemGetAddressRange", &p, 3020,
                                                         cudaEnableDefault, &q);
#else
        cudaError_t e = cudaGetDriverEntryPoint("cuMemGetAddressRange", &p, cudaEnableDefault, &q);
#endif
        if (e != cudaSuccess || q != cudaDriverEntryPointSuccess) {
            (void)cudaGetLastError();
            p = nullptr;
        }
        return (hyb_get_range_fn)p;
    }();
    return fn;
}

hyb_status hyb_cuda_check_buffer(const char* fn, const char* name, const void* p, size_t bytes) {
    if (bytes == 0) return HYB_STATUS_OK;
    int dev = 0;
    HYB_CUDA_TRY(fn, "cudaGetDevice", cudaGetDevice(&dev));
    cudaPointerAttributes a;
    HYB_CUDA_TRY(fn, "cudaPointerGetAttributes", cudaPointerGetAttributes(&a, p));
    if (a.type == cudaMemoryTypeUnregistered || a.type == cudaMemoryTypeHost)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "%s: %s = %p is host memory; pass device memory (hyb_cuda_malloc)", fn,
                        name, p);
    if (a.type == cudaMemoryTypeDevice && a.device != dev)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "%s: %s = %p lives on device %d but the current device is %d "
                        "(hyb_cuda_device_set)", fn, name, p, a.device, dev);
    hyb_get_range_fn range = get_range_fn();
    if (range != nullptr) {
        unsigned long long base = 0;
        size_t size = 0;
        int r = range(&base, &size, (unsigned long long)(uintptr_t)p);
        if (r != 0)
            return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                            "%s: %s = %p is not inside a CUDA allocation (cuMemGetAddressRange "
                            "error %d)", fn, name, p, r);
        unsigned long long start = (unsigned long long)(uintptr_t)p;
        unsigned long long left = base + size - start;
        if ((unsigned long long)bytes > left)
            return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                            "%s: %s needs %llu bytes from %p but its allocation ends %llu bytes "
                            "after it", fn, name, (unsigned long long)bytes, p, left);
    }
    return HYB_STATUS_OK;
}

hyb_status hyb_cuda_check_buffers3(const char* fn, const char* an, const void* a, size_t ab,
                                   const char* bn, const void* b, size_t bb, const char* cn,
                                   const void* c, size_t cbytes) {
    hyb_status st;
    if ((st = hyb_cuda_check_buffer(fn, an, a, ab)) || (st = hyb_cuda_check_buffer(fn, bn, b, bb)) ||
        (st = hyb_cuda_check_buffer(fn, cn, c, cbytes)))
        return st;
    return HYB_STATUS_OK;
}

hyb_status hyb_cuda_read_stats(const char* fn, const hyb_cuda_scratch& counters, int64_t n,
                               hyb_step_stats* stats, cudaStream_t s) {
    unsigned long long c[2];
    HYB_CUDA_TRY(fn, "cudaMemcpyAsync(counters)",
                 cudaMemcpyAsync(c, counters.ptr, sizeof c, cudaMemcpyDeviceToHost, s));
    HYB_CUDA_TRY(fn, "cudaStreamSynchronize", cudaStreamSynchronize(s));
    *stats = hyb_step_stats{n, (int64_t)c[0], (int64_t)c[1], 0};
    return HYB_STATUS_OK;
}

hyb_status hyb_cuda_grid(const char* fn, int64_t items, unsigned* grid) {
    int dev = 0, sms = 0;
    HYB_CUDA_TRY(fn, "cudaGetDevice", cudaGetDevice(&dev));
    HYB_CUDA_TRY(fn, "cudaDeviceGetAttribute(multiprocessors)",
                 cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
    /* 64 blocks of 256 per SM is several full waves: enough loads in flight to saturate
     * memory, few enough that the grid-stride loop amortises the block start-up. */
    int64_t want = (items + HYB_CUDA_BLOCK - 1) / HYB_CUDA_BLOCK;
    int64_t cap = (int64_t)(sms > 0 ? sms : 1) * 64;
    *grid = (unsigned)(want < 1 ? 1 : (want < cap ? want : cap));
    return HYB_STATUS_OK;
}

hyb_status hyb_cuda_scratch::alloc(const char* fn, size_t bytes, cudaStream_t s) {
    stream = s;
    /* Stream-ordered pool memory where the device supports it (cheap after the first call),
     * plain cudaMalloc where it does not. */
    cudaError_t e = cudaMallocAsync(&ptr, bytes, s);
    if (e == cudaSuccess) {
        pooled = true;
        return HYB_STATUS_OK;
    }
    (void)cudaGetLastError();
    ptr = nullptr;
    HYB_CUDA_TRY(fn, "cudaMalloc(scratch)", cudaMalloc(&ptr, bytes));
    return HYB_STATUS_OK;
}

hyb_cuda_scratch::~hyb_cuda_scratch() {
    if (ptr == nullptr) return;
    if (pooled) (void)cudaFreeAsync(ptr, stream);
    else (void)cudaFree(ptr);
}
