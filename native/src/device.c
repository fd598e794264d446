/* device.c - the device kernels of hybrid/device.h on the CPU: the programming events of an LNS step
 * (pulses, write noise), reading LNS codes and float device weights (write offsets, read noise, drift)
 * and the float-weight device step (the weight domain). The element maths is device_math.h's, shared
 * with CUDA and mirrored by the C# twin; these kernels are scalar (several Philox blocks per element:
 * compute-bound) and threaded through hyb_parallel, so results never depend on the thread count. */
#include <math.h>
#include "internal.h"
#include "device_math.h"

static uint32_t code_at(const void* p, int cb, int64_t i) {
    return cb == 1 ? ((const uint8_t*)p)[i] : ((const uint16_t*)p)[i];
}

static hyb_status check_sd(const char* fn, const char* name, float x) {
    if (!(x >= 0.0f && x <= (float)HYB_DEVICE_MAX_SD))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: %s = %g is outside [0, %d]", fn, name, (double)x,
                        HYB_DEVICE_MAX_SD);
    return HYB_STATUS_OK;
}

static hyb_status check_drift(const char* fn, float nu, float nu_dtod, double t, double t0) {
    if (!(nu >= 0.0f && nu <= 1.0f))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: drift_nu = %g is outside [0, 1]", fn, (double)nu);
    hyb_status st = check_sd(fn, "drift_nu_dtod", nu_dtod);
    if (st) return st;
    if (!(t >= 0.0) || !isfinite(t))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: drift_time = %g must be finite and >= 0 (seconds)", fn, t);
    if (!(t0 > 0.0) || !isfinite(t0))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: drift_t0 = %g must be finite and > 0 (seconds)", fn, t0);
    return HYB_STATUS_OK;
}

static hyb_status check_codes(const char* fn, const char* name, const void* codes, int cb, int32_t bits,
                              int64_t n) {
    const int64_t bad = hyb_find_bad_code(codes, cb, bits, n);
    if (bad >= 0)
        return hyb_fail(HYB_STATUS_INVALID_CODE, "%s: %s[%lld] = %u has bits above bit %d of a %d-bit format",
                        fn, name, (long long)bad, code_at(codes, cb, bad), (int)bits - 1, (int)bits);
    return HYB_STATUS_OK;
}

/* ---- the programming events of an LNS step ---- */

typedef struct program_job {
    const hyb_lns_program_config* cfg;
    const void *before, *after;
    float* offsets;
    int cb;
} program_job;

static void program_range(const void* p, int64_t b, int64_t e, int64_t counts[2]) {
    const program_job* j = (const program_job*)p;
    const uint32_t kmax = (1u << (j->cfg->bits - 1)) - 1u;
    const int noisy = j->cfg->write_noise_std > 0.0f && j->offsets != NULL;
    for (int64_t i = b; i < e; ++i) {
        const uint32_t c0 = code_at(j->before, j->cb, i), c1 = code_at(j->after, j->cb, i);
        if (c0 == c1) continue;
        const int32_t k0 = (int32_t)(c0 & kmax), k1 = (int32_t)(c1 & kmax);
        counts[0] += 1;
        counts[1] += k1 > k0 ? k1 - k0 : k0 - k1;
        if (noisy)
            j->offsets[i] = j->cfg->write_noise_std * hyb_device_normal(j->cfg->seed, j->cfg->step, j->cfg->tensor_id,
                                                                        HYB_RANDOM_PURPOSE_WRITE_NOISE, (uint64_t)i);
    }
}

