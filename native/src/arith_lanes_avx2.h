/* arith_lanes_avx2.h - the lane operations of the exact GEMM's vector kernel (arith_simd.inc)
 * on 8 int32 lanes; a bucket's lanes are a vector mask (0 or -1 per lane). Included only by
 * arith_avx2.c (compiled for AVX2). */
#ifndef HYBRID_SRC_ARITH_LANES_AVX2_H
#define HYBRID_SRC_ARITH_LANES_AVX2_H

#include <immintrin.h>
#include <stdint.h>

#define HA static inline __attribute__((always_inline))
#define HA_L 8

typedef __m256i ha_vi;
typedef __m256i ha_bm;
typedef __m256i ha_bm_mem;

HA ha_vi ha_load(const int32_t* p) { return _mm256_load_si256((const __m256i*)p); }
HA void ha_store(int32_t* p, ha_vi a) { _mm256_store_si256((__m256i*)p, a); }
HA ha_vi ha_set1(int32_t x) { return _mm256_set1_epi32(x); }
HA ha_vi ha_zero(void) { return _mm256_setzero_si256(); }
HA ha_vi ha_add(ha_vi a, ha_vi b) { return _mm256_add_epi32(a, b); }
HA ha_vi ha_sub(ha_vi a, ha_vi b) { return _mm256_sub_epi32(a, b); }
HA ha_vi ha_and(ha_vi a, ha_vi b) { return _mm256_and_si256(a, b); }
HA ha_vi ha_sllv(ha_vi a, ha_vi n) { return _mm256_sllv_epi32(a, n); }
HA ha_vi ha_srlv(ha_vi a, ha_vi n) { return _mm256_srlv_epi32(a, n); }
#define ha_srai(a, n) _mm256_srai_epi32((a), (n))
#define ha_srli(a, n) _mm256_srli_epi32((a), (n))
HA ha_vi ha_abs(ha_vi a) { return _mm256_abs_epi32(a); }
HA ha_vi ha_min(ha_vi a, ha_vi b) { return _mm256_min_epi32(a, b); }
HA ha_vi ha_max(ha_vi a, ha_vi b) { return _mm256_max_epi32(a, b); }
HA ha_vi ha_minu(ha_vi a, ha_vi b) { return _mm256_min_epu32(a, b); }
HA ha_vi ha_maxu(ha_vi a, ha_vi b) { return _mm256_max_epu32(a, b); }
HA int ha_all_le_u(ha_vi a, ha_vi b) {
    const __m256i le = _mm256_cmpeq_epi32(_mm256_min_epu32(a, b), a);
    return _mm256_movemask_epi8(le) == -1;
}
HA int64_t ha_sum(ha_vi a) {
    int32_t t[8];
    _mm256_storeu_si256((__m256i*)t, a);
    int64_t s = 0;
    for (int i = 0; i < 8; ++i) s += t[i];
    return s;
}

HA ha_bm ha_bm_load(const ha_bm_mem* p) { return _mm256_load_si256(p); }
HA void ha_bm_store(ha_bm_mem* p, ha_bm m) { _mm256_store_si256(p, m); }
HA ha_bm ha_bm_eq(ha_vi a, ha_vi b) { return _mm256_cmpeq_epi32(a, b); }
HA ha_bm ha_bm_andnot(ha_bm a, ha_bm b) { return _mm256_andnot_si256(b, a); }
HA ha_vi ha_bucket_add(ha_vi acc, ha_bm m, ha_vi v) { return _mm256_add_epi32(acc, _mm256_and_si256(v, m)); }
HA ha_vi ha_sel(ha_vi a, ha_bm m, ha_vi b) { return _mm256_blendv_epi8(a, b, m); }
HA ha_vi ha_count_ne(ha_vi cnt, ha_vi a, ha_vi b) { /* cnt + 1 + (a == b ? -1 : 0) */
    return _mm256_add_epi32(_mm256_add_epi32(cnt, _mm256_set1_epi32(1)), _mm256_cmpeq_epi32(a, b));
}
HA ha_vi ha_sel_neg_count(ha_vi x, ha_vi a, ha_vi b, ha_vi* cnt) {
    const __m256i m = _mm256_srai_epi32(x, 31);
    *cnt = _mm256_sub_epi32(*cnt, m);
    return _mm256_blendv_epi8(b, a, m);
}
HA ha_vi ha_xor(ha_vi a, ha_vi b) { return _mm256_xor_si256(a, b); }

