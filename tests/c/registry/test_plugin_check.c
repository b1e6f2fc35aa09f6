/* test_plugin_check.c — every way a descriptor can be refused, one by one. */
#include "rm_test.h"

#include "scan/plugin_check.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stddef.h>

static int noop_create(const rm_host_t *h, const rm_params_t *p, void **i,
                       rm_error_t *e) {
    (void)h; (void)p; (void)e;
    *i = NULL;
    return RM_OK;
}
static int noop_process(void *i, uint32_t port, rm_item_t *item,
                        rm_emit_t *out, rm_error_t *e) {
    (void)i; (void)port; (void)item; (void)out; (void)e;
    return RM_OK;
}
static int noop_generate(void *i, rm_emit_t *out, int *finished,
                         rm_error_t *e) {
    (void)i; (void)out; (void)e;
    *finished = 1;
    return RM_OK;
}
static void noop_destroy(void *i) { (void)i; }

static rm_node_type_t rmt_valid_type(void) {
    rm_node_type_t type = {0};
    type.struct_size = sizeof(type);
    type.name = "T";
    type.create = noop_create;
    type.process = noop_process;
    type.destroy = noop_destroy;
    return type;
}

static rm_param_spec_t rmt_spec(uint32_t type, uint32_t flags,
                                const char *default_json) {
    rm_param_spec_t spec = {0};
    spec.name = "p";
    spec.type = type;
    spec.flags = flags;
    spec.default_json = default_json;
    return spec;
}

static char why[2048];

#define EXPECT_SPEC_OK(spec)                                                  \
    do {                                                                      \
        rm_param_spec_t rmt__s = (spec);                                      \
        if (rm__param_spec_check(&rmt__s, why, sizeof(why)) != RM_OK)         \
            RM__FAIL("spec refused: %s", why);                                \
    } while (0)
#define EXPECT_SPEC_BAD(spec, words)                                          \
    do {                                                                      \
        rm_param_spec_t rmt__s = (spec);                                      \
        ASSERT_EQ_INT(rm__param_spec_check(&rmt__s, why, sizeof(why)),        \
                      RM_EVALIDATE);                                          \
        ASSERT_STR_CONTAINS(why, "param 'p'");                                \
        ASSERT_STR_CONTAINS(why, words);                                      \
    } while (0)

RM_TEST(param_specs_of_every_type) {
    static const char *const modes[] = {"a", "b", NULL};
    EXPECT_SPEC_OK(rmt_spec(RM_PARAM_BOOL, 0, "true"));
    EXPECT_SPEC_OK(rmt_spec(RM_PARAM_INT, 0, "-3"));
    EXPECT_SPEC_OK(rmt_spec(RM_PARAM_FLOAT, 0, "2"));
    EXPECT_SPEC_OK(rmt_spec(RM_PARAM_STRING, 0, "\"x\""));
    EXPECT_SPEC_OK(rmt_spec(RM_PARAM_JSON, 0, " [1, {\"a\": null}] "));
    EXPECT_SPEC_OK(rmt_spec(RM_PARAM_STRING, RM_PARAM_REQUIRED, NULL));
    EXPECT_SPEC_OK(rmt_spec(RM_PARAM_STRING, RM_PARAM_NULLABLE, NULL));
    EXPECT_SPEC_OK(rmt_spec(RM_PARAM_INT, RM_PARAM_NULLABLE, "null"));
    rm_param_spec_t spec = rmt_spec(RM_PARAM_ENUM, 0, "\"b\"");
    spec.enum_values = modes;
    EXPECT_SPEC_OK(spec);
    spec = rmt_spec(RM_PARAM_FLOAT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX, "1");
    spec.min = 1;
    spec.max = 1;
    EXPECT_SPEC_OK(spec);
}

