/* reduce.c - the deterministic sum of squares, the input scans that validate before a step
 * writes, and the random fills of the scalar LNS step. */
#include <stdlib.h>
#include "internal.h"
#include "lns_math.h"
#include "philox.h"

/* ---- the sum of squares: lanes within a block, halving tree, then blocks likewise ---- */

double hyb_sum_lanes_tree(double* lanes) {
    for (int h = HYB_SUM_LANES / 2; h >= 1; h /= 2)
        for (int j = 0; j < h; ++j) lanes[j] = lanes[j] + lanes[j + h];
    return lanes[0];
}

double hyb_block_sum_squares_scalar(const float* x, int64_t m, int finite_only) {
    double lanes[HYB_SUM_LANES] = {0};
    for (int64_t i = 0; i < m; ++i) {
        const double xi = finite_only && !hyb_isfinite_f32(x[i]) ? 0.0 : (double)x[i];
        lanes[i % HYB_SUM_LANES] += xi * xi;
    }
    return hyb_sum_lanes_tree(lanes);
}

/* Combines block sums as the blocks' elements were: lane j adds sums j, j + L, ... in order. */
static double combine_block_sums(const double* sums, int64_t nb) {
    double lanes[HYB_SUM_LANES] = {0};
    for (int64_t b = 0; b < nb; ++b) lanes[b % HYB_SUM_LANES] += sums[b];
    return hyb_sum_lanes_tree(lanes);
}

typedef struct sum_job {
    const float* x;
    int64_t n;
    int finite_only;
    double* sums;
    double (*block)(const float*, int64_t, int);
} sum_job;

static void sum_blocks(const void* p, int64_t b0, int64_t b1, int64_t counts[2]) {
    const sum_job* j = (const sum_job*)p;
    (void)counts;
    for (int64_t b = b0; b < b1; ++b) {
        const int64_t s = b * HYB_SUM_BLOCK;
        j->sums[b] = j->block(j->x + s, j->n - s < HYB_SUM_BLOCK ? j->n - s : HYB_SUM_BLOCK,
                              j->finite_only);
    }
}

double hyb_sum_squares(const float* x, int64_t n, int finite_only) {
    return hyb_sum_squares_on(x, n, finite_only, 1);
}

double hyb_sum_squares_on(const float* x, int64_t n, int finite_only, int threaded) {
    const int64_t nb = (n + HYB_SUM_BLOCK - 1) / HYB_SUM_BLOCK;
    const hyb_cpu_kernels* cpu = hyb_cpu();
    double small[64];
    double* sums = nb <= 64 ? small : (double*)malloc((size_t)nb * sizeof(double));
    sum_job job = {x, n, finite_only, sums,
                   cpu && cpu->block_sum_squares ? cpu->block_sum_squares
                                                 : hyb_block_sum_squares_scalar};
    int64_t counts[2];
    if (sums == NULL) { /* cannot happen for a tensor that fits in memory; same result serially */
        double lanes[HYB_SUM_LANES] = {0};
        for (int64_t b = 0; b < nb; ++b) {
            const int64_t s = b * HYB_SUM_BLOCK;
            lanes[b % HYB_SUM_LANES] +=
                job.block(x + s, n - s < HYB_SUM_BLOCK ? n - s : HYB_SUM_BLOCK, finite_only);
        }
        return hyb_sum_lanes_tree(lanes);
    }
    if (threaded) hyb_parallel(nb, HYB_CHUNK / HYB_SUM_BLOCK, n, sum_blocks, &job, counts);
    else sum_blocks(&job, 0, nb, counts);
    const double total = combine_block_sums(sums, nb);
    if (sums != small) free(sums);
    return total;
}

float hyb_mean_square(const float* x, int64_t n, int finite_only) {
    return (float)(hyb_sum_squares(x, n, finite_only) / (double)n);
}

typedef struct rows_job {
    const float* x;
    int64_t cols;
    int finite_only;
    float* out;
} rows_job;

static void rows_range(const void* p, int64_t r0, int64_t r1, int64_t counts[2]) {
    const rows_job* j = (const rows_job*)p;
    (void)counts;
    for (int64_t r = r0; r < r1; ++r)
        j->out[r] = (float)(hyb_sum_squares_on(j->x + r * j->cols, j->cols, j->finite_only, 0) /
                            (double)j->cols);
}

void hyb_rows_mean_square(const float* x, int64_t rows, int64_t cols, int finite_only, float* out) {
    if (rows == 1) { /* one long row: its blocks in parallel instead */
        out[0] = hyb_mean_square(x, cols, finite_only);
        return;
    }
    rows_job job = {x, cols, finite_only, out};
    int64_t counts[2];
    const int64_t per_chunk = HYB_CHUNK / cols > 1 ? HYB_CHUNK / cols : 1;
    hyb_parallel(rows, per_chunk, rows * cols, rows_range, &job, counts);
}

/* ---- input scans: threaded, vectorised by the active SIMD level ---- */

typedef struct scan_job {
    const void* data;
    int32_t code_bytes; /* 0: floats (non-finite scan); 1, 2: codes */
    uint32_t mask;      /* codes: the bits that must be clear */
    const hyb_cpu_kernels* cpu;
} scan_job;

