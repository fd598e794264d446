/* threads.c - the CPU kernels' threads: how many (a limit set by the caller, else the
 * processor count, read once), and the one parallel loop every kernel uses. A call that runs
 * on one thread enters no OpenMP region at all: libgomp charges about 450 ns for entering one
 * even when its `if` clause is false, more than a small kernel's whole work. */
#include <stdatomic.h>
#include "internal.h"
#ifdef _OPENMP
#  include <omp.h>
#endif

static atomic_int hyb_thread_limit = 0; /* 0 = all the processors */
static atomic_int hyb_processors = 0;   /* omp_get_num_procs(), once: it is a system call */

static int hyb_available_threads(void) {
#ifdef _OPENMP
    int p = atomic_load_explicit(&hyb_processors, memory_order_relaxed);
    if (p == 0) {
        p = omp_get_num_procs();
        if (p < 1) p = 1;
        atomic_store_explicit(&hyb_processors, p, memory_order_relaxed);
    }
    return p;
#else
    return 1;
#endif
}

int hyb_threads_for(int64_t n) {
    if (n < HYB_PARALLEL_MIN) return 1;
    int limit = atomic_load_explicit(&hyb_thread_limit, memory_order_relaxed);
    return limit > 0 ? limit : hyb_available_threads();
}

hyb_status hyb_threads_set(int32_t count) {
    hyb_clear_error();
    if (count < 0 || count > 4096)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "hyb_threads_set: count = %d is outside [0, 4096] (0 = all)", (int)count);
    atomic_store(&hyb_thread_limit, count);
    return HYB_STATUS_OK;
}

hyb_status hyb_threads_get(int32_t* count) {
    hyb_clear_error();
    HYB_CHECK_REQUIRED(count, "count");
    int limit = atomic_load(&hyb_thread_limit);
    *count = limit > 0 ? limit : hyb_available_threads();
    return HYB_STATUS_OK;
}

void hyb_parallel(int64_t n, int64_t chunk, int64_t work, hyb_range_fn fn, const void* job,
                  int64_t counts[2]) {
    counts[0] = counts[1] = 0;
    if (n <= 0) return;
    const int64_t nchunks = (n + chunk - 1) / chunk;
    int nt = hyb_threads_for(work);
    if (nt > nchunks) nt = (int)nchunks;
    if (nt <= 1) {
        fn(job, 0, n, counts);
        return;
    }
#ifdef _OPENMP
    int64_t c0 = 0, c1 = 0;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) reduction(+ : c0, c1)
    for (int64_t ch = 0; ch < nchunks; ++ch) {
        const int64_t b = ch * chunk, e = b + chunk < n ? b + chunk : n;
        int64_t c[2] = {0, 0};
        fn(job, b, e, c);
        c0 += c[0];
        c1 += c[1];
    }
    counts[0] = c0;
    counts[1] = c1;
#else
    fn(job, 0, n, counts);
#endif
}
