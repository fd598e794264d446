/* hybrid/device.h - synapses as analog devices have them: state-dependent steps (device families),
 * write noise per programming event, read noise per read, conductance bounds and drift.
 *
 * Names, meanings and defaults follow IBM aihwkit's device documentation (PulsedDevice,
 * LinearStepDevice, SoftBoundsDevice, ExpStepDevice, PowStepDevice, PiecewiseStepDevice, the PCM
 * drift model); docs/devices.md gives every formula and says where Hybrid departs. Every draw comes
 * from the Philox stream (hybrid/random.h) keyed by (seed, step or read, tensor id, element), and
 * every normal is the Irwin-Hall sum of four uniforms, (u1 + u2 + u3 + u4 - 2) sqrt(3) (exact
 * arithmetic, bounded at +-2 sqrt(3)), so every backend gives the same bits.
 *
 * The families and their response: hybrid/device_response.h. */
#ifndef HYBRID_DEVICE_H
#define HYBRID_DEVICE_H

#include <stdint.h>
#include "hybrid/export.h"
#include "hybrid/status.h"
#include "hybrid/limits.h"
#include "hybrid/lns.h"

HYB_EXTERN_C_BEGIN

/* What programming did: the states that changed and the pulses that changed them. */
typedef struct hyb_program_stats {
    int64_t elements;   /* n */
    int64_t programmed; /* programming events: elements whose stored state changed */
    int64_t pulses;     /* code domain: sum of |k_after - k_before|; weight domain: pulses of the programmed elements */
    int64_t reserved;   /* zero */
} hyb_program_stats;
HYB_STATIC_ASSERT(sizeof(hyb_program_stats) == 32, "hyb_program_stats layout changed");

/* The programming events of an LNS step (code domain): for every element whose code changed from
 * `before` to `after`, one event of |k_after - k_before| pulses and, with write noise, a fresh write
 * offset o_i = write_noise_std z_i (purpose HYB_RANDOM_PURPOSE_WRITE_NOISE, counter step `step`), in
 * code levels: the apparent weight is then w_max 2^(-(k + o_i) / gamma) (hyb_lns_read_*) until the
 * element is programmed again. Offsets of unchanged elements are left as they are. */
typedef struct hyb_lns_program_config {
    int32_t bits;            /* the codes' B, 2 .. 16 */
    float write_noise_std;   /* write noise sd in code levels (= dw_min of the code domain), [0, HYB_DEVICE_MAX_SD] */
    uint64_t seed;           /* the run's seed (the Philox key) */
    int64_t step;            /* the step that programmed (>= 0; 0 = the initial programming) */
    uint32_t tensor_id;      /* the tensor's sub-stream */
    int32_t reserved;        /* zero */
} hyb_lns_program_config;
HYB_STATIC_ASSERT(sizeof(hyb_lns_program_config) == 32, "hyb_lns_program_config layout changed");

/* How an LNS tensor is read (code domain): per element of non-zero code,
 *     kr   = k + o_i + read_noise_std z_i,read          (float; z from HYB_RANDOM_PURPOSE_READ_NOISE, counter `read`)
 *     |w|  = w_max 2^(-kr / gamma - nu_i log2((t + t0) / t0))    (double, rounded once to float)
 * with the drift exponent nu_i = max(0, drift_nu (1 + drift_nu_dtod z_i)) fixed per device
 * (HYB_RANDOM_PURPOSE_DRIFT_NU, step 0) and t = drift_time seconds since programming (aihwkit's PCM
 * model: g(t) = g0 ((t + t0) / t0)^-nu). Zero codes read 0. With no offsets, no noise and no drift the
 * result is hyb_lns_decode_*'s, bit for bit. */
typedef struct hyb_lns_read_config {
    hyb_lns_format format;   /* the codes' format */
    uint64_t seed;           /* the run's seed */
    int64_t read;            /* which read (>= 0): the read noise's counter */
    uint32_t tensor_id;      /* the tensor's sub-stream */
    float read_noise_std;    /* read noise sd in code levels, [0, HYB_DEVICE_MAX_SD] */
    float drift_nu;          /* mean drift exponent nu, [0, 1] (aihwkit DriftParameter.nu: 0 = off) */
    float drift_nu_dtod;     /* device-to-device sd of nu, relative, [0, HYB_DEVICE_MAX_SD] */
    double drift_time;       /* t: seconds since programming, >= 0 and finite */
    double drift_t0;         /* t0: seconds from programming to the first read, > 0 (PCM model: 20) */
} hyb_lns_read_config;
HYB_STATIC_ASSERT(sizeof(hyb_lns_read_config) == 64, "hyb_lns_read_config layout changed");

