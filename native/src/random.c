/* random.c - the Philox entry points (exposed so that tests can check every backend's
 * stream against the C one and against the Random123 known answers). */
#include "internal.h"
#include "philox.h"

hyb_status hyb_philox4x32_10(const uint32_t* counter, const uint32_t* key, uint32_t* out) {
    hyb_clear_error();
    HYB_CHECK_REQUIRED(counter, "counter");
    HYB_CHECK_REQUIRED(key, "key");
    HYB_CHECK_REQUIRED(out, "out");
    hyb_u32x4 r = hyb_philox4x32_10_block(counter[0], counter[1], counter[2], counter[3],
                                          key[0], key[1]);
    for (int i = 0; i < 4; ++i) out[i] = r.v[i];
    return HYB_STATUS_OK;
}

hyb_status hyb_random_uniform_f32(const hyb_random_stream* s, int64_t offset, float* out,
                                  int64_t n) {
    hyb_clear_error();
    HYB_CHECK_REQUIRED(s, "stream");
    HYB_CHECK_LENGTH(n);
    HYB_CHECK_PTR(out, "out", n);
    if (offset < 0 || offset > HYB_MAX_ELEMENTS - n)
        return hyb_fail(HYB_STATUS_INVALID_LENGTH,
                        "hyb_random_uniform_f32: offset = %lld must be >= 0 with offset + n "
                        "<= 2^58", (long long)offset);
    if ((uint32_t)s->purpose > 255u)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "hyb_random_uniform_f32: purpose = %d is outside [0, 255]",
                        (int)s->purpose);
    int nt = hyb_threads_for(n);
    (void)nt;
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
    for (int64_t i = 0; i < n; ++i) {
        uint64_t e = (uint64_t)(offset + i);
        hyb_u32x4 r = hyb_stream_block(s->seed, s->step, s->tensor_id, (uint32_t)s->purpose,
                                       e >> 2);
        out[i] = hyb_u32_to_unit_f32(r.v[e & 3]);
    }
    return HYB_STATUS_OK;
}