static hyb_status lns_program(const char* fn, const hyb_lns_program_config* cfg, int cb, const void* before,
                              const void* after, float* offsets, int64_t n, hyb_program_stats* stats) {
    hyb_clear_error();
    if (cfg == NULL) return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: config is NULL", fn);
    const int max_bits = cb == 1 ? 8 : HYB_LNS_MAX_BITS;
    if (cfg->bits < HYB_LNS_MIN_BITS || cfg->bits > max_bits)
        return hyb_fail(HYB_STATUS_INVALID_FORMAT, "%s: bits = %d is outside [%d, %d] for %s codes", fn,
                        (int)cfg->bits, HYB_LNS_MIN_BITS, max_bits, cb == 1 ? "uint8" : "uint16");
    hyb_status st = check_sd(fn, "write_noise_std", cfg->write_noise_std);
    if (st) return st;
    if (cfg->step < 0)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: step = %lld must be >= 0", fn, (long long)cfg->step);
    if (cfg->reserved != 0) return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: config.reserved must be 0", fn);
    if ((st = hyb_check_length(fn, n)) || (st = hyb_check_ptr(fn, before, "before", n)) ||
        (st = hyb_check_ptr(fn, after, "after", n)))
        return st;
    if (cfg->write_noise_std > 0.0f && (st = hyb_check_ptr(fn, offsets, "offsets (write noise is on)", n)))
        return st;
    const size_t cbytes = (size_t)n * (size_t)cb, fbytes = offsets ? (size_t)n * 4 : 0;
    if ((st = hyb_check_disjoint(fn, offsets, fbytes, "offsets", before, cbytes, "before")) ||
        (st = hyb_check_disjoint(fn, offsets, fbytes, "offsets", after, cbytes, "after")))
        return st;
    if (!hyb_cpu()) return HYB_STATUS_INVALID_ARGUMENT;
    if ((st = check_codes(fn, "before", before, cb, cfg->bits, n)) ||
        (st = check_codes(fn, "after", after, cb, cfg->bits, n)))
        return st;
    const program_job job = {cfg, before, after, offsets, cb};
    int64_t counts[2];
    hyb_parallel(n, HYB_CHUNK, n, program_range, &job, counts);
    if (stats) {
        stats->elements = n;
        stats->programmed = counts[0];
        stats->pulses = counts[1];
        stats->reserved = 0;
    }
    return HYB_STATUS_OK;
}

hyb_status hyb_lns_program_u8(const hyb_lns_program_config* config, const uint8_t* before, const uint8_t* after,
                              float* offsets, int64_t n, hyb_program_stats* stats) {
    return lns_program("hyb_lns_program_u8", config, 1, before, after, offsets, n, stats);
}

hyb_status hyb_lns_program_u16(const hyb_lns_program_config* config, const uint16_t* before,
                               const uint16_t* after, float* offsets, int64_t n, hyb_program_stats* stats) {
    return lns_program("hyb_lns_program_u16", config, 2, before, after, offsets, n, stats);
}

/* ---- reading LNS codes ---- */

typedef struct lns_read_job {
    const hyb_lns_read_config* cfg;
    const void* codes;
    const float* offsets;
    float* x;
    int cb;
    double l2; /* log2((t + t0) / t0) */
} lns_read_job;

static void lns_read_range(const void* p, int64_t b, int64_t e, int64_t counts[2]) {
    const lns_read_job* j = (const lns_read_job*)p;
    const hyb_lns_read_config* c = j->cfg;
    const int32_t bits = c->format.bits;
    const uint32_t kmax = (1u << (bits - 1)) - 1u;
    const int drift = c->drift_nu > 0.0f && j->l2 > 0.0;
    (void)counts;
    for (int64_t i = b; i < e; ++i) {
        const uint32_t code = code_at(j->codes, j->cb, i);
        const uint32_t k = code & kmax;
        if (k == kmax) {
            j->x[i] = 0.0f;
            continue;
        }
        const float o = j->offsets ? j->offsets[i] : 0.0f;
        const float rn = c->read_noise_std > 0.0f
            ? c->read_noise_std * hyb_device_normal(c->seed, c->read, c->tensor_id, HYB_RANDOM_PURPOSE_READ_NOISE,
                                                    (uint64_t)i)
            : 0.0f;
        const double nl = drift ? (double)hyb_device_drift_nu(c->drift_nu, c->drift_nu_dtod, c->seed, c->tensor_id,
                                                               (uint64_t)i) * j->l2
                                : 0.0;
        const float m = hyb_lns_read_magnitude((int32_t)k, o, rn, nl, c->format.gamma, c->format.w_max);
        j->x[i] = (code >> (bits - 1)) ? -m : m;
    }
}

