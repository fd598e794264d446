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

#endif
