/* lanes_avx2.h - the lane operations of element_steps.h on 8 lanes (AVX2: x86-64-v3). Included
 * only by the *_avx2.c kernels, which CMake compiles with -mavx2; the dispatcher runs them only
 * where the CPU has AVX2 (dispatch.c). Masks are all-ones lanes; comparisons are the ordered,
 * quiet predicates of C's < and > (false on NaN); floor is round toward -inf; selects are
 * blends: each lane gives the scalar code's bits. */
#ifndef HYBRID_SRC_LANES_AVX2_H
#define HYBRID_SRC_LANES_AVX2_H

#include <immintrin.h>
#include <stdint.h>

#define HYB_LANE static inline __attribute__((always_inline))
#define HYB_LANES 8

typedef __m256 hyb_vf;
typedef __m256i hyb_vi;
typedef __m256i hyb_vm;

HYB_LANE hyb_vf hyb_f_set(float x) { return _mm256_set1_ps(x); }
HYB_LANE hyb_vf hyb_f_add(hyb_vf a, hyb_vf b) { return _mm256_add_ps(a, b); }
HYB_LANE hyb_vf hyb_f_sub(hyb_vf a, hyb_vf b) { return _mm256_sub_ps(a, b); }
HYB_LANE hyb_vf hyb_f_mul(hyb_vf a, hyb_vf b) { return _mm256_mul_ps(a, b); }
HYB_LANE hyb_vf hyb_f_div(hyb_vf a, hyb_vf b) { return _mm256_div_ps(a, b); }
HYB_LANE hyb_vf hyb_f_sqrt(hyb_vf a) { return _mm256_sqrt_ps(a); }
HYB_LANE hyb_vf hyb_f_floor(hyb_vf a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
HYB_LANE hyb_vm hyb_f_gt(hyb_vf a, hyb_vf b) { return _mm256_castps_si256(_mm256_cmp_ps(a, b, _CMP_GT_OQ)); }
HYB_LANE hyb_vm hyb_f_lt(hyb_vf a, hyb_vf b) { return _mm256_castps_si256(_mm256_cmp_ps(a, b, _CMP_LT_OQ)); }
HYB_LANE hyb_vm hyb_f_isnan(hyb_vf a) { return _mm256_castps_si256(_mm256_cmp_ps(a, a, _CMP_UNORD_Q)); }
HYB_LANE hyb_vf hyb_f_sel(hyb_vm m, hyb_vf a, hyb_vf b) { return _mm256_blendv_ps(b, a, _mm256_castsi256_ps(m)); }
HYB_LANE hyb_vf hyb_f_min(hyb_vf a, hyb_vf b) { return _mm256_min_ps(a, b); }
HYB_LANE hyb_vf hyb_f_max(hyb_vf a, hyb_vf b) { return _mm256_max_ps(a, b); }
HYB_LANE hyb_vi hyb_f_to_i(hyb_vf a) { return _mm256_cvttps_epi32(a); }
HYB_LANE hyb_vi hyb_f_bits(hyb_vf a) { return _mm256_castps_si256(a); }
HYB_LANE hyb_vf hyb_i_as_f(hyb_vi a) { return _mm256_castsi256_ps(a); }
HYB_LANE hyb_vf hyb_i_to_f(hyb_vi a) { return _mm256_cvtepi32_ps(a); }

HYB_LANE hyb_vi hyb_i_set(int32_t x) { return _mm256_set1_epi32(x); }
HYB_LANE hyb_vi hyb_i_add(hyb_vi a, hyb_vi b) { return _mm256_add_epi32(a, b); }
HYB_LANE hyb_vi hyb_i_sub(hyb_vi a, hyb_vi b) { return _mm256_sub_epi32(a, b); }
HYB_LANE hyb_vi hyb_i_min(hyb_vi a, hyb_vi b) { return _mm256_min_epi32(a, b); }
HYB_LANE hyb_vi hyb_i_max(hyb_vi a, hyb_vi b) { return _mm256_max_epi32(a, b); }
HYB_LANE hyb_vi hyb_i_and(hyb_vi a, hyb_vi b) { return _mm256_and_si256(a, b); }
HYB_LANE hyb_vi hyb_i_or(hyb_vi a, hyb_vi b) { return _mm256_or_si256(a, b); }
HYB_LANE hyb_vi hyb_i_xor(hyb_vi a, hyb_vi b) { return _mm256_xor_si256(a, b); }
HYB_LANE hyb_vi hyb_i_shl(hyb_vi a, int n) { return _mm256_sll_epi32(a, _mm_cvtsi32_si128(n)); }
HYB_LANE hyb_vi hyb_i_shr(hyb_vi a, int n) { return _mm256_srl_epi32(a, _mm_cvtsi32_si128(n)); }
HYB_LANE hyb_vm hyb_i_eq(hyb_vi a, hyb_vi b) { return _mm256_cmpeq_epi32(a, b); }
HYB_LANE hyb_vm hyb_i_gt(hyb_vi a, hyb_vi b) { return _mm256_cmpgt_epi32(a, b); }
HYB_LANE hyb_vm hyb_i_lt(hyb_vi a, hyb_vi b) { return _mm256_cmpgt_epi32(b, a); }
HYB_LANE hyb_vi hyb_i_sel(hyb_vm m, hyb_vi a, hyb_vi b) { return _mm256_blendv_epi8(b, a, m); }
HYB_LANE void hyb_i_mulhilo(hyb_vi a, uint32_t m, hyb_vi* hi, hyb_vi* lo) {
    const __m256i mv = _mm256_set1_epi32((int32_t)m);
    const __m256i even = _mm256_mul_epu32(a, mv);                        /* lanes 0, 2, 4, 6 */
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), mv); /* lanes 1, 3, 5, 7 */
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}
HYB_LANE hyb_vi hyb_i_count(hyb_vi acc, hyb_vm m) { return _mm256_sub_epi32(acc, m); }
HYB_LANE int64_t hyb_i_sum(hyb_vi a) {
    const __m128i s = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    const __m128i t = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    return (int64_t)_mm_cvtsi128_si32(_mm_add_epi32(t, _mm_shuffle_epi32(t, 0xB1)));
}

