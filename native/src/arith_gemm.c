/* arith_gemm.c - the exact LNS GEMM's entry points (hybrid/lns_arith.h): validation, the plain
 * reference (the scalar level, and what every vector level must equal), the per-call plan the
 * vector levels share, the truncation count, and which level runs (arith_gemm.h). */
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "arith_gemm.h"
#include "arith_math.h"

const hyb_arith_kernels* hyb_arith(int* bad) {
    *bad = 0;
    const hyb_cpu_kernels* k = hyb_cpu();
    if (k == NULL) {
        *bad = 1;
        return NULL;
    }
#if defined(HYBRID_X86_SIMD)
    if (k->level == HYB_SIMD_LEVEL_AVX512) return &hyb_arith_avx512;
    if (k->level == HYB_SIMD_LEVEL_AVX2) return &hyb_arith_avx2;
#endif
    return NULL;
}

/* ---- the plain reference: one output at a time, products in k order (arith_math.h) ---- */

typedef struct ref_job {
    const hyb_lns_gemm_config* cfg;
    int code_bytes;
    const void* a;
    const void* b;
    float* c;
    const double* scale;
} ref_job;

/* Output rows [begin, end): counts[0] saturations, counts[1] truncated products. */
static void ref_rows(const void* job, int64_t begin, int64_t end, int64_t counts[2]) {
    const ref_job* j = (const ref_job*)job;
    const hyb_lns_gemm_config* cfg = j->cfg;
    int64_t acc[HYB_LNS_GEMM_MAX_GAMMA];
    for (int64_t m = begin; m < end; ++m)
        for (int64_t n = 0; n < cfg->n; ++n) {
            int64_t ao, lda, bo, ldb;
            hyb_lns_gemm_strides(cfg, m, n, &ao, &lda, &bo, &ldb);
            j->c[m * cfg->n + n] =
                j->code_bytes == 1
                    ? hyb_lns_gemm_dot_u8((const uint8_t*)j->a + ao, lda, (const uint8_t*)j->b + bo, ldb,
                                          cfg->k, cfg, j->scale, acc, &counts[0], &counts[1])
                    : hyb_lns_gemm_dot_u16((const uint16_t*)j->a + ao, lda, (const uint16_t*)j->b + bo, ldb,
                                           cfg->k, cfg, j->scale, acc, &counts[0], &counts[1]);
        }
}

/* ---- the vector levels' plan ---- */

static inline uint32_t code_at(const void* p, int code_bytes, int64_t i) {
    return code_bytes == 1 ? ((const uint8_t*)p)[i] : ((const uint16_t*)p)[i];
}

/* Rows [begin, end) of A: their entries and block bounds (arith_gemm.h). */
static void plan_rows(const void* job, int64_t begin, int64_t end, int64_t counts[2]) {
    (void)counts;
    const hyb_gemm_plan* p = (const hyb_gemm_plan*)job;
    const int64_t kdim = p->k, nblk = p->blocks, block = p->block;
    const uint32_t kz = (uint32_t)p->kz_a, gm = (uint32_t)p->gamma - 1u;
    const int32_t sh = p->log2_gamma, f = p->frac_bits, sign = p->cfg->a.bits - 1;
    const int trans = p->cfg->a_transposed;
    for (int64_t m = begin; m < end; ++m) {
        int32_t* ent = p->ent + 2 * m * kdim;
        int32_t* rb = p->row_block + m * (nblk + 1);
        int32_t off = 0;
        for (int64_t blk = 0; blk < nblk; ++blk) {
            rb[blk] = off;
            const int64_t k0 = blk * block, k1 = k0 + block < kdim ? k0 + block : kdim;
            uint32_t sum = 0;
            int32_t qmin = 31;
            for (int64_t k = k0; k < k1; ++k) {
                const uint32_t c = code_at(p->a, p->code_bytes, trans ? k * p->m + m : m * kdim + k);
                const uint32_t ka = c & kz;
                if (ka == kz) continue;
                ent[2 * off] = (int32_t)ka;
                ent[2 * off + 1] = (int32_t)((uint32_t)(k - k0) | ((ka & gm) << 8) | (((c >> sign) & 1u) << 15));
                ++off;
                const int32_t qa = (int32_t)(ka >> sh);
                if (qa <= f) sum += 1u << (f - qa);
                if (qa < qmin) qmin = qa;
            }
            p->sum_a[m * nblk + blk] = sum;
            p->qmin_a[m * nblk + blk] = qmin;
        }
        rb[nblk] = off;
    }
}

