/* lns_arith.c - LNS quantisation and the exact LNS GEMM on the CPU (hybrid/lns_arith.h; element
 * maths in arith_math.h). Both are threaded over fixed chunks and give the same bits for any
 * thread count; both have a fast path whose result is checked to be the reference's, with the
 * reference computation (arith_math.h) as the fallback. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "arith_math.h"
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

/* The grid of one call. lv and tab are padded so that no search needs a bounds check:
 * lv[k + 1] = L[k], lv[0] = +inf, lv[K + 1] = 0; tab is the table searched (the thresholds T
 * for nearest rounding, the levels for stochastic), padded the same way. A value's count
 * c = #{ i : tab[i + 1] > a } comes from a lookup on its float bits: bin j = bits(a) >> shift
 * holds the floats whose exponent and top b mantissa bits are j, with 2^b >= 2 gamma, so a bin
 * spans less than half a level (log2 width <= 1.45 * 2^-b) and holds at most one table entry.
 * lut[j - jmin + 1] = c at the bin's lower end, lut[0] = K (below every entry), lut[size + 1] = 0;
 * within the bin c is that or one less, decided by one comparison with the entry itself. */
typedef struct quant_grid {
    float* lv;
    float* tab;
    int32_t* lut;
    int32_t kz, shift, size;
    uint32_t jmin;
    float l0;
} quant_grid;

static inline uint32_t f32_bits(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static inline float bits_f32(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }

static hyb_status grid_make(const char* fn, const hyb_lns_format* f, int stochastic, quant_grid* g) {
    const int32_t kz = (1 << (f->bits - 1)) - 1;
    int32_t b = 0;
    while ((float)(1 << b) < 2.0f * f->gamma) ++b;
    g->kz = kz;
    g->shift = 23 - b;
    g->lv = (float*)malloc(2 * ((size_t)kz + 2) * sizeof(float));
    if (!g->lv) return hyb_fail(HYB_STATUS_OUT_OF_MEMORY, "%s: no memory for the grid tables", fn);
    float* th = g->lv + kz + 2;
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
    return HYB_STATUS_OK;
}

static void grid_free(quant_grid* g) {
    free(g->lv);
    free(g->lut);
}

/* Quantises x[0..m-1] (elements sb .. sb+m-1 of the tensor), m <= 256, branch-free on the float
 * bits (m <= 256, so int counts). */
static void quantize_block(const hyb_lns_quantize_config* cfg, const quant_grid* g, int64_t sb,
                           const float* x, float* restrict y, int64_t m, hyb_quantize_stats* st) {
    float u[256], xs[256];
    memcpy(xs, x, (size_t)m * sizeof(float)); /* y may be x (in place) */
    const int stochastic = cfg->rounding == HYB_ROUNDING_STOCHASTIC;
    if (stochastic) {
        /* sb is a multiple of 4 (blocks of 256): element i uses lane i mod 4 of block i / 4 */
        for (int64_t i = 0; i < m; i += 4) {
            const hyb_u32x4 r = hyb_stream_block(cfg->seed, cfg->step, cfg->tensor_id,
                                                 HYB_RANDOM_PURPOSE_QUANTIZE, (uint64_t)((sb + i) >> 2));
            for (int j = 0; j < 4; ++j) u[i + j] = hyb_u32_to_unit_f32(r.v[j]);
        }
    }
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
        uint32_t vb = f32_bits(lv[k + 1]); /* lv[K + 1] = +0 */
        vb |= xb & 0x80000000u & -(uint32_t)(k != kz); /* the sign of x; zero stays +0 */
        const uint32_t keep = -fin;
        y[i] = bits_f32((vb & keep) | (xb & ~keep));
    }
    }
    /* The counts in a loop of their own (in the loops above they stop GCC vectorising): for
     * non-negative floats the bit patterns order as the values. */
    const uint32_t l0b = f32_bits(l0);
    for (int32_t i = 0; i < (int32_t)m; ++i) {
        const uint32_t xb = f32_bits(xs[i]), yb = f32_bits(y[i]);
        const uint32_t fin = (xb & 0x7F800000u) != 0x7F800000u, ab = xb & 0x7FFFFFFFu;
        sat += (int32_t)(fin & (ab > l0b));
        under += (int32_t)(fin & (ab != 0u) & ((yb & 0x7FFFFFFFu) == 0u));
        nonfin += (int32_t)!fin;
    }
    st->saturated += sat;
    st->underflowed += under;
    st->nonfinite += nonfin;
}

/* Elements [b, e) in blocks of 256 (b a multiple of 256): the counts added to *s. */
static void quantize_range(const hyb_lns_quantize_config* cfg, const quant_grid* g, int64_t b,
                           int64_t e, const float* x, float* y, hyb_quantize_stats* s) {
    for (int64_t sb = b; sb < e; sb += 256)
        quantize_block(cfg, g, sb, x + sb, y + sb, e - sb < 256 ? e - sb : 256, s);
}

