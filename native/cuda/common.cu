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

/* cuPointerGetAttributes (driver API) through the runtime's entry-point lookup, so that the
 * library links no libcuda and still loads without a driver: one call per buffer answers its
 * memory type, managedness, device and allocation range (the runtime's attribute query plus
 * cuMemGetAddressRange took two, and cudaGetDevice a third). */
typedef int (*hyb_get_attributes_fn)(unsigned int count, int* attributes, void** data,
                                     unsigned long long ptr);

static hyb_get_attributes_fn get_attributes_fn(void) {
    static hyb_get_attributes_fn fn = [] {
        void* p = nullptr;
        cudaDriverEntryPointQueryResult q;
#if CUDART_VERSION >= 12050
        cudaError_t e = cudaGetDriverEntryPointByVersion("cuPointerGetAttributes", &p, 7000,
                                                         cudaEnableDefault, &q);
#else
        cudaError_t e = cudaGetDriverEntryPoint("cuPointerGetAttributes", &p, cudaEnableDefault, &q);
#endif
        if (e != cudaSuccess || q != cudaDriverEntryPointSuccess) {
            (void)cudaGetLastError();
            p = nullptr;
        }
        return (hyb_get_attributes_fn)p;
    }();
    return fn;
}

hyb_status hyb_cuda_current_device(const char* fn, int* device) {
    HYB_CUDA_TRY(fn, "cudaGetDevice", cudaGetDevice(device));
    return HYB_STATUS_OK;
}

hyb_status hyb_cuda_check_buffer_on(const char* fn, int dev, const char* name, const void* p,
                                    size_t bytes) {
    if (bytes == 0) return HYB_STATUS_OK;
    hyb_get_attributes_fn get = get_attributes_fn();
    if (get == nullptr)
        return hyb_fail(HYB_STATUS_CUDA_UNAVAILABLE,
                        "%s: the CUDA driver has no cuPointerGetAttributes; is there an NVIDIA "
                        "driver?", fn);
    /* CU_POINTER_ATTRIBUTE_MEMORY_TYPE 2, IS_MANAGED 8, DEVICE_ORDINAL 9, RANGE_START_ADDR 11,
     * RANGE_SIZE 12 (cuda.h); a pointer CUDA does not know gets zeros, not an error */
    int attributes[5] = {2, 8, 9, 11, 12};
    unsigned int type = 0, managed = 0;
    int ordinal = -1;
    unsigned long long base = 0;
    size_t size = 0;
    void* data[5] = {&type, &managed, &ordinal, &base, &size};
    int r = get(5, attributes, data, (unsigned long long)(uintptr_t)p);
    if (r != 0)
        return hyb_fail(HYB_STATUS_CUDA_ERROR, "%s: cuPointerGetAttributes(%s = %p) failed (driver "
                        "error %d)", fn, name, p, r);
    if (type != 2 /* CU_MEMORYTYPE_DEVICE */)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "%s: %s = %p is host memory; pass device memory (hyb_cuda_malloc)", fn,
                        name, p);
    if (!managed && ordinal != dev)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "%s: %s = %p lives on device %d but the current device is %d "
                        "(hyb_cuda_device_set)", fn, name, p, ordinal, dev);
    const unsigned long long start = (unsigned long long)(uintptr_t)p;
    if (size == 0 || start < base || start - base >= size)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "%s: %s = %p is not inside a CUDA allocation", fn, name, p);
    const unsigned long long left = base + size - start;
    if ((unsigned long long)bytes > left)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "%s: %s needs %llu bytes from %p but its allocation ends %llu bytes "
                        "after it", fn, name, (unsigned long long)bytes, p, left);
    return HYB_STATUS_OK;
}

hyb_status hyb_cuda_check_buffer(const char* fn, const char* name, const void* p, size_t bytes) {
    if (bytes == 0) return HYB_STATUS_OK;
    int dev = 0;
    hyb_status st = hyb_cuda_current_device(fn, &dev);
    return st ? st : hyb_cuda_check_buffer_on(fn, dev, name, p, bytes);
}

hyb_status hyb_cuda_check_buffers3(const char* fn, const char* an, const void* a, size_t ab,
                                   const char* bn, const void* b, size_t bb, const char* cn,
                                   const void* c, size_t cbytes) {
    int dev = 0;
    hyb_status st = hyb_cuda_current_device(fn, &dev);
    if (st || (st = hyb_cuda_check_buffer_on(fn, dev, an, a, ab)) ||
        (st = hyb_cuda_check_buffer_on(fn, dev, bn, b, bb)) ||
        (st = hyb_cuda_check_buffer_on(fn, dev, cn, c, cbytes)))
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

/* Multiprocessors per device, read once per device (an attribute query per call cost more than
 * a small kernel). */
enum { HYB_CUDA_MAX_DEVICES = 64 };
static int hyb_cuda_sms[HYB_CUDA_MAX_DEVICES];

hyb_status hyb_cuda_grid(const char* fn, int64_t items, unsigned* grid) {
    int dev = 0, sms = 0;
    HYB_CUDA_TRY(fn, "cudaGetDevice", cudaGetDevice(&dev));
    if (dev >= 0 && dev < HYB_CUDA_MAX_DEVICES) sms = __atomic_load_n(&hyb_cuda_sms[dev], __ATOMIC_RELAXED);
    if (sms <= 0) {
        HYB_CUDA_TRY(fn, "cudaDeviceGetAttribute(multiprocessors)",
                     cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
        if (dev >= 0 && dev < HYB_CUDA_MAX_DEVICES) __atomic_store_n(&hyb_cuda_sms[dev], sms, __ATOMIC_RELAXED);
    }
    /* 64 blocks of 256 per SM is several full waves: enough loads in flight to saturate
     * memory, few enough that the grid-stride loop amortises the block start-up. */
    int64_t want = (items + HYB_CUDA_BLOCK - 1) / HYB_CUDA_BLOCK;
    int64_t cap = (int64_t)(sms > 0 ? sms : 1) * 64;
    *grid = (unsigned)(want < 1 ? 1 : (want < cap ? want : cap));
    return HYB_STATUS_OK;
}

/* The default memory pool of each device gets an unlimited release threshold once: by default it
 * returns freed scratch to the OS at every synchronisation, so each call would allocate anew. */
static int hyb_cuda_pool_kept[HYB_CUDA_MAX_DEVICES];

static void keep_pool(void) {
    int dev = 0;
    if (cudaGetDevice(&dev) != cudaSuccess || dev < 0 || dev >= HYB_CUDA_MAX_DEVICES) {
        (void)cudaGetLastError();
        return;
    }
    if (__atomic_load_n(&hyb_cuda_pool_kept[dev], __ATOMIC_RELAXED)) return;
    cudaMemPool_t pool;
    unsigned long long threshold = ~0ull;
    if (cudaDeviceGetDefaultMemPool(&pool, dev) == cudaSuccess &&
        cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &threshold) == cudaSuccess)
        __atomic_store_n(&hyb_cuda_pool_kept[dev], 1, __ATOMIC_RELAXED);
    else
        (void)cudaGetLastError();
}

hyb_status hyb_cuda_scratch::alloc(const char* fn, size_t bytes, cudaStream_t s) {
    stream = s;
    /* Stream-ordered pool memory where the device supports it (cheap after the first call),
     * plain cudaMalloc where it does not. */
    keep_pool();
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