hyb_status hyb_gemm_plan_make(const char* fn, hyb_gemm_plan* p, const hyb_arith_kernels* kern) {
    const hyb_lns_gemm_config* cfg = p->cfg;
    p->m = cfg->m;
    p->k = cfg->k;
    p->n = cfg->n;
    p->gamma = (int32_t)cfg->a.gamma;
    p->log2_gamma = 0;
    while ((1 << p->log2_gamma) < p->gamma) ++p->log2_gamma;
    p->frac_bits = cfg->frac_bits;
    p->acc_bits = cfg->acc_bits;
    p->kz_a = (1 << (cfg->a.bits - 1)) - 1;
    p->kz_b = (1 << (cfg->b.bits - 1)) - 1;
    p->sign_shift_b = cfg->b.bits - 1;
    p->exp_base = p->gamma * p->frac_bits + p->gamma - 1;
    p->lanes = kern->lanes;
    /* S_A of a block is at most block 2^F, and must stay <= 2^30 */
    int32_t block = kern->max_block;
    while (block > 1 && ((int64_t)block << p->frac_bits) > ((int64_t)1 << 30)) block >>= 1;
    p->block = block;
    p->blocks = (p->k + block - 1) / block;
    p->panels = (p->n + p->lanes - 1) / p->lanes;
    /* at least 4 items per thread when the panels alone are fewer; rows per item >= 16 */
    const int nt = hyb_threads_for(p->m * p->k * p->n);
    int64_t chunks = p->panels >= 4 * nt ? 1 : (4 * nt + p->panels - 1) / p->panels;
    int64_t rows = (p->m + chunks - 1) / (chunks > 0 ? chunks : 1);
    if (rows < 16) rows = 16;
    if (rows > p->m) rows = p->m > 0 ? p->m : 1;
    p->rows_per_item = rows;
    p->items = p->panels * ((p->m + rows - 1) / rows);
    for (int32_t r = 0; r < p->gamma; ++r) p->scale[r] = hyb_lns_bucket_scale(r, p->gamma);
    p->pow2_f = hyb_pow2i(-p->frac_bits);
    p->out_scale = (double)cfg->a.w_max * (double)cfg->b.w_max;
    p->ent = (int32_t*)malloc((size_t)(p->m * p->k) * 8 + 8);
    p->row_block = (int32_t*)malloc((size_t)(p->m * (p->blocks + 1)) * 4 + 4);
    p->sum_a = (uint32_t*)malloc((size_t)(p->m * p->blocks) * 4 + 4);
    p->qmin_a = (int32_t*)malloc((size_t)(p->m * p->blocks) * 4 + 4);
    if (!p->ent || !p->row_block || !p->sum_a || !p->qmin_a) {
        hyb_gemm_plan_free(p);
        return hyb_fail(HYB_STATUS_OUT_OF_MEMORY, "%s: no memory for the plan of A (%lld x %lld)", fn,
                        (long long)p->m, (long long)p->k);
    }
    int64_t counts[2];
    hyb_parallel(p->m, 8, p->m * p->k, plan_rows, p, counts);
    return HYB_STATUS_OK;
}

void hyb_gemm_plan_free(hyb_gemm_plan* p) {
    free(p->ent);
    free(p->row_block);
    free(p->sum_a);
    free(p->qmin_a);
    p->ent = NULL;
    p->row_block = NULL;
    p->sum_a = NULL;
    p->qmin_a = NULL;
}

