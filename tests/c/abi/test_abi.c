/*
 * test_abi.c — the binary layout of ABI 1.x, pinned.
 *
 * A third-party plugin compiled last year must keep working: any change
 * that moves a field fails here at compile time. The numbers are for
 * x86_64 / LP64 (the platform the project ships for); elsewhere only the
 * platform-independent checks run. If a check fails, the change is an ABI
 * break: revert it, or append the field at the end and bump RM_ABI_MINOR.
 */
#include "rm_test.h"

#include <remotemedia/plugin.h>

#include <stddef.h>

#define RM_OFFSET(type, field, offset) \
    _Static_assert(offsetof(type, field) == (offset), #type "." #field)
#define RM_SIZE(type, size) _Static_assert(sizeof(type) == (size), #type)

/* Everywhere: the version comes first, so any host can read it. */
RM_OFFSET(rm_plugin_descriptor_t, abi_major, 0);
RM_OFFSET(rm_plugin_descriptor_t, abi_minor, 2);
RM_OFFSET(rm_plugin_descriptor_t, struct_size, 4);
RM_OFFSET(rm_node_type_t, struct_size, 0);
RM_OFFSET(rm_host_t, struct_size, 0);
RM_OFFSET(rm_item_t, struct_size, 0);
RM_OFFSET(rm_node_resolver_t, struct_size, 0);
RM_OFFSET(rm_resolver_report_t, struct_size, 0);
RM_OFFSET(rm_retry_t, struct_size, 0);
_Static_assert(RM_ABI_MAJOR == 1 && RM_ABI_MINOR == 2,
               "update the ChangeLog in docs/plugin-abi.md and this test");

#if defined(__x86_64__) && defined(__LP64__)
RM_OFFSET(rm_plugin_descriptor_t, id, 8);
RM_OFFSET(rm_plugin_descriptor_t, name, 16);
RM_OFFSET(rm_plugin_descriptor_t, version, 24);
RM_OFFSET(rm_plugin_descriptor_t, description, 32);
RM_OFFSET(rm_plugin_descriptor_t, node_types, 40);
RM_OFFSET(rm_plugin_descriptor_t, node_type_count, 48);
RM_OFFSET(rm_plugin_descriptor_t, get_extension, 56);
RM_SIZE(rm_plugin_descriptor_t, 64);

RM_OFFSET(rm_node_type_t, name, 8);
RM_OFFSET(rm_node_type_t, description, 16);
RM_OFFSET(rm_node_type_t, version, 24);
RM_OFFSET(rm_node_type_t, capabilities, 32);
RM_OFFSET(rm_node_type_t, params, 40);
RM_OFFSET(rm_node_type_t, param_count, 48);
RM_OFFSET(rm_node_type_t, input_count, 52);
RM_OFFSET(rm_node_type_t, inputs, 56);
RM_OFFSET(rm_node_type_t, outputs, 64);
RM_OFFSET(rm_node_type_t, output_count, 72);
RM_OFFSET(rm_node_type_t, create, 80);
RM_OFFSET(rm_node_type_t, process, 88);
RM_OFFSET(rm_node_type_t, generate, 96);
RM_OFFSET(rm_node_type_t, flush, 104);
RM_OFFSET(rm_node_type_t, destroy, 112);
RM_OFFSET(rm_node_type_t, get_extension, 120);
RM_SIZE(rm_node_type_t, 128);

RM_OFFSET(rm_retry_t, max_retries, 8);
RM_OFFSET(rm_retry_t, delay_ms, 16);
RM_OFFSET(rm_retry_t, wait_ms, 24);
RM_SIZE(rm_retry_t, 32);

RM_OFFSET(rm_param_spec_t, name, 0);
RM_OFFSET(rm_param_spec_t, type, 8);
RM_OFFSET(rm_param_spec_t, flags, 12);
RM_OFFSET(rm_param_spec_t, default_json, 16);
RM_OFFSET(rm_param_spec_t, min, 24);
RM_OFFSET(rm_param_spec_t, max, 32);
RM_OFFSET(rm_param_spec_t, enum_values, 40);
RM_OFFSET(rm_param_spec_t, doc, 48);
RM_SIZE(rm_param_spec_t, 56);

RM_OFFSET(rm_port_spec_t, kinds, 8);
RM_OFFSET(rm_port_spec_t, doc, 16);
RM_SIZE(rm_port_spec_t, 24);

RM_OFFSET(rm_audio_format_t, sample_rate, 0);
RM_OFFSET(rm_audio_format_t, channels, 4);
RM_OFFSET(rm_audio_format_t, sample_format, 6);
RM_OFFSET(rm_audio_format_t, layout, 7);
RM_OFFSET(rm_audio_format_t, frames, 8);
RM_SIZE(rm_audio_format_t, 16);

RM_OFFSET(rm_tensor_info_t, ndim, 1);
RM_OFFSET(rm_tensor_info_t, shape, 8);
RM_OFFSET(rm_tensor_info_t, strides, 72);
RM_SIZE(rm_tensor_info_t, 136);

RM_OFFSET(rm_item_t, kind, 4);
RM_OFFSET(rm_item_t, flags, 8);
RM_OFFSET(rm_item_t, data, 16);
RM_OFFSET(rm_item_t, size, 24);
RM_OFFSET(rm_item_t, audio, 32);
RM_OFFSET(rm_item_t, tensor, 48);
RM_SIZE(rm_item_t, 184);

RM_OFFSET(rm_host_t, abi_major, 4);
RM_OFFSET(rm_host_t, abi_minor, 6);
RM_OFFSET(rm_host_t, node_id, 8);
RM_OFFSET(rm_host_t, host_data, 16);
RM_OFFSET(rm_host_t, alloc, 24);
RM_OFFSET(rm_host_t, free, 40);
RM_OFFSET(rm_host_t, log, 48);
RM_OFFSET(rm_host_t, error_set, 64);
RM_OFFSET(rm_host_t, param_bool, 72);
RM_OFFSET(rm_host_t, param_json, 104);
RM_OFFSET(rm_host_t, item_new_audio, 112);
RM_OFFSET(rm_host_t, item_wrap, 144);
RM_OFFSET(rm_host_t, item_make_writable, 176);
RM_OFFSET(rm_host_t, emit, 184);
RM_OFFSET(rm_host_t, get_extension, 192);
RM_OFFSET(rm_host_t, param_enum, 200); /* 1.2 */
RM_SIZE(rm_host_t, 208);

/* 1.1 */
RM_OFFSET(rm_node_resolver_t, precedence, 4);
RM_OFFSET(rm_node_resolver_t, manifest_key, 8);
RM_OFFSET(rm_node_resolver_t, resolve, 16);
RM_OFFSET(rm_node_resolver_t, free_string, 24);
/* 1.2: appended */
RM_OFFSET(rm_node_resolver_t, flags, 32);
RM_OFFSET(rm_node_resolver_t, capabilities, 40);
RM_OFFSET(rm_node_resolver_t, runtime_hint, 48);
RM_OFFSET(rm_node_resolver_t, implementation, 56);
RM_OFFSET(rm_node_resolver_t, usage, 64);
RM_OFFSET(rm_node_resolver_t, check, 72);
RM_OFFSET(rm_node_resolver_t, node_label, 80);
RM_SIZE(rm_node_resolver_t, 88);
RM_OFFSET(rm_resolver_report_t, problem, 8);
RM_OFFSET(rm_resolver_report_t, expected, 16);
RM_SIZE(rm_resolver_report_t, 24);
#endif

/* Values that are part of the ABI (plugins compile them in). */
_Static_assert(RM_KIND_AUDIO == 1 && RM_KIND_TENSOR == 2 &&
               RM_KIND_JSON == 3 && RM_KIND_BYTES == 4 &&
               RM_KIND_PYOBJECT == 5, "item kinds");
_Static_assert(RM_PARAM_BOOL == 1 && RM_PARAM_JSON == 6, "param types");
_Static_assert(RM_CAP_STATEFUL == 1 && RM_CAP_IN_PLACE == 32, "caps");
_Static_assert(RM_CAP_SPEECH_SEGMENTS == 64 && RM_CAP_PASS_THROUGH == 128,
               "caps 1.1");
_Static_assert(RM_PARAM_REQUIRED == 1 && RM_PARAM_NULLABLE == 8, "flags");
_Static_assert(RM_PARAM_INPUT_PATH == 0x10 && RM_PARAM_OUTPUT_PATH == 0x20, "roles (1.1)");
_Static_assert(RM_RESOLVER_FALLBACK == 1 && RM_RESOLVER_CHECK_PARAMS == 2,
               "resolver flags (1.2)");
_Static_assert(RM_EINVAL == -1 && RM_EABI == -9 && RM_EEXIST == -17,
               "status codes are append-only");

int rm_abi_header_c11_check(void);
int rm_abi_header_cxx17_check(void);

RM_TEST(headers_compile_and_work_in_c_and_cxx) {
    ASSERT_EQ_INT(rm_abi_header_c11_check(), 1);
    ASSERT_EQ_INT(rm_abi_header_cxx17_check(), 1);
}

RM_TEST(status_names_round_trip) {
    static const struct {
        int code;
        const char *name, *text;
    } all[] = {
#define RMT_ROW(name, code, text) {code, #name, text},
        RM_STATUS_MAP(RMT_ROW)
#undef RMT_ROW
    };
    size_t count = sizeof(all) / sizeof(all[0]);
    ASSERT_EQ_INT(count, 1 - RM__STATUS_MIN);
    for (size_t i = 0; i < count; i++) {
        /* Codes are 0, -1, -2, ... without gaps, in list order. */
        ASSERT_EQ_INT(all[i].code, -(int)i);
        ASSERT_STR_EQ(rm_err_name(all[i].code), all[i].name);
        ASSERT_STR_EQ(rm_strerror(all[i].code), all[i].text);
        ASSERT_TRUE(strcmp(all[i].name, "UNKNOWN") != 0);
        for (size_t j = 0; j < i; j++) {
            ASSERT_TRUE(strcmp(all[i].name, all[j].name) != 0);
            ASSERT_TRUE(strcmp(all[i].text, all[j].text) != 0);
        }
    }
    ASSERT_STR_EQ(rm_err_name(RM__STATUS_MIN - 1), "UNKNOWN");
    ASSERT_STR_EQ(rm_err_name(1), "UNKNOWN");
    ASSERT_STR_EQ(rm_strerror(12345), "unknown status");
}

RM_TEST(struct_has_reads_sizes) {
    rm_node_type_t type = {0};
    type.struct_size = (uint32_t)offsetof(rm_node_type_t, get_extension);
    ASSERT_TRUE(RM_STRUCT_HAS(&type, rm_node_type_t, destroy));
    ASSERT_TRUE(!RM_STRUCT_HAS(&type, rm_node_type_t, get_extension));
    type.struct_size = sizeof(type);
    ASSERT_TRUE(RM_STRUCT_HAS(&type, rm_node_type_t, get_extension));
}

RM_TEST(sample_sizes) {
    ASSERT_EQ_INT(rm_sample_size(RM_SAMPLE_I16), 2);
    ASSERT_EQ_INT(rm_sample_size(RM_SAMPLE_F32), 4);
    ASSERT_EQ_INT(rm_sample_size(RM_SAMPLE_I32), 4);
    ASSERT_EQ_INT(rm_sample_size(RM_SAMPLE_F64), 8);
    ASSERT_EQ_INT(rm_sample_size(0), 0);
}

RM_TEST_LIST(RM_TEST_ENTRY(headers_compile_and_work_in_c_and_cxx),
             RM_TEST_ENTRY(status_names_round_trip),
             RM_TEST_ENTRY(struct_has_reads_sizes),
             RM_TEST_ENTRY(sample_sizes))