RM_TEST(param_specs_refused) {
    static const char *const modes[] = {"a", "b", NULL};
    static const char *const none[] = {NULL};
    static const char *const twice[] = {"a", "a", NULL};
    EXPECT_SPEC_BAD(rmt_spec(0, 0, "1"), "not a parameter type");
    EXPECT_SPEC_BAD(rmt_spec(7, 0, "1"), "not a parameter type");
    EXPECT_SPEC_BAD(rmt_spec(RM_PARAM_BOOL, 0, "1"), "true or false");
    EXPECT_SPEC_BAD(rmt_spec(RM_PARAM_INT, 0, "1.5"), "integer");
    EXPECT_SPEC_BAD(rmt_spec(RM_PARAM_INT, 0, "1e300"), "integer");
    EXPECT_SPEC_BAD(rmt_spec(RM_PARAM_FLOAT, 0, "\"1\""), "number");
    EXPECT_SPEC_BAD(rmt_spec(RM_PARAM_STRING, 0, "abc"), "not valid JSON");
    EXPECT_SPEC_BAD(rmt_spec(RM_PARAM_STRING, 0, "\"a\" x"), "not valid JSON");
    EXPECT_SPEC_BAD(rmt_spec(RM_PARAM_STRING, 0, ""), "not valid JSON");
    EXPECT_SPEC_BAD(rmt_spec(RM_PARAM_STRING, 0, "null"), "null");
    EXPECT_SPEC_BAD(rmt_spec(RM_PARAM_STRING, 0, NULL), "no default_json");
    EXPECT_SPEC_BAD(rmt_spec(RM_PARAM_INT, RM_PARAM_REQUIRED, "1"),
                    "REQUIRED");
    EXPECT_SPEC_BAD(rmt_spec(RM_PARAM_STRING, RM_PARAM_HAS_MIN, "\"x\""),
                    "only int and float");

    rm_param_spec_t spec = rmt_spec(RM_PARAM_INT, RM_PARAM_HAS_MIN, "-1");
    EXPECT_SPEC_BAD(spec, "out of range; valid: >= 0");
    spec = rmt_spec(RM_PARAM_FLOAT, RM_PARAM_HAS_MAX, "3");
    spec.max = 2.5;
    EXPECT_SPEC_BAD(spec, "out of range; valid: <= 2.5");
    spec = rmt_spec(RM_PARAM_FLOAT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX, "1");
    spec.min = 2;
    spec.max = 1;
    EXPECT_SPEC_BAD(spec, "greater than max");
    spec = rmt_spec(RM_PARAM_FLOAT, RM_PARAM_HAS_MIN, "1");
    spec.min = NAN;
    EXPECT_SPEC_BAD(spec, "not a finite number");

    spec = rmt_spec(RM_PARAM_ENUM, 0, "\"c\"");
    spec.enum_values = modes;
    EXPECT_SPEC_BAD(spec, "\"c\" is not one of the allowed values (\"a\", \"b\")");
    spec.enum_values = NULL;
    EXPECT_SPEC_BAD(spec, "enum_values");
    spec.enum_values = none;
    EXPECT_SPEC_BAD(spec, "non-empty enum_values");
    spec.enum_values = twice;
    spec.default_json = "\"a\"";
    EXPECT_SPEC_BAD(spec, "listed twice");
}

RM_TEST(param_values_checked) {
    rm_param_spec_t spec = rmt_spec(RM_PARAM_INT, RM_PARAM_HAS_MAX, "1");
    spec.max = 10;
    cJSON *ok = cJSON_CreateNumber(10), *big = cJSON_CreateNumber(11);
    ASSERT_EQ_INT(rm__param_value_check(&spec, ok, why, sizeof(why)), RM_OK);
    ASSERT_EQ_INT(rm__param_value_check(&spec, big, why, sizeof(why)),
                  RM_EVALIDATE);
    ASSERT_STR_CONTAINS(why, "11");
    ASSERT_STR_CONTAINS(why, "<= 10");
    cJSON_Delete(ok);
    cJSON_Delete(big);
}

#define EXPECT_TYPE_BAD(type, words)                                          \
    do {                                                                      \
        ASSERT_EQ_INT(rm__node_type_check(&(type), why, sizeof(why)),         \
                      RM_EVALIDATE);                                          \
        ASSERT_STR_CONTAINS(why, words);                                      \
    } while (0)