/* One programming step of float weights on a device (weight domain), the device's response applied
 * to the update dw a float optimiser proposes. Per element, in device units (u = w / scale):
 *     n   = floor(|dw / scale| / dw_min + r)        pulses (r stochastic from HYB_RANDOM_PURPOSE_PULSE_ROUNDING,
 *                                                     counter `step`, or 1/2; n <= HYB_DEVICE_MAX_PULSES)
 *     du  = d n dw_min s_d fac f_d(u)               d = sign(dw); s_d = 1 +- beta_i; fac = the LNS step's device
 *                                                     factor (gain, cycle noise, stuck); f_d the family's response
 *     u'  = clamp(u + du, w_min, w_max)             hard conductance bounds
 * and, where u' != u (a programming event), the apparent weight = (u' + write_noise_std dw_min z) scale,
 * z from HYB_RANDOM_PURPOSE_WRITE_NOISE (counter `step`). hidden holds u, apparent the weights the forward
 * pass sees; elements not programmed keep both. Step 0 is the initial programming: every device is programmed
 * to its hidden state, apparent = (hidden + write_noise_std dw_min z) scale (dw must be all zero; hidden is kept). */
typedef struct hyb_device_update_config {
    hyb_device_response response; /* family and parameters */
    uint64_t seed;           /* the run's seed */
    int64_t step;            /* t >= 1: the step (random counters); 0: the initial programming */
    uint32_t tensor_id;      /* the tensor's sub-stream */
    hyb_rounding rounding;   /* of the pulse count: nearest or stochastic */
    float scale;             /* weight units per device unit, finite, > 0 */
    float dw_min;            /* the step of one pulse in device units, finite, > 0 (aihwkit 0.001) */
    float w_min;             /* lower bound in device units (aihwkit -0.6), finite, < w_max */
    float w_max;             /* upper bound in device units (aihwkit 0.6), finite */
    float c2c_noise;         /* cycle-to-cycle relative step noise (aihwkit dw_min_std; Hybrid 0), [0, 10] */
    float d2d_gain_sd;       /* device-to-device step-gain spread (aihwkit dw_min_dtod; Hybrid 0), [0, 10] */
    float asymmetry;         /* up/down asymmetry (aihwkit up_down), (-1, 1) */
    float stuck_fraction;    /* fraction of devices that never move, [0, 1] */
    float write_noise_std;   /* write noise sd in units of dw_min (aihwkit write_noise_std), [0, 10] */
    int32_t reserved;        /* zero */
} hyb_device_update_config;
HYB_STATIC_ASSERT(sizeof(hyb_device_update_config) == 256, "hyb_device_update_config layout changed");

/* How float device weights are read (weight domain): out = w 2^(-nu_i log2((t + t0) / t0)) + read_noise z,
 * z per read (HYB_RANDOM_PURPOSE_READ_NOISE, counter `read`), nu_i as in hyb_lns_read_config. */
typedef struct hyb_device_read_config {
    uint64_t seed;           /* the run's seed */
    int64_t read;            /* which read (>= 0) */
    uint32_t tensor_id;      /* the tensor's sub-stream */
    float read_noise;        /* read noise sd in weight units, finite, >= 0 */
    float drift_nu;          /* mean drift exponent, [0, 1] */
    float drift_nu_dtod;     /* its relative device-to-device sd, [0, HYB_DEVICE_MAX_SD] */
    double drift_time;       /* seconds since programming, >= 0 and finite */
    double drift_t0;         /* seconds, > 0 */
} hyb_device_read_config;
HYB_STATIC_ASSERT(sizeof(hyb_device_read_config) == 48, "hyb_device_read_config layout changed");

/* The programming events of an LNS step (see hyb_lns_program_config): before and after hold n codes;
 * offsets holds n floats (updated in place), or is NULL when write_noise_std = 0. stats may be NULL.
 * Fails, writing nothing, on codes outside the format or overlapping buffers. */
HYB_API hyb_status hyb_lns_program_u8(const hyb_lns_program_config* config, const uint8_t* before,
                                      const uint8_t* after, float* offsets, int64_t n,
                                      hyb_program_stats* stats);
HYB_API hyb_status hyb_lns_program_u16(const hyb_lns_program_config* config, const uint16_t* before,
                                       const uint16_t* after, float* offsets, int64_t n,
                                       hyb_program_stats* stats);

/* Reads codes[0..n-1] into x (see hyb_lns_read_config); offsets may be NULL (all 0). Fails on codes
 * outside the format, non-finite offsets or overlapping buffers. */
HYB_API hyb_status hyb_lns_read_u8(const hyb_lns_read_config* config, const uint8_t* codes,
                                   const float* offsets, float* x, int64_t n);
HYB_API hyb_status hyb_lns_read_u16(const hyb_lns_read_config* config, const uint16_t* codes,
                                    const float* offsets, float* x, int64_t n);

/* One programming step in the weight domain (see hyb_device_update_config): hidden and apparent are
 * updated in place from dw. stats may be NULL. Fails, writing nothing, on a non-finite dw or hidden
 * value, a non-zero dw at step 0, or overlapping buffers. */
HYB_API hyb_status hyb_device_update_f32(const hyb_device_update_config* config, float* hidden,
                                         float* apparent, const float* dw, int64_t n,
                                         hyb_program_stats* stats);

/* Reads device weights w[0..n-1] into out (see hyb_device_read_config). Fails on non-finite w or
 * overlapping buffers. */
HYB_API hyb_status hyb_device_read_f32(const hyb_device_read_config* config, const float* w,
                                       float* out, int64_t n);

HYB_EXTERN_C_END

#endif /* HYBRID_DEVICE_H */