hyb_status hyb_lns_quantize_f32(const hyb_lns_quantize_config* cfg, const float* x, float* y,
                                int64_t n, hyb_quantize_stats* stats) {
    static const char* fn = "hyb_lns_quantize_f32";
    hyb_clear_error();
    hyb_status st = hyb_check_lns_quantize(fn, cfg, x, y, n);
    if (st) return st;
    if (cfg->nonfinite == HYB_NONFINITE_POLICY_REJECT) {
        const int64_t bad = hyb_find_nonfinite(x, n);
        if (bad >= 0)
            return hyb_fail(HYB_STATUS_NON_FINITE, "%s: x[%lld] = %g is not finite", fn,
                            (long long)bad, (double)x[bad]);
    }
    quant_grid g;
    if ((st = grid_make(fn, &cfg->format, cfg->rounding == HYB_ROUNDING_STOCHASTIC, &g))) return st;
    /* Validated: from here on y is written. */
    int64_t sat = 0, under = 0, nonfin = 0;
    const int64_t nchunks = (n + HYB_CHUNK - 1) / HYB_CHUNK;
    int nt = hyb_threads_for(n);
    if (nt > nchunks) nt = (int)nchunks;
    if (nt <= 1) { /* no OpenMP region for one thread (threads.c says why) */
        hyb_quantize_stats s = {0, 0, 0, 0};
        quantize_range(cfg, &g, 0, n, x, y, &s);
        sat = s.saturated;
        under = s.underflowed;
        nonfin = s.nonfinite;
    } else {
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) reduction(+ : sat, under, nonfin)
        for (int64_t ch = 0; ch < nchunks; ++ch) {
            const int64_t b = ch * HYB_CHUNK, e = b + HYB_CHUNK < n ? b + HYB_CHUNK : n;
            hyb_quantize_stats s = {0, 0, 0, 0};
            quantize_range(cfg, &g, b, e, x, y, &s);
            sat += s.saturated;
            under += s.underflowed;
            nonfin += s.nonfinite;
        }
    }
    grid_free(&g);
    if (stats) {
        stats->elements = n;
        stats->saturated = sat;
        stats->underflowed = under;
        stats->nonfinite = nonfin;
    }
    return HYB_STATUS_OK;
}

/* ---- exact GEMM ---- */

/* Sixteen columns at a time: GCC vector extensions (one AVX-512 register, two AVX2 ones). */
typedef int32_t v16i __attribute__((vector_size(64)));
typedef uint32_t v16u __attribute__((vector_size(64)));
typedef int64_t v16l __attribute__((vector_size(128)));
typedef uint8_t v16b __attribute__((vector_size(16)));
typedef uint16_t v16w __attribute__((vector_size(32)));
enum { TILE = 16 };

/* Sixteen codes from p (a full tile) as int32 lanes. */
static inline v16i load_codes_u8(const uint8_t* p) {
    v16b t;
    memcpy(&t, p, sizeof t);
    return __builtin_convertvector(t, v16i);
}
static inline v16i load_codes_u16(const uint16_t* p) {
    v16w t;
    memcpy(&t, p, sizeof t);
    return __builtin_convertvector(t, v16i);
}

/* One row m of A against columns n0 .. n0+15 of B (tail columns padded with zero codes), with
 * G buckets as int32 lanes. Exact while no bucket can leave int32 or the accumulator's range,
 * which holds when an output's sum of |products| is at most 2^(W-1) - 1: those outputs are
 * written here; the others are recomputed by the reference dot product (saturating, int64). */
