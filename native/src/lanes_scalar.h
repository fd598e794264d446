/* lanes_scalar.h - the lane operations of element_steps.h on one lane: plain C on float,
 * int32 and a 0/1 mask, host and device (HYB_HD). The C reference loops and every CUDA
 * kernel use this instantiation; lanes_avx2.h and lanes_avx512.h give the same operations
 * on 8 and 16 lanes, so one source of the element maths serves C, SIMD C and CUDA.
 *
 * Every operation is one IEEE operation (or an exact bit manipulation), so an instantiation
 * changes how many elements are processed at once, never a result bit. */
#ifndef HYBRID_SRC_LANES_SCALAR_H
#define HYBRID_SRC_LANES_SCALAR_H

#include <stdint.h>
#include <string.h>
#include "hd.h"

#define HYB_LANE HYB_HD
#define HYB_LANES 1

typedef float hyb_vf;   /* float lanes */
typedef int32_t hyb_vi; /* 32-bit integer lanes (codes, counts, float bits) */
typedef int hyb_vm;     /* a lane mask: 1 where a condition holds */

/* float */
HYB_LANE hyb_vf hyb_f_set(float x) { return x; }
HYB_LANE hyb_vf hyb_f_add(hyb_vf a, hyb_vf b) { return a + b; }
HYB_LANE hyb_vf hyb_f_sub(hyb_vf a, hyb_vf b) { return a - b; }
HYB_LANE hyb_vf hyb_f_mul(hyb_vf a, hyb_vf b) { return a * b; }
HYB_LANE hyb_vf hyb_f_div(hyb_vf a, hyb_vf b) { return a / b; }
HYB_LANE hyb_vf hyb_f_sqrt(hyb_vf a) { return HYB_SQRTF(a); }
HYB_LANE hyb_vf hyb_f_floor(hyb_vf a) { return HYB_FLOORF(a); }
HYB_LANE hyb_vm hyb_f_gt(hyb_vf a, hyb_vf b) { return a > b; }
HYB_LANE hyb_vm hyb_f_lt(hyb_vf a, hyb_vf b) { return a < b; }
HYB_LANE hyb_vm hyb_f_isnan(hyb_vf a) { return a != a; }
HYB_LANE hyb_vf hyb_f_sel(hyb_vm m, hyb_vf a, hyb_vf b) { return m ? a : b; }
/* x86's minps/maxps: the second operand unless the first is less (greater), so equal to
 * sel(gt(a, b), b, a) and sel(lt(a, b), b, a) whenever neither is NaN */
HYB_LANE hyb_vf hyb_f_min(hyb_vf a, hyb_vf b) { return a < b ? a : b; }
HYB_LANE hyb_vf hyb_f_max(hyb_vf a, hyb_vf b) { return a > b ? a : b; }
/* an integral float with |a| < 2^31 to int32 (exact) */
HYB_LANE hyb_vi hyb_f_to_i(hyb_vf a) { return (int32_t)a; }
HYB_LANE hyb_vi hyb_f_bits(hyb_vf a) { int32_t u; memcpy(&u, &a, 4); return u; }
HYB_LANE hyb_vf hyb_i_as_f(hyb_vi a) { float x; memcpy(&x, &a, 4); return x; }
/* a non-negative int32 below 2^24 to float (exact) */
HYB_LANE hyb_vf hyb_i_to_f(hyb_vi a) { return (float)a; }

/* int32 */
HYB_LANE hyb_vi hyb_i_set(int32_t x) { return x; }
HYB_LANE hyb_vi hyb_i_add(hyb_vi a, hyb_vi b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
HYB_LANE hyb_vi hyb_i_sub(hyb_vi a, hyb_vi b) { return (int32_t)((uint32_t)a - (uint32_t)b); }
HYB_LANE hyb_vi hyb_i_min(hyb_vi a, hyb_vi b) { return a < b ? a : b; } /* signed */
HYB_LANE hyb_vi hyb_i_max(hyb_vi a, hyb_vi b) { return a > b ? a : b; } /* signed */
HYB_LANE hyb_vi hyb_i_and(hyb_vi a, hyb_vi b) { return a & b; }
HYB_LANE hyb_vi hyb_i_or(hyb_vi a, hyb_vi b) { return a | b; }
HYB_LANE hyb_vi hyb_i_xor(hyb_vi a, hyb_vi b) { return a ^ b; }
HYB_LANE hyb_vi hyb_i_shl(hyb_vi a, int n) { return (int32_t)((uint32_t)a << n); }
HYB_LANE hyb_vi hyb_i_shr(hyb_vi a, int n) { return (int32_t)((uint32_t)a >> n); } /* logical */
HYB_LANE hyb_vm hyb_i_eq(hyb_vi a, hyb_vi b) { return a == b; }
HYB_LANE hyb_vm hyb_i_gt(hyb_vi a, hyb_vi b) { return a > b; } /* signed */
HYB_LANE hyb_vm hyb_i_lt(hyb_vi a, hyb_vi b) { return a < b; } /* signed */
HYB_LANE hyb_vi hyb_i_sel(hyb_vm m, hyb_vi a, hyb_vi b) { return m ? a : b; }
/* the high and low 32 bits of the unsigned 64-bit product a * m (Philox's round) */
HYB_LANE void hyb_i_mulhilo(hyb_vi a, uint32_t m, hyb_vi* hi, hyb_vi* lo) {
    const uint64_t p = (uint64_t)(uint32_t)a * m;
    *hi = (int32_t)(uint32_t)(p >> 32);
    *lo = (int32_t)(uint32_t)p;
}
/* acc + 1 in the lanes where m holds (a per-lane event count) */
HYB_LANE hyb_vi hyb_i_count(hyb_vi acc, hyb_vm m) { return acc + (m ? 1 : 0); }

/* masks */
HYB_LANE hyb_vm hyb_m_set(int c) { return c != 0; }
HYB_LANE hyb_vm hyb_m_and(hyb_vm a, hyb_vm b) { return a & b; }
HYB_LANE hyb_vm hyb_m_or(hyb_vm a, hyb_vm b) { return a | b; }
HYB_LANE hyb_vm hyb_m_not(hyb_vm a) { return !a; }

#endif