HA ha_vi ha_codes_u8(const uint8_t* p) { return _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i*)p)); }
HA ha_vi ha_codes_u16(const uint16_t* p) { return _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i*)p)); }

HA void ha_to_f32(float* out, const ha_vi* acc, int g, const double* scale, double pow2_f,
                  double out_scale, int nvalid) {
    __m256d t0 = _mm256_setzero_pd(), t1 = _mm256_setzero_pd();
    for (int r = 0; r < g; ++r) {
        const __m256d s = _mm256_set1_pd(scale[r]);
        t0 = _mm256_add_pd(t0, _mm256_mul_pd(_mm256_cvtepi32_pd(_mm256_castsi256_si128(acc[r])), s));
        t1 = _mm256_add_pd(t1, _mm256_mul_pd(_mm256_cvtepi32_pd(_mm256_extracti128_si256(acc[r], 1)), s));
    }
    const __m256d p = _mm256_set1_pd(pow2_f), o = _mm256_set1_pd(out_scale);
    t0 = _mm256_mul_pd(_mm256_mul_pd(t0, p), o);
    t1 = _mm256_mul_pd(_mm256_mul_pd(t1, p), o);
    float f[8];
    _mm_storeu_ps(f, _mm256_cvtpd_ps(t0));
    _mm_storeu_ps(f + 4, _mm256_cvtpd_ps(t1));
    for (int i = 0; i < nvalid; ++i) out[i] = f[i];
}

