/* lns.c - LNS encode/decode and the LNS Madam step on the CPU (maths in lns_math.h, the element
 * step in element_steps.h, the per-code-type bodies in lns_kernels.inc, the vector ranges in
 * kernels_simd.inc), and what both code types share: the step's setup and the decode tables. */
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "lanes_scalar.h"
#include "element_steps.h"
#include "device_math.h"

/* The decode tables of the last few formats this thread decoded: every code's value, filled by
 * hyb_lns_decode_one. A table pays for itself once a tensor has a quarter as many elements as
 * codes; a cached one always does (training decodes each layer with one format every step). */
enum { HYB_DECODE_CACHE = 8 };
typedef struct decode_table {
    hyb_lns_format format;
    float* values;
    uint64_t used;
} decode_table;
static _Thread_local decode_table hyb_decode_cache[HYB_DECODE_CACHE];
static _Thread_local uint64_t hyb_decode_clock;

const float* hyb_lns_decode_table(const hyb_lns_format* f, int64_t n) {
    const int64_t ncodes = (int64_t)1 << f->bits;
    decode_table* oldest = &hyb_decode_cache[0];
    for (int i = 0; i < HYB_DECODE_CACHE; ++i) {
        decode_table* t = &hyb_decode_cache[i];
        if (t->values && t->format.bits == f->bits && t->format.gamma == f->gamma &&
            t->format.w_max == f->w_max) {
            t->used = ++hyb_decode_clock;
            return t->values;
        }
        if (t->used < oldest->used) oldest = t;
    }
    if (n < ncodes / 4) return NULL; /* cheaper per element */
    float* values = (float*)realloc(oldest->values, (size_t)ncodes * sizeof(float));
    if (!values) return NULL; /* decode per element: the same floats */
    const uint32_t kmax = (1u << (f->bits - 1)) - 1u;
    for (uint32_t k = 0; k <= kmax; ++k) {
        const float m = hyb_lns_decode_one(k, f->bits, f->gamma, f->w_max);
        values[k] = m;
        values[k | (kmax + 1u)] = k == kmax ? 0.0f : -m;
    }
    oldest->format = *f;
    oldest->values = values;
    oldest->used = ++hyb_decode_clock;
    return values;
}

/* The largest |gh| a step can form: g_bound clamps it, sign-only gives at most 1, and
 * round_gradient's floor(gh + 1/2) can add 1/2. */
static double gh_bound(const hyb_lns_madam_config* cfg, float g_bound) {
    double b = cfg->moment == HYB_MOMENT_MODE_NONE ? 1.0 : (double)g_bound;
    return cfg->round_gradient ? b + 0.5 : b;
}

hyb_status hyb_lns_job_make(const char* fn, const hyb_lns_madam_config* cfg, int code_bytes,
                            void* codes, const float* grad, int64_t n, float* v, hyb_lns_job* job,
                            float** d_row) {
    const hyb_madam_consts c = hyb_madam_consts_make(cfg->beta2, cfg->g_bound, cfg->step,
                                                     cfg->format.gamma, cfg->lr, cfg->asymmetry);
    const hyb_step_lanes k = hyb_step_lanes_make(&c, cfg->format.bits, 0.0f, 0.0f);
    const int finite_only = cfg->nonfinite != HYB_NONFINITE_POLICY_PROPAGATE;
    memset(job, 0, sizeof *job);
    job->cfg = cfg;
    job->codes = codes;
    job->grad = grad;
    job->v = v;
    job->code_bytes = code_bytes;
    job->random_bits = cfg->rounding == HYB_ROUNDING_STOCHASTIC ? cfg->random_bits : 0;
    const int device = hyb_lns_device_model_on(cfg);
    job->flags = (cfg->nonfinite == HYB_NONFINITE_POLICY_PROPAGATE ? HYB_STEP_PROPAGATE : 0) |
                 (cfg->nonfinite == HYB_NONFINITE_POLICY_REJECT ? HYB_STEP_FINITE : 0) |
                 (device ? HYB_STEP_DEVICE : 0) |
                 /* |gh| <= g_bound (1 sign-only; g_bound + 1/2 once rounded to an integer), so
                  * |dk| <= that bound times code_scale (one rounding): the clamp binds only beyond
                  * it, with a margin for the float product's rounding */
                 (!device && gh_bound(cfg, c.g_bound) * (double)c.code_scale <= 65535.0
                      ? HYB_STEP_IN_RANGE : 0);
    job->cols = n;
    job->beta2 = c.beta2;
    job->one_m_beta2 = c.one_m_beta2;
    job->bias_corr = c.bias_corr;
    job->g_bound = c.g_bound;
    job->code_scale = c.code_scale;
    job->pot_scale = c.pot_scale;
    job->dep_scale = c.dep_scale;
    job->round_gradient = cfg->round_gradient;
    *d_row = NULL;
    if (cfg->moment == HYB_MOMENT_MODE_PER_TENSOR) {
        job->d_shared = hyb_madam_moment(hyb_mean_square(grad, n, finite_only), v, &k);
    } else if (cfg->moment == HYB_MOMENT_MODE_PER_NEURON) {
        const int64_t rows = cfg->rows, cols = n / rows;
        float* d = (float*)malloc((size_t)rows * sizeof(float));
        if (!d)
            return hyb_fail(HYB_STATUS_OUT_OF_MEMORY, "%s: cannot allocate %lld row moments", fn,
                            (long long)rows);
        /* each row's sum on one thread, the rows in parallel: the same doubles */
        hyb_rows_mean_square(grad, rows, cols, finite_only, d);
        for (int64_t r = 0; r < rows; ++r) d[r] = hyb_madam_moment(d[r], v + r, &k);
        job->cols = cols;
        job->d_row = d;
        *d_row = d;
    }
    return HYB_STATUS_OK;
}

#define HYB_CODE_T uint8_t
#define HYB_SFX u8
#define HYB_SFX_STR "u8"
#include "lns_kernels.inc"
#undef HYB_CODE_T
#undef HYB_SFX
#undef HYB_SFX_STR

#define HYB_CODE_T uint16_t
#define HYB_SFX u16
#define HYB_SFX_STR "u16"
#include "lns_kernels.inc"
#undef HYB_CODE_T
#undef HYB_SFX
#undef HYB_SFX_STR
