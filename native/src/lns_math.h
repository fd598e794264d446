/* lns_math.h - the number maths of the LNS synapse (log2, exp2, encode, decode, a step's
 * constants, the device model's draws), shared by the C kernels, the CUDA kernels and (line
 * for line) the C# twin in Hybrid.Synapse (LnsMath.cs). The per-element steps built on it are
 * element_steps.h.
 *
 * Bit-identical results across backends need identical IEEE operation sequences, so this
 * file uses only +, -, *, /, sqrt, floor, comparisons and exact power-of-two scaling
 * (never libm's exp2/log2/pow, whose last bits differ between libraries, and never a
 * fused multiply-add: the build passes -ffp-contract=off and nvcc --fmad=false). */
#ifndef HYBRID_SRC_LNS_MATH_H
#define HYBRID_SRC_LNS_MATH_H

#include <stdint.h>
#include <string.h>
#include "hd.h"
#include "hybrid/hybrid.h"
#include "philox.h"

#define HYB_LN2 0.69314718055994530942
#define HYB_INV_LN2 1.44269504088896340736

HYB_HD uint64_t hyb_f64_bits(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
HYB_HD double hyb_bits_f64(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

/* 2^n for an integer n in [-1022, 1023], built from the exponent bits (exact). */
HYB_HD double hyb_pow2i(int32_t n) { return hyb_bits_f64((uint64_t)(n + 1023) << 52); }

/* log2(x) for finite x > 0 in double. x = 2^e * m with m in [sqrt(1/2), sqrt(2)), then
 * ln m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m-1)/(m+1), |s| < 0.172: eleven
 * odd terms leave an error below 1e-17. */
HYB_HD double hyb_log2_d(double x) {
    int32_t e = 0;
    if (x < 2.2250738585072014e-308) { x = x * 18446744073709551616.0; e = -64; } /* subnormal */
    uint64_t u = hyb_f64_bits(x);
    e += (int32_t)((u >> 52) & 0x7FF) - 1023;
    double m = hyb_bits_f64((u & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull); /* [1, 2) */
    if (m > 1.4142135623730951) { m = m * 0.5; e += 1; }
    double s = (m - 1.0) / (m + 1.0);
    double z = s * s;
    double p = 1.0 / 23.0;
    p = p * z + 1.0 / 21.0;
    p = p * z + 1.0 / 19.0;
    p = p * z + 1.0 / 17.0;
    p = p * z + 1.0 / 15.0;
    p = p * z + 1.0 / 13.0;
    p = p * z + 1.0 / 11.0;
    p = p * z + 1.0 / 9.0;
    p = p * z + 1.0 / 7.0;
    p = p * z + 1.0 / 5.0;
    p = p * z + 1.0 / 3.0;
    p = p * z + 1.0;
    double ln_m = 2.0 * s * p;
    return (double)e + ln_m * HYB_INV_LN2;
}

/* 2^x for finite x in [-1000, 1000] in double: x = n + f, n = floor(x + 1/2), |f| <= 1/2,
 * 2^f = e^y with y = f ln 2, |y| <= 0.347: Taylor to y^15 (error below 1e-17), then
 * scaled by 2^n exactly. */
HYB_HD double hyb_exp2_d(double x) {
    double n = HYB_FLOOR(x + 0.5);
    double y = (x - n) * HYB_LN2;
    double p = 1.0 / 1307674368000.0;          /* 1/15! */
    p = p * y + 1.0 / 87178291200.0;           /* 1/14! */
    p = p * y + 1.0 / 6227020800.0;
    p = p * y + 1.0 / 479001600.0;
    p = p * y + 1.0 / 39916800.0;
    p = p * y + 1.0 / 3628800.0;
    p = p * y + 1.0 / 362880.0;
    p = p * y + 1.0 / 40320.0;
    p = p * y + 1.0 / 5040.0;
    p = p * y + 1.0 / 720.0;
    p = p * y + 1.0 / 120.0;
    p = p * y + 1.0 / 24.0;
    p = p * y + 1.0 / 6.0;
    p = p * y + 0.5;
    p = p * y + 1.0;
    p = p * y + 1.0;
    int32_t ni = (int32_t)n;
    /* split the scale so that 2^n stays a normal double for n down to -1000 */
    if (ni < -1000) return 0.0;
    if (ni < -900) return p * hyb_pow2i(ni + 200) * hyb_pow2i(-200);
    return p * hyb_pow2i(ni);
}

/* beta^t for t >= 0 by repeated squaring, in double (the bias correction 1 - beta2^t). */
HYB_HD double hyb_powi_d(double beta, int64_t t) {
    double r = 1.0, b = beta;
    while (t > 0) {
        if (t & 1) r = r * b;
        b = b * b;
        t >>= 1;
    }
    return r;
}

/* The magnitude of index k (k < K): w_max * 2^(-k/gamma), rounded once to float. */
HYB_HD float hyb_lns_magnitude(int32_t k, float gamma, float w_max) {
    double e = hyb_exp2_d(-(double)k / (double)gamma);
    return (float)((double)w_max * e);
}

/* Encodes one finite float; kmax = K = 2^(B-1) - 1 (the zero index). */
HYB_HD uint32_t hyb_lns_encode_one(float x, int32_t bits, float gamma, double log2_wmax) {
    const uint32_t kmax = (1u << (bits - 1)) - 1u;
    if (x == 0.0f) return kmax;
    uint32_t sign = x < 0.0f ? 1u : 0u;
    double a = x < 0.0f ? -(double)x : (double)x;
    double kstar = (double)gamma * (log2_wmax - hyb_log2_d(a));
    double kr = HYB_FLOOR(kstar + 0.5);
    uint32_t k;
    if (kr <= 0.0) k = 0;
    else if (kr >= (double)(kmax - 1u)) k = kmax - 1u;
    else k = (uint32_t)kr;
    return (sign << (bits - 1)) | k;
}

/* Decodes one valid code. */
HYB_HD float hyb_lns_decode_one(uint32_t code, int32_t bits, float gamma, float w_max) {
    const uint32_t kmax = (1u << (bits - 1)) - 1u;
    uint32_t k = code & kmax;
    if (k == kmax) return 0.0f;
    float m = hyb_lns_magnitude((int32_t)k, gamma, w_max);
    return (code >> (bits - 1)) ? -m : m;
}

/* Per-call constants of a Madam step (computed once on the host, identical everywhere). */
typedef struct hyb_madam_consts {
    float beta2;         /* beta2 */
    float one_m_beta2;   /* 1 - beta2, in float */
    float bias_corr;     /* 1 - beta2^t, rounded to float */
    float g_bound;
    float code_scale;    /* gamma * lr / ln 2, rounded to float (LNS step only) */
    float pot_scale;     /* 1 + asymmetry: potentiation (dk < 0, |w| grows) */
    float dep_scale;     /* 1 - asymmetry: depression */
    int32_t round_gradient; /* LNS: gh rounded to an integer before the code step (set by the caller) */
} hyb_madam_consts;

HYB_HD hyb_madam_consts hyb_madam_consts_make(float beta2, float g_bound, int64_t step,
                                              float gamma, float lr, float asymmetry) {
    hyb_madam_consts c;
    c.beta2 = beta2;
    c.one_m_beta2 = 1.0f - beta2;
    c.bias_corr = (float)(1.0 - hyb_powi_d((double)beta2, step));
    c.g_bound = g_bound;
    c.code_scale = (float)((double)gamma * (double)lr * HYB_INV_LN2);
    c.pot_scale = 1.0f + asymmetry;
    c.dep_scale = 1.0f - asymmetry;
    c.round_gradient = 0;
    return c;
}

/* An approximately standard normal from four uniforms (Irwin-Hall): (sum - 2) * sqrt(3). */
HYB_HD float hyb_irwin_hall4(float u0, float u1, float u2, float u3) {
    return (((u0 + u1) + (u2 + u3)) - 2.0f) * 1.73205080756887729f;
}

/* isfinite by the exponent bits (vectorises, and is the same on host and device). */
HYB_HD int hyb_isfinite_f32(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    return (u & 0x7F800000u) != 0x7F800000u;
}

/* The device factor of element e: 0 if stuck, else gain_e * (1 + c2c * z_e,step), with
 * gain_e = max(0, 1 + d2d * z_e) fixed per device; z are Irwin-Hall normals. Each option
 * draws only when it is on, so a model with all options off draws nothing. */
HYB_HD float hyb_lns_device_factor(uint64_t seed, int64_t step, uint32_t tensor_id, uint64_t e,
                                   float c2c, float d2d, float stuck_fraction) {
    float f = 1.0f;
    if (d2d > 0.0f) {
        hyb_u32x4 r = hyb_stream_block(seed, 0, tensor_id, HYB_RANDOM_PURPOSE_DEVICE_GAIN, e);
        float z = hyb_irwin_hall4(hyb_u32_to_unit_f32(r.v[0]), hyb_u32_to_unit_f32(r.v[1]),
                                  hyb_u32_to_unit_f32(r.v[2]), hyb_u32_to_unit_f32(r.v[3]));
        float gain = 1.0f + d2d * z;
        f = gain > 0.0f ? gain : 0.0f;
    }
    if (c2c > 0.0f) {
        hyb_u32x4 r = hyb_stream_block(seed, step, tensor_id, HYB_RANDOM_PURPOSE_STEP_NOISE, e);
        float z = hyb_irwin_hall4(hyb_u32_to_unit_f32(r.v[0]), hyb_u32_to_unit_f32(r.v[1]),
                                  hyb_u32_to_unit_f32(r.v[2]), hyb_u32_to_unit_f32(r.v[3]));
        f = f * (1.0f + c2c * z);
    }
    if (stuck_fraction > 0.0f) {
        hyb_u32x4 r = hyb_stream_block(seed, 0, tensor_id, HYB_RANDOM_PURPOSE_STUCK, e >> 2);
        f = hyb_u32_to_unit_f32(r.v[e & 3]) < stuck_fraction ? 0.0f : f;
    }
    return f;
}

#endif
