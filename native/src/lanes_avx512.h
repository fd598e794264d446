/* lanes_avx512.h - the lane operations of element_steps.h on 16 lanes (AVX-512 F, BW, DQ, VL:
 * x86-64-v4). Included only by the *_avx512.c kernels, which CMake compiles with those
 * instruction sets; the dispatcher runs them only where the CPU has them (dispatch.c).
 * Every operation is the IEEE operation of lanes_scalar.h lane by lane: comparisons are the
 * ordered, quiet predicates of C's < and > (false on NaN), floor is roundscale toward -inf,
 * selects are blends, so each lane gives the scalar code's bits. */
#ifndef HYBRID_SRC_LANES_AVX512_H
#define HYBRID_SRC_LANES_AVX512_H

#include <immintrin.h>
#include <stdint.h>

#define HYB_LANE static inline __attribute__((always_inline))
#define HYB_LANES 16

typedef __m512 hyb_vf;
typedef __m512i hyb_vi;
typedef __mmask16 hyb_vm;

HYB_LANE hyb_vf hyb_f_set(float x) { return _mm512_set1_ps(x); }
HYB_LANE hyb_vf hyb_f_add(hyb_vf a, hyb_vf b) { return _mm512_add_ps(a, b); }
HYB_LANE hyb_vf hyb_f_sub(hyb_vf a, hyb_vf b) { return _mm512_sub_ps(a, b); }
HYB_LANE hyb_vf hyb_f_mul(hyb_vf a, hyb_vf b) { return _mm512_mul_ps(a, b); }
HYB_LANE hyb_vf hyb_f_div(hyb_vf a, hyb_vf b) { return _mm512_div_ps(a, b); }
HYB_LANE hyb_vf hyb_f_sqrt(hyb_vf a) { return _mm512_sqrt_ps(a); }
HYB_LANE hyb_vf hyb_f_floor(hyb_vf a) {
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
}
HYB_LANE hyb_vm hyb_f_gt(hyb_vf a, hyb_vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
HYB_LANE hyb_vm hyb_f_lt(hyb_vf a, hyb_vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
HYB_LANE hyb_vm hyb_f_isnan(hyb_vf a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
HYB_LANE hyb_vf hyb_f_sel(hyb_vm m, hyb_vf a, hyb_vf b) { return _mm512_mask_blend_ps(m, b, a); }
HYB_LANE hyb_vf hyb_f_min(hyb_vf a, hyb_vf b) { return _mm512_min_ps(a, b); }
HYB_LANE hyb_vf hyb_f_max(hyb_vf a, hyb_vf b) { return _mm512_max_ps(a, b); }
HYB_LANE hyb_vi hyb_f_to_i(hyb_vf a) { return _mm512_cvttps_epi32(a); }
HYB_LANE hyb_vi hyb_f_bits(hyb_vf a) { return _mm512_castps_si512(a); }
HYB_LANE hyb_vf hyb_i_as_f(hyb_vi a) { return _mm512_castsi512_ps(a); }
HYB_LANE hyb_vf hyb_i_to_f(hyb_vi a) { return _mm512_cvtepi32_ps(a); }

HYB_LANE hyb_vi hyb_i_set(int32_t x) { return _mm512_set1_epi32(x); }
HYB_LANE hyb_vi hyb_i_add(hyb_vi a, hyb_vi b) { return _mm512_add_epi32(a, b); }
HYB_LANE hyb_vi hyb_i_sub(hyb_vi a, hyb_vi b) { return _mm512_sub_epi32(a, b); }
HYB_LANE hyb_vi hyb_i_min(hyb_vi a, hyb_vi b) { return _mm512_min_epi32(a, b); }
HYB_LANE hyb_vi hyb_i_max(hyb_vi a, hyb_vi b) { return _mm512_max_epi32(a, b); }
HYB_LANE hyb_vi hyb_i_and(hyb_vi a, hyb_vi b) { return _mm512_and_si512(a, b); }
HYB_LANE hyb_vi hyb_i_or(hyb_vi a, hyb_vi b) { return _mm512_or_si512(a, b); }
HYB_LANE hyb_vi hyb_i_xor(hyb_vi a, hyb_vi b) { return _mm512_xor_si512(a, b); }
HYB_LANE hyb_vi hyb_i_shl(hyb_vi a, int n) { return _mm512_sll_epi32(a, _mm_cvtsi32_si128(n)); }
HYB_LANE hyb_vi hyb_i_shr(hyb_vi a, int n) { return _mm512_srl_epi32(a, _mm_cvtsi32_si128(n)); }
HYB_LANE hyb_vm hyb_i_eq(hyb_vi a, hyb_vi b) { return _mm512_cmpeq_epi32_mask(a, b); }
HYB_LANE hyb_vm hyb_i_gt(hyb_vi a, hyb_vi b) { return _mm512_cmpgt_epi32_mask(a, b); }
HYB_LANE hyb_vm hyb_i_lt(hyb_vi a, hyb_vi b) { return _mm512_cmplt_epi32_mask(a, b); }
HYB_LANE hyb_vi hyb_i_sel(hyb_vm m, hyb_vi a, hyb_vi b) { return _mm512_mask_blend_epi32(m, b, a); }
HYB_LANE void hyb_i_mulhilo(hyb_vi a, uint32_t m, hyb_vi* hi, hyb_vi* lo) {
    const __m512i mv = _mm512_set1_epi32((int32_t)m);
    const __m512i even = _mm512_mul_epu32(a, mv);                        /* lanes 0, 2, ... */
    const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), mv); /* lanes 1, 3, ... */
    *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
    *lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}
HYB_LANE hyb_vi hyb_i_count(hyb_vi acc, hyb_vm m) {
    return _mm512_mask_add_epi32(acc, m, acc, _mm512_set1_epi32(1));
}
/* the sum of the lanes (the counts of a range) */
HYB_LANE int64_t hyb_i_sum(hyb_vi a) { return (int64_t)_mm512_reduce_add_epi32(a); }

HYB_LANE hyb_vm hyb_m_set(int c) { return (hyb_vm)(c ? 0xFFFF : 0); }
HYB_LANE hyb_vm hyb_m_and(hyb_vm a, hyb_vm b) { return (hyb_vm)(a & b); }
HYB_LANE hyb_vm hyb_m_or(hyb_vm a, hyb_vm b) { return (hyb_vm)(a | b); }
HYB_LANE hyb_vm hyb_m_not(hyb_vm a) { return (hyb_vm)~a; }
HYB_LANE int hyb_m_any(hyb_vm a) { return a != 0; }

/* memory: L consecutive floats, and codes widened to / narrowed from 32-bit lanes */
HYB_LANE hyb_vf hyb_f_load(const float* p) { return _mm512_loadu_ps(p); }
HYB_LANE void hyb_f_store(float* p, hyb_vf a) { _mm512_storeu_ps(p, a); }
HYB_LANE hyb_vi hyb_i_load(const int32_t* p) { return _mm512_loadu_si512(p); }
HYB_LANE hyb_vi hyb_u8_load(const uint8_t* p) { return _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i*)p)); }
HYB_LANE void hyb_u8_store(uint8_t* p, hyb_vi a) { _mm_storeu_si128((__m128i*)p, _mm512_cvtepi32_epi8(a)); }
/* `count` consecutive groups of codes to bytes (one vpmovdb each already) */
HYB_LANE void hyb_u8_store_run(uint8_t* p, const hyb_vi* a, int count) {
    for (int q = 0; q < count; ++q) hyb_u8_store(p + (size_t)q * 16, a[q]);
}
HYB_LANE hyb_vi hyb_u16_load(const uint16_t* p) {
    return _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i*)p));
}
HYB_LANE void hyb_u16_store(uint16_t* p, hyb_vi a) {
    _mm256_storeu_si256((__m256i*)p, _mm512_cvtepi32_epi16(a));
}
/* doubles, L/2 lanes (the sum of squares) */
#define HYB_DLANES 8
typedef __m512d hyb_vd;
HYB_LANE hyb_vd hyb_d_zero(void) { return _mm512_setzero_pd(); }
HYB_LANE hyb_vd hyb_d_add(hyb_vd a, hyb_vd b) { return _mm512_add_pd(a, b); }
HYB_LANE hyb_vd hyb_d_mul(hyb_vd a, hyb_vd b) { return _mm512_mul_pd(a, b); }
HYB_LANE void hyb_d_store(double* p, hyb_vd a) { _mm512_storeu_pd(p, a); }
/* HYB_DLANES floats as doubles, non-finite ones as 0 when finite_only */
HYB_LANE hyb_vd hyb_d_load_f(const float* p, int finite_only) {
    __m256 x = _mm256_loadu_ps(p);
    if (finite_only) {
        const __m256i e = _mm256_set1_epi32(0x7F800000);
        const __m256i bad = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_castps_si256(x), e), e);
        x = _mm256_andnot_ps(_mm256_castsi256_ps(bad), x);
    }
    return _mm512_cvtps_pd(x);
}
/* the first m < HYB_DLANES of them, the rest 0 */
HYB_LANE hyb_vd hyb_d_load_f_part(const float* p, int m, int finite_only) {
    float t[HYB_DLANES] = {0};
    for (int q = 0; q < m; ++q) t[q] = p[q];
    return hyb_d_load_f(t, finite_only);
}

/* lanes 0, 1, ..., L-1 */
HYB_LANE hyb_vi hyb_i_iota(void) {
    return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

#endif
