/* lns_arith.c - LNS quantisation on the CPU (hybrid/lns_arith.h; element maths in arith_math.h)
 * and the argument checks of the quantisers and the exact GEMM (its kernels: arith_gemm.c). The
 * quantiser runs in blocks of 256 on the SIMD level's kernel (arith_simd.inc) or the scalar block
 * below, threaded over fixed chunks: the same bits for any level and thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "arith_math.h"
#include "arith_gemm.h"
#include "philox.h"

/* ---- argument checks (shared with the CUDA entries) ---- */

hyb_status hyb_check_lns_quantize(const char* fn, const hyb_lns_quantize_config* cfg,
                                  const float* x, const float* y, int64_t n) {
    if (cfg == NULL) return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: config is NULL", fn);
    hyb_status st = hyb_check_lns_format(fn, &cfg->format, 2);
    if (st) return st;
    if (cfg->rounding != HYB_ROUNDING_NEAREST && cfg->rounding != HYB_ROUNDING_STOCHASTIC)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: rounding %d is unknown", fn,
                        (int)cfg->rounding);
    if (cfg->nonfinite != HYB_NONFINITE_POLICY_REJECT && cfg->nonfinite != HYB_NONFINITE_POLICY_SKIP)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "%s: nonfinite policy %d is not REJECT or SKIP", fn, (int)cfg->nonfinite);
    if (cfg->reserved != 0)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: config.reserved must be 0", fn);
    if ((st = hyb_check_length(fn, n)) || (st = hyb_check_ptr(fn, x, "x", n)) ||
        (st = hyb_check_ptr(fn, y, "y", n)))
        return st;
    if (x != y && (st = hyb_check_disjoint(fn, x, (size_t)n * 4, "x", y, (size_t)n * 4, "y")))
        return st;
    return HYB_STATUS_OK;
}

static hyb_status check_gemm_gamma(const char* fn, const char* which, float gamma) {
    const int32_t g = (int32_t)gamma;
    if (!(gamma >= 1.0f && gamma <= (float)HYB_LNS_GEMM_MAX_GAMMA) || (float)g != gamma ||
        (g & (g - 1)) != 0)
        return hyb_fail(HYB_STATUS_INVALID_FORMAT,
                        "%s: exact GEMM needs gamma = a power of two in [1, %d]; %s has gamma = %g",
                        fn, HYB_LNS_GEMM_MAX_GAMMA, which, (double)gamma);
    return HYB_STATUS_OK;
}

hyb_status hyb_check_lns_gemm(const char* fn, const hyb_lns_gemm_config* cfg, int code_bytes,
                              const void* a, const void* b, const float* c) {
    if (cfg == NULL) return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: config is NULL", fn);
    hyb_status st;
    if ((st = hyb_check_lns_format(fn, &cfg->a, code_bytes)) ||
        (st = hyb_check_lns_format(fn, &cfg->b, code_bytes)) ||
        (st = check_gemm_gamma(fn, "A", cfg->a.gamma)))
        return st;
    if (cfg->b.gamma != cfg->a.gamma)
        return hyb_fail(HYB_STATUS_INVALID_FORMAT,
                        "%s: exact GEMM needs one gamma for both operands; A has %g, B has %g", fn,
                        (double)cfg->a.gamma, (double)cfg->b.gamma);
    const int64_t m = cfg->m, k = cfg->k, n = cfg->n;
    if (m < 0 || k < 0 || n < 0 || m > HYB_MAX_ELEMENTS || k > HYB_MAX_ELEMENTS || n > HYB_MAX_ELEMENTS ||
        (k > 0 && m > HYB_MAX_ELEMENTS / k) || (n > 0 && k > HYB_MAX_ELEMENTS / n) ||
        (n > 0 && m > HYB_MAX_ELEMENTS / n))
        return hyb_fail(HYB_STATUS_INVALID_LENGTH,
                        "%s: shape m = %lld, k = %lld, n = %lld is negative or an operand exceeds 2^58", fn,
                        (long long)m, (long long)k, (long long)n);
    if (cfg->acc_bits < 2 || cfg->acc_bits > HYB_LNS_GEMM_MAX_ACC_BITS)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: acc_bits = %d is outside [2, %d]", fn,
                        (int)cfg->acc_bits, HYB_LNS_GEMM_MAX_ACC_BITS);
    if ((cfg->a_transposed != 0 && cfg->a_transposed != 1) || (cfg->b_transposed != 0 && cfg->b_transposed != 1))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: a_transposed = %d and b_transposed = %d must be 0 or 1",
                        fn, (int)cfg->a_transposed, (int)cfg->b_transposed);
    if (cfg->frac_bits < 0 || cfg->frac_bits > cfg->acc_bits - 2)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "%s: an accumulator of %d bits is too small for one product of 2^%d units "
                        "(frac_bits must be in [0, %d])",
                        fn, (int)cfg->acc_bits, (int)cfg->frac_bits, (int)cfg->acc_bits - 2);
    if ((st = hyb_check_ptr(fn, a, "a", m * k)) || (st = hyb_check_ptr(fn, b, "b", k * n)) ||
        (st = hyb_check_ptr(fn, c, "c", m * n)) ||
        (st = hyb_check_disjoint(fn, a, (size_t)(m * k) * code_bytes, "a", c, (size_t)(m * n) * 4, "c")) ||
        (st = hyb_check_disjoint(fn, b, (size_t)(k * n) * code_bytes, "b", c, (size_t)(m * n) * 4, "c")))
        return st;
    return HYB_STATUS_OK;
}