static hyb_status lns_read(const char* fn, const hyb_lns_read_config* cfg, int cb, const void* codes,
                           const float* offsets, float* x, int64_t n) {
    hyb_clear_error();
    if (cfg == NULL) return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: config is NULL", fn);
    hyb_status st = hyb_check_lns_format(fn, &cfg->format, cb);
    if (st) return st;
    if (cfg->read < 0)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: read = %lld must be >= 0", fn, (long long)cfg->read);
    if ((st = check_sd(fn, "read_noise_std", cfg->read_noise_std)) ||
        (st = check_drift(fn, cfg->drift_nu, cfg->drift_nu_dtod, cfg->drift_time, cfg->drift_t0)) ||
        (st = hyb_check_length(fn, n)) || (st = hyb_check_ptr(fn, codes, "codes", n)) ||
        (st = hyb_check_ptr(fn, x, "x", n)))
        return st;
    const size_t fb = (size_t)n * 4;
    if ((st = hyb_check_disjoint(fn, x, fb, "x", codes, (size_t)n * (size_t)cb, "codes")) ||
        (st = hyb_check_disjoint(fn, x, fb, "x", offsets, offsets ? fb : 0, "offsets")))
        return st;
    if (!hyb_cpu()) return HYB_STATUS_INVALID_ARGUMENT;
    if ((st = check_codes(fn, "codes", codes, cb, cfg->format.bits, n))) return st;
    if (offsets) {
        const int64_t bad = hyb_find_nonfinite(offsets, n);
        if (bad >= 0)
            return hyb_fail(HYB_STATUS_NON_FINITE, "%s: offsets[%lld] = %g is not finite", fn, (long long)bad,
                            (double)offsets[bad]);
    }
    const lns_read_job job = {cfg, codes, offsets, x, cb, hyb_device_drift_log2(cfg->drift_time, cfg->drift_t0)};
    int64_t counts[2];
    hyb_parallel(n, HYB_CHUNK, n, lns_read_range, &job, counts);
    return HYB_STATUS_OK;
}

hyb_status hyb_lns_read_u8(const hyb_lns_read_config* config, const uint8_t* codes, const float* offsets, float* x,
                           int64_t n) {
    return lns_read("hyb_lns_read_u8", config, 1, codes, offsets, x, n);
}

hyb_status hyb_lns_read_u16(const hyb_lns_read_config* config, const uint16_t* codes, const float* offsets,
                            float* x, int64_t n) {
    return lns_read("hyb_lns_read_u16", config, 2, codes, offsets, x, n);
}

/* ---- the float-weight device step (weight domain) ---- */

typedef struct update_job {
    const hyb_device_update_config* cfg;
    float *hidden, *apparent;
    const float* dw;
} update_job;

