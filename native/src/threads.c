/* threads.c - the CPU kernels' threads: how many (a limit set by the caller, else the processors
 * this process may run on, read once), and the one parallel loop every kernel uses, on
 * libhybrid's own pool of worker threads.
 *
 * Why a pool of its own, not OpenMP: libgomp reads its wait policy (OMP_WAIT_POLICY,
 * GOMP_SPINCOUNT) once, when it is loaded - before any code of libhybrid runs - and by default a
 * thread that finishes a parallel region spins for a few milliseconds waiting for the next one.
 * In a training step libhybrid's kernels and libtorch's operators (with an OpenMP runtime of its
 * own) take turns on the same cores, so each runtime's spinning threads took the cores the other
 * one's working threads needed (issue 21 measured 5.4x on a quiet machine from this alone). Here
 * an idle worker always sleeps on a condition variable: it uses no CPU between kernels, whatever
 * the environment says, in every process that loads libhybrid.
 *
 * The pool: workers are started on first use, up to the threads a call asks for minus one (the
 * caller is thread 0). A call hands out chunks from an atomic counter (a core that another
 * process holds takes fewer chunks instead of stalling the rest); results never depend on which
 * thread ran a chunk (element-wise work, integer counts, every floating-point sum in a fixed
 * order). One call at a time uses the pool: a call made while it is busy (another caller thread,
 * or a kernel inside a chunk) runs on its own thread. A call that runs on one thread touches no
 * lock at all. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

enum { HYB_POOL_MAX = 256 };

static atomic_int hyb_thread_limit = 0; /* 0 = all the processors */
static atomic_int hyb_processors = 0;   /* read once: a system call */

static int hyb_available_threads(void) {
    int p = atomic_load_explicit(&hyb_processors, memory_order_relaxed);
    if (p == 0) {
#if defined(__linux__)
        cpu_set_t set;
        CPU_ZERO(&set);
        p = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
#endif
        if (p < 1) p = (int)sysconf(_SC_NPROCESSORS_ONLN);
        if (p < 1) p = 1;
        if (p > HYB_POOL_MAX) p = HYB_POOL_MAX;
        atomic_store_explicit(&hyb_processors, p, memory_order_relaxed);
    }
    return p;
}

int hyb_threads_for(int64_t n) {
    if (n < HYB_PARALLEL_MIN) return 1;
    int limit = atomic_load_explicit(&hyb_thread_limit, memory_order_relaxed);
    return limit > 0 ? (limit < HYB_POOL_MAX ? limit : HYB_POOL_MAX) : hyb_available_threads();
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

/* ---- the pool ---- */

typedef struct { int64_t c[2]; char pad[48]; } hyb_slot; /* one cache line of counts per thread */

static struct {
    pthread_mutex_t busy;     /* held by the call using the pool */
    pthread_mutex_t m;        /* guards everything below */
    pthread_cond_t go;        /* a new job (gen moved) */
    pthread_cond_t finished;  /* remaining reached 0 */
    int workers;              /* started */
    unsigned gen;             /* job number */
    int remaining;            /* workers still on the current job */
    /* the current job, read by workers after they see gen move */
    hyb_range_fn fn;
    const void* job;
    int64_t n, chunk, nchunks;
    int want;                 /* threads taking chunks, the caller included */
    atomic_llong next;        /* next chunk to hand out */
    hyb_slot counts[HYB_POOL_MAX];
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
          PTHREAD_COND_INITIALIZER, 0, 0, 0, NULL, NULL, 0, 0, 0, 0, 0, {{{0, 0}, {0}}}};

static _Thread_local int hyb_in_pool = 0; /* this thread is running a chunk */

static void run_chunks(int id) {
    int64_t* c = pool.counts[id].c;
    c[0] = c[1] = 0;
    if (id >= pool.want) return;
    for (;;) {
        const int64_t ch = atomic_fetch_add_explicit(&pool.next, 1, memory_order_relaxed);
        if (ch >= pool.nchunks) break;
        const int64_t b = ch * pool.chunk, e = b + pool.chunk < pool.n ? b + pool.chunk : pool.n;
        int64_t part[2] = {0, 0};
        pool.fn(pool.job, b, e, part);
        c[0] += part[0];
        c[1] += part[1];
    }
}

static void* worker(void* arg) {
    /* id 1 .. workers in the low 32 bits; the job number current when it was started in the high ones: the job that
     * started it is announced (gen moved) before the worker first takes the lock, so it must not read gen itself */
    const uint64_t packed = (uint64_t)(uintptr_t)arg;
    const int id = (int)(packed & 0xffffffffu);
    unsigned seen = (unsigned)(packed >> 32);
    hyb_in_pool = 1;
    pthread_mutex_lock(&pool.m);
    for (;;) {
        while (pool.gen == seen) pthread_cond_wait(&pool.go, &pool.m); /* asleep: no CPU */
        seen = pool.gen;
        pthread_mutex_unlock(&pool.m);
        run_chunks(id);
        pthread_mutex_lock(&pool.m);
        if (--pool.remaining == 0) pthread_cond_signal(&pool.finished);
    }
    return NULL;
}

/* Starts workers up to `count` (the pool's mutex held, no job running); the number running. */
static int grow(int count) {
    while (pool.workers < count) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        const uint64_t packed = ((uint64_t)pool.gen << 32) | (uint64_t)(pool.workers + 1);
        const int ok = pthread_create(&t, &attr, worker, (void*)(uintptr_t)packed) == 0;
        pthread_attr_destroy(&attr);
        if (!ok) break; /* run with the workers there are */
        ++pool.workers;
    }
    return pool.workers;
}

void hyb_parallel(int64_t n, int64_t chunk, int64_t work, hyb_range_fn fn, const void* job,
                  int64_t counts[2]) {
    counts[0] = counts[1] = 0;
    if (n <= 0) return;
    const int64_t nchunks = (n + chunk - 1) / chunk;
    int nt = hyb_threads_for(work);
    if (nt > nchunks) nt = (int)nchunks;
#ifndef HYBRID_THREADS
    nt = 1; /* built without threads (HYBRID_THREADS=OFF) */
#endif
    if (nt <= 1 || hyb_in_pool || pthread_mutex_trylock(&pool.busy) != 0) {
        fn(job, 0, n, counts); /* one thread, a kernel inside a chunk, or the pool is busy */
        return;
    }
    pthread_mutex_lock(&pool.m);
    const int workers = grow(nt - 1);
    pool.fn = fn;
    pool.job = job;
    pool.n = n;
    pool.chunk = chunk;
    pool.nchunks = nchunks;
    pool.want = nt < workers + 1 ? nt : workers + 1;
    atomic_store_explicit(&pool.next, 0, memory_order_relaxed);
    pool.remaining = workers;
    ++pool.gen;
    pthread_cond_broadcast(&pool.go);
    pthread_mutex_unlock(&pool.m);
    hyb_in_pool = 1;
    run_chunks(0);
    hyb_in_pool = 0;
    pthread_mutex_lock(&pool.m);
    while (pool.remaining > 0) pthread_cond_wait(&pool.finished, &pool.m);
    for (int i = 0; i <= workers; ++i) {
        counts[0] += pool.counts[i].c[0];
        counts[1] += pool.counts[i].c[1];
    }
    pthread_mutex_unlock(&pool.m);
    pthread_mutex_unlock(&pool.busy);
}
