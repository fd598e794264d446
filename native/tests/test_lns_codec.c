/* LNS encode/decode: round trip of every code for every B, monotonicity, nearest-level
 * rounding in the log domain, exact zero and extreme values. */
#include <math.h>
#include "check.h"

static void round_trip_u16(int bits, float gamma, float w_max) {
    hyb_lns_format f = {bits, gamma, w_max, 0};
    const int ncodes = 1 << bits;
    const uint16_t kmax = (uint16_t)((1 << (bits - 1)) - 1);
    uint16_t* codes = malloc(sizeof(uint16_t) * ncodes);
    uint16_t* back = malloc(sizeof(uint16_t) * ncodes);
    float* x = malloc(sizeof(float) * ncodes);
    for (int c = 0; c < ncodes; ++c) codes[c] = (uint16_t)c;
    CHECK_OK(hyb_lns_decode_u16(&f, codes, x, ncodes));
    CHECK_OK(hyb_lns_encode_u16(&f, x, back, ncodes));
    for (int c = 0; c < ncodes; ++c) {
        int zero = (c & kmax) == kmax;
        uint16_t want = zero ? kmax : (uint16_t)c; /* both zero codes encode to +zero */
        CHECK(back[c] == want, "B=%d gamma=%g: code %d -> %g -> %d", bits, gamma, c, x[c],
              back[c]);
        if (zero) CHECK(x[c] == 0.0f, "B=%d: zero code %d decodes to %g", bits, c, x[c]);
        else CHECK((x[c] < 0) == (c > kmax), "B=%d: sign of code %d", bits, c);
        /* magnitudes fall strictly with k */
        if (!zero && (c & kmax) > 0)
            CHECK(fabsf(x[c]) < fabsf(x[c - 1]), "B=%d: |x| not decreasing at %d", bits, c);
    }
    CHECK(x[0] == w_max, "B=%d: k=0 decodes to %g, not w_max", bits, x[0]);
    /* u8 codes give the same values where they fit */
    if (bits <= 8) {
        uint8_t c8[256], b8[256];
        float x8[256];
        for (int c = 0; c < ncodes; ++c) c8[c] = (uint8_t)c;
        CHECK_OK(hyb_lns_decode_u8(&f, c8, x8, ncodes));
        CHECK_OK(hyb_lns_encode_u8(&f, x8, b8, ncodes));
        for (int c = 0; c < ncodes; ++c) {
            CHECK(memcmp(&x8[c], &x[c], 4) == 0, "B=%d u8 decode differs at %d", bits, c);
            CHECK(b8[c] == back[c], "B=%d u8 encode differs at %d", bits, c);
        }
    }
    free(codes); free(back); free(x);
}

static void monotone_and_nearest(int bits, float gamma) {
    const float w_max = 0.75f;
    hyb_lns_format f = {bits, gamma, w_max, 0};
    enum { N = 20001 };
    static float x[N], y[N];
    static uint16_t c[N];
    for (int i = 0; i < N; ++i) x[i] = -1.5f + 3.0f * (float)i / (N - 1); /* crosses 0 and +-w_max */
    x[N / 2] = 0.0f;
    CHECK_OK(hyb_lns_encode_u16(&f, x, c, N));
    CHECK_OK(hyb_lns_decode_u16(&f, c, y, N));
    const int kmax = (1 << (bits - 1)) - 1;
    const double smallest = w_max * exp2(-(double)(kmax - 1) / gamma);
    for (int i = 1; i < N; ++i)
        CHECK(y[i] >= y[i - 1], "B=%d gamma=%g: decode(encode(x)) falls at x=%g", bits, gamma, x[i]);
    for (int i = 0; i < N; ++i) {
        double a = fabs((double)x[i]);
        if (a == 0.0) { CHECK(y[i] == 0.0f && c[i] == kmax, "zero -> %d", c[i]); continue; }
        if (a > w_max) { CHECK(fabsf(y[i]) == w_max, "saturation at %g", x[i]); continue; }
        if (a < smallest) continue;
        /* nearest level in the log domain: within half a level (plus rounding slack) */
        double err = fabs(log2(fabs((double)y[i])) - log2(a)) * gamma;
        CHECK(err <= 0.5 + 1e-4, "B=%d gamma=%g x=%g: %g levels from the nearest", bits, gamma,
              x[i], err);
    }
}

/* The smallest power-of-two gamma (>= 1/2) that keeps K-1 levels within 2^-100 of w_max. */
static float gamma_for(int bits) {
    float g = 0.5f;
    while ((double)((1 << (bits - 1)) - 2) / g > 100.0) g *= 2.0f;
    return g;
}

int main(void) {
    for (int bits = 2; bits <= 16; ++bits) {
        const float g0 = gamma_for(bits);
        round_trip_u16(bits, g0, 1.0f);
        round_trip_u16(bits, 4.0f * g0, 0.3f);
        round_trip_u16(bits, 8.0f * g0, 2.5f);
        round_trip_u16(bits, 3.0f * g0, 1e-3f); /* a gamma that is not a power of two */
        monotone_and_nearest(bits, g0);
        monotone_and_nearest(bits, 8.0f * g0);
    }
    /* Extremes: huge saturates to k = 0, tiny non-zero to K-1 (never to zero), sign kept. */
    hyb_lns_format f = {8, 8.0f, 1.0f, 0};
    float x[6] = {3.0e38f, -3.0e38f, 1.0e-45f, -1.0e-45f, 0.0f, -0.0f};
    uint8_t c[6];
    CHECK_OK(hyb_lns_encode_u8(&f, x, c, 6));
    CHECK(c[0] == 0 && c[1] == 128, "huge -> %d %d", c[0], c[1]);
    CHECK(c[2] == 126 && c[3] == 254, "tiny -> %d %d", c[2], c[3]);
    CHECK(c[4] == 127 && c[5] == 127, "zeros -> %d %d", c[4], c[5]);
    /* Large tensors (threaded) give the same codes as small calls. */
    enum { M = 300000 };
    float* big = malloc(sizeof(float) * M);
    uint16_t* cb = malloc(2 * M);
    uint16_t one;
    hyb_lns_format g = {12, 64.0f, 0.5f, 0};
    for (int i = 0; i < M; ++i) big[i] = 0.2f * test_normal();
    CHECK_OK(hyb_lns_encode_u16(&g, big, cb, M));
    for (int i = 0; i < M; i += 997) {
        CHECK_OK(hyb_lns_encode_u16(&g, big + i, &one, 1));
        CHECK(one == cb[i], "element %d: %d vs %d", i, one, cb[i]);
    }
    free(big); free(cb);
    return check_report("test_lns_codec");
}
