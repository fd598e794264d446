/* philox_lanes.h - Philox4x32-10 and stochastic rounding's uniforms on vector lanes: lane j
 * computes block b0 + j of a stream, the same function as philox.h's hyb_stream_block (the
 * scalar reference, which the cross-checks and test_philox compare it with), so the vector
 * kernels draw the stream in registers, fused into the step, with no side buffer.
 * Include a lanes header first. */
#ifndef HYBRID_SRC_PHILOX_LANES_H
#define HYBRID_SRC_PHILOX_LANES_H

#include "philox.h"

/* The four words of blocks b0 .. b0 + L - 1 of a stream (b0 + L - 1 in the same 2^32 range as
 * b0, as a stripe's blocks are), word k in w[k]. */
HYB_LANE void hyb_philox_lanes(uint64_t seed, int64_t step, uint32_t tensor_id, uint32_t purpose,
                               uint64_t b0, hyb_vi w[4]) {
    hyb_vi c0 = hyb_i_add(hyb_i_set((int32_t)(uint32_t)b0), hyb_i_iota());
    hyb_vi c1 = hyb_i_set((int32_t)(((uint32_t)(b0 >> 32) & 0x00FFFFFFu) | (purpose << 24)));
    hyb_vi c2 = hyb_i_set((int32_t)(uint32_t)(uint64_t)step);
    hyb_vi c3 = hyb_i_set((int32_t)tensor_id);
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int r = 0; r < 10; ++r) {
        if (r > 0) { k0 += HYB_PHILOX_W0; k1 += HYB_PHILOX_W1; }
        hyb_vi hi0, lo0, hi1, lo1;
        hyb_i_mulhilo(c0, HYB_PHILOX_M0, &hi0, &lo0);
        hyb_i_mulhilo(c2, HYB_PHILOX_M1, &hi1, &lo1);
        const hyb_vi n0 = hyb_i_xor(hyb_i_xor(hi1, c1), hyb_i_set((int32_t)k0));
        const hyb_vi n2 = hyb_i_xor(hyb_i_xor(hi0, c3), hyb_i_set((int32_t)k1));
        c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    }
    w[0] = c0; w[1] = c1; w[2] = c2; w[3] = c3;
}

/* hyb_philox_lanes on `count` (a constant) runs of lanes at once, run q's blocks starting at
 * b0 + q step: the same words, the rounds of the runs interleaved, so the core overlaps the runs'
 * serial ten-round chains instead of waiting out one before the next (issue 21). */
HYB_LANE void hyb_philox_lanes_n(uint64_t seed, int64_t step, uint32_t tensor_id, uint32_t purpose,
                                 uint64_t b0, uint64_t stride, int count, hyb_vi w[][4]) {
    hyb_vi c0[8], c1[8], c2[8], c3[8];
    for (int q = 0; q < count; ++q) {
        const uint64_t b = b0 + (uint64_t)q * stride;
        c0[q] = hyb_i_add(hyb_i_set((int32_t)(uint32_t)b), hyb_i_iota());
        c1[q] = hyb_i_set((int32_t)(((uint32_t)(b >> 32) & 0x00FFFFFFu) | (purpose << 24)));
        c2[q] = hyb_i_set((int32_t)(uint32_t)(uint64_t)step);
        c3[q] = hyb_i_set((int32_t)tensor_id);
    }
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int r = 0; r < 10; ++r) {
        if (r > 0) { k0 += HYB_PHILOX_W0; k1 += HYB_PHILOX_W1; }
        for (int q = 0; q < count; ++q) {
            hyb_vi hi0, lo0, hi1, lo1;
            hyb_i_mulhilo(c0[q], HYB_PHILOX_M0, &hi0, &lo0);
            hyb_i_mulhilo(c2[q], HYB_PHILOX_M1, &hi1, &lo1);
            const hyb_vi n0 = hyb_i_xor(hyb_i_xor(hi1, c1[q]), hyb_i_set((int32_t)k0));
            const hyb_vi n2 = hyb_i_xor(hyb_i_xor(hi0, c3[q]), hyb_i_set((int32_t)k1));
            c0[q] = n0; c1[q] = lo1; c2[q] = n2; c3[q] = lo0;
        }
    }
    for (int q = 0; q < count; ++q) { w[q][0] = c0[q]; w[q][1] = c1[q]; w[q][2] = c2[q]; w[q][3] = c3[q]; }
}

/* hyb_rounding_slice on lanes: the uniform of slice p of each lane's word at r bits. */
HYB_LANE hyb_vf hyb_rounding_slice_lanes(hyb_vi w, int p, int r) {
    if (r == 32) return hyb_f_mul(hyb_i_to_f(hyb_i_shr(w, 8)), hyb_f_set(1.0f / 16777216.0f));
    /* the top slice needs no mask, the bottom one no shift */
    const hyb_vi sh = p > 0 ? hyb_i_shr(w, p * r) : w;
    const hyb_vi s = (p + 1) * r == 32 ? sh : hyb_i_and(sh, hyb_i_set((int32_t)((1u << r) - 1u)));
    /* s 2^-r + 2^-(r+1) = (2s + 1) / 2^(r+1), hyb_rounding_slice's value: s < 2^16, so the product, the
     * sum and the conversion are all exact */
    return hyb_f_add(hyb_f_mul(hyb_i_to_f(s), hyb_f_set(1.0f / (float)(1u << r))),
                     hyb_f_set(1.0f / (float)(2u << r)));
}

#endif
