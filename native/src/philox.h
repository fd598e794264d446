/* philox.h - Philox4x32-10 (Salmon, Moraes, Dror, Shaw, SC 2011; Random123), shared by
 * the C kernels and the CUDA kernels, and Hybrid's stream layout on top of it
 * (documented in include/hybrid/random.h). The C# twin is Hybrid.Synapse's Philox. */
#ifndef HYBRID_SRC_PHILOX_H
#define HYBRID_SRC_PHILOX_H

#include <stdint.h>
#include "hd.h"
#include "hybrid/random.h"

#define HYB_PHILOX_M0 0xD2511F53u
#define HYB_PHILOX_M1 0xCD9E8D57u
#define HYB_PHILOX_W0 0x9E3779B9u /* golden ratio */
#define HYB_PHILOX_W1 0xBB67AE85u /* sqrt(3) - 1 */

typedef struct hyb_u32x4 { uint32_t v[4]; } hyb_u32x4;

/* One round: two 32x32->64 multiplies, the high halves xor-ed with the other words and the key. */
HYB_HD void hyb_philox_round(uint32_t c[4], const uint32_t k[2]) {
    uint64_t p0 = (uint64_t)HYB_PHILOX_M0 * c[0];
    uint64_t p1 = (uint64_t)HYB_PHILOX_M1 * c[2];
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    uint32_t n0 = hi1 ^ c[1] ^ k[0];
    uint32_t n2 = hi0 ^ c[3] ^ k[1];
    c[0] = n0; c[1] = lo1; c[2] = n2; c[3] = lo0;
}

/* Ten rounds, the key bumped by the Weyl constants between rounds. */
HYB_HD hyb_u32x4 hyb_philox4x32_10_block(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                         uint32_t k0, uint32_t k1) {
    uint32_t c[4] = {c0, c1, c2, c3};
    uint32_t k[2] = {k0, k1};
    for (int r = 0; r < 10; ++r) {
        if (r > 0) { k[0] += HYB_PHILOX_W0; k[1] += HYB_PHILOX_W1; }
        hyb_philox_round(c, k);
    }
    hyb_u32x4 out = {{c[0], c[1], c[2], c[3]}};
    return out;
}

/* The four words for Philox block `block` (= element index / 4) of a stream. */
HYB_HD hyb_u32x4 hyb_stream_block(uint64_t seed, int64_t step, uint32_t tensor_id,
                                  uint32_t purpose, uint64_t block) {
    return hyb_philox4x32_10_block((uint32_t)block,
                                   ((uint32_t)(block >> 32) & 0x00FFFFFFu) | (purpose << 24),
                                   (uint32_t)(uint64_t)step, tensor_id,
                                   (uint32_t)seed, (uint32_t)(seed >> 32));
}

/* A 32-bit word to a float uniform in [0, 1): its top 24 bits times 2^-24 (exact). */
HYB_HD float hyb_u32_to_unit_f32(uint32_t x) {
    return (float)(x >> 8) * (1.0f / 16777216.0f);
}

/* Stochastic rounding's stream (hybrid/random.h): elements one block serves at r random bits,
 * 4 floor(32 / r): 32, 16, 8, 8, 4 for r = 4, 8, 12, 16, 32 (always a power of two: its log2
 * lets the layout shift instead of divide). */
HYB_HD int hyb_rounding_per_block_log2(int r) { return r == 4 ? 5 : r == 8 ? 4 : r == 32 ? 2 : 3; }
HYB_HD int hyb_rounding_per_block(int r) { return 1 << hyb_rounding_per_block_log2(r); }

/* The rounding uniform of slice p of word w: (s + 1/2) 2^-r with s = bits [p r, p r + r) of w,
 * for r <= 16, exact in float; for r = 32 the word's 24-bit uniform. philox_lanes.h computes the
 * same on vector lanes. */
HYB_HD float hyb_rounding_slice(uint32_t w, int p, int r) {
    if (r == 32) return hyb_u32_to_unit_f32(w);
    const uint32_t s = (w >> (p * r)) & ((1u << r) - 1u);
    return (float)(2u * s + 1u) * (1.0f / (float)(2u << r));
}

HYB_STATIC_ASSERT(HYB_RANDOM_STRIPE == 32, "hyb_rounding_uniform shifts by log2 of the stripe");

/* The rounding uniform of element i (hybrid/random.h's striped layout). */
HYB_HD float hyb_rounding_uniform(uint64_t seed, int64_t step, uint32_t tensor_id, int r,
                                  uint64_t i) {
    /* stripe = i / (S E), t = i mod (S E), block = stripe S + t mod S, slot = t / S (S = 32) */
    const int shift = 5 + hyb_rounding_per_block_log2(r);
    const uint64_t t = i & ((1ull << shift) - 1u);
    const uint64_t block = ((i >> shift) << 5) + (t & 31u);
    const int slot = (int)(t >> 5);
    hyb_u32x4 b = hyb_stream_block(seed, step, tensor_id, HYB_RANDOM_PURPOSE_ROUNDING, block);
    return hyb_rounding_slice(b.v[slot & 3], slot >> 2, r);
}

#endif
