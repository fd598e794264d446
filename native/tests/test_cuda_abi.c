/* The hyb_cuda_* entry points without relying on a GPU: in a build without CUDA every one of
 * them says so; in a CUDA build their argument checks run before anything touches the device
 * (so they are tested here even on machines without one), and with no GPU or driver the device
 * functions answer HYB_STATUS_CUDA_UNAVAILABLE with the runtime's words instead of crashing. */
#include "check.h"

#define CHECK_UNAVAILABLE(expr, needle) CHECK_FAILS(expr, HYB_STATUS_CUDA_UNAVAILABLE, needle)

static void every_entry_says_no_cuda(void) {
    const char* why = "built without CUDA";
    int32_t i32 = 0;
    int64_t a = 0, b = 0;
    void* p = NULL;
    float ms = 0, f[4] = {0};
    double d = 0;
    uint8_t c8[4] = {0};
    uint16_t c16[4] = {0};
    hyb_cuda_device_props props;
    hyb_lns_format fmt = {8, 8.0f, 1.0f, 0};
    hyb_lns_madam_config lc;
    memset(&lc, 0, sizeof lc);
    hyb_madam_config mc;
    memset(&mc, 0, sizeof mc);
    hyb_random_stream rs = {1, 1, 0, HYB_RANDOM_PURPOSE_USER};
    CHECK_UNAVAILABLE(hyb_cuda_device_count(&i32), why);
    CHECK_UNAVAILABLE(hyb_cuda_device_properties(0, &props), why);
    CHECK_UNAVAILABLE(hyb_cuda_device_get(&i32), why);
    CHECK_UNAVAILABLE(hyb_cuda_device_set(0), why);
    CHECK_UNAVAILABLE(hyb_cuda_device_synchronize(), why);
    CHECK_UNAVAILABLE(hyb_cuda_memory_info(&a, &b), why);
    CHECK_UNAVAILABLE(hyb_cuda_malloc(&p, 16), why);
    CHECK_UNAVAILABLE(hyb_cuda_free(NULL), why);
    CHECK_UNAVAILABLE(hyb_cuda_memcpy_htod(f, f, 4, NULL), why);
    CHECK_UNAVAILABLE(hyb_cuda_memcpy_dtoh(f, f, 4, NULL), why);
    CHECK_UNAVAILABLE(hyb_cuda_memcpy_dtod(f, f + 2, 4, NULL), why);
    CHECK_UNAVAILABLE(hyb_cuda_memset(f, 0, 4, NULL), why);
    CHECK_UNAVAILABLE(hyb_cuda_stream_create(&p), why);
    CHECK_UNAVAILABLE(hyb_cuda_stream_destroy(f), why);
    CHECK_UNAVAILABLE(hyb_cuda_stream_synchronize(NULL), why);
    CHECK_UNAVAILABLE(hyb_cuda_event_create(&p), why);
    CHECK_UNAVAILABLE(hyb_cuda_event_destroy(f), why);
    CHECK_UNAVAILABLE(hyb_cuda_event_record(f, NULL), why);
    CHECK_UNAVAILABLE(hyb_cuda_event_synchronize(f), why);
    CHECK_UNAVAILABLE(hyb_cuda_event_elapsed(f, f, &ms), why);
    CHECK_UNAVAILABLE(hyb_cuda_lns_encode_u8(&fmt, f, c8, 4, NULL), why);
    CHECK_UNAVAILABLE(hyb_cuda_lns_encode_u16(&fmt, f, c16, 4, NULL), why);
    CHECK_UNAVAILABLE(hyb_cuda_lns_decode_u8(&fmt, c8, f, 4, NULL), why);
    CHECK_UNAVAILABLE(hyb_cuda_lns_decode_u16(&fmt, c16, f, 4, NULL), why);
    CHECK_UNAVAILABLE(hyb_cuda_lns_madam_step_u8(&lc, c8, f, 4, f, 4, NULL, NULL), why);
    CHECK_UNAVAILABLE(hyb_cuda_lns_madam_step_u16(&lc, c16, f, 4, f, 4, NULL, NULL), why);
    CHECK_UNAVAILABLE(hyb_cuda_madam_step_f32(&mc, f, f, f, 4, NULL, NULL), why);
    CHECK_UNAVAILABLE(hyb_cuda_rms_f32(f, 4, &d, NULL), why);
    CHECK_UNAVAILABLE(hyb_cuda_random_uniform_f32(&rs, 0, f, 4, NULL), why);
}

