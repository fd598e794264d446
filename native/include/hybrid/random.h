/* hybrid/random.h - the counter-based random stream shared by every backend.
 *
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011;
 * the Random123 library). The same function exists in C, in CUDA (native/src/philox.h)
 * and in C# (Hybrid.Synapse), so every backend draws the same numbers.
 *
 * Hybrid's stream layout. Block b of the stream of tensor `tensor_id` at step `step` for
 * purpose `purpose` is
 *     philox(counter = { lo32(b), hi24(b) | purpose << 24, lo32(step), tensor_id },
 *            key     = { lo32(seed), hi32(seed) }).
 * The uniform of element i (hyb_random_uniform_f32, the device model's STUCK draw) is word
 * (i mod 4) of block i/4, mapped to [0, 1) as (word >> 8) * 2^-24 (exact in float). Purposes
 * that need four words per element (STEP_NOISE, DEVICE_GAIN: an Irwin-Hall normal) use the
 * whole block i; per-device purposes (DEVICE_GAIN, STUCK) always use step 0. The device purposes
 * (hybrid/device.h, 5 .. 11) draw an Irwin-Hall normal from the whole block i of element i (counter step:
 * the step for WRITE_NOISE, the read for READ_NOISE, 0 for the per-device DRIFT_NU, UP_DOWN, GAMMA_UP,
 * GAMMA_DOWN), except PULSE_ROUNDING, which takes element i's 24-bit uniform as the STUCK draw does.
 *
 * Stochastic rounding (purpose ROUNDING) spends r = random_bits bits per element,
 * r in {4, 8, 12, 16, 32}: each 32-bit word holds P = floor(32 / r) slices of r bits (bits
 * [p r, p r + r) for slice p; r = 12 leaves the top 8 bits unused), so one block serves
 * E = 4 P elements (32, 16, 8, 8, 4). Blocks are taken in stripes of S = HYB_RANDOM_STRIPE
 * consecutive blocks serving S E consecutive elements, so that S consecutive elements come
 * from S consecutive blocks (one vector of Philox lanes, a warp of GPU threads):
 *     stripe = i / (S E),  t = i mod (S E),  block = stripe S + (t mod S),  slot = t / S,
 *     word = slot mod 4,  slice p = slot / 4,  s = (word >> (p r)) mod 2^r,
 *     u = (s + 1/2) 2^-r       for r <= 16 (exact in float; |bias of floor(x + u)| <= 2^-(r+1))
 *     u = (word >> 8) 2^-24    for r = 32 (the 24-bit uniform above).
 * The resolution of u is 2^-r (2^-24 for r = 32). HYB_STREAM_VERSION changes whenever the
 * map from (seed, step, tensor, purpose, element) to a number changes. */
#ifndef HYBRID_RANDOM_H
#define HYBRID_RANDOM_H

#include <stdint.h>
#include "hybrid/export.h"
#include "hybrid/status.h"

HYB_EXTERN_C_BEGIN

#define HYB_STREAM_VERSION 2     /* 2: random bits per rounding and the striped layout */
#define HYB_RANDOM_STRIPE 32     /* blocks per stripe of the rounding stream */
#define HYB_RANDOM_BITS_DEFAULT 8 /* random bits per stochastic rounding unless chosen */

/* What a draw is for: each purpose is an independent sub-stream. */
typedef enum hyb_random_purpose {
    HYB_RANDOM_PURPOSE_ROUNDING = 0,     /* stochastic rounding of code steps */
    HYB_RANDOM_PURPOSE_STEP_NOISE = 1,   /* cycle-to-cycle device noise */
    HYB_RANDOM_PURPOSE_DEVICE_GAIN = 2,  /* device-to-device step gain */
    HYB_RANDOM_PURPOSE_STUCK = 3,        /* stuck-synapse selection */
    HYB_RANDOM_PURPOSE_QUANTIZE = 4,     /* stochastic rounding of LNS quantisers (lns_arith.h) */
    HYB_RANDOM_PURPOSE_WRITE_NOISE = 5,  /* write noise of a programming event (device.h): block i, counter = the step */
    HYB_RANDOM_PURPOSE_READ_NOISE = 6,   /* read noise (device.h): block i, counter = the read */
    HYB_RANDOM_PURPOSE_DRIFT_NU = 7,     /* per device: the drift exponent's spread (step 0) */
    HYB_RANDOM_PURPOSE_UP_DOWN = 8,      /* per device: the up/down asymmetry's spread (step 0) */
    HYB_RANDOM_PURPOSE_GAMMA_UP = 9,     /* per device: LINEAR gamma_up's spread, POW pow_gamma's (step 0) */
    HYB_RANDOM_PURPOSE_GAMMA_DOWN = 10,  /* per device: LINEAR gamma_down's spread, POW pow_up_down's (step 0) */
    HYB_RANDOM_PURPOSE_PULSE_ROUNDING = 11, /* weight-domain pulse counts: word i mod 4 of block i/4, counter = the step */
    HYB_RANDOM_PURPOSE_USER = 255        /* free for tests and experiments */
} hyb_random_purpose;
HYB_STATIC_ASSERT(sizeof(hyb_random_purpose) == 4, "hyb_random_purpose must be 32-bit");

/* One Philox4x32-10 block: out = philox(counter[0..3], key[0..1]). */
HYB_API hyb_status hyb_philox4x32_10(const uint32_t* counter, const uint32_t* key, uint32_t* out);

/* Position of a slice of the stream. */
typedef struct hyb_random_stream {
    uint64_t seed;         /* the user's seed: the Philox key */
    int64_t step;          /* only the low 32 bits enter the counter */
    uint32_t tensor_id;    /* which tensor: its own sub-stream */
    hyb_random_purpose purpose; /* sub-stream, 0..255 */
} hyb_random_stream;
HYB_STATIC_ASSERT(sizeof(hyb_random_stream) == 24, "hyb_random_stream layout changed");

/* Writes the uniforms for elements offset .. offset+n-1 of the stream to out[0..n-1],
 * each in [0, 1) with 24 random bits. offset >= 0, offset + n < 2^58. */
HYB_API hyb_status hyb_random_uniform_f32(const hyb_random_stream* stream, int64_t offset,
                                          float* out, int64_t n);

HYB_EXTERN_C_END

#endif /* HYBRID_RANDOM_H */
