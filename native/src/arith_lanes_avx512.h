/* arith_lanes_avx512.h - the lane operations of the exact GEMM's vector kernel (arith_simd.inc)
 * on 16 int32 lanes with AVX-512 mask registers for the buckets. Included only by
 * arith_avx512.c (compiled for AVX-512 F/BW/DQ/VL). */
#ifndef HYBRID_SRC_ARITH_LANES_AVX512_H
#define HYBRID_SRC_ARITH_LANES_AVX512_H

#include <immintrin.h>
#include <stdint.h>

#define HA static inline __attribute__((always_inline))
#define HA_L 16

typedef __m512i ha_vi;
typedef __mmask16 ha_bm;      /* lanes of one bucket, in a register */
typedef uint16_t ha_bm_mem;   /* ... and in memory */

HA ha_vi ha_load(const int32_t* p) { return _mm512_load_si512((const void*)p); }
HA void ha_store(int32_t* p, ha_vi a) { _mm512_store_si512((void*)p, a); }
HA ha_vi ha_set1(int32_t x) { return _mm512_set1_epi32(x); }
HA ha_vi ha_zero(void) { return _mm512_setzero_si512(); }
HA ha_vi ha_add(ha_vi a, ha_vi b) { return _mm512_add_epi32(a, b); }
HA ha_vi ha_sub(ha_vi a, ha_vi b) { return _mm512_sub_epi32(a, b); }
HA ha_vi ha_and(ha_vi a, ha_vi b) { return _mm512_and_si512(a, b); }
HA ha_vi ha_sllv(ha_vi a, ha_vi n) { return _mm512_sllv_epi32(a, n); }
HA ha_vi ha_srlv(ha_vi a, ha_vi n) { return _mm512_srlv_epi32(a, n); }
#define ha_srai(a, n) _mm512_srai_epi32((a), (n))
#define ha_srli(a, n) _mm512_srli_epi32((a), (n))
HA ha_vi ha_abs(ha_vi a) { return _mm512_abs_epi32(a); }
HA ha_vi ha_min(ha_vi a, ha_vi b) { return _mm512_min_epi32(a, b); }
HA ha_vi ha_max(ha_vi a, ha_vi b) { return _mm512_max_epi32(a, b); }
HA ha_vi ha_minu(ha_vi a, ha_vi b) { return _mm512_min_epu32(a, b); }
HA ha_vi ha_maxu(ha_vi a, ha_vi b) { return _mm512_max_epu32(a, b); }
/* 1 if a <= b (unsigned) in every lane */
HA int ha_all_le_u(ha_vi a, ha_vi b) { return _mm512_cmple_epu32_mask(a, b) == 0xFFFF; }
HA int64_t ha_sum(ha_vi a) { return (int64_t)_mm512_reduce_add_epi32(a); }

/* buckets */
/* straight from memory into a mask register (a load, not a port-5 move from a general register) */
HA ha_bm ha_bm_load(const ha_bm_mem* p) {
    __mmask16 m;
    __asm__("kmovw %1, %0" : "=k"(m) : "m"(*p));
    return m;
}
HA void ha_bm_store(ha_bm_mem* p, ha_bm m) { *p = (ha_bm_mem)m; }
HA ha_bm ha_bm_eq(ha_vi a, ha_vi b) { return _mm512_cmpeq_epi32_mask(a, b); }
HA ha_bm ha_bm_andnot(ha_bm a, ha_bm b) { return (ha_bm)(a & ~b); } /* a and not b */
HA ha_vi ha_bucket_add(ha_vi acc, ha_bm m, ha_vi v) { return _mm512_mask_add_epi32(acc, m, acc, v); }
/* lanes in m take b, the others keep a */
HA ha_vi ha_sel(ha_vi a, ha_bm m, ha_vi b) { return _mm512_mask_mov_epi32(a, m, b); }
/* count lanes where a != b */
HA ha_vi ha_count_ne(ha_vi cnt, ha_vi a, ha_vi b) {
    return _mm512_mask_sub_epi32(cnt, _mm512_cmpneq_epi32_mask(a, b), cnt, _mm512_set1_epi32(-1));
}
/* lanes where x < 0 take a, the others b; and the count of those lanes added to cnt */
HA ha_vi ha_sel_neg_count(ha_vi x, ha_vi a, ha_vi b, ha_vi* cnt) {
    const __mmask16 m = _mm512_movepi32_mask(x);
    *cnt = _mm512_mask_sub_epi32(*cnt, m, *cnt, _mm512_set1_epi32(-1));
    return _mm512_mask_mov_epi32(b, m, a);
}
HA ha_vi ha_xor(ha_vi a, ha_vi b) { return _mm512_xor_si512(a, b); }