/* ---- truncated products ---- */

typedef struct trunc_job {
    const hyb_lns_gemm_config* cfg;
    int code_bytes;
    const void* a;
    const void* b;
    int32_t t;      /* a product truncates when k_a + k_b >= t = gamma (F + 1) */
    int64_t span;   /* k per chunk */
    int failed;
} trunc_job;

/* Chunks [begin, end) of k: for each k the suffix counts of B's non-zero k_b (capped at t),
 * then for each non-zero k_a of A's column k the count of k_b >= t - k_a. counts[0] += that. */
static void trunc_chunks(const void* job, int64_t begin, int64_t end, int64_t counts[2]) {
    trunc_job* j = (trunc_job*)job;
    const hyb_lns_gemm_config* cfg = j->cfg;
    const int64_t mdim = cfg->m, kdim = cfg->k, ndim = cfg->n, span = j->span;
    const uint32_t kza = (1u << (cfg->a.bits - 1)) - 1u, kzb = (1u << (cfg->b.bits - 1)) - 1u;
    const int32_t t = j->t;
    int64_t* cnt = (int64_t*)malloc((size_t)span * (size_t)(t + 2) * sizeof(int64_t));
    if (cnt == NULL) {
        j->failed = 1;
        return;
    }
    int64_t total = 0;
    for (int64_t ch = begin; ch < end; ++ch) {
        const int64_t k0 = ch * span, k1 = k0 + span < kdim ? k0 + span : kdim;
        memset(cnt, 0, (size_t)span * (size_t)(t + 2) * sizeof(int64_t));
        for (int64_t k = k0; k < k1; ++k) {
            int64_t* h = cnt + (k - k0) * (t + 2);
            for (int64_t n = 0; n < ndim; ++n) {
                const uint32_t kb = code_at(j->b, j->code_bytes, cfg->b_transposed ? n * kdim + k : k * ndim + n) & kzb;
                if (kb != kzb) ++h[kb < (uint32_t)t ? kb : (uint32_t)t];
            }
            for (int32_t u = t - 1; u >= 0; --u) h[u] += h[u + 1]; /* h[u] = #{k_b >= u} */
        }
        for (int64_t m = 0; m < mdim; ++m)
            for (int64_t k = k0; k < k1; ++k) {
                const uint32_t ka = code_at(j->a, j->code_bytes, cfg->a_transposed ? k * mdim + m : m * kdim + k) & kza;
                if (ka == kza) continue;
                const int64_t need = (int64_t)t - (int64_t)ka;
                total += cnt[(k - k0) * (t + 2) + (need > 0 ? need : 0)];
            }
    }
    free(cnt);
    counts[0] += total;
}

int64_t hyb_gemm_truncated(const hyb_lns_gemm_config* cfg, int code_bytes, const void* a, const void* b) {
    const int64_t g = (int64_t)cfg->a.gamma;
    const int64_t t = g * (cfg->frac_bits + 1);
    const int64_t emax = ((1 << (cfg->a.bits - 1)) - 2) + ((1 << (cfg->b.bits - 1)) - 2);
    if (emax < t || cfg->m == 0 || cfg->k == 0 || cfg->n == 0) return 0;
    trunc_job j = {cfg, code_bytes, a, b, (int32_t)t, 1, 0};
    j.span = 32768 / (t + 2) > 1 ? 32768 / (t + 2) : 1;
    if (j.span > 64) j.span = 64;
    int64_t counts[2];
    const int64_t chunks = (cfg->k + j.span - 1) / j.span;
    hyb_parallel(chunks, 1, cfg->m * cfg->k + cfg->k * cfg->n, trunc_chunks, &j, counts);
    return j.failed ? -1 : counts[0];
}

/* ---- entry points ---- */