#define HYB_GEMM_TILE(NAME, CODE_T, LOAD, G)                                                    \
    static void NAME(const hyb_lns_gemm_config* cfg, const CODE_T* arow, const CODE_T* b,      \
                     int64_t n0, int64_t nvalid, const double* scale, float* crow,               \
                     int64_t* saturations, int64_t* truncated) {                                 \
        const int32_t kza = (1 << (cfg->a.bits - 1)) - 1, kzb = (1 << (cfg->b.bits - 1)) - 1;   \
        const int32_t sa_shift = cfg->a.bits - 1, sb_shift = cfg->b.bits - 1, f = cfg->frac_bits; \
        int32_t sh = 0;                                                                          \
        while ((1 << sh) < (G)) ++sh;                                                            \
        const int64_t kdim = cfg->k, ldb = cfg->n;                                               \
        v16u acc[G];                                                                             \
        for (int r = 0; r < (G); ++r) acc[r] = (v16u){0};                                        \
        v16l sabs = (v16l){0};                                                                   \
        v16i trunc = (v16i){0};                                                                  \
        CODE_T pad[TILE];                                                                        \
        for (int j = 0; j < TILE; ++j) pad[j] = (CODE_T)kzb;                                     \
        for (int64_t k = 0; k < kdim; ++k) {                                                     \
            const int32_t ca = arow[k], ka = ca & kza;                                           \
            if (ka == kza) continue; /* a zero: no products in this row of B */                  \
            const int32_t sa = (ca >> sa_shift) & 1;                                             \
            const CODE_T* bp = b + k * ldb + n0;                                                 \
            if (nvalid < TILE) {                                                                 \
                memcpy(pad, bp, (size_t)nvalid * sizeof(CODE_T));                                \
                bp = pad;                                                                        \
            }                                                                                    \
            const v16i cb = LOAD(bp);                                                            \
            const v16i kb = cb & kzb;                                                            \
            const v16i nz = kb != kzb;                     /* -1 where b is not zero */          \
            const v16i e = kb + ka;                        /* exponent add */                    \
            const v16i cnt = f - (e >> sh);                /* shift: F - q */                    \
            const v16i r = e & ((G) - 1);                  /* remainder bucket */                \
            const v16i fits = nz & (cnt >= 0);                                                   \
            trunc -= nz & (cnt < 0);                                                             \
            const v16i v = (((v16i){0} + 1) << (cnt & fits)) & fits;                             \
            const v16i neg = -(((cb >> sb_shift) & 1) ^ sa); /* sign XOR as a -1/0 mask */       \
            const v16u sv = (v16u)((v ^ neg) - neg);                                             \
            for (int rr = 0; rr < (G); ++rr) acc[rr] += sv & (v16u)(r == rr);                    \
            sabs += __builtin_convertvector(v, v16l);                                            \
        }                                                                                        \
        const int64_t hi = ((int64_t)1 << (cfg->acc_bits - 1)) - 1;                              \
        const double out_scale = (double)cfg->a.w_max * (double)cfg->b.w_max;                    \
        for (int64_t j = 0; j < nvalid; ++j) {                                                   \
            *truncated += trunc[j];                                                              \
            if (sabs[j] <= hi) {                                                                 \
                int64_t bucket[G];                                                               \
                for (int rr = 0; rr < (G); ++rr) bucket[rr] = (int32_t)acc[rr][j];               \
                crow[n0 + j] = hyb_lns_buckets_to_f32(bucket, scale, (G), f, out_scale);         \
            } else {                                                                             \
                int64_t bucket[G], ignored = 0;                                                  \
                crow[n0 + j] = HYB_GEMM_DOT_OF(CODE_T)(arow, b + n0 + j, ldb, kdim, cfg, scale,  \
                                                      bucket, saturations, &ignored);            \
            }                                                                                    \
        }                                                                                        \
    }

#define HYB_GEMM_DOT_OF(CODE_T) HYB_GEMM_DOT_##CODE_T
#define HYB_GEMM_DOT_uint8_t hyb_lns_gemm_dot_u8
#define HYB_GEMM_DOT_uint16_t hyb_lns_gemm_dot_u16

