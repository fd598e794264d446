/* Bad input at the C level: every entry point fails with the right status and a message
 * that names the problem, and leaves every output buffer as it was. */
#include <math.h>
#include "check.h"

#define N 64
static uint8_t codes8[N], codes8_copy[N];
static uint16_t codes16[N], codes16_copy[N];
static float x[N], g[N], v[N], w[N];
static float x_copy[N], v_copy[N], w_copy[N];

static void fill(void) {
    for (int i = 0; i < N; ++i) {
        codes8[i] = (uint8_t)(i * 3 % 255); codes16[i] = (uint16_t)(i * 7);
        x[i] = 0.01f * (float)(i - 32); g[i] = 0.1f * (float)(i % 5) - 0.2f;
        v[i] = 0.01f * (float)i; w[i] = 0.02f * (float)(i - 30);
    }
    memcpy(codes8_copy, codes8, sizeof codes8); memcpy(codes16_copy, codes16, sizeof codes16);
    memcpy(x_copy, x, sizeof x); memcpy(v_copy, v, sizeof v); memcpy(w_copy, w, sizeof w);
}

static void unchanged(const char* what) {
    CHECK(memcmp(codes8, codes8_copy, sizeof codes8) == 0, "%s: codes8 changed", what);
    CHECK(memcmp(codes16, codes16_copy, sizeof codes16) == 0, "%s: codes16 changed", what);
    CHECK(memcmp(x, x_copy, sizeof x) == 0, "%s: x changed", what);
    CHECK(memcmp(v, v_copy, sizeof v) == 0, "%s: v changed", what);
    CHECK(memcmp(w, w_copy, sizeof w) == 0, "%s: w changed", what);
}

