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

typedef struct uniform_job {
    const hyb_random_stream* s;
    int64_t offset;
    float* out;
} uniform_job;

static void uniform_range(const void* p, int64_t b, int64_t e, int64_t counts[2]) {
    const uniform_job* j = (const uniform_job*)p;
    (void)counts;
    for (int64_t i = b; i < e; ++i) {
        const uint64_t el = (uint64_t)(j->offset + i);
        const hyb_u32x4 r = hyb_stream_block(j->s->seed, j->s->step, j->s->tensor_id,
                                             (uint32_t)j->s->purpose, el >> 2);
        j->out[i] = hyb_u32_to_unit_f32(r.v[el & 3]);
    }
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
    if ((uint32_t)s->purpose > (uint32_t)HYB_RANDOM_MAX_PURPOSE)
        return hyb_fail(HYB_STATUS_INVALID_ARGUMENT,
                        "hyb_random_uniform_f32: purpose = %d is outside [0, %d]",
                        (int)s->purpose, HYB_RANDOM_MAX_PURPOSE);
    const uniform_job job = {s, offset, out};
    int64_t counts[2];
    hyb_parallel(n, HYB_CHUNK, n, uniform_range, &job, counts);
    return HYB_STATUS_OK;
}
