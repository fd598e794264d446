/* check.h - the smallest test harness: CHECK counts failures and prints where; a test
 * program returns non-zero if any check failed. */
#ifndef HYBRID_TESTS_CHECK_H
#define HYBRID_TESTS_CHECK_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hybrid/hybrid.h"

static int check_failures = 0;
static int check_count = 0;

#define CHECK(cond, ...)                                                                   \
    do {                                                                                   \
        ++check_count;                                                                     \
        if (!(cond)) {                                                                     \
            ++check_failures;                                                              \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);       \
            fprintf(stderr, __VA_ARGS__);                                                  \
            fprintf(stderr, "\n");                                                         \
        }                                                                                  \
    } while (0)

#define CHECK_OK(expr)                                                                     \
    do {                                                                                   \
        hyb_status st_ = (expr);                                                           \
        CHECK(st_ == HYB_STATUS_OK, "%s -> %s: %s", #expr, hyb_status_string(st_),         \
              hyb_last_error_message());                                                   \
    } while (0)

/* expr must fail with `status` and leave a message that mentions `needle`. */
#define CHECK_FAILS(expr, status, needle)                                                  \
    do {                                                                                   \
        hyb_status st_ = (expr);                                                           \
        CHECK(st_ == (status), "%s -> %s (%s), expected %s", #expr, hyb_status_string(st_),\
              hyb_last_error_message(), hyb_status_string(status));                        \
        CHECK(strstr(hyb_last_error_message(), needle) != NULL,                            \
              "message '%s' does not mention '%s'", hyb_last_error_message(), needle);     \
    } while (0)

static int check_report(const char* name) {
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures == 0 ? 0 : 1;
}

/* A small deterministic generator for test data (xorshift64*), not the Philox stream. */
static unsigned long long test_rng_state = 0x9E3779B97F4A7C15ull;
static double test_uniform(void) {
    test_rng_state ^= test_rng_state >> 12;
    test_rng_state ^= test_rng_state << 25;
    test_rng_state ^= test_rng_state >> 27;
    return (double)((test_rng_state * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}
static float test_normal(void) {
    double s = 0;
    for (int i = 0; i < 12; ++i) s += test_uniform();
    return (float)(s - 6.0);
}
#endif