int main(void) {
    hyb_lns_format f8 = {8, 8.0f, 1.0f, 0};
    hyb_lns_format f12 = {12, 64.0f, 1.0f, 0};
    hyb_lns_madam_config c;
    memset(&c, 0, sizeof c);
    c.format = f8; c.lr = 0.01f; c.beta2 = 0.999f; c.g_bound = 10.0f; c.step = 1;
    c.random_bits = HYB_RANDOM_BITS_DEFAULT;

    fill();
    /* formats */
    hyb_lns_format bad = f8;
    bad.bits = 1;  CHECK_FAILS(hyb_lns_encode_u8(&bad, x, codes8, N), HYB_STATUS_INVALID_FORMAT, "bits = 1");
    bad.bits = 9;  CHECK_FAILS(hyb_lns_encode_u8(&bad, x, codes8, N), HYB_STATUS_INVALID_FORMAT, "uint8");
    bad.bits = 17; CHECK_FAILS(hyb_lns_encode_u16(&bad, x, codes16, N), HYB_STATUS_INVALID_FORMAT, "bits = 17");
    bad = f8; bad.gamma = 0.0f; CHECK_FAILS(hyb_lns_decode_u8(&bad, codes8, x, N), HYB_STATUS_INVALID_FORMAT, "gamma");
    bad = f8; bad.gamma = NAN; CHECK_FAILS(hyb_lns_decode_u8(&bad, codes8, x, N), HYB_STATUS_INVALID_FORMAT, "gamma");
    bad = f8; bad.w_max = -1.0f; CHECK_FAILS(hyb_lns_decode_u8(&bad, codes8, x, N), HYB_STATUS_INVALID_FORMAT, "w_max");
    bad = f8; bad.w_max = INFINITY; CHECK_FAILS(hyb_lns_decode_u8(&bad, codes8, x, N), HYB_STATUS_INVALID_FORMAT, "w_max");
    bad = f12; bad.gamma = 1.0f; CHECK_FAILS(hyb_lns_decode_u16(&bad, codes16, x, N), HYB_STATUS_INVALID_FORMAT, "underflows");
    CHECK_FAILS(hyb_lns_encode_u8(NULL, x, codes8, N), HYB_STATUS_NULL_POINTER, "format");
    unchanged("formats");
    /* pointers and lengths */
    CHECK_FAILS(hyb_lns_encode_u8(&f8, NULL, codes8, N), HYB_STATUS_NULL_POINTER, "x");
    CHECK_FAILS(hyb_lns_encode_u8(&f8, x, NULL, N), HYB_STATUS_NULL_POINTER, "codes");
    CHECK_FAILS(hyb_lns_encode_u8(&f8, x, codes8, -1), HYB_STATUS_INVALID_LENGTH, "n = -1");
    CHECK_OK(hyb_lns_encode_u8(&f8, NULL, NULL, 0)); /* empty is fine */
    /* non-finite input to encode, anywhere in the tensor */
    x[40] = NAN;
    memcpy(x_copy, x, sizeof x);
    CHECK_FAILS(hyb_lns_encode_u8(&f8, x, codes8, N), HYB_STATUS_NON_FINITE, "x[40]");
    x[40] = 0.0f;
    memcpy(x_copy, x, sizeof x);
    /* overlap: codes inside x */
    CHECK_FAILS(hyb_lns_encode_u8(&f8, x, (uint8_t*)(x + 4), 8), HYB_STATUS_OVERLAP, "overlap");
    CHECK_FAILS(hyb_lns_decode_u16(&f12, codes16, (float*)(codes16 + 2), 4), HYB_STATUS_OVERLAP, "overlap");
    /* invalid codes: a bit above B */
    codes16[17] = 1u << 12;
    memcpy(codes16_copy, codes16, sizeof codes16);
    CHECK_FAILS(hyb_lns_decode_u16(&f12, codes16, x, N), HYB_STATUS_INVALID_CODE, "codes[17]");
    unchanged("decode");
    /* steps */
    hyb_lns_madam_config cb = c;
    cb.format.bits = 12; cb.format.gamma = 64.0f;
    CHECK_FAILS(hyb_lns_madam_step_u16(&cb, codes16, g, N, v, N, NULL), HYB_STATUS_INVALID_CODE, "codes[17]");
    codes16[17] = 0;
    memcpy(codes16_copy, codes16, sizeof codes16);
    cb = c; cb.step = 0;   CHECK_FAILS(hyb_lns_madam_step_u8(&cb, codes8, g, N, v, N, NULL), HYB_STATUS_INVALID_ARGUMENT, "step");
    cb = c; cb.beta2 = 1;  CHECK_FAILS(hyb_lns_madam_step_u8(&cb, codes8, g, N, v, N, NULL), HYB_STATUS_INVALID_ARGUMENT, "beta2");
    cb = c; cb.lr = -1;    CHECK_FAILS(hyb_lns_madam_step_u8(&cb, codes8, g, N, v, N, NULL), HYB_STATUS_INVALID_ARGUMENT, "lr");
    cb = c; cb.g_bound = 0;CHECK_FAILS(hyb_lns_madam_step_u8(&cb, codes8, g, N, v, N, NULL), HYB_STATUS_INVALID_ARGUMENT, "g_bound");
    cb = c; cb.rounding = (hyb_rounding)7; CHECK_FAILS(hyb_lns_madam_step_u8(&cb, codes8, g, N, v, N, NULL), HYB_STATUS_INVALID_ARGUMENT, "rounding");
    cb = c; cb.nonfinite = (hyb_nonfinite_policy)9; CHECK_FAILS(hyb_lns_madam_step_u8(&cb, codes8, g, N, v, N, NULL), HYB_STATUS_INVALID_ARGUMENT, "policy");
    /* random_bits: one of 4, 8, 12, 16, 32 for stochastic rounding; 0 also allowed with nearest */
    cb = c; cb.rounding = HYB_ROUNDING_STOCHASTIC; cb.random_bits = 0;
    CHECK_FAILS(hyb_lns_madam_step_u8(&cb, codes8, g, N, v, N, NULL), HYB_STATUS_INVALID_ARGUMENT, "random_bits = 0");
    cb.random_bits = 24;
    CHECK_FAILS(hyb_lns_madam_step_u8(&cb, codes8, g, N, v, N, NULL), HYB_STATUS_INVALID_ARGUMENT, "random_bits = 24");
    cb = c; cb.rounding = HYB_ROUNDING_NEAREST; cb.random_bits = 7;
    CHECK_FAILS(hyb_lns_madam_step_u8(&cb, codes8, g, N, v, N, NULL), HYB_STATUS_INVALID_ARGUMENT, "or 0 with nearest");
    cb.random_bits = 0;
    CHECK_OK(hyb_lns_madam_step_u8(&cb, codes8, g, N, v, N, NULL));
    memcpy(codes8, codes8_copy, sizeof codes8);
    memcpy(v, v_copy, sizeof v);
    cb = c; cb.round_gradient = 2;
    CHECK_FAILS(hyb_lns_madam_step_u8(&cb, codes8, g, N, v, N, NULL), HYB_STATUS_INVALID_ARGUMENT, "round_gradient = 2");
    cb = c; cb.reserved = 1;
    CHECK_FAILS(hyb_lns_madam_step_u8(&cb, codes8, g, N, v, N, NULL), HYB_STATUS_INVALID_ARGUMENT, "reserved");
    cb = c; cb.lr = 1e6f;  CHECK_FAILS(hyb_lns_madam_step_u8(&cb, codes8, g, N, v, N, NULL), HYB_STATUS_INVALID_ARGUMENT, "2^20");
    /* gamma lr / ln 2 beyond float (a tiny g_bound keeps the 2^20 rule satisfied): refused, since
     * an infinite code scale would turn a zero gradient into NaN */
    cb = c; cb.lr = 3e38f; cb.g_bound = 1e-38f;
    CHECK_FAILS(hyb_lns_madam_step_u8(&cb, codes8, g, N, v, N, NULL), HYB_STATUS_INVALID_ARGUMENT, "overflows float");
    CHECK_FAILS(hyb_lns_madam_step_u8(&c, codes8, g, N, g, N, NULL), HYB_STATUS_OVERLAP, "grad and v");
    CHECK_FAILS(hyb_lns_madam_step_u8(&c, codes8, g, N, NULL, N, NULL), HYB_STATUS_NULL_POINTER, "v");
    g[63] = INFINITY;
    CHECK_FAILS(hyb_lns_madam_step_u8(&c, codes8, g, N, v, N, NULL), HYB_STATUS_NON_FINITE, "grad[63]");
    hyb_madam_config m;
    memset(&m, 0, sizeof m);
    m.lr = 0.01f; m.beta2 = 0.999f; m.g_bound = 10.0f; m.w_max = 1.0f; m.step = 1;
    CHECK_FAILS(hyb_madam_step_f32(&m, w, g, v, N, NULL), HYB_STATUS_NON_FINITE, "grad[63]");
    g[63] = 0.0f;
    hyb_madam_config mb = m; mb.w_max = 0; CHECK_FAILS(hyb_madam_step_f32(&mb, w, g, v, N, NULL), HYB_STATUS_INVALID_ARGUMENT, "w_max");
    CHECK_FAILS(hyb_madam_step_f32(&m, w, w + 1, v, N - 1, NULL), HYB_STATUS_OVERLAP, "w and grad");
    unchanged("steps");
    /* misc */
    CHECK_FAILS(hyb_rms_f32(x, 0, (double*)v), HYB_STATUS_INVALID_LENGTH, "n = 0");
    CHECK_FAILS(hyb_threads_set(-2), HYB_STATUS_INVALID_ARGUMENT, "count");
    CHECK_FAILS(hyb_philox4x32_10(NULL, NULL, NULL), HYB_STATUS_NULL_POINTER, "counter");
    CHECK_FAILS(hyb_build_info_get(NULL), HYB_STATUS_NULL_POINTER, "info");
    unchanged("misc");
    CHECK(strcmp(hyb_status_string((hyb_status)999), "unknown status") == 0, "unknown status");
    /* a success clears the message */
    CHECK_OK(hyb_lns_encode_u8(&f8, x, codes8, 1));
    CHECK(hyb_last_error_message()[0] == '\0', "message not cleared: %s", hyb_last_error_message());
    return check_report("test_errors");
}