static hyb_lns_madam_config lns_config(void) {
    hyb_lns_madam_config c;
    memset(&c, 0, sizeof c);
    c.format.bits = 8; c.format.gamma = 8.0f; c.format.w_max = 1.0f;
    c.lr = 0.01f; c.beta2 = 0.999f; c.g_bound = 10.0f; c.rounding = HYB_ROUNDING_STOCHASTIC;
    c.step = 1; c.seed = 1; c.random_bits = HYB_RANDOM_BITS_DEFAULT;
    return c;
}

/* Argument checks that come before any device access: the same rules and words as the CPU
 * functions, with the CUDA function's name. Host arrays stand in for device buffers; no call
 * here gets as far as looking at them. */
static void host_checks_come_first(void) {
    float x[8] = {0};
    uint8_t c8[8] = {0};
    uint16_t c16[8] = {0};
    double d = 0;
    hyb_lns_format fmt = {8, 8.0f, 1.0f, 0};
    hyb_lns_format bad = fmt;
    bad.bits = 1;
    CHECK_FAILS(hyb_cuda_lns_encode_u8(&bad, x, c8, 8, NULL), HYB_STATUS_INVALID_FORMAT,
                "hyb_cuda_lns_encode_u8: bits = 1");
    bad = fmt; bad.bits = 9;
    CHECK_FAILS(hyb_cuda_lns_decode_u8(&bad, c8, x, 8, NULL), HYB_STATUS_INVALID_FORMAT, "uint8");
    bad = fmt; bad.gamma = 0.0f;
    CHECK_FAILS(hyb_cuda_lns_decode_u16(&bad, c16, x, 8, NULL), HYB_STATUS_INVALID_FORMAT, "gamma");
    CHECK_FAILS(hyb_cuda_lns_encode_u16(NULL, x, c16, 8, NULL), HYB_STATUS_NULL_POINTER, "format");
    CHECK_FAILS(hyb_cuda_lns_encode_u8(&fmt, x, c8, -1, NULL), HYB_STATUS_INVALID_LENGTH, "n = -1");
    CHECK_FAILS(hyb_cuda_lns_encode_u8(&fmt, NULL, c8, 8, NULL), HYB_STATUS_NULL_POINTER, "x is NULL");
    CHECK_FAILS(hyb_cuda_lns_decode_u8(&fmt, c8, NULL, 8, NULL), HYB_STATUS_NULL_POINTER, "x is NULL");
    CHECK_FAILS(hyb_cuda_lns_encode_u8(&fmt, x, (uint8_t*)(x + 1), 4, NULL), HYB_STATUS_OVERLAP,
                "overlap");

    hyb_lns_madam_config c = lns_config();
    CHECK_FAILS(hyb_cuda_lns_madam_step_u8(NULL, c8, x, 8, x, 8, NULL, NULL),
                HYB_STATUS_NULL_POINTER, "config is NULL");
    c.step = 0;
    CHECK_FAILS(hyb_cuda_lns_madam_step_u8(&c, c8, x, 4, x + 4, 4, NULL, NULL),
                HYB_STATUS_INVALID_ARGUMENT, "step = 0");
    c = lns_config(); c.rounding = (hyb_rounding)7;
    CHECK_FAILS(hyb_cuda_lns_madam_step_u16(&c, c16, x, 4, x + 4, 4, NULL, NULL),
                HYB_STATUS_INVALID_ARGUMENT, "rounding 7");
    c = lns_config(); c.lr = 1e6f;
    CHECK_FAILS(hyb_cuda_lns_madam_step_u8(&c, c8, x, 4, x + 4, 4, NULL, NULL),
                HYB_STATUS_INVALID_ARGUMENT, "2^20");
    c = lns_config(); c.format.bits = 12;
    CHECK_FAILS(hyb_cuda_lns_madam_step_u8(&c, c8, x, 4, x + 4, 4, NULL, NULL),
                HYB_STATUS_INVALID_FORMAT, "uint8");
    c = lns_config();
    CHECK_FAILS(hyb_cuda_lns_madam_step_u8(&c, c8, x, 4, x, 4, NULL, NULL), HYB_STATUS_OVERLAP,
                "grad and v overlap");
    CHECK_FAILS(hyb_cuda_lns_madam_step_u8(&c, c8, NULL, 4, x, 4, NULL, NULL),
                HYB_STATUS_NULL_POINTER, "grad is NULL");
    /* the synapse-model options: the CPU's rules (hyb_check_lns_step) */
    c = lns_config(); c.moment = (hyb_moment_mode)9;
    CHECK_FAILS(hyb_cuda_lns_madam_step_u8(&c, c8, x, 4, x + 4, 4, NULL, NULL),
                HYB_STATUS_INVALID_ARGUMENT, "moment mode 9");
    c = lns_config(); c.moment = HYB_MOMENT_MODE_PER_TENSOR;
    CHECK_FAILS(hyb_cuda_lns_madam_step_u8(&c, c8, x, 4, x + 4, 4, NULL, NULL),
                HYB_STATUS_INVALID_LENGTH, "v_len = 4");
    c = lns_config(); c.moment = HYB_MOMENT_MODE_PER_NEURON; c.rows = 3;
    CHECK_FAILS(hyb_cuda_lns_madam_step_u8(&c, c8, x, 4, x + 4, 3, NULL, NULL),
                HYB_STATUS_INVALID_ARGUMENT, "rows = 3");
    c = lns_config(); c.c2c_noise = 11.0f;
    CHECK_FAILS(hyb_cuda_lns_madam_step_u16(&c, c16, x, 4, x + 4, 4, NULL, NULL),
                HYB_STATUS_INVALID_ARGUMENT, "c2c_noise");
    c = lns_config(); c.asymmetry = 1.0f;
    CHECK_FAILS(hyb_cuda_lns_madam_step_u16(&c, c16, x, 4, x + 4, 4, NULL, NULL),
                HYB_STATUS_INVALID_ARGUMENT, "asymmetry");
    c = lns_config(); c.stuck_fraction = -0.5f;
    CHECK_FAILS(hyb_cuda_lns_madam_step_u16(&c, c16, x, 4, x + 4, 4, NULL, NULL),
                HYB_STATUS_INVALID_ARGUMENT, "stuck_fraction");
    c = lns_config(); c.moment = HYB_MOMENT_MODE_NONE;
    CHECK_FAILS(hyb_cuda_lns_madam_step_u8(&c, NULL, x, 4, NULL, 0, NULL, NULL),
                HYB_STATUS_NULL_POINTER, "codes is NULL");

    hyb_madam_config m;
    memset(&m, 0, sizeof m);
    m.lr = 0.01f; m.beta2 = 0.999f; m.g_bound = 10.0f; m.w_max = 1.0f; m.step = 1;
    hyb_madam_config mb = m;
    mb.w_max = 0.0f;
    CHECK_FAILS(hyb_cuda_madam_step_f32(&mb, x, x + 2, x + 4, 2, NULL, NULL),
                HYB_STATUS_INVALID_ARGUMENT, "w_max");
    mb = m; mb.beta2 = 1.0f;
    CHECK_FAILS(hyb_cuda_madam_step_f32(&mb, x, x + 2, x + 4, 2, NULL, NULL),
                HYB_STATUS_INVALID_ARGUMENT, "beta2");
    CHECK_FAILS(hyb_cuda_madam_step_f32(&m, x, x + 1, x + 4, 2, NULL, NULL), HYB_STATUS_OVERLAP,
                "w and grad overlap");
    CHECK_FAILS(hyb_cuda_rms_f32(x, 0, &d, NULL), HYB_STATUS_INVALID_LENGTH, "n = 0");
    CHECK_FAILS(hyb_cuda_rms_f32(x, 4, NULL, NULL), HYB_STATUS_NULL_POINTER, "out is NULL");
    hyb_random_stream rs = {1, 1, 0, (hyb_random_purpose)256};
    CHECK_FAILS(hyb_cuda_random_uniform_f32(&rs, 0, x, 4, NULL), HYB_STATUS_INVALID_ARGUMENT,
                "purpose = 256");
    rs.purpose = HYB_RANDOM_PURPOSE_USER;
    CHECK_FAILS(hyb_cuda_random_uniform_f32(&rs, -1, x, 4, NULL), HYB_STATUS_INVALID_LENGTH,
                "offset = -1");

    /* Memory functions: their own argument checks. */
    void* p = x;
    CHECK_FAILS(hyb_cuda_malloc(NULL, 16), HYB_STATUS_NULL_POINTER, "ptr is NULL");
    CHECK_FAILS(hyb_cuda_malloc(&p, -5), HYB_STATUS_INVALID_LENGTH, "bytes = -5");
    CHECK(p == x, "a failed malloc wrote *ptr");
    CHECK_FAILS(hyb_cuda_memcpy_dtod(x, x + 1, 8, NULL), HYB_STATUS_OVERLAP, "overlap");
    CHECK_FAILS(hyb_cuda_memcpy_htod(NULL, x, 8, NULL), HYB_STATUS_NULL_POINTER, "dst is NULL");
    CHECK_FAILS(hyb_cuda_memset(x, 256, 8, NULL), HYB_STATUS_INVALID_ARGUMENT, "value = 256");
    CHECK_FAILS(hyb_cuda_stream_destroy(NULL), HYB_STATUS_INVALID_ARGUMENT, "default stream");
    CHECK_FAILS(hyb_cuda_event_record(NULL, NULL), HYB_STATUS_NULL_POINTER, "event is NULL");
    CHECK_FAILS(hyb_cuda_device_properties(0, NULL), HYB_STATUS_NULL_POINTER, "props is NULL");

    /* Empty tensors need no device: nothing to do is done. */
    hyb_step_stats st = {9, 9, 9, 9};
    CHECK_OK(hyb_cuda_lns_encode_u8(&fmt, NULL, NULL, 0, NULL));
    CHECK_OK(hyb_cuda_lns_decode_u16(&fmt, NULL, NULL, 0, NULL));
    c = lns_config();
    CHECK_OK(hyb_cuda_lns_madam_step_u8(&c, NULL, NULL, 0, NULL, 0, &st, NULL));
    CHECK(st.elements == 0 && st.changed == 0 && st.nonfinite_skipped == 0, "empty stats");
    CHECK_OK(hyb_cuda_madam_step_f32(&m, NULL, NULL, NULL, 0, NULL, NULL));
    CHECK_OK(hyb_cuda_memcpy_htod(NULL, NULL, 0, NULL));
    CHECK_OK(hyb_cuda_free(NULL));
}