static void update_range(const void* p, int64_t b, int64_t e, int64_t counts[2]) {
    const update_job* j = (const update_job*)p;
    const hyb_device_update_config* c = j->cfg;
    const hyb_device_response* r = &c->response;
    const int stochastic = c->rounding == HYB_ROUNDING_STOCHASTIC;
    const float wn = c->write_noise_std * c->dw_min; /* write noise sd in device units */
    if (c->step == 0) { /* the initial programming: every device to its hidden state */
        for (int64_t i = b; i < e; ++i) {
            const float h = j->hidden[i];
            const float ha = wn > 0.0f
                ? h + wn * hyb_device_normal(c->seed, 0, c->tensor_id, HYB_RANDOM_PURPOSE_WRITE_NOISE, (uint64_t)i)
                : h;
            j->apparent[i] = ha * c->scale;
            counts[0] += 1;
        }
        return;
    }
    for (int64_t i = b; i < e; ++i) {
        const float du = j->dw[i] / c->scale;
        const float a = (du < 0.0f ? -du : du) / c->dw_min;
        float np = HYB_FLOORF(a + (stochastic ? hyb_device_pulse_uniform(c->seed, c->step, c->tensor_id, (uint64_t)i)
                                              : 0.5f));
        np = np > (float)HYB_DEVICE_MAX_PULSES ? (float)HYB_DEVICE_MAX_PULSES : np;
        if (!(np > 0.0f)) continue;
        const float h = j->hidden[i];
        const float hn = hyb_device_weight_step(c, h, np, du > 0.0f, (uint64_t)i);
        if (hn == h) continue;
        counts[0] += 1;
        counts[1] += (int64_t)np;
        j->hidden[i] = hn;
        const float ha = wn > 0.0f
            ? hn + wn * hyb_device_normal(c->seed, c->step, c->tensor_id, HYB_RANDOM_PURPOSE_WRITE_NOISE, (uint64_t)i)
            : hn;
        j->apparent[i] = ha * c->scale;
    }
    (void)r;
}

hyb_status hyb_device_update_f32(const hyb_device_update_config* cfg, float* hidden, float* apparent,
                                 const float* dw, int64_t n, hyb_program_stats* stats) {
    static const char* fn = "hyb_device_update_f32";
    hyb_clear_error();
    if (cfg == NULL) return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: config is NULL", fn);
    hyb_status st = hyb_check_device_response(fn, &cfg->response);
    if (st) return st;
    if (cfg->step < 0)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: step = %lld must be >= 0", fn, (long long)cfg->step);
    if (cfg->rounding != HYB_ROUNDING_NEAREST && cfg->rounding != HYB_ROUNDING_STOCHASTIC)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: rounding %d is unknown", fn, (int)cfg->rounding);
    if (!(cfg->scale > 0.0f) || !isfinite(cfg->scale))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: scale = %g must be finite and > 0", fn, (double)cfg->scale);
    if (!(cfg->dw_min > 0.0f) || !isfinite(cfg->dw_min))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: dw_min = %g must be finite and > 0", fn, (double)cfg->dw_min);
    if (!isfinite(cfg->w_min) || !isfinite(cfg->w_max) || !(cfg->w_min < cfg->w_max))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: bounds w_min = %g, w_max = %g must be finite with w_min < w_max",
                        fn, (double)cfg->w_min, (double)cfg->w_max);
    if ((st = check_sd(fn, "c2c_noise", cfg->c2c_noise)) || (st = check_sd(fn, "d2d_gain_sd", cfg->d2d_gain_sd)) ||
        (st = check_sd(fn, "write_noise_std", cfg->write_noise_std)))
        return st;
    if (!(cfg->asymmetry > -1.0f && cfg->asymmetry < 1.0f))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: asymmetry = %g is outside (-1, 1)", fn, (double)cfg->asymmetry);
    if (!(cfg->stuck_fraction >= 0.0f && cfg->stuck_fraction <= 1.0f))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: stuck_fraction = %g is outside [0, 1]", fn,
                        (double)cfg->stuck_fraction);
    if (cfg->reserved != 0) return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: config.reserved must be 0", fn);
    if ((st = hyb_check_length(fn, n)) || (st = hyb_check_ptr(fn, hidden, "hidden", n)) ||
        (st = hyb_check_ptr(fn, apparent, "apparent", n)) || (st = hyb_check_ptr(fn, dw, "dw", n)))
        return st;
    const size_t fb = (size_t)n * 4;
    if ((st = hyb_check_disjoint(fn, hidden, fb, "hidden", apparent, fb, "apparent")) ||
        (st = hyb_check_disjoint(fn, hidden, fb, "hidden", dw, fb, "dw")) ||
        (st = hyb_check_disjoint(fn, apparent, fb, "apparent", dw, fb, "dw")))
        return st;
    if (!hyb_cpu()) return HYB_STATUS_INVALID_ARGUMENT;
    int64_t bad = hyb_find_nonfinite(dw, n);
    if (bad >= 0)
        return hyb_fail(HYB_STATUS_NON_FINITE, "%s: dw[%lld] = %g is not finite", fn, (long long)bad, (double)dw[bad]);
    if ((bad = hyb_find_nonfinite(hidden, n)) >= 0)
        return hyb_fail(HYB_STATUS_NON_FINITE, "%s: hidden[%lld] = %g is not finite", fn, (long long)bad,
                        (double)hidden[bad]);
    if (cfg->step == 0)
        for (int64_t i = 0; i < n; ++i)
            if (dw[i] != 0.0f)
                return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                                "%s: dw[%lld] = %g at step 0 (the initial programming takes no update)", fn,
                                (long long)i, (double)dw[i]);
    const update_job job = {cfg, hidden, apparent, dw};
    int64_t counts[2];
    hyb_parallel(n, HYB_CHUNK, n, update_range, &job, counts);
    if (stats) {
        stats->elements = n;
        stats->programmed = counts[0];
        stats->pulses = counts[1];
        stats->reserved = 0;
    }
    return HYB_STATUS_OK;
}