/* codes of one panel row as int32 lanes (a full row of 16) */
HA ha_vi ha_codes_u8(const uint8_t* p) { return _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i*)p)); }
HA ha_vi ha_codes_u16(const uint16_t* p) { return _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i*)p)); }

/* out[0 .. nvalid) = (float)((sum_r acc[r] scale[r]) pow2_f out_scale), r ascending, in double */
HA void ha_to_f32(float* out, const ha_vi* acc, int g, const double* scale, double pow2_f,
                  double out_scale, int nvalid) {
    __m512d t0 = _mm512_setzero_pd(), t1 = _mm512_setzero_pd();
    for (int r = 0; r < g; ++r) {
        const __m512d s = _mm512_set1_pd(scale[r]);
        t0 = _mm512_add_pd(t0, _mm512_mul_pd(_mm512_cvtepi32_pd(_mm512_castsi512_si256(acc[r])), s));
        t1 = _mm512_add_pd(t1, _mm512_mul_pd(_mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(acc[r], 1)), s));
    }
    const __m512d p = _mm512_set1_pd(pow2_f), o = _mm512_set1_pd(out_scale);
    t0 = _mm512_mul_pd(_mm512_mul_pd(t0, p), o);
    t1 = _mm512_mul_pd(_mm512_mul_pd(t1, p), o);
    const __m512 f = _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(t0)), _mm512_cvtpd_ps(t1), 1);
    _mm512_mask_storeu_ps(out, (__mmask16)((1u << nvalid) - 1u), f);
}