static hyb_status check_codes(const char* fn, const char* which, const void* codes, int code_bytes,
                              int64_t n, int32_t bits) {
    const int64_t bad = hyb_find_bad_code(codes, code_bytes, bits, n);
    if (bad < 0) return HYB_STATUS_OK;
    return hyb_fail(HYB_STATUS_INVALID_CODE, "%s: %s[%lld] = %u has bits above bit %d of a %d-bit format", fn,
                    which, (long long)bad, (unsigned)code_at(codes, code_bytes, bad), (int)bits - 1, (int)bits);
}

static hyb_status gemm_exact(const char* fn, const hyb_lns_gemm_config* cfg, int code_bytes,
                             const void* a, const void* b, float* c, hyb_gemm_stats* stats) {
    hyb_clear_error();
    hyb_status st = hyb_check_lns_gemm(fn, cfg, code_bytes, a, b, c);
    if (st) return st;
    if ((st = check_codes(fn, "a", a, code_bytes, cfg->m * cfg->k, cfg->a.bits)) ||
        (st = check_codes(fn, "b", b, code_bytes, cfg->k * cfg->n, cfg->b.bits)))
        return st;
    int bad = 0;
    const hyb_arith_kernels* kern = hyb_arith(&bad);
    if (bad) return HYB_STATUS_INVALID_ARGUMENT; /* HYBRID_SIMD names a level that cannot run */
    if (kern != NULL && cfg->k >= ((int64_t)1 << 31)) kern = NULL; /* entry offsets are int32 */
    int64_t sat = 0, trunc = 0;
    if (kern == NULL) {
        /* Validated: from here on c is written. */
        double scale[HYB_LNS_GEMM_MAX_GAMMA];
        for (int32_t r = 0; r < (int32_t)cfg->a.gamma; ++r) scale[r] = hyb_lns_bucket_scale(r, (int32_t)cfg->a.gamma);
        const ref_job job = {cfg, code_bytes, a, b, c, scale};
        int64_t counts[2];
        hyb_parallel(cfg->m, 1, cfg->m * cfg->k * cfg->n, ref_rows, &job, counts);
        sat = counts[0];
        trunc = counts[1];
    } else {
        hyb_gemm_plan p;
        memset(&p, 0, sizeof p);
        p.cfg = cfg;
        p.code_bytes = code_bytes;
        p.a = a;
        p.b = b;
        p.c = c;
        if ((st = hyb_gemm_plan_make(fn, &p, kern))) return st;
        trunc = hyb_gemm_truncated(cfg, code_bytes, a, b);
        /* Validated: from here on c is written. */
        int64_t counts[2];
        hyb_parallel(p.items, 1, p.m * p.k * p.n, kern->gemm_items, &p, counts);
        hyb_gemm_plan_free(&p);
        if (trunc < 0 || counts[1] < 0)
            return hyb_fail(HYB_STATUS_OUT_OF_MEMORY, "%s: no memory for a work item's buffers", fn);
        sat = counts[0];
    }
    if (stats) {
        stats->macs = cfg->m * cfg->k * cfg->n;
        stats->saturations = sat;
        stats->truncated = trunc;
        stats->simd_level = kern ? (int64_t)kern->level : (int64_t)HYB_SIMD_LEVEL_SCALAR;
    }
    return HYB_STATUS_OK;
}

hyb_status hyb_lns_gemm_exact_u8(const hyb_lns_gemm_config* cfg, const uint8_t* a, const uint8_t* b,
                                 float* c, hyb_gemm_stats* stats) {
    return gemm_exact("hyb_lns_gemm_exact_u8", cfg, 1, a, b, c, stats);
}

hyb_status hyb_lns_gemm_exact_u16(const hyb_lns_gemm_config* cfg, const uint16_t* a, const uint16_t* b,
                                  float* c, hyb_gemm_stats* stats) {
    return gemm_exact("hyb_lns_gemm_exact_u16", cfg, 2, a, b, c, stats);
}