RM_TEST(node_types_refused) {
    rm_node_type_t type = rmt_valid_type();
    ASSERT_EQ_INT(rm__node_type_check(&type, why, sizeof(why)), RM_OK);

    type.struct_size = 8;
    EXPECT_TYPE_BAD(type, "struct_size 8 is smaller");
    type = rmt_valid_type();
    type.name = NULL;
    EXPECT_TYPE_BAD(type, "has no name");
    type.name = "";
    EXPECT_TYPE_BAD(type, "has no name");
    type.name = "Two Words";
    EXPECT_TYPE_BAD(type, "whitespace");
    type = rmt_valid_type();
    type.create = NULL;
    EXPECT_TYPE_BAD(type, "node type 'T': create is NULL");
    type = rmt_valid_type();
    type.destroy = NULL;
    EXPECT_TYPE_BAD(type, "destroy is NULL");
    type = rmt_valid_type();
    type.process = NULL;
    EXPECT_TYPE_BAD(type, "process is NULL");
    type.capabilities = RM_CAP_SOURCE;
    EXPECT_TYPE_BAD(type, "RM_CAP_SOURCE is set but generate is NULL");
    type.generate = noop_generate;
    ASSERT_EQ_INT(rm__node_type_check(&type, why, sizeof(why)), RM_OK);

    type = rmt_valid_type();
    type.input_count = 1;
    EXPECT_TYPE_BAD(type, "input_count is 1 but inputs is NULL");
    rm_port_spec_t ports[2] = {{"in", 0, NULL}, {"in", 2, NULL}};
    type.inputs = ports;
    EXPECT_TYPE_BAD(type, "input port 'in' has kinds 0x0");
    ports[0].kinds = RM_KIND_BIT(RM_KIND_AUDIO);
    type.input_count = 2;
    EXPECT_TYPE_BAD(type, "declared twice");

    type = rmt_valid_type();
    type.param_count = 2;
    EXPECT_TYPE_BAD(type, "param_count is 2 but params is NULL");
    rm_param_spec_t params[2] = {rmt_spec(RM_PARAM_BOOL, 0, "true"),
                                 rmt_spec(RM_PARAM_BOOL, 0, "false")};
    type.params = params;
    EXPECT_TYPE_BAD(type, "node type 'T': param 'p': declared twice");
}

RM_TEST(descriptors_refused) {
    rm_node_type_t type = rmt_valid_type();
    const rm_node_type_t *types[] = {&type, &type};
    rm_plugin_descriptor_t d = {RM_PLUGIN_DESCRIPTOR_HEADER, "org.x", "X",
                                "1", NULL, types, 1, 0, NULL};
    ASSERT_EQ_INT(rm__descriptor_check(&d, why, sizeof(why)), RM_OK);
    d.node_type_count = 2;
    ASSERT_EQ_INT(rm__descriptor_check(&d, why, sizeof(why)), RM_EVALIDATE);
    ASSERT_STR_CONTAINS(why, "node type 'T' is declared twice");
    d.node_type_count = 1;
    d.id = "";
    d.name = NULL;
    ASSERT_EQ_INT(rm__descriptor_check(&d, why, sizeof(why)), RM_EVALIDATE);
    ASSERT_STR_CONTAINS(why, "no id");
    ASSERT_STR_CONTAINS(why, "; descriptor has no name");
    d.id = "org.x";
    d.name = "X";
    d.node_types = NULL;
    ASSERT_EQ_INT(rm__descriptor_check(&d, why, sizeof(why)), RM_EVALIDATE);
    ASSERT_STR_CONTAINS(why, "node_types is NULL");
    const rm_node_type_t *null_types[] = {NULL};
    d.node_types = null_types;
    ASSERT_EQ_INT(rm__descriptor_check(&d, why, sizeof(why)), RM_EVALIDATE);
    ASSERT_STR_CONTAINS(why, "node_types[0] is NULL");
    d.node_types = types;
    d.struct_size = 16;
    ASSERT_EQ_INT(rm__descriptor_check(&d, why, sizeof(why)), RM_EVALIDATE);
    ASSERT_STR_CONTAINS(why, "struct_size 16");
    /* No node types at all is allowed (types may come from an extension). */
    d.struct_size = sizeof(d);
    d.node_type_count = 0;
    d.node_types = NULL;
    ASSERT_EQ_INT(rm__descriptor_check(&d, why, sizeof(why)), RM_OK);
}