/* No GPU or no driver: every device function fails with CUDA_UNAVAILABLE and the runtime's
 * words, kernels included, once their arguments are fine; nothing crashes. */
static void no_device_answers(const char* why) {
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t c8[8] = {0};
    int32_t i32 = -1;
    int64_t a = -1, b = -1;
    void* p = NULL;
    hyb_cuda_device_props props;
    hyb_lns_format fmt = {8, 8.0f, 1.0f, 0};
    CHECK(strstr(why, "cudaGetDeviceCount") != NULL, "message names the call: %s", why);
    CHECK_UNAVAILABLE(hyb_cuda_device_properties(0, &props), "cudaGetDeviceCount");
    CHECK_UNAVAILABLE(hyb_cuda_device_get(&i32), "hyb_cuda_device_get");
    CHECK(i32 == -1, "a failed call wrote its output");
    CHECK_UNAVAILABLE(hyb_cuda_device_set(0), "hyb_cuda_device_set");
    CHECK_UNAVAILABLE(hyb_cuda_memory_info(&a, &b), "cudaMemGetInfo");
    CHECK(a == -1 && b == -1, "a failed call wrote its outputs");
    CHECK_UNAVAILABLE(hyb_cuda_malloc(&p, 1024), "cudaMalloc(1024 bytes)");
    CHECK(p == NULL, "a failed malloc wrote *ptr");
    CHECK_UNAVAILABLE(hyb_cuda_stream_create(&p), "hyb_cuda_stream_create");
    CHECK_UNAVAILABLE(hyb_cuda_lns_encode_u8(&fmt, x, c8, 8, NULL), "hyb_cuda_lns_encode_u8");
    CHECK_UNAVAILABLE(hyb_cuda_memcpy_htod(x + 4, x, 16, NULL), "hyb_cuda_memcpy_htod");
    for (int i = 0; i < 8; ++i) CHECK(c8[i] == 0 && x[i] == (float)(i + 1), "buffers changed");
}

int main(void) {
    hyb_build_info info;
    CHECK_OK(hyb_build_info_get(&info));
    int32_t count = 0;
    hyb_status st = hyb_cuda_device_count(&count);
    char why[512];
    snprintf(why, sizeof why, "%s", hyb_last_error_message());
    if (!info.cuda_compiled) {
        printf("test_cuda_abi: library built without CUDA: checking that every entry says so\n");
        CHECK(info.cuda_version[0] == '\0', "cuda_version '%s' without CUDA", info.cuda_version);
        every_entry_says_no_cuda();
        return check_report("test_cuda_abi");
    }
    printf("test_cuda_abi: CUDA %s compiled in; device count -> %s%s%s\n", info.cuda_version,
           hyb_status_string(st), st ? ": " : "", st ? why : "");
    CHECK(info.cuda_version[0] != '\0', "CUDA build without a cuda_version");
    host_checks_come_first();
    if (st == HYB_STATUS_OK) {
        CHECK(count >= 1, "device count %d", (int)count);
    } else {
        CHECK(st == HYB_STATUS_CUDA_UNAVAILABLE, "device count -> %s, expected CUDA unavailable",
              hyb_status_string(st));
        no_device_answers(why);
    }
    return check_report("test_cuda_abi");
}