/* the quantiser's extra lane operations (beside lanes_avx512.h's) */
HA uint32_t hq_bits(float x) { uint32_t u; __builtin_memcpy(&u, &x, 4); return u; }
HA __m512i hq_sub(__m512i a, __m512i b) { return _mm512_sub_epi32(a, b); }
HA __m512i hq_min(__m512i a, __m512i b) { return _mm512_min_epi32(a, b); }
HA __m512i hq_max(__m512i a, __m512i b) { return _mm512_max_epi32(a, b); }
HA __m512i hq_gather_i(const int32_t* t, __m512i i) { return _mm512_i32gather_epi32(i, (const void*)t, 4); }
HA __m512 hq_gather_f(const float* t, __m512i i) { return _mm512_i32gather_ps(i, (const void*)t, 4); }
HA __m512i hq_one_if(__mmask16 m) { return _mm512_maskz_mov_epi32(m, _mm512_set1_epi32(1)); }
HA __mmask16 hq_f_le(__m512 a, __m512 b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
HA void hq_store_i(int32_t* p, __m512i a) { _mm512_storeu_si512((void*)p, a); }
HA __mmask16 hq_below(int n) { return (__mmask16)((1u << n) - 1u); }
/* Small tables looked up in registers instead of gathered (issue 21: a 16-lane gather costs about a
 * cycle per lane on Zen 4, a two-register permute one cycle for all 16). */
#define HQ_REG_TABLES 1
/* HYB_QUANT_REG_TABLE (129) floats: entries 0 .. 127 in eight registers, entry 128 broadcast */
typedef struct { __m512 r[8]; __m512 last; } hq_regtab;
HA void hq_regtab_load(hq_regtab* t, const float* p) {
    for (int i = 0; i < 8; ++i) t->r[i] = _mm512_loadu_ps(p + 16 * i);
    t->last = _mm512_set1_ps(p[128]);
}
/* t[i] for 0 <= i <= 128 */
HA __m512 hq_regtab_get(const hq_regtab* t, __m512i i) {
    const __m512 p0 = _mm512_permutex2var_ps(t->r[0], i, t->r[1]), p1 = _mm512_permutex2var_ps(t->r[2], i, t->r[3]);
    const __m512 p2 = _mm512_permutex2var_ps(t->r[4], i, t->r[5]), p3 = _mm512_permutex2var_ps(t->r[6], i, t->r[7]);
    const __mmask16 b5 = _mm512_test_epi32_mask(i, _mm512_set1_epi32(32));
    const __mmask16 b6 = _mm512_test_epi32_mask(i, _mm512_set1_epi32(64));
    const __mmask16 b7 = _mm512_test_epi32_mask(i, _mm512_set1_epi32(128));
    const __m512 q0 = _mm512_mask_blend_ps(b5, p0, p1), q1 = _mm512_mask_blend_ps(b5, p2, p3);
    return _mm512_mask_blend_ps(b7, _mm512_mask_blend_ps(b6, q0, q1), t->last);
}
/* a periodic look-up table (hyb_quant_grid: base, delta, e_lo; lut1 = lut[1], bin jmin's count) */
typedef struct { __m512i b0, b1, d0, d1, e_lo, jmin, jmax, kz, kz1, lut1, bins1; __m128i b; } hq_reglut;
HA void hq_reglut_load(hq_reglut* t, const int32_t* base, const int32_t* delta, int32_t per, int32_t e_lo,
                       uint32_t jmin, uint32_t jmax, int32_t kz, int32_t lut1, int32_t b) {
    (void)per; /* base is looked up whole */
    t->b0 = _mm512_loadu_si512((const void*)base);
    t->b1 = _mm512_loadu_si512((const void*)(base + 16));
    t->d0 = _mm512_loadu_si512((const void*)delta);
    t->d1 = _mm512_loadu_si512((const void*)(delta + 16));
    t->e_lo = _mm512_set1_epi32(e_lo);
    t->jmin = _mm512_set1_epi32((int32_t)jmin);
    t->jmax = _mm512_set1_epi32((int32_t)jmax);
    t->kz = _mm512_set1_epi32(kz);
    t->kz1 = _mm512_set1_epi32(kz - 1);
    t->lut1 = _mm512_set1_epi32(lut1);
    t->bins1 = _mm512_set1_epi32((1 << b) - 1);
    t->b = _mm_cvtsi32_si128(b);
}
/* the count of bin j (j >= 0): K below jmin, lut[1] at jmin, 0 above jmax, the clamped
 * base - delta between (the permutes read the low five bits of their index, so octaves out of
 * range only pick values the masks then replace) */
HA __m512i hq_reglut_get(const hq_reglut* t, __m512i j) {
    const __m512i e = _mm512_sub_epi32(_mm512_srl_epi32(j, t->b), t->e_lo), mb = _mm512_and_si512(j, t->bins1);
    __m512i gl = _mm512_sub_epi32(_mm512_permutex2var_epi32(t->b0, e, t->b1), _mm512_permutex2var_epi32(t->d0, mb, t->d1));
    gl = _mm512_min_epi32(_mm512_max_epi32(gl, _mm512_setzero_si512()), t->kz1);
    gl = _mm512_mask_mov_epi32(gl, _mm512_cmpeq_epi32_mask(j, t->jmin), t->lut1);
    gl = _mm512_mask_mov_epi32(gl, _mm512_cmplt_epi32_mask(j, t->jmin), t->kz);
    return _mm512_mask_mov_epi32(gl, _mm512_cmpgt_epi32_mask(j, t->jmax), _mm512_setzero_si512());
}
/* Philox words in element order: w[j] lane l holds word j of block l (element 4 l + j of the 64
 * the blocks cover); after this, w[q] lane l holds element 16 q + l. A 4 x 4 transpose of dwords
 * inside each 128-bit group, then one of the groups. */
HA void hq_words_in_order(__m512i w[4]) {
    const __m512i t0 = _mm512_unpacklo_epi32(w[0], w[1]), t1 = _mm512_unpackhi_epi32(w[0], w[1]);
    const __m512i t2 = _mm512_unpacklo_epi32(w[2], w[3]), t3 = _mm512_unpackhi_epi32(w[2], w[3]);
    const __m512i r0 = _mm512_unpacklo_epi64(t0, t2), r1 = _mm512_unpackhi_epi64(t0, t2);
    const __m512i r2 = _mm512_unpacklo_epi64(t1, t3), r3 = _mm512_unpackhi_epi64(t1, t3);
    /* r_j group G: elements 16 G + 4 j .. + 3 */
    const __m512i s0 = _mm512_shuffle_i32x4(r0, r1, 0x44), s1 = _mm512_shuffle_i32x4(r0, r1, 0xEE);
    const __m512i s2 = _mm512_shuffle_i32x4(r2, r3, 0x44), s3 = _mm512_shuffle_i32x4(r2, r3, 0xEE);
    w[0] = _mm512_shuffle_i32x4(s0, s2, 0x88);
    w[1] = _mm512_shuffle_i32x4(s0, s2, 0xDD);
    w[2] = _mm512_shuffle_i32x4(s1, s3, 0x88);
    w[3] = _mm512_shuffle_i32x4(s1, s3, 0xDD);
}

#endif