/* the quantiser's extra lane operations (beside lanes_avx2.h's) */
HA uint32_t hq_bits(float x) { uint32_t u; __builtin_memcpy(&u, &x, 4); return u; }
HA __m256i hq_sub(__m256i a, __m256i b) { return _mm256_sub_epi32(a, b); }
HA __m256i hq_min(__m256i a, __m256i b) { return _mm256_min_epi32(a, b); }
HA __m256i hq_max(__m256i a, __m256i b) { return _mm256_max_epi32(a, b); }
HA __m256i hq_gather_i(const int32_t* t, __m256i i) { return _mm256_i32gather_epi32(t, i, 4); }
HA __m256 hq_gather_f(const float* t, __m256i i) { return _mm256_i32gather_ps(t, i, 4); }
HA __m256i hq_one_if(__m256i m) { return _mm256_srli_epi32(m, 31); }
HA __m256i hq_f_le(__m256 a, __m256 b) { return _mm256_castps_si256(_mm256_cmp_ps(a, b, _CMP_LE_OQ)); }
HA void hq_store_i(int32_t* p, __m256i a) { _mm256_storeu_si256((__m256i*)p, a); }
HA __m256i hq_below(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
/* On 8 lanes a permute holds 8 entries: the grid's level tables (129) stay gathers, but the
 * bucket look-up table, when it repeats by octave (hyb_quant_grid), is base[0] - per e - delta[mb]
 * with delta's 32 entries in four registers. */
#define HQ_REG_TABLES 0
typedef struct { __m256i d[4], base0, per, e_lo, jmin, jmax, kz, kz1, lut1, bins1, seven; __m128i b; } hq_reglut;
HA void hq_reglut_load(hq_reglut* t, const int32_t* base, const int32_t* delta, int32_t per, int32_t e_lo,
                       uint32_t jmin, uint32_t jmax, int32_t kz, int32_t lut1, int32_t b) {
    for (int i = 0; i < 4; ++i) t->d[i] = _mm256_loadu_si256((const __m256i*)(delta + 8 * i));
    t->base0 = _mm256_set1_epi32(base[0]);
    t->per = _mm256_set1_epi32(per);
    t->e_lo = _mm256_set1_epi32(e_lo);
    t->jmin = _mm256_set1_epi32((int32_t)jmin);
    t->jmax = _mm256_set1_epi32((int32_t)jmax);
    t->kz = _mm256_set1_epi32(kz);
    t->kz1 = _mm256_set1_epi32(kz - 1);
    t->lut1 = _mm256_set1_epi32(lut1);
    t->bins1 = _mm256_set1_epi32((1 << b) - 1);
    t->seven = _mm256_set1_epi32(7);
    t->b = _mm_cvtsi32_si128(b);
}
/* the count of bin j (j >= 0), as the AVX-512 level's hq_reglut_get */
HA __m256i hq_reglut_get(const hq_reglut* t, __m256i j) {
    const __m256i e = _mm256_sub_epi32(_mm256_srl_epi32(j, t->b), t->e_lo), mb = _mm256_and_si256(j, t->bins1);
    const __m256i lo = _mm256_and_si256(mb, t->seven);
    const __m256i q0 = _mm256_permutevar8x32_epi32(t->d[0], lo), q1 = _mm256_permutevar8x32_epi32(t->d[1], lo);
    const __m256i q2 = _mm256_permutevar8x32_epi32(t->d[2], lo), q3 = _mm256_permutevar8x32_epi32(t->d[3], lo);
    const __m256i b3 = _mm256_slli_epi32(mb, 28), b4 = _mm256_slli_epi32(mb, 27); /* bits 3 and 4 to the top */
    const __m256 r01 = _mm256_blendv_ps(_mm256_castsi256_ps(q0), _mm256_castsi256_ps(q1), _mm256_castsi256_ps(b3));
    const __m256 r23 = _mm256_blendv_ps(_mm256_castsi256_ps(q2), _mm256_castsi256_ps(q3), _mm256_castsi256_ps(b3));
    const __m256i delta = _mm256_castps_si256(_mm256_blendv_ps(r01, r23, _mm256_castsi256_ps(b4)));
    __m256i gl = _mm256_sub_epi32(_mm256_sub_epi32(t->base0, _mm256_mullo_epi32(t->per, e)), delta);
    gl = _mm256_min_epi32(_mm256_max_epi32(gl, _mm256_setzero_si256()), t->kz1);
    gl = _mm256_blendv_epi8(gl, t->lut1, _mm256_cmpeq_epi32(j, t->jmin));
    gl = _mm256_blendv_epi8(gl, t->kz, _mm256_cmpgt_epi32(t->jmin, j));
    return _mm256_blendv_epi8(gl, _mm256_setzero_si256(), _mm256_cmpgt_epi32(j, t->jmax));
}
/* Philox words in element order: w[j] lane l holds word j of block l (element 4 l + j of the 32
 * the blocks cover); after this, w[q] lane l holds element 8 q + l. A 4 x 4 transpose of dwords
 * inside each 128-bit half, then the halves regrouped. */
HA void hq_words_in_order(__m256i w[4]) {
    const __m256i t0 = _mm256_unpacklo_epi32(w[0], w[1]), t1 = _mm256_unpackhi_epi32(w[0], w[1]);
    const __m256i t2 = _mm256_unpacklo_epi32(w[2], w[3]), t3 = _mm256_unpackhi_epi32(w[2], w[3]);
    const __m256i r0 = _mm256_unpacklo_epi64(t0, t2), r1 = _mm256_unpackhi_epi64(t0, t2);
    const __m256i r2 = _mm256_unpacklo_epi64(t1, t3), r3 = _mm256_unpackhi_epi64(t1, t3);
    /* r_j half H: elements 16 H + 4 j .. + 3 */
    w[0] = _mm256_permute2x128_si256(r0, r1, 0x20);
    w[1] = _mm256_permute2x128_si256(r2, r3, 0x20);
    w[2] = _mm256_permute2x128_si256(r0, r1, 0x31);
    w[3] = _mm256_permute2x128_si256(r2, r3, 0x31);
}

#endif