HYB_LANE hyb_vm hyb_m_set(int c) { return _mm256_set1_epi32(c ? -1 : 0); }
HYB_LANE hyb_vm hyb_m_and(hyb_vm a, hyb_vm b) { return _mm256_and_si256(a, b); }
HYB_LANE hyb_vm hyb_m_or(hyb_vm a, hyb_vm b) { return _mm256_or_si256(a, b); }
HYB_LANE hyb_vm hyb_m_not(hyb_vm a) { return _mm256_xor_si256(a, _mm256_set1_epi32(-1)); }
HYB_LANE int hyb_m_any(hyb_vm a) { return !_mm256_testz_si256(a, a); }

HYB_LANE hyb_vf hyb_f_load(const float* p) { return _mm256_loadu_ps(p); }
HYB_LANE void hyb_f_store(float* p, hyb_vf a) { _mm256_storeu_ps(p, a); }
HYB_LANE hyb_vi hyb_i_load(const int32_t* p) { return _mm256_loadu_si256((const __m256i*)p); }
HYB_LANE hyb_vi hyb_u8_load(const uint8_t* p) { return _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i*)p)); }
HYB_LANE void hyb_u8_store(uint8_t* p, hyb_vi a) {
    /* 32-bit lanes holding 0..255 to bytes: pack to 16 bits, then to 8 (no saturation occurs) */
    const __m128i w = _mm_packus_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    _mm_storel_epi64((__m128i*)p, _mm_packus_epi16(w, w));
}
/* `count` consecutive groups of codes (lanes holding 0..255) to bytes: four at a time in two packs, a
 * lane permute and one 32-byte store (4 instructions for 32 codes, where hyb_u8_store takes 4 for 8) */
HYB_LANE void hyb_u8_store_run(uint8_t* p, const hyb_vi* a, int count) {
    int q = 0;
    for (; q + 4 <= count; q += 4) {
        /* bytes, in 4-byte pieces: a0 lo, a1 lo, a2 lo, a3 lo | a0 hi, a1 hi, a2 hi, a3 hi */
        const __m256i b = _mm256_packus_epi16(_mm256_packus_epi32(a[q], a[q + 1]), _mm256_packus_epi32(a[q + 2], a[q + 3]));
        _mm256_storeu_si256((__m256i*)(p + (size_t)q * 8),
                            _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
    }
    for (; q < count; ++q) hyb_u8_store(p + (size_t)q * 8, a[q]);
}
HYB_LANE hyb_vi hyb_u16_load(const uint16_t* p) { return _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i*)p)); }
HYB_LANE void hyb_u16_store(uint16_t* p, hyb_vi a) {
    _mm_storeu_si128((__m128i*)p, _mm_packus_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1)));
}
/* doubles, L/2 lanes (the sum of squares) */
#define HYB_DLANES 4
typedef __m256d hyb_vd;
HYB_LANE hyb_vd hyb_d_zero(void) { return _mm256_setzero_pd(); }
HYB_LANE hyb_vd hyb_d_add(hyb_vd a, hyb_vd b) { return _mm256_add_pd(a, b); }
HYB_LANE hyb_vd hyb_d_mul(hyb_vd a, hyb_vd b) { return _mm256_mul_pd(a, b); }
HYB_LANE void hyb_d_store(double* p, hyb_vd a) { _mm256_storeu_pd(p, a); }
/* HYB_DLANES floats as doubles, non-finite ones as 0 when finite_only */
HYB_LANE hyb_vd hyb_d_load_f(const float* p, int finite_only) {
    __m128 x = _mm_loadu_ps(p);
    if (finite_only) {
        const __m128i e = _mm_set1_epi32(0x7F800000);
        const __m128i bad = _mm_cmpeq_epi32(_mm_and_si128(_mm_castps_si128(x), e), e);
        x = _mm_andnot_ps(_mm_castsi128_ps(bad), x);
    }
    return _mm256_cvtps_pd(x);
}
/* the first m < HYB_DLANES of them, the rest 0 */
HYB_LANE hyb_vd hyb_d_load_f_part(const float* p, int m, int finite_only) {
    float t[HYB_DLANES] = {0};
    for (int q = 0; q < m; ++q) t[q] = p[q];
    return hyb_d_load_f(t, finite_only);
}

HYB_LANE hyb_vi hyb_i_iota(void) { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }

#endif
