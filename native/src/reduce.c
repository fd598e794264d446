/* reduce.c - deterministic reductions and the random fills of the LNS step. */
#include "internal.h"
#include "lns_math.h"
#include "philox.h"
#include <stdlib.h>

static double hyb_block_sum_squares(const float* x, int64_t n, int finite_only) {
    double acc = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        const double xi = finite_only && !hyb_isfinite_f32(x[i]) ? 0.0 : (double)x[i];
        acc += xi * xi;
    }
    return acc;
}

double hyb_sum_squares(const float* x, int64_t n, int finite_only) {
    const int64_t nblocks = (n + HYB_SUM_BLOCK - 1) / HYB_SUM_BLOCK;
    const int nt = hyb_threads_for(n);
    double total = 0.0;
    if (nt <= 1 || nblocks < 2) {
        for (int64_t b = 0; b < nblocks; ++b) {
            const int64_t s = b * HYB_SUM_BLOCK;
            total += hyb_block_sum_squares(x + s, n - s < HYB_SUM_BLOCK ? n - s : HYB_SUM_BLOCK, finite_only);
        }
        return total;
    }
    /* Block sums in parallel, then added in block order. 2^58 / 4096 blocks at most; a tensor
     * big enough to make this allocation fail cannot have been passed in. */
    double* partial = (double*)malloc((size_t)nblocks * sizeof(double));
    if (!partial) { /* fall back to the serial order, same result */
        for (int64_t b = 0; b < nblocks; ++b) {
            const int64_t s = b * HYB_SUM_BLOCK;
            total += hyb_block_sum_squares(x + s, n - s < HYB_SUM_BLOCK ? n - s : HYB_SUM_BLOCK, finite_only);
        }
        return total;
    }
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t b = 0; b < nblocks; ++b) {
        const int64_t s = b * HYB_SUM_BLOCK;
        partial[b] = hyb_block_sum_squares(x + s, n - s < HYB_SUM_BLOCK ? n - s : HYB_SUM_BLOCK, finite_only);
    }
    for (int64_t b = 0; b < nblocks; ++b) total += partial[b];
    free(partial);
    return total;
}

float hyb_mean_square(const float* x, int64_t n, int finite_only) {
    return (float)(hyb_sum_squares(x, n, finite_only) / (double)n);
}

int hyb_lns_device_model_on(const hyb_lns_madam_config* cfg) {
    return cfg->c2c_noise > 0.0f || cfg->d2d_gain_sd > 0.0f || cfg->asymmetry != 0.0f ||
           cfg->stuck_fraction > 0.0f;
}

void hyb_lns_fill_rounding(const hyb_lns_madam_config* cfg, int64_t sb, int64_t m, float* u) {
    if (cfg->rounding != HYB_ROUNDING_STOCHASTIC) {
        for (int64_t i = 0; i < m; ++i) u[i] = 0.5f;
        return;
    }
    if ((sb & 3) == 0) { /* aligned to a Philox block: a loop GCC vectorises */
        for (int64_t b = 0; b < (m + 3) / 4; ++b) {
            hyb_u32x4 r = hyb_stream_block(cfg->seed, cfg->step, cfg->tensor_id,
                                           HYB_RANDOM_PURPOSE_ROUNDING, (uint64_t)(sb / 4 + b));
            for (int j = 0; j < 4; ++j)
                if (4 * b + j < m) u[4 * b + j] = hyb_u32_to_unit_f32(r.v[j]);
        }
        return;
    }
    for (int64_t i = 0; i < m; ++i) {
        const uint64_t e = (uint64_t)(sb + i);
        hyb_u32x4 r = hyb_stream_block(cfg->seed, cfg->step, cfg->tensor_id,
                                       HYB_RANDOM_PURPOSE_ROUNDING, e >> 2);
        u[i] = hyb_u32_to_unit_f32(r.v[e & 3]);
    }
}

void hyb_lns_fill_device(const hyb_lns_madam_config* cfg, int64_t sb, int64_t m, float* fac) {
    for (int64_t i = 0; i < m; ++i) {
        const uint64_t e = (uint64_t)(sb + i);
        fac[i] = hyb_lns_device_factor(cfg->seed, cfg->step, cfg->tensor_id, e, cfg->c2c_noise,
                                       cfg->d2d_gain_sd, cfg->stuck_fraction);
    }
}
