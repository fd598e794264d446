/* hybrid/device_response.h - how the step of a pulse depends on a device's state: the device
 * families of IBM aihwkit (ConstantStep, LinearStep, SoftBounds, ExpStep, PowStep, PiecewiseStep),
 * shared by the LNS step (hyb_lns_madam_config.response, the code domain) and the float-weight device
 * step (hybrid/device.h, the weight domain). docs/devices.md has the formulas and the departures.
 *
 * Two domains, one response. A device's state x lies between its bounds b_min < b_max:
 *  - code domain (the LNS synapse, hyb_lns_madam_config.response): x = 1 - 2 k / (K - 1) in [-1, 1]
 *    for magnitude index k (x = +1 at k = 0, |w| = w_max; x = -1 at k = K - 1, the smallest level),
 *    b_min = -1, b_max = +1, one pulse = one code level; "up" is potentiation (dk < 0, |w| grows);
 *  - weight domain (float rows, hyb_device_update_f32): x is the weight in device units, u = w / scale,
 *    between w_min and w_max; one pulse moves x by dw_min; "up" is dw > 0.
 * The step of a pulse in direction d (+1 up, -1 down) is scaled by the family's response f_d(x) >= 0:
 *    CONSTANT   f = 1
 *    LINEAR     f_up = 1 - gu x / b_max,  f_down = 1 - gd x / b_min,  gu = |gamma_up + gamma_up_dtod z|,
 *               gd = |gamma_down + gamma_down_dtod z'| per device
 *    SOFT_BOUNDS  LINEAR with gu = gd = 1: the step shrinks linearly to zero at the bound it approaches
 *    EXP        zz = 2 a x / (b_max - b_min) + b,  f_up = max(0, 1 - A_up e^(gamma_up zz)),
 *               f_down = max(0, 1 - A_down e^(-gamma_down zz))
 *    POW        om = (b_max - x) / (b_max - b_min),  f_up = om^gu,  f_down = (1 - om)^gd,
 *               g_d = pow_gamma (1 + d beta + pow_gamma_dtod z), beta = pow_up_down + pow_up_down_dtod z'
 *    PIECEWISE  linear interpolation of piecewise_up / piecewise_down, nodes equally spaced on [b_min, b_max]
 * (every f clamped at 0). Beside the response, every family takes the pulsed device's up/down asymmetry
 * (hyb_lns_madam_config.asymmetry = aihwkit's up_down) with a device-to-device spread up_down_dtod:
 * beta_i = asymmetry + up_down_dtod z_i, the up step scaled by max(0, 1 + beta_i), the down step by
 * max(0, 1 - beta_i). */
#ifndef HYBRID_DEVICE_RESPONSE_H
#define HYBRID_DEVICE_RESPONSE_H

#include <stdint.h>
#include "hybrid/export.h"

HYB_EXTERN_C_BEGIN

/* Piecewise-step tables hold at most this many nodes per direction (aihwkit's GPU limit is 64). */
#define HYB_DEVICE_MAX_NODES 16

/* The most pulses one programming event of the weight domain applies (|dw| / dw_min is clamped). */
#define HYB_DEVICE_MAX_PULSES 65536

/* The largest magnitude of a response parameter (slopes, exponents, A factors, nodes, spreads). */
#define HYB_DEVICE_MAX_PARAM 1000

/* How the step of a pulse depends on the device's state (aihwkit's device classes). */
typedef enum hyb_device_family {
    HYB_DEVICE_FAMILY_CONSTANT = 0,    /* ConstantStepDevice: the step does not depend on the state */
    HYB_DEVICE_FAMILY_LINEAR = 1,      /* LinearStepDevice: the step falls linearly towards each bound */
    HYB_DEVICE_FAMILY_SOFT_BOUNDS = 2, /* SoftBoundsDevice: linear, to zero at the bound (gamma = 1) */
    HYB_DEVICE_FAMILY_EXP = 3,         /* ExpStepDevice: exponential (CMOS-like) step */
    HYB_DEVICE_FAMILY_POW = 4,         /* PowStepDevice: power of the distance to the bound */
    HYB_DEVICE_FAMILY_PIECEWISE = 5    /* PiecewiseStepDevice: interpolated step tables */
} hyb_device_family;
HYB_STATIC_ASSERT(sizeof(hyb_device_family) == 4, "hyb_device_family must be 32-bit");

/* A device family and its parameters (aihwkit's names; the parameters a family does not use must be 0,
 * and piecewise entries at and beyond `nodes` must be 0). All finite, |value| <= HYB_DEVICE_MAX_PARAM. */
typedef struct hyb_device_response {
    hyb_device_family family; /* the family (CONSTANT: the step does not depend on the state) */
    float gamma_up;          /* LINEAR: slope gamma_up (aihwkit default 0); EXP: exponent gamma_up (12.44625) */
    float gamma_down;        /* LINEAR: gamma_down (0); EXP: gamma_down (12.78785) */
    float gamma_up_dtod;     /* LINEAR: device-to-device sd of gamma_up, absolute, >= 0 (aihwkit 0.05; Hybrid 0) */
    float gamma_down_dtod;   /* LINEAR: device-to-device sd of gamma_down, >= 0 */
    float a_up;              /* EXP: A_up (0.00081), >= 0 */
    float a_down;            /* EXP: A_down (0.36833), >= 0 */
    float exp_a;             /* EXP: global slope a (0.244) */
    float exp_b;             /* EXP: global offset b (0.2425) */
    float pow_gamma;         /* POW: pow_gamma (1), >= 0 */
    float pow_gamma_dtod;    /* POW: device-to-device sd of pow_gamma, relative, >= 0 (aihwkit 0.1; Hybrid 0) */
    float pow_up_down;       /* POW: up/down bias of pow_gamma (0) */
    float pow_up_down_dtod;  /* POW: its device-to-device sd, >= 0 (0) */
    float up_down_dtod;      /* every family: device-to-device sd of the up/down asymmetry, >= 0 (aihwkit 0.01; Hybrid 0) */
    int32_t nodes;           /* PIECEWISE: nodes per table, 1 .. HYB_DEVICE_MAX_NODES (0 for the other families) */
    float piecewise_up[HYB_DEVICE_MAX_NODES];   /* PIECEWISE: up-step factors, >= 0, equally spaced on [b_min, b_max] */
    float piecewise_down[HYB_DEVICE_MAX_NODES]; /* PIECEWISE: down-step factors, >= 0 */
    int32_t reserved;        /* zero */
} hyb_device_response;
HYB_STATIC_ASSERT(sizeof(hyb_device_response) == 192, "hyb_device_response layout changed");

HYB_EXTERN_C_END

#endif /* HYBRID_DEVICE_RESPONSE_H */
