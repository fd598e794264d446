/* dispatch.c - which SIMD level the CPU kernels run: the widest this CPU and this build have
 * (AVX-512 F/BW/DQ/VL, AVX2, or the scalar reference), unless the environment variable
 * HYBRID_SIMD (scalar, avx2, avx512; read once) or hyb_simd_set chooses another. Asking for a
 * level that cannot run is an error, never a silent fallback: the kernels then fail, saying so. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* The scalar reference: the element steps on one lane, every option (lns_kernels.inc, madam.c,
 * reduce.c); the vector levels fall back to it for what they lack (the device model). */
const hyb_cpu_kernels hyb_cpu_scalar = {
    HYB_SIMD_LEVEL_SCALAR, hyb_lns_range_scalar_u8, hyb_lns_range_scalar_u16,
    hyb_madam_range_scalar, NULL, NULL, NULL, hyb_block_sum_squares_scalar,
};

enum { HYB_SIMD_UNSET = -1, HYB_SIMD_BAD_ENV = -2 };
static atomic_int hyb_simd_state = HYB_SIMD_UNSET;
static char hyb_simd_env[64]; /* the bad HYBRID_SIMD value, for the message */

static const char* level_name(hyb_simd_level level) {
    switch (level) {
    case HYB_SIMD_LEVEL_SCALAR: return "scalar";
    case HYB_SIMD_LEVEL_AVX2: return "avx2";
    case HYB_SIMD_LEVEL_AVX512: return "avx512";
    default: return "unsupported";
    }
}

/* Whether this CPU and this build can run `level`. */
static int level_runs(hyb_simd_level level) {
    if (level == HYB_SIMD_LEVEL_SCALAR) return 1;
#if defined(HYBRID_X86_SIMD)
    __builtin_cpu_init();
    if (level == HYB_SIMD_LEVEL_AVX2) return __builtin_cpu_supports("avx2");
    if (level == HYB_SIMD_LEVEL_AVX512)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#endif
    return 0;
}

static hyb_simd_level best_level(void) {
    if (level_runs(HYB_SIMD_LEVEL_AVX512)) return HYB_SIMD_LEVEL_AVX512;
    if (level_runs(HYB_SIMD_LEVEL_AVX2)) return HYB_SIMD_LEVEL_AVX2;
    return HYB_SIMD_LEVEL_SCALAR;
}

/* The state after reading HYBRID_SIMD: a level, or HYB_SIMD_BAD_ENV. */
static int initial_state(void) {
    const char* env = getenv("HYBRID_SIMD");
    if (env == NULL || env[0] == '\0') return (int)best_level();
    static const hyb_simd_level levels[] = {HYB_SIMD_LEVEL_SCALAR, HYB_SIMD_LEVEL_AVX2,
                                            HYB_SIMD_LEVEL_AVX512};
    for (int i = 0; i < 3; ++i)
        if (strcmp(env, level_name(levels[i])) == 0 && level_runs(levels[i])) return (int)levels[i];
    snprintf(hyb_simd_env, sizeof hyb_simd_env, "%s", env);
    return HYB_SIMD_BAD_ENV;
}

static int state(void) {
    int s = atomic_load_explicit(&hyb_simd_state, memory_order_acquire);
    if (s == HYB_SIMD_UNSET) {
        int want = initial_state(), expected = HYB_SIMD_UNSET;
        atomic_compare_exchange_strong(&hyb_simd_state, &expected, want);
        s = atomic_load_explicit(&hyb_simd_state, memory_order_acquire);
    }
    return s;
}

static hyb_status bad_env(const char* fn) {
    return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                    "%s: HYBRID_SIMD = '%s' is not a SIMD level this CPU and build run (scalar, "
                    "avx2, avx512; the best here is %s); unset it or call hyb_simd_set",
                    fn, hyb_simd_env, level_name(best_level()));
}

const hyb_cpu_kernels* hyb_cpu(void) {
    switch (state()) {
#if defined(HYBRID_X86_SIMD)
    case HYB_SIMD_LEVEL_AVX512: return &hyb_cpu_avx512;
    case HYB_SIMD_LEVEL_AVX2: return &hyb_cpu_avx2;
#endif
    case HYB_SIMD_LEVEL_SCALAR: return &hyb_cpu_scalar;
    default:
        bad_env("libhybrid");
        return NULL;
    }
}

hyb_simd_level hyb_simd_current(void) {
    int s = state();
    return s >= 0 ? (hyb_simd_level)s : best_level();
}

hyb_status hyb_simd_get(hyb_simd_level* level) {
    hyb_clear_error();
    HYB_CHECK_REQUIRED(level, "level");
    int s = state();
    if (s < 0) return bad_env("hyb_simd_get");
    *level = (hyb_simd_level)s;
    return HYB_STATUS_OK;
}

hyb_status hyb_simd_best(hyb_simd_level* level) {
    hyb_clear_error();
    HYB_CHECK_REQUIRED(level, "level");
    *level = best_level();
    return HYB_STATUS_OK;
}

hyb_status hyb_simd_set(hyb_simd_level level) {
    hyb_clear_error();
    if (level != HYB_SIMD_LEVEL_SCALAR && level != HYB_SIMD_LEVEL_AVX2 &&
        level != HYB_SIMD_LEVEL_AVX512)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "hyb_simd_set: level %d is not one the CPU kernels have (scalar %d, avx2 "
                        "%d, avx512 %d)", (int)level, (int)HYB_SIMD_LEVEL_SCALAR,
                        (int)HYB_SIMD_LEVEL_AVX2, (int)HYB_SIMD_LEVEL_AVX512);
    if (!level_runs(level))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "hyb_simd_set: %s cannot run here (%s); the best here is %s",
                        level_name(level),
#if defined(HYBRID_X86_SIMD)
                        "this CPU lacks it",
#else
                        "this build has no x86 vector kernels",
#endif
                        level_name(best_level()));
    atomic_store_explicit(&hyb_simd_state, (int)level, memory_order_release);
    return HYB_STATUS_OK;
}