#define HYB_GEMM_TILES(SFX, CODE_T, LOAD)                   \
    HYB_GEMM_TILE(gemm_tile_##SFX##_1, CODE_T, LOAD, 1)     \
    HYB_GEMM_TILE(gemm_tile_##SFX##_2, CODE_T, LOAD, 2)     \
    HYB_GEMM_TILE(gemm_tile_##SFX##_4, CODE_T, LOAD, 4)     \
    HYB_GEMM_TILE(gemm_tile_##SFX##_8, CODE_T, LOAD, 8)     \
    HYB_GEMM_TILE(gemm_tile_##SFX##_16, CODE_T, LOAD, 16)   \
    HYB_GEMM_TILE(gemm_tile_##SFX##_32, CODE_T, LOAD, 32)   \
    HYB_GEMM_TILE(gemm_tile_##SFX##_64, CODE_T, LOAD, 64)
HYB_GEMM_TILES(u8, uint8_t, load_codes_u8)
HYB_GEMM_TILES(u16, uint16_t, load_codes_u16)

#define HYB_GEMM_ENTRY(SFX, CODE_T, CHECK_CODES)                                                 \
    typedef void (*gemm_tile_##SFX##_fn)(const hyb_lns_gemm_config*, const CODE_T*, const CODE_T*, \
                                         int64_t, int64_t, const double*, float*, int64_t*, int64_t*); \
    typedef struct gemm_job_##SFX {                                                              \
        const hyb_lns_gemm_config* cfg;                                                          \
        const CODE_T *a, *b;                                                                     \
        float* c;                                                                                \
        const double* scale;                                                                     \
        gemm_tile_##SFX##_fn tile;                                                               \
        int64_t tiles;                                                                           \
    } gemm_job_##SFX;                                                                            \
    /* Items [begin, end) (item = row m, tile of 16 columns): saturations, truncations. */       \
    static void gemm_range_##SFX(const void* p, int64_t begin, int64_t end, int64_t counts[2]) { \
        const gemm_job_##SFX* j = (const gemm_job_##SFX*)p;                                      \
        const hyb_lns_gemm_config* cfg = j->cfg;                                                 \
        for (int64_t it = begin; it < end; ++it) {                                               \
            const int64_t m = it / j->tiles, n0 = (it % j->tiles) * TILE;                        \
            const int64_t nvalid = cfg->n - n0 < TILE ? cfg->n - n0 : TILE;                      \
            j->tile(cfg, j->a + m * cfg->k, j->b, n0, nvalid, j->scale, j->c + m * cfg->n,       \
                    &counts[0], &counts[1]);                                                     \
        }                                                                                        \
    }                                                                                            \
    hyb_status hyb_lns_gemm_exact_##SFX(const hyb_lns_gemm_config* cfg, const CODE_T* a,        \
                                        const CODE_T* b, float* c, hyb_gemm_stats* stats) {     \
        static const char* fn = "hyb_lns_gemm_exact_" #SFX;                                      \
        hyb_clear_error();                                                                       \
        hyb_status st = hyb_check_lns_gemm(fn, cfg, (int)sizeof(CODE_T), a, b, c);               \
        if (st) return st;                                                                       \
        if ((st = CHECK_CODES(fn, "a", a, cfg->m * cfg->k, cfg->a.bits)) ||                      \
            (st = CHECK_CODES(fn, "b", b, cfg->k * cfg->n, cfg->b.bits)))                        \
            return st;                                                                           \
        /* Validated: from here on c is written. */                                              \
        const int32_t gamma = (int32_t)cfg->a.gamma;                                             \
        double scale[HYB_LNS_GEMM_MAX_GAMMA];                                                    \
        for (int32_t r = 0; r < gamma; ++r) scale[r] = hyb_lns_bucket_scale(r, gamma);           \
        gemm_tile_##SFX##_fn tile = gamma == 1 ? gemm_tile_##SFX##_1                             \
            : gamma == 2 ? gemm_tile_##SFX##_2 : gamma == 4 ? gemm_tile_##SFX##_4                \
            : gamma == 8 ? gemm_tile_##SFX##_8 : gamma == 16 ? gemm_tile_##SFX##_16              \
            : gamma == 32 ? gemm_tile_##SFX##_32 : gemm_tile_##SFX##_64;                         \
        const int64_t tiles = (cfg->n + TILE - 1) / TILE, items = cfg->m * tiles;               \
        const gemm_job_##SFX job = {cfg, a, b, c, scale, tile, tiles};                           \
        /* about HYB_CHUNK products per chunk; one thread: a plain call (threads.c) */            \
        const int64_t per_item = cfg->k * TILE > 0 ? cfg->k * TILE : 1;                         \
        const int64_t chunk = HYB_CHUNK / per_item > 1 ? HYB_CHUNK / per_item : 1;              \
        int64_t counts[2];                                                                       \
        hyb_parallel(items, chunk, items * per_item, gemm_range_##SFX, &job, counts);            \
        const int64_t sat = counts[0], trunc = counts[1];                                        \
        if (stats) {                                                                             \
            stats->macs = cfg->m * cfg->k * cfg->n;                                              \
            stats->saturations = sat;                                                            \
            stats->truncated = trunc;                                                            \
            stats->reserved = 0;                                                                 \
        }                                                                                        \
        return HYB_STATUS_OK;                                                                    \
    }

/* Fails naming the first code with bits at or above bit B. */
#define HYB_CHECK_CODES_FN(NAME, CODE_T)                                                         \
    static hyb_status NAME(const char* fn, const char* which, const CODE_T* codes, int64_t n,   \
                           int32_t bits) {                                                       \
        if (bits >= (int32_t)(8 * sizeof(CODE_T))) return HYB_STATUS_OK;                         \
        const uint32_t mask = ~((1u << bits) - 1u);                                              \
        for (int64_t i = 0; i < n; ++i)                                                          \
            if (codes[i] & mask)                                                                 \
                return hyb_fail(HYB_STATUS_INVALID_CODE,                                         \
                                "%s: %s[%lld] = %u has bits above bit %d of a %d-bit format", fn, \
                                which, (long long)i, (unsigned)codes[i], (int)bits - 1, (int)bits); \
        return HYB_STATUS_OK;                                                                    \
    }
HYB_CHECK_CODES_FN(check_codes_u8, uint8_t)
HYB_CHECK_CODES_FN(check_codes_u16, uint16_t)

HYB_GEMM_ENTRY(u8, uint8_t, check_codes_u8)
HYB_GEMM_ENTRY(u16, uint16_t, check_codes_u16)
