/* Philox4x32-10 against Random123's known-answer vectors, and the stream layout. */
#include "check.h"
#include "philox.h"

int main(void) {
    static const uint32_t kat[3][10] = {
        {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
         0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
         0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}};
    for (int t = 0; t < 3; ++t) {
        uint32_t out[4];
        CHECK_OK(hyb_philox4x32_10(kat[t], kat[t] + 4, out));
        for (int j = 0; j < 4; ++j)
            CHECK(out[j] == kat[t][6 + j], "vector %d word %d: %08x != %08x", t, j, out[j],
                  kat[t][6 + j]);
    }

    /* The uniform stream is lane (i mod 4) of block i/4 with the documented counter. */
    hyb_random_stream s = {0x0123456789ABCDEFull, 77, 5, HYB_RANDOM_PURPOSE_USER};
    enum { N = 1003 };
    static float u[N], u2[N - 10];
    CHECK_OK(hyb_random_uniform_f32(&s, 0, u, N));
    CHECK_OK(hyb_random_uniform_f32(&s, 10, u2, N - 10)); /* an offset slice is the same stream */
    double mean = 0;
    for (int i = 0; i < N; ++i) {
        uint32_t c[4] = {(uint32_t)(i / 4), 255u << 24, 77, 5}, k[2] = {0x89ABCDEF, 0x01234567};
        uint32_t r[4];
        hyb_philox4x32_10(c, k, r);
        float want = (float)(r[i % 4] >> 8) / 16777216.0f;
        CHECK(u[i] == want, "element %d: %g != %g", i, u[i], want);
        CHECK(u[i] >= 0.0f && u[i] < 1.0f, "element %d out of [0,1): %g", i, u[i]);
        if (i >= 10) CHECK(u2[i - 10] == u[i], "offset slice differs at %d", i);
        mean += u[i];
    }
    mean /= N;
    /* sd of the mean of N uniforms = 1/sqrt(12 N) ~ 0.0091; 5 sd */
    CHECK(mean > 0.5 - 0.046 && mean < 0.5 + 0.046, "mean %g", mean);

    /* Different purposes are different streams. */
    hyb_random_stream s2 = s;
    s2.purpose = HYB_RANDOM_PURPOSE_ROUNDING;
    static float v[N];
    CHECK_OK(hyb_random_uniform_f32(&s2, 0, v, N));
    int same = 0;
    for (int i = 0; i < N; ++i) same += u[i] == v[i];
    CHECK(same < 5, "purposes share %d values", same);
    return check_report("test_philox");
}