static int any_nonfinite_scalar(const float* x, int64_t n) {
    int bad = 0;
    for (int64_t i = 0; i < n; ++i) bad |= !hyb_isfinite_f32(x[i]);
    return bad;
}

static void scan_range(const void* p, int64_t b, int64_t e, int64_t counts[2]) {
    const scan_job* j = (const scan_job*)p;
    int bad;
    if (j->code_bytes == 0) {
        const float* x = (const float*)j->data + b;
        bad = j->cpu && j->cpu->any_nonfinite ? j->cpu->any_nonfinite(x, e - b)
                                              : any_nonfinite_scalar(x, e - b);
    } else if (j->code_bytes == 1) {
        const uint8_t* c = (const uint8_t*)j->data + b;
        uint32_t any = 0;
        if (j->cpu && j->cpu->or_codes_u8) any = j->cpu->or_codes_u8(c, e - b);
        else for (int64_t i = 0; i < e - b; ++i) any |= c[i];
        bad = (any & j->mask) != 0;
    } else {
        const uint16_t* c = (const uint16_t*)j->data + b;
        uint32_t any = 0;
        if (j->cpu && j->cpu->or_codes_u16) any = j->cpu->or_codes_u16(c, e - b);
        else for (int64_t i = 0; i < e - b; ++i) any |= c[i];
        bad = (any & j->mask) != 0;
    }
    counts[0] += bad;
}

/* A threaded any-pass, then (only when something is bad) the exact first index serially. */
static int64_t scan(const void* data, int code_bytes, uint32_t mask, int64_t n) {
    scan_job job = {data, code_bytes, mask, hyb_cpu()};
    int64_t counts[2];
    hyb_parallel(n, HYB_CHUNK, n, scan_range, &job, counts);
    if (counts[0] == 0) return -1;
    for (int64_t i = 0; i < n; ++i) {
        const int bad = code_bytes == 0 ? !hyb_isfinite_f32(((const float*)data)[i])
                      : code_bytes == 1 ? (((const uint8_t*)data)[i] & mask) != 0
                                        : (((const uint16_t*)data)[i] & mask) != 0;
        if (bad) return i;
    }
    return -1;
}

int64_t hyb_find_nonfinite(const float* x, int64_t n) { return scan(x, 0, 0, n); }

int64_t hyb_find_bad_code(const void* codes, int code_bytes, int32_t bits, int64_t n) {
    if (bits >= 8 * code_bytes) return -1; /* every bit pattern is a valid code */
    return scan(codes, code_bytes, ~((1u << bits) - 1u), n);
}

/* ---- the scalar LNS step's random fills ---- */

int hyb_lns_device_model_on(const hyb_lns_madam_config* cfg) {
    return cfg->c2c_noise > 0.0f || cfg->d2d_gain_sd > 0.0f || cfg->asymmetry != 0.0f ||
           cfg->stuck_fraction > 0.0f || cfg->response.family != HYB_DEVICE_FAMILY_CONSTANT ||
           cfg->response.up_down_dtod > 0.0f;
}

void hyb_lns_fill_rounding(const hyb_lns_madam_config* cfg, int64_t sb, int64_t m, float* u) {
    if (cfg->rounding != HYB_ROUNDING_STOCHASTIC) {
        for (int64_t i = 0; i < m; ++i) u[i] = 0.5f;
        return;
    }
    const int r = cfg->random_bits;
    if (m <= 8) { /* a few elements: a block each, no stripe bookkeeping */
        for (int64_t i = 0; i < m; ++i)
            u[i] = hyb_rounding_uniform(cfg->seed, cfg->step, cfg->tensor_id, r, (uint64_t)(sb + i));
        return;
    }
    /* Stripe by stripe: each block of a stripe serves E elements S apart (hybrid/random.h). */
    const int e = hyb_rounding_per_block(r), s = HYB_RANDOM_STRIPE;
    const int64_t se = (int64_t)s * e, end = sb + m;
    for (int64_t base = sb - sb % se; base < end; base += se)
        for (int q = 0; q < s; ++q) {
            /* the block's first element in range (elements base + q + slot s): none, no draw */
            const int64_t lo = sb - base - q > 0 ? (sb - base - q + s - 1) / s : 0;
            if (lo >= e || base + q + lo * s >= end) continue;
            const hyb_u32x4 b = hyb_stream_block(cfg->seed, cfg->step, cfg->tensor_id,
                                                 HYB_RANDOM_PURPOSE_ROUNDING,
                                                 (uint64_t)(base / se * s + q));
            for (int slot = 0; slot < e; ++slot) {
                const int64_t i = base + (int64_t)slot * s + q;
                if (i >= sb && i < end) u[i - sb] = hyb_rounding_slice(b.v[slot & 3], slot >> 2, r);
            }
        }
}

void hyb_lns_fill_device(const hyb_lns_madam_config* cfg, int64_t sb, int64_t m, float* fac) {
    for (int64_t i = 0; i < m; ++i) {
        const uint64_t e = (uint64_t)(sb + i);
        fac[i] = hyb_lns_device_factor(cfg->seed, cfg->step, cfg->tensor_id, e, cfg->c2c_noise,
                                       cfg->d2d_gain_sd, cfg->stuck_fraction);
    }
}