RM_TEST(abi_gate) {
    ASSERT_EQ_INT(rm__abi_check(RM_ABI_MAJOR, RM_ABI_MINOR, why, sizeof(why)),
                  RM_OK);
    ASSERT_EQ_INT(rm__abi_check(RM_ABI_MAJOR, 0, why, sizeof(why)), RM_OK);
    ASSERT_EQ_INT(rm__abi_check(2, 0, why, sizeof(why)), RM_EABI);
    ASSERT_STR_CONTAINS(why, "plugin ABI 2.0, this runtime supports 1.2");
    ASSERT_EQ_INT(rm__abi_check(0, 9, why, sizeof(why)), RM_EABI);
    ASSERT_STR_CONTAINS(why, "plugin ABI 0.9");
    ASSERT_EQ_INT(rm__abi_check(1, RM_ABI_MINOR + 1, why, sizeof(why)),
                  RM_EABI);
}

RM_TEST(small_buffers_truncate_safely) {
    char tiny[8];
    rm_param_spec_t spec = rmt_spec(RM_PARAM_STRING, 0, "not json");
    ASSERT_EQ_INT(rm__param_spec_check(&spec, tiny, sizeof(tiny)),
                  RM_EVALIDATE);
    ASSERT_TRUE(strlen(tiny) < sizeof(tiny));
    ASSERT_EQ_INT(rm__param_spec_check(&spec, NULL, 0), RM_EVALIDATE);
}

static int no_resolve(const char *node_json, const char **node_type,
                      char **params_json, char *err, size_t err_len) {
    (void)node_json; (void)node_type; (void)params_json; (void)err;
    (void)err_len;
    return 1;
}
static void no_free(char *s) { (void)s; }

RM_TEST(node_resolvers_checked) {
    char reason[256];
    rm_node_resolver_t r = {.struct_size = sizeof r, .precedence = 10,
                            .manifest_key = "key", .resolve = no_resolve,
                            .free_string = no_free};
    ASSERT_EQ_INT(rm__resolver_check(&r, reason, sizeof reason), RM_OK);
    r.manifest_key = "";
    ASSERT_EQ_INT(rm__resolver_check(&r, reason, sizeof reason), RM_EVALIDATE);
    ASSERT_STR_CONTAINS(reason, "it has no manifest_key");
    r.manifest_key = "key";
    r.free_string = NULL;
    ASSERT_EQ_INT(rm__resolver_check(&r, reason, sizeof reason), RM_EVALIDATE);
    ASSERT_STR_CONTAINS(reason, "resolve or free_string is NULL");
    r.free_string = no_free;
    r.flags = RM_RESOLVER_FALLBACK | (1u << 7); /* a flag of no ABI */
    ASSERT_EQ_INT(rm__resolver_check(&r, reason, sizeof reason), RM_EVALIDATE);
    ASSERT_STR_CONTAINS(reason, "unknown flags 0x80");
    /* A 1.1 resolver: its struct ends before flags, which are not read. */
    r.struct_size = offsetof(rm_node_resolver_t, flags);
    ASSERT_EQ_INT(rm__resolver_check(&r, reason, sizeof reason), RM_OK);
    r.flags = RM_RESOLVER_FALLBACK | RM_RESOLVER_CHECK_PARAMS;
    r.struct_size = sizeof r;
    ASSERT_EQ_INT(rm__resolver_check(&r, reason, sizeof reason), RM_OK);
    r.struct_size = 8; /* older and smaller than the fields it needs */
    ASSERT_EQ_INT(rm__resolver_check(&r, reason, sizeof reason), RM_EVALIDATE);
    ASSERT_STR_CONTAINS(reason, "struct_size");
}

RM_TEST_LIST(RM_TEST_ENTRY(node_resolvers_checked),
             RM_TEST_ENTRY(param_specs_of_every_type),
             RM_TEST_ENTRY(param_specs_refused),
             RM_TEST_ENTRY(param_values_checked),
             RM_TEST_ENTRY(node_types_refused),
             RM_TEST_ENTRY(descriptors_refused),
             RM_TEST_ENTRY(abi_gate),
             RM_TEST_ENTRY(small_buffers_truncate_safely))