/* ---- quantisation ---- */

/* The grid of one call (hyb_quant_grid). lv and tab are padded so that no search needs a bounds
 * check: lv[k + 1] = L[k], lv[0] = +inf, lv[K + 1] = 0; tab is the table searched (the thresholds T
 * for nearest rounding, the levels for stochastic), padded the same way. A value's count
 * c = #{ i : tab[i + 1] > a } comes from a lookup on its float bits: bin j = bits(a) >> shift
 * holds the floats whose exponent and top b mantissa bits are j, with 2^b >= 2 gamma, so a bin
 * spans less than half a level (log2 width <= 1.45 * 2^-b) and holds at most one table entry.
 * lut[j - jmin + 1] = c at the bin's lower end, lut[0] = K (below every entry), lut[size + 1] = 0;
 * within the bin c is that or one less, decided by one comparison with the entry itself. */
static inline uint32_t f32_bits(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static inline float bits_f32(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }

/* lut's count for bin j, as the look-up clamps it: K below jmin, 0 above jmax */
static int32_t lut_at(const hyb_quant_grid* g, uint32_t j, uint32_t jmax) {
    return j < g->jmin ? g->kz : j > jmax ? 0 : g->lut[j - g->jmin + 1];
}

/* The look-up table as registers can hold it (hyb_quant_grid), when it can. Bin jmin holds the
 * table's last entry (the smallest); every bin above it counts the entries above its lower end,
 * and for a grid of whole levels per octave those counts repeat from octave to octave, shifted by
 * the entries per octave P, until they reach the table's ends: so they are
 * clamp(base[e] - delta[mb], 0, K - 1) with delta read off a middle octave and base[e] =
 * base[middle] + P (middle - e). Every bin above jmin is checked against lut itself;
 * g->octaves = 0 when one differs (the table's own entries are then gathered), when there are
 * fewer than four octaves, more than 32, or more than 32 bins to an octave. */
static void grid_periodic(hyb_quant_grid* g) {
    g->octaves = g->e_lo = g->per = 0;
    memset(g->base, 0, sizeof g->base);
    memset(g->delta, 0, sizeof g->delta);
    const int32_t b = 23 - g->shift;
    const uint32_t jmax = g->jmin + (uint32_t)g->size - 1u, bins = 1u << b;
    const int32_t e_lo = (int32_t)(g->jmin >> b), e_hi = (int32_t)(jmax >> b);
    if (b > 5 || e_hi - e_lo + 1 > 32 || e_hi - e_lo < 3) return;
    const int32_t mid = (e_lo + e_hi) / 2;
#define LUT_AT(e, mb) lut_at(g, ((uint32_t)(e) << b) | (uint32_t)(mb), jmax)
    const int32_t per = LUT_AT(mid, 0) - LUT_AT(mid + 1, 0);
    for (uint32_t mb = 0; mb < 32; ++mb) g->delta[mb] = mb < bins ? LUT_AT(mid, 0) - LUT_AT(mid, mb) : 0;
    for (int32_t e = 0; e < 32; ++e) g->base[e] = LUT_AT(mid, 0) + per * (mid - (e_lo + e));
#undef LUT_AT
    for (uint32_t j = g->jmin + 1u; j <= jmax; ++j) {
        int32_t c = g->base[(int32_t)(j >> b) - e_lo] - g->delta[j & (bins - 1u)];
        c = c < 0 ? 0 : c > g->kz - 1 ? g->kz - 1 : c;
        if (c != g->lut[j - g->jmin + 1]) return;
    }
    g->e_lo = e_lo;
    g->per = per;
    g->octaves = e_hi - e_lo + 1;
}

static hyb_status grid_make(const char* fn, const hyb_lns_format* f, int stochastic, hyb_quant_grid* g) {
    const int32_t kz = (1 << (f->bits - 1)) - 1;
    int32_t b = 0;
    while ((float)(1 << b) < 2.0f * f->gamma) ++b;
    g->kz = kz;
    g->shift = 23 - b;
    /* each table padded with zeros to HYB_QUANT_REG_TABLE entries, which vector kernels load whole */
    const size_t per = (size_t)kz + 2 < HYB_QUANT_REG_TABLE ? HYB_QUANT_REG_TABLE : (size_t)kz + 2;
    g->lv = (float*)calloc(2 * per, sizeof(float));
    if (!g->lv) return hyb_fail(HYB_STATUS_OUT_OF_MEMORY, "%s: no memory for the grid tables", fn);
    float* th = g->lv + per;
    g->lv[0] = th[0] = INFINITY;
    for (int32_t k = 0; k < kz; ++k) {
        g->lv[k + 1] = hyb_lns_level(k, f->gamma, f->w_max);
        th[k + 1] = hyb_lns_threshold(k, kz, f->gamma, f->w_max);
    }
    g->lv[kz + 1] = th[kz + 1] = 0.0f;
    g->tab = stochastic ? g->lv : th;
    g->l0 = g->lv[1];
    const float* t = g->tab + 1;
    g->jmin = f32_bits(t[kz - 1]) >> g->shift;
    const uint32_t jmax = f32_bits(t[0]) >> g->shift;
    g->size = (int32_t)(jmax - g->jmin + 1);
    g->lut = (int32_t*)malloc(((size_t)g->size + 2) * sizeof(int32_t));
    if (!g->lut) {
        free(g->lv);
        return hyb_fail(HYB_STATUS_OUT_OF_MEMORY, "%s: no memory for the grid tables", fn);
    }
    g->lut[0] = kz;
    g->lut[g->size + 1] = 0;
    int32_t c = kz;
    for (uint32_t j = g->jmin; j <= jmax; ++j) { /* lower ends increase: c only falls */
        const float lo = bits_f32(j << g->shift);
        while (c > 0 && t[c - 1] <= lo) --c;
        g->lut[j - g->jmin + 1] = c;
    }
    grid_periodic(g);
    return HYB_STATUS_OK;
}

static void grid_free(hyb_quant_grid* g) {
    free(g->lv);
    free(g->lut);
}

/* The scalar block (the SIMD level "scalar"): elements sb .. sb+m-1, m <= 256, branch-free on the
 * float bits. counts: saturated, underflowed, non-finite. */
static void quantize_block_scalar(const void* job, int64_t sb, int64_t m, int64_t counts[3]) {
    const hyb_quant_job* q = (const hyb_quant_job*)job;
    const hyb_lns_quantize_config* cfg = q->cfg;
    const hyb_quant_grid* g = q->grid;
    float u[256], xs[256];
    int32_t ks[256];
    memcpy(xs, q->x + sb, (size_t)m * sizeof(float)); /* y may be x (in place) */
    const int stochastic = q->stochastic;
    if (stochastic) {
        /* sb is a multiple of 4 (blocks of 256): element i uses lane i mod 4 of block i / 4 */
        for (int64_t i = 0; i < m; i += 4) {
            const hyb_u32x4 r = hyb_stream_block(cfg->seed, cfg->step, cfg->tensor_id,
                                                 HYB_RANDOM_PURPOSE_QUANTIZE, (uint64_t)((sb + i) >> 2));
            for (int j = 0; j < 4; ++j) u[i + j] = hyb_u32_to_unit_f32(r.v[j]);
        }
    }
    float ys[256];
    float* restrict y = q->y ? q->y + sb : ys;
    int32_t sat = 0, under = 0, nonfin = 0;
    const float* restrict lv = g->lv;
    const float* restrict tab = g->tab;
    const int32_t* restrict lut = g->lut;
    const int32_t kz = g->kz, top = g->size + 1, shift = g->shift;
    const int32_t jmin = (int32_t)g->jmin;
    const float l0 = g->l0;
    /* one loop per rounding, so that each vectorises */
    if (!stochastic) {
    for (int32_t i = 0; i < (int32_t)m; ++i) {
        const uint32_t xb = f32_bits(xs[i]);
        const uint32_t fin = (xb & 0x7F800000u) != 0x7F800000u;
        const uint32_t ab = fin ? xb & 0x7FFFFFFFu : 0u; /* |x|; non-finite searched as 0 */
        const float a = bits_f32(ab);
        int32_t idx = (int32_t)(ab >> shift) - jmin + 1;
        idx = idx < 0 ? 0 : (idx > top ? top : idx);
        const int32_t gl = lut[idx];
        int32_t k = gl - (tab[gl] <= a); /* c = #{ table entries > a } */
        k = ab == 0u ? kz : k;
        ks[i] = k;
        uint32_t vb = f32_bits(lv[k + 1]); /* lv[K + 1] = +0 */
        vb |= xb & 0x80000000u & -(uint32_t)(k != kz); /* the sign of x; zero stays +0 */
        const uint32_t keep = -fin;
        y[i] = bits_f32((vb & keep) | (xb & ~keep));
    }
    } else {
    for (int32_t i = 0; i < (int32_t)m; ++i) {
        const uint32_t xb = f32_bits(xs[i]);
        const uint32_t fin = (xb & 0x7F800000u) != 0x7F800000u;
        const uint32_t ab = fin ? xb & 0x7FFFFFFFu : 0u; /* |x|; non-finite searched as 0 */
        const float a = bits_f32(ab);
        int32_t idx = (int32_t)(ab >> shift) - jmin + 1;
        idx = idx < 0 ? 0 : (idx > top ? top : idx);
        const int32_t gl = lut[idx];
        int32_t k = gl - (tab[gl] <= a); /* c = #{ table entries > a } */
        { /* c = 0: hi = +inf, p = 0, k = 0 */
            const float hi = lv[k], lo = lv[k + 1];
            const float p = (a - lo) / (hi - lo);
            k -= u[i] < p;
        }
        k = ab == 0u ? kz : k;
        ks[i] = k;
        uint32_t vb = f32_bits(lv[k + 1]); /* lv[K + 1] = +0 */
        vb |= xb & 0x80000000u & -(uint32_t)(k != kz); /* the sign of x; zero stays +0 */
        const uint32_t keep = -fin;
        y[i] = bits_f32((vb & keep) | (xb & ~keep));
    }
    }
    if (q->codes) { /* sign | k, the zero code for 0 (and for a non-finite x) */
        const uint32_t sign = (uint32_t)cfg->format.bits - 1u;
        for (int32_t i = 0; i < (int32_t)m; ++i) {
            const uint32_t c = ks[i] == kz ? (uint32_t)kz
                                           : (uint32_t)ks[i] | ((f32_bits(xs[i]) >> 31) << sign);
            if (q->code_bytes == 1) ((uint8_t*)q->codes)[sb + i] = (uint8_t)c;
            else ((uint16_t*)q->codes)[sb + i] = (uint16_t)c;
        }
    }
    /* The counts in a loop of their own (in the loops above they stop GCC vectorising): for
     * non-negative floats the bit patterns order as the values. */
    const uint32_t l0b = f32_bits(l0);
    for (int32_t i = 0; i < (int32_t)m; ++i) {
        const uint32_t xb = f32_bits(xs[i]);
        const uint32_t fin = (xb & 0x7F800000u) != 0x7F800000u, ab = xb & 0x7FFFFFFFu;
        sat += (int32_t)(fin & (ab > l0b));
        under += (int32_t)(fin & (ab != 0u) & (ks[i] == kz));
        nonfin += (int32_t)!fin;
    }
    counts[0] += sat;
    counts[1] += under;
    counts[2] += nonfin;
}

/* One quantisation's chunks (HYB_CHUNK elements each) and where their counts go. */
typedef struct quant_chunks {
    const hyb_quant_job* job;
    void (*block)(const void* job, int64_t sb, int64_t m, int64_t counts[3]);
    int64_t n;
    int64_t* per; /* 3 counts per chunk */
} quant_chunks;

/* Chunks [begin, end), each in blocks of 256 elements. */
static void quant_chunk_range(const void* p, int64_t begin, int64_t end, int64_t unused[2]) {
    (void)unused;
    const quant_chunks* q = (const quant_chunks*)p;
    for (int64_t ch = begin; ch < end; ++ch) {
        const int64_t b = ch * HYB_CHUNK, e = b + HYB_CHUNK < q->n ? b + HYB_CHUNK : q->n;
        int64_t* c = q->per + 3 * ch;
        for (int64_t sb = b; sb < e; sb += 256) q->block(q->job, sb, e - sb < 256 ? e - sb : 256, c);
    }
}

/* Runs one quantisation (arguments checked) on the level's block kernel, threaded over chunks. */
static hyb_status quantize_run(const char* fn, const hyb_lns_quantize_config* cfg, const float* x,
                               float* y, void* codes, int code_bytes, int64_t n, hyb_quantize_stats* stats) {
    int bad = 0;
    const hyb_arith_kernels* kern = hyb_arith(&bad);
    if (bad) return HYB_STATUS_INVALID_ARGUMENT; /* HYBRID_SIMD names a level that cannot run */
    if (cfg->nonfinite == HYB_NONFINITE_POLICY_REJECT) {
        const int64_t badi = hyb_find_nonfinite(x, n);
        if (badi >= 0)
            return hyb_fail(HYB_STATUS_NON_FINITE, "%s: x[%lld] = %g is not finite", fn,
                            (long long)badi, (double)x[badi]);
    }
    hyb_quant_grid g;
    hyb_status st;
    const int stochastic = cfg->rounding == HYB_ROUNDING_STOCHASTIC;
    if ((st = grid_make(fn, &cfg->format, stochastic, &g))) return st;
    const int64_t nchunks = (n + HYB_CHUNK - 1) / HYB_CHUNK;
    int64_t one[3] = {0, 0, 0};
    int64_t* per = nchunks <= 1 ? one : (int64_t*)calloc((size_t)nchunks * 3, sizeof(int64_t));
    if (per == NULL) {
        grid_free(&g);
        return hyb_fail(HYB_STATUS_OUT_OF_MEMORY, "%s: no memory for the chunk counts", fn);
    }
    /* Validated: from here on y and codes are written. */
    const hyb_quant_job job = {cfg, &g, x, y, codes, code_bytes, stochastic};
    const quant_chunks run = {&job, kern ? kern->quantize_block : quantize_block_scalar, n, per};
    int64_t unused[2];
    hyb_parallel(nchunks, 1, n, quant_chunk_range, &run, unused);
    int64_t sat = 0, under = 0, nonfin = 0;
    for (int64_t c = 0; c < nchunks; ++c) {
        sat += per[3 * c];
        under += per[3 * c + 1];
        nonfin += per[3 * c + 2];
    }
    if (per != one) free(per);
    grid_free(&g);
    if (stats) {
        stats->elements = n;
        stats->saturated = sat;
        stats->underflowed = under;
        stats->nonfinite = nonfin;
    }
    return HYB_STATUS_OK;
}

hyb_status hyb_lns_quantize_f32(const hyb_lns_quantize_config* cfg, const float* x, float* y,
                                int64_t n, hyb_quantize_stats* stats) {
    static const char* fn = "hyb_lns_quantize_f32";
    hyb_clear_error();
    hyb_status st = hyb_check_lns_quantize(fn, cfg, x, y, n);
    if (st) return st;
    return quantize_run(fn, cfg, x, y, NULL, 0, n, stats);
}

/* The checks of a quantise-and-encode: the quantiser's, the format for the code width, and the
 * codes separate from x and y. */
static hyb_status check_quantize_encode(const char* fn, const hyb_lns_quantize_config* cfg, const float* x,
                                        const float* y, const void* codes, int code_bytes, int64_t n) {
    hyb_status st = hyb_check_lns_quantize(fn, cfg, x, y ? y : x, n);
    if (st) return st;
    if ((st = hyb_check_lns_format(fn, &cfg->format, code_bytes)) || (st = hyb_check_ptr(fn, codes, "codes", n)) ||
        (st = hyb_check_disjoint(fn, x, (size_t)n * 4, "x", codes, (size_t)n * code_bytes, "codes")))
        return st;
    if (y && (st = hyb_check_disjoint(fn, y, (size_t)n * 4, "y", codes, (size_t)n * code_bytes, "codes")))
        return st;
    return HYB_STATUS_OK;
}

hyb_status hyb_lns_quantize_encode_u8(const hyb_lns_quantize_config* cfg, const float* x, float* y,
                                      uint8_t* codes, int64_t n, hyb_quantize_stats* stats) {
    static const char* fn = "hyb_lns_quantize_encode_u8";
    hyb_clear_error();
    hyb_status st = check_quantize_encode(fn, cfg, x, y, codes, 1, n);
    if (st) return st;
    return quantize_run(fn, cfg, x, y, codes, 1, n, stats);
}

hyb_status hyb_lns_quantize_encode_u16(const hyb_lns_quantize_config* cfg, const float* x, float* y,
                                       uint16_t* codes, int64_t n, hyb_quantize_stats* stats) {
    static const char* fn = "hyb_lns_quantize_encode_u16";
    hyb_clear_error();
    hyb_status st = check_quantize_encode(fn, cfg, x, y, codes, 2, n);
    if (st) return st;
    return quantize_run(fn, cfg, x, y, codes, 2, n, stats);
}