/* ---- reading float device weights ---- */

typedef struct read_job {
    const hyb_device_read_config* cfg;
    const float* w;
    float* out;
    double l2;
} read_job;

static void read_range(const void* p, int64_t b, int64_t e, int64_t counts[2]) {
    const read_job* j = (const read_job*)p;
    const hyb_device_read_config* c = j->cfg;
    const int drift = c->drift_nu > 0.0f && j->l2 > 0.0;
    (void)counts;
    for (int64_t i = b; i < e; ++i) {
        float y = j->w[i];
        if (drift)
            y = hyb_device_drift_weight(y, hyb_device_drift_nu(c->drift_nu, c->drift_nu_dtod, c->seed, c->tensor_id,
                                                               (uint64_t)i), j->l2);
        if (c->read_noise > 0.0f)
            y = y + c->read_noise * hyb_device_normal(c->seed, c->read, c->tensor_id, HYB_RANDOM_PURPOSE_READ_NOISE,
                                                      (uint64_t)i);
        j->out[i] = y;
    }
}

hyb_status hyb_device_read_f32(const hyb_device_read_config* cfg, const float* w, float* out, int64_t n) {
    static const char* fn = "hyb_device_read_f32";
    hyb_clear_error();
    if (cfg == NULL) return hyb_fail(HYB_STATUS_NULL_POINTER, "%s: config is NULL", fn);
    if (cfg->read < 0)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: read = %lld must be >= 0", fn, (long long)cfg->read);
    if (!(cfg->read_noise >= 0.0f) || !isfinite(cfg->read_noise))
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT, "%s: read_noise = %g must be finite and >= 0", fn,
                        (double)cfg->read_noise);
    hyb_status st = check_drift(fn, cfg->drift_nu, cfg->drift_nu_dtod, cfg->drift_time, cfg->drift_t0);
    if (st || (st = hyb_check_length(fn, n)) || (st = hyb_check_ptr(fn, w, "w", n)) ||
        (st = hyb_check_ptr(fn, out, "out", n)))
        return st;
    const size_t fb = (size_t)n * 4;
    if ((st = hyb_check_disjoint(fn, w, fb, "w", out, fb, "out"))) return st;
    if (!hyb_cpu()) return HYB_STATUS_INVALID_ARGUMENT;
    const int64_t bad = hyb_find_nonfinite(w, n);
    if (bad >= 0)
        return hyb_fail(HYB_STATUS_NON_FINITE, "%s: w[%lld] = %g is not finite", fn, (long long)bad, (double)w[bad]);
    const read_job job = {cfg, w, out, hyb_device_drift_log2(cfg->drift_time, cfg->drift_t0)};
    int64_t counts[2];
    hyb_parallel(n, HYB_CHUNK, n, read_range, &job, counts);
    return HYB_STATUS_OK;
}
