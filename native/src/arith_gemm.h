/* arith_gemm.h - how the CPU runs the exact LNS GEMM and the quantisers (hybrid/lns_arith.h) at
 * each SIMD level: the per-call plan every vector level shares (arith_gemm.c), and the table of
 * vector kernels one level provides (arith_simd.inc, instantiated by arith_avx2.c and
 * arith_avx512.c). The scalar level runs the plain reference of arith_math.h instead.
 *
 * The vector GEMM, for one panel of L columns (L = 8 on AVX2, 16 on AVX-512) and a block of k:
 *   - B's block is turned once into per-lane words: e_b = gamma F + gamma - 1 - k_b (a zero code:
 *     a large negative number), the product's sign as +-1 (0 for a zero code) for a positive and
 *     for a negative A element, and for each remainder rho the mask of lanes with k_b mod gamma =
 *     rho (stored twice over, rho and rho + gamma, so that a rotation is an offset);
 *   - each row's non-zero A elements of the block are packed words (k_a, k - k0, k_a mod gamma,
 *     sign), made once per call for all panels;
 *   - a product is then e = e_b - k_a; its shift F - q = e >> log2(gamma) (arithmetic: negative
 *     when the product is below one unit or B is zero); its value (+-1) << (F - q) (a count
 *     outside [0, 31] gives 0); and it is added to bucket j in the lanes where
 *     (k_a + k_b) mod gamma = j, the masks of rho = j - k_a mod gamma: one masked add per bucket.
 * Buckets live in int32 lanes (W <= 32). Before a block is added this way, its bound
 *     max_j |acc_j| + min(S_A >> qmin_B, S_B >> qmin_A) <= 2^(W-1) - 1,
 * S_A = sum over the row's non-zero A of the block of floor(2^(F - q_a)) and qmin_B the least
 * q_b = k_b / gamma of the lane's non-zero B (and the same with A and B swapped), proves that no
 * partial sum of any bucket can leave the accumulator's range, so no clamp can happen and the
 * order of the block's additions does not matter. Blocks that cannot be proved are added in
 * ascending k with a clamp after every addition (each counted), as the reference does.
 * Truncated products are counted apart, once per call (hyb_gemm_truncated). */
#ifndef HYBRID_SRC_ARITH_GEMM_H
#define HYBRID_SRC_ARITH_GEMM_H

#include <stdint.h>
#include "internal.h"
#include "hybrid/lns_arith.h"

HYB_EXTERN_C_BEGIN

/* A non-zero A element of a block: two words, k_a, then k - k0 (bits 0-7), k_a mod gamma (8-13)
 * and the sign (15). */
#define HYB_GEMM_ENT_KK(e) ((int32_t)((e) & 0xFFu))
#define HYB_GEMM_ENT_RA(e) ((int32_t)(((e) >> 8) & 0x3Fu))
#define HYB_GEMM_ENT_SA(e) ((int32_t)(((e) >> 15) & 1u))
#define HYB_GEMM_MAX_BLOCK 256 /* k - k0 must fit 8 bits */
#define HYB_GEMM_ZERO_EXP (-(1 << 29)) /* e_b of a zero B code: every product's shift negative */

/* Everything a vector level needs of one exact GEMM, made after validation. */
typedef struct hyb_gemm_plan {
    const hyb_lns_gemm_config* cfg;
    int code_bytes;                 /* 1 or 2 */
    const void* a;
    const void* b;
    float* c;
    int64_t m, k, n;
    int32_t gamma, log2_gamma, frac_bits, acc_bits;
    int32_t kz_a, kz_b;             /* zero indices 2^(B-1) - 1 */
    int32_t sign_shift_b;           /* B's bits - 1 */
    int32_t exp_base;               /* gamma F + gamma - 1 */
    int32_t lanes;                  /* columns per panel: 8 or 16 */
    int32_t block;                  /* k per block, <= HYB_GEMM_MAX_BLOCK, block 2^F <= 2^30 */
    int64_t blocks;                 /* ceil(k / block) */
    int64_t panels;                 /* ceil(n / lanes) */
    int64_t rows_per_item;          /* rows of one work item (a panel's row range) */
    int64_t items;                  /* panels x ceil(m / rows_per_item) */
    int32_t* ent;                   /* row m's entries (pairs) at ent + 2 m k, blocks in order */
    int32_t* row_block;             /* row m, block j: entries [row_block[m (blocks+1) + j], ... + j + 1) */
    uint32_t* sum_a;                /* S_A of (m, block) */
    int32_t* qmin_a;                /* least q_a of (m, block), 31 if none */
    double scale[HYB_LNS_GEMM_MAX_GAMMA]; /* 2^(-r/gamma) */
    double pow2_f;                  /* 2^-F */
    double out_scale;               /* s_A s_B */
} hyb_gemm_plan;

/* The vector kernels of one SIMD level. */
typedef struct hyb_arith_kernels {
    hyb_simd_level level;
    int32_t lanes;                  /* GEMM columns per panel */
    int32_t max_block;              /* largest k block its buffers are sized for */
    /* GEMM work items [begin, end) of a hyb_gemm_plan; counts[0] += saturations */
    void (*gemm_items)(const void* plan, int64_t begin, int64_t end, int64_t counts[2]);
    /* quantisation of elements [sb, sb + m) (sb a multiple of 64, m <= 256) of a
     * hyb_quant_job; adds its counts */
    void (*quantize_block)(const void* job, int64_t sb, int64_t m, int64_t counts[3]);
} hyb_arith_kernels;

/* The kernels of the SIMD level in use, NULL for the scalar reference; *bad set (and the
 * thread's error) when HYBRID_SIMD names a level that cannot run. */
const hyb_arith_kernels* hyb_arith(int* bad);

extern const hyb_arith_kernels hyb_arith_avx2, hyb_arith_avx512;

/* Builds the plan's A side (entries, block sums; threaded). HYB_STATUS_OUT_OF_MEMORY on failure. */
hyb_status hyb_gemm_plan_make(const char* fn, hyb_gemm_plan* p, const hyb_arith_kernels* kern);
void hyb_gemm_plan_free(hyb_gemm_plan* p);

/* Non-zero products with q > F, counted over the whole GEMM from per-k histograms (threaded). */
int64_t hyb_gemm_truncated(const hyb_lns_gemm_config* cfg, int code_bytes, const void* a,
                           const void* b);

/* ---- quantisation (lns_arith.c makes the grid; the levels run blocks of it) ---- */

/* The grid of one quantisation: see lns_arith.c. */
typedef struct hyb_quant_grid {
    float* lv;        /* lv[k + 1] = L[k], lv[0] = +inf, lv[K + 1] = 0 */
    float* tab;       /* the table searched (thresholds or levels), padded like lv */
    int32_t* lut;     /* bin of the float bits -> count */
    int32_t kz, shift, size;
    uint32_t jmin;
    float l0;
    /* For vector kernels that look small tables up in registers instead of gathering them
     * (arith_simd.inc): lv and tab each hold at least HYB_QUANT_REG_TABLE entries (zero-padded),
     * and when `octaves` > 0 the look-up table repeats from octave to octave: with
     * e = (j >> (23 - shift)) - e_lo and mb = j mod 2^(23 - shift), every bin j in jmin + 1 .. jmax
     * counts clamp(base[e] - delta[mb], 0, kz - 1), checked entry by entry when the grid is made
     * (lns_arith.c); bin jmin counts lut[1]. */
    int32_t octaves, e_lo, per; /* per: entries per octave, base[e] = base[0] - per e */
    int32_t base[32], delta[32];
} hyb_quant_grid;

/* Table entries vector kernels may load as registers (lv[0 .. 128]: codes of up to 8 bits). */
#define HYB_QUANT_REG_TABLE 129

/* One quantisation's work: x -> y (may be NULL) and codes (may be NULL). */
typedef struct hyb_quant_job {
    const hyb_lns_quantize_config* cfg;
    const hyb_quant_grid* grid;
    const float* x;
    float* y;
    void* codes;
    int32_t code_bytes;     /* 1 or 2 when codes */
    int32_t stochastic;
} hyb_quant_job;

HYB_EXTERN_C_END

#endif
