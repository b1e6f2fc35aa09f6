/*
 * test_manifest.c — loading, validating and ordering manifests against the
 * test plugin in tests/c/manifest/test_nodes_plugin.c (its own directory,
 * never the user's plugins).
 */
#include <math.h>
#include <time.h>

#include "rm_test.h"

#include <remotemedia/diag.h>
#include <remotemedia/registry.h>

#include "util/json_util.h"
#include "manifest/manifest.h"

/* ---- helpers ------------------------------------------------------------ */

/* 1: the registry also loads the second resolver plugin's directory. */
static int resolver_dirs;
/* 1: the registry refuses node types that run Python (--no-python). */
static int refuse_python;

static rm_registry_t *open_registry(void) {
    static const char *const dirs[] = {RM_TEST_MANIFEST_PLUGIN_DIR,
                                       RM_TEST_RESOLVER_PLUGIN_DIR};
    rm_registry_options_t options = {0};
    options.struct_size = sizeof(options);
    options.dirs = dirs;
    options.dir_count = resolver_dirs ? 2 : 1;
    options.use_env = 0;
    options.use_default = 0;
    options.flags = refuse_python ? RM_REGISTRY_NO_PYTHON : 0;
    rm_registry_t *registry = NULL;
    ASSERT_EQ_INT(rm_registry_open(&options, &registry), RM_OK);
    ASSERT_NOT_NULL(registry);
    if (!rm_registry_find(registry, "TestAllParams"))
        RM__FAIL("test plugin not loaded from %s (%zu failures)",
                 RM_TEST_MANIFEST_PLUGIN_DIR,
                 rm_registry_failure_count(registry));
    return registry;
}

/* One load; the test owns everything through this struct. */
typedef struct loaded {
    rm_registry_t *registry;
    rm_diag_t *diag;
    rm_manifest_t *manifest;
    int status;
} loaded_t;

static loaded_t load_len(const char *text, size_t len) {
    loaded_t l;
    l.registry = open_registry();
    l.diag = rm_diag_new();
    ASSERT_NOT_NULL(l.diag);
    l.manifest = NULL;
    l.status = rm__manifest_load(l.registry, text, len, "test.json", l.diag,
                                 &l.manifest);
    return l;
}

static loaded_t load(const char *text) { return load_len(text, strlen(text)); }

static void done(loaded_t *l) {
    rm__manifest_free(l->manifest);
    rm_diag_free(l->diag);
    rm_registry_close(l->registry);
}

static loaded_t load_ok(const char *text) {
    loaded_t l = load(text);
    if (l.status != RM_OK)
        RM__FAIL("load failed (%s):\n%s", rm_err_name(l.status),
                 rm_diag_text(l.diag));
    ASSERT_NOT_NULL(l.manifest);
    ASSERT_EQ_INT(rm_diag_count(l.diag), 0);
    return l;
}

/* The diag entry at `where` (exactly), failing with the full text if none
 * contains `needle`. */
static void expect_problem(loaded_t *l, const char *where,
                           const char *needle) {
    for (size_t i = 0; i < rm_diag_count(l->diag); i++) {
        const rm_diag_entry_t *e = rm_diag_at(l->diag, i);
        if (e->where && strcmp(e->where, where) == 0 &&
            strstr(e->message, needle))
            return;
    }
    RM__FAIL("no problem at \"%s\" containing \"%s\"; got:\n%s", where,
             needle, rm_diag_text(l->diag));
}

/* The message of the one problem at `where` (fails when there is none). */
static const char *problem_at(loaded_t *l, const char *where) {
    for (size_t i = 0; i < rm_diag_count(l->diag); i++) {
        const rm_diag_entry_t *e = rm_diag_at(l->diag, i);
        if (e->where && strcmp(e->where, where) == 0) return e->message;
    }
    RM__FAIL("no problem at \"%s\"; got:\n%s", where, rm_diag_text(l->diag));
    return NULL;
}

/* How often `needle` occurs in `text`. */
static size_t occurrences(const char *text, const char *needle) {
    size_t n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static loaded_t load_fail(const char *text, int status) {
    loaded_t l = load(text);
    ASSERT_TRUE(l.manifest == NULL);
    if (l.status != status)
        RM__FAIL("status %s, expected %s:\n%s", rm_err_name(l.status),
                 rm_err_name(status), rm_diag_text(l.diag));
    ASSERT_TRUE(rm_diag_count(l.diag) > 0);
    return l;
}

static size_t node_index(const rm_manifest_t *m, const char *id) {
    for (size_t i = 0; i < m->node_count; i++)
        if (strcmp(m->nodes[i].id, id) == 0) return i;
    RM__FAIL("no node %s", id);
}

#define NODE(id, type) "{\"id\":\"" id "\",\"node_type\":\"" type "\"}"
#define EDGE(a, b) "{\"from\":\"" a "\",\"to\":\"" b "\"}"
#define MANIFEST(nodes, connections)                                          \
    "{\"version\":\"v1\",\"metadata\":{\"name\":\"t\"},\"nodes\":[" nodes     \
    "],\"connections\":[" connections "]}"

/* ---- valid manifests ----------------------------------------------------- */

/* Exactly what the Python SDK's serialize() writes. */
RM_TEST(sdk_manifest_loads) {
    loaded_t l = load_ok(
        "{\n"
        "  \"version\": \"v1\",\n"
        "  \"metadata\": {\"name\": \"demo\", \"created_at\": "
        "\"2026-01-01T00:00:00\", \"description\": \"x\", \"extra\": 1},\n"
        "  \"nodes\": [\n"
        "    {\"id\": \"MultiplyNode_0\", \"node_type\": \"MultiplyNode\",\n"
        "     \"params\": {\"factor\": 3}, \"is_streaming\": false,\n"
        "     \"runtime_hint\": \"auto\"},\n"
        "    {\"id\": \"MultiplyNode_1\", \"node_type\": \"MultiplyNode\",\n"
        "     \"params\": {}},\n"
        "    {\"id\": \"pass_2\", \"node_type\": \"TestPass\", \"params\": {},\n"
        "     \"runtime_hint\": \"native\", \"is_streaming\": true}\n"
        "  ],\n"
        "  \"connections\": [\n"
        "    {\"from\": \"MultiplyNode_0\", \"to\": \"MultiplyNode_1\"},\n"
        "    {\"from\": \"MultiplyNode_1\", \"to\": \"pass_2\"}\n"
        "  ]\n"
        "}\n");
    rm_manifest_t *m = l.manifest;
    ASSERT_STR_EQ(m->name, "demo");
    ASSERT_EQ_INT(m->node_count, 3);
    ASSERT_EQ_INT(m->edge_count, 2);
    ASSERT_STR_EQ(m->nodes[0].id, "MultiplyNode_0");
    ASSERT_STR_EQ(m->nodes[0].type_name, "MultiplyNode");
    ASSERT_NOT_NULL(m->nodes[0].entry);
    ASSERT_STR_EQ(m->nodes[0].entry->type->name, "MultiplyNode");
    ASSERT_EQ_INT(m->nodes[2].hint, RM_HINT_NATIVE);
    ASSERT_EQ_INT(m->nodes[2].is_streaming, 1);
    ASSERT_EQ_INT(m->nodes[0].is_streaming, 0);
    ASSERT_TRUE(m->nodes[0].label == NULL); /* no resolver labels it */
    double factor = 0;
    ASSERT_EQ_INT(rm__param_float(m->nodes[0].params, "factor", &factor),
                  RM_OK);
    ASSERT_NEAR(factor, 3.0, 0);
    ASSERT_EQ_INT(rm__param_float(m->nodes[1].params, "factor", &factor),
                  RM_OK);
    ASSERT_NEAR(factor, 2.0, 0);
    /* Retry defaults: 3 retries, 100 ms, x2, no cap, no jitter, no timeout */
    const rm_retry_policy_t *r = &m->nodes[0].retry;
    ASSERT_EQ_INT(r->max_retries, 3);
    ASSERT_EQ_INT(r->initial_delay_ms, 100);
    ASSERT_NEAR(r->multiplier, 2.0, 0);
    ASSERT_EQ_INT(r->max_delay_ms, 0);
    ASSERT_NEAR(r->jitter, 0.0, 0);
    ASSERT_EQ_INT(r->timeout_ms, 0);
    for (size_t i = 0; i < 3; i++) ASSERT_EQ_INT(m->order[i], i);
    ASSERT_EQ_INT(m->nodes[1].input_count, 1);
    ASSERT_EQ_INT(m->nodes[1].inputs[0], 0);
    ASSERT_EQ_INT(m->nodes[1].output_count, 1);
    ASSERT_EQ_INT(m->nodes[1].outputs[0], 1);
    ASSERT_STR_CONTAINS(m->json, "MultiplyNode_0");
    done(&l);
}

RM_TEST(retry_timeout_python_fields) {
    loaded_t l = load_ok(
        "{\"version\":\"v1\",\"nodes\":[{\"id\":\"a\",\"node_type\":"
        "\"TestPass\",\"retry\":{\"max_retries\":5,\"initial_delay_ms\":10,"
        "\"multiplier\":1.5,\"max_delay_ms\":1000,\"jitter\":0.25},"
        "\"timeout_ms\":2500,\"runtime_hint\":\"python\","
        "\"python\":{\"module\":\"m.n\",\"class\":\"C\",\"extra\":[1]}}]}");
    const rm_manifest_node_t *n = &l.manifest->nodes[0];
    ASSERT_STR_EQ(l.manifest->name, "pipeline");
    ASSERT_EQ_INT(n->retry.max_retries, 5);
    ASSERT_EQ_INT(n->retry.initial_delay_ms, 10);
    ASSERT_NEAR(n->retry.multiplier, 1.5, 0);
    ASSERT_EQ_INT(n->retry.max_delay_ms, 1000);
    ASSERT_NEAR(n->retry.jitter, 0.25, 0);
    ASSERT_EQ_INT(n->retry.timeout_ms, 2500);
    ASSERT_EQ_INT(n->hint, RM_HINT_PYTHON);
    /* A native entry exists, but the hint says Python: the adapter runs it. */
    ASSERT_NOT_NULL(n->entry);
    ASSERT_STR_EQ(n->entry->type->name, "PythonNode");
    ASSERT_STR_EQ(n->type_name, "TestPass");
    /* The adapter's resolver labels it with the class, for metrics. */
    ASSERT_STR_EQ(n->label, "m.n.C");
    done(&l);
}

RM_TEST(param_defaults_and_accessors) {
    loaded_t l = load_ok(MANIFEST(NODE("a", "TestAllParams"), ""));
    const rm_params_t *p = l.manifest->nodes[0].params;
    int flag = 7;
    int64_t count = 0;
    double gain = 0, count_f = 0;
    const char *s = NULL;
    ASSERT_EQ_INT(rm__param_bool(p, "flag", &flag), RM_OK);
    ASSERT_EQ_INT(flag, 0);
    ASSERT_EQ_INT(rm__param_int(p, "count", &count), RM_OK);
    ASSERT_EQ_INT(count, 1);
    ASSERT_EQ_INT(rm__param_float(p, "count", &count_f), RM_OK);
    ASSERT_NEAR(count_f, 1.0, 0);
    ASSERT_EQ_INT(rm__param_float(p, "gain", &gain), RM_OK);
    ASSERT_NEAR(gain, 1.5, 0);
    ASSERT_EQ_INT(rm__param_int(p, "gain", &count), RM_EKIND);
    ASSERT_EQ_INT(rm__param_string(p, "label", &s), RM_OK);
    ASSERT_STR_EQ(s, "x");
    ASSERT_EQ_INT(rm__param_string(p, "quality", &s), RM_OK);
    ASSERT_STR_EQ(s, "high");
    /* param_enum (ABI 1.2): the index in the spec's enum_values. */
    uint32_t index = 99;
    ASSERT_EQ_INT(rm__param_enum(p, "quality", &index), RM_OK);
    ASSERT_EQ_INT(index, 2); /* low, medium, high */
    ASSERT_EQ_INT(rm__param_enum(p, "label", &index), RM_EKIND);
    ASSERT_EQ_INT(rm__param_enum(p, "count", &index), RM_EKIND);
    ASSERT_EQ_INT(rm__param_enum(p, "nope", &index), RM_ENOTFOUND);
    ASSERT_EQ_INT(rm__param_enum(p, "quality", NULL), RM_EINVAL);
    ASSERT_EQ_INT(index, 2);
    ASSERT_EQ_INT(rm__param_json(p, "extra", &s), RM_OK);
    ASSERT_STR_EQ(s, "{\"a\":[1,2]}");
    ASSERT_EQ_INT(rm__param_json(p, "label", &s), RM_OK);
    ASSERT_STR_EQ(s, "\"x\"");
    ASSERT_EQ_INT(rm__param_string(p, "extra", &s), RM_EKIND);
    ASSERT_EQ_INT(rm__param_bool(p, "count", &flag), RM_EKIND);
    ASSERT_EQ_INT(rm__param_int(p, "limit", &count), RM_ENOTFOUND);
    ASSERT_EQ_INT(rm__param_int(p, "nope", &count), RM_ENOTFOUND);
    ASSERT_EQ_INT(rm__param_int(p, "count", NULL), RM_EINVAL);
    ASSERT_STR_EQ(rm__params_to_json(p),
                  "{\"flag\":false,\"count\":1,\"gain\":1.5,\"label\":\"x\","
                  "\"quality\":\"high\",\"extra\":{\"a\":[1,2]},\"big\":0}");
    done(&l);
}

RM_TEST(param_values_accepted) {
    loaded_t l = load_ok(MANIFEST(
        "{\"id\":\"a\",\"node_type\":\"TestAllParams\",\"params\":{"
        "\"flag\":true,\"count\":2.0,\"gain\":3,\"label\":\"\\u00e9\","
        "\"quality\":\"low\",\"extra\":null,\"limit\":null,"
        "\"big\":-9007199254740992}},"
        "{\"id\":\"b\",\"node_type\":\"TestAllParams\",\"params\":{"
        "\"count\":-0,\"gain\":-0,\"limit\":5,\"big\":9007199254740992}}",
        EDGE("a", "b")));
    const rm_params_t *a = l.manifest->nodes[0].params;
    const rm_params_t *b = l.manifest->nodes[1].params;
    int flag = 0;
    int64_t v = 0;
    double d = 1;
    const char *s = NULL;
    ASSERT_EQ_INT(rm__param_bool(a, "flag", &flag), RM_OK);
    ASSERT_EQ_INT(flag, 1);
    ASSERT_EQ_INT(rm__param_int(a, "count", &v), RM_OK);
    ASSERT_EQ_INT(v, 2);
    ASSERT_EQ_INT(rm__param_float(a, "gain", &d), RM_OK);
    ASSERT_NEAR(d, 3.0, 0);
    ASSERT_EQ_INT(rm__param_string(a, "label", &s), RM_OK);
    ASSERT_STR_EQ(s, "\xc3\xa9");
    uint32_t index = 99;
    ASSERT_EQ_INT(rm__param_enum(a, "quality", &index), RM_OK);
    ASSERT_EQ_INT(index, 0); /* "low" */
    ASSERT_EQ_INT(rm__param_enum(b, "quality", &index), RM_OK);
    ASSERT_EQ_INT(index, 2); /* defaulted: "high" */
    ASSERT_EQ_INT(rm__param_json(a, "extra", &s), RM_OK); /* JSON null */
    ASSERT_STR_EQ(s, "null");
    ASSERT_EQ_INT(rm__param_int(a, "limit", &v), RM_ENOTFOUND);
    ASSERT_EQ_INT(rm__param_int(a, "big", &v), RM_OK);
    ASSERT_EQ_INT(v, -9007199254740992LL);
    ASSERT_EQ_INT(rm__param_int(b, "count", &v), RM_OK);
    ASSERT_EQ_INT(v, 0);
    ASSERT_EQ_INT(rm__param_float(b, "gain", &d), RM_OK);
    ASSERT_TRUE(d == 0.0 && !signbit(d));
    ASSERT_EQ_INT(rm__param_int(b, "limit", &v), RM_OK);
    ASSERT_EQ_INT(v, 5);
    ASSERT_EQ_INT(rm__param_int(b, "big", &v), RM_OK);
    ASSERT_EQ_INT(v, 9007199254740992LL);
    done(&l);
}

/* ---- every error class, with its message --------------------------------- */

RM_TEST(param_errors) {
    loaded_t l = load_fail(
        MANIFEST("{\"id\":\"n\",\"node_type\":\"TestAllParams\",\"params\":{"
                 "\"gian\":1,\"gain\":\"abc\",\"count\":250,"
                 "\"quality\":\"hihg\",\"flag\":1,\"label\":[],"
                 "\"limit\":0,\"big\":2.5}},"
                 "{\"id\":\"r\",\"node_type\":\"TestRequired\"},"
                 "{\"id\":\"p\",\"node_type\":\"TestPass\",\"params\":{\"x\":"
                 "1}},"
                 "{\"id\":\"q\",\"node_type\":\"TestAllParams\",\"params\":{"
                 "\"big\":1e17,\"gain\":1e400,\"extra\":{\"k\":[1,-1e400]},"
                 "\"count\":-1}}",
                 EDGE("n", "r") "," EDGE("r", "p") "," EDGE("p", "q")),
        RM_EVALIDATE);
    expect_problem(&l, "nodes[0].params.gian",
                   "unknown parameter \"gian\" for TestAllParams (did you "
                   "mean \"gain\"?); valid parameters: flag, count, gain, "
                   "label, quality, extra, limit, big");
    expect_problem(&l, "nodes[0].params.gain",
                   "expected a number, got string \"abc\" (parameter "
                   "\"gain\" of node \"n\", type TestAllParams)");
    expect_problem(&l, "nodes[0].params.count",
                   "250 is out of range: must be in [0, 100]");
    expect_problem(&l, "nodes[0].params.quality",
                   "expected one of \"low\", \"medium\", \"high\", got "
                   "\"hihg\" (did you mean \"high\"?)");
    expect_problem(&l, "nodes[0].params.flag",
                   "expected a boolean, got number 1");
    expect_problem(&l, "nodes[0].params.label",
                   "expected a string, got an array");
    expect_problem(&l, "nodes[0].params.limit",
                   "0 is out of range: must be >= 1");
    expect_problem(&l, "nodes[0].params.big",
                   "expected an integer, got number 2.5");
    expect_problem(&l, "nodes[1].params",
                   "missing required parameter \"path\" (a string) of node "
                   "\"r\", type TestRequired");
    expect_problem(&l, "nodes[2].params.x",
                   "unknown parameter \"x\" for TestPass: it takes no "
                   "parameters");
    expect_problem(&l, "nodes[3].params.big",
                   "integer 1e+17 is too large to be exact");
    expect_problem(&l, "nodes[3].params.gain",
                   "number is too large: it overflows a double");
    expect_problem(&l, "nodes[3].params.extra.k[1]",
                   "number is too large: it overflows a double");
    expect_problem(&l, "nodes[3].params.count",
                   "-1 is out of range: must be in [0, 100]");
    ASSERT_EQ_INT(rm_diag_count(l.diag), 14);
    done(&l);
}

RM_TEST(field_errors) {
    loaded_t l = load_fail(
        "{\"version\":\"v2\",\"metadata\":{\"name\":7,\"anything\":{}},"
        "\"nodez\":1,\"nodes\":[{\"id\":\"a\",\"node_typ\":\"TestPass\","
        "\"runtime_hint\":\"gpu\",\"is_streaming\":\"yes\","
        "\"retry\":{\"max_retries\":-1,\"jitter\":2,\"backoff\":1},"
        "\"timeout_ms\":1.5},"
        "{\"id\":\"\",\"node_type\":5},7,"
        "{\"id\":\"c\",\"node_type\":\"TestPass\",\"python\":{\"module\":1}}],"
        "\"connections\":[{\"from\":\"a\",\"to\":\"c\",\"weight\":1},3]}",
        RM_EVALIDATE);
    expect_problem(&l, "version",
                   "expected \"v1\" (the only manifest version this runtime "
                   "reads), got string \"v2\"");
    expect_problem(&l, "metadata.name", "expected a string, got number 7");
    expect_problem(&l, "nodez",
                   "unknown manifest field \"nodez\" (did you mean "
                   "\"nodes\"?); valid fields: version, metadata, nodes, "
                   "connections");
    expect_problem(&l, "nodes[0].node_typ",
                   "unknown node field \"node_typ\" (did you mean "
                   "\"node_type\"?)");
    expect_problem(&l, "nodes[0]", "missing required field \"node_type\"");
    expect_problem(&l, "nodes[0].runtime_hint",
                   "expected one of \"auto\", \"native\", \"python\", got "
                   "string \"gpu\"");
    /* Each hint name once (the list comes from the table of hints). */
    ASSERT_EQ_INT(occurrences(problem_at(&l, "nodes[0].runtime_hint"),
                              "\"native\""), 1);
    expect_problem(&l, "nodes[0].is_streaming",
                   "expected a boolean, got string \"yes\"");
    expect_problem(&l, "nodes[0].retry.max_retries",
                   "-1 is out of range: must be in [0, 4294967295]");
    expect_problem(&l, "nodes[0].retry.jitter",
                   "2 is out of range: must be in [0, 1]");
    expect_problem(&l, "nodes[0].retry.backoff",
                   "unknown retry field \"backoff\"; valid fields: "
                   "max_retries, initial_delay_ms, multiplier, max_delay_ms, "
                   "jitter");
    expect_problem(&l, "nodes[0].timeout_ms",
                   "expected an integer, got number 1.5");
    expect_problem(&l, "nodes[1].id",
                   "expected a node id string like \"resample_0\", got an "
                   "empty string");
    expect_problem(&l, "nodes[1].node_type",
                   "expected a node type name string like "
                   "\"AudioResampleNode\", got number 5");
    expect_problem(&l, "nodes[2]",
                   "expected a node object {\"id\", \"node_type\", "
                   "\"params\"}, got number 7");
    expect_problem(&l, "nodes[3].python.module",
                   "expected a Python module name like \"my_pkg.nodes\"; or "
                   "give \"instance\", got number 1");
    expect_problem(&l, "nodes[3].python",
                   "missing required field \"class\"");
    expect_problem(&l, "connections[0].weight",
                   "unknown connection field \"weight\"; valid fields: from, "
                   "to, from_port, to_port");
    expect_problem(&l, "connections[1]",
                   "expected a connection object {\"from\": id, \"to\": id}, "
                   "got number 3");
    done(&l);
}

RM_TEST(top_level_shape_errors) {
    loaded_t l = load_fail("[1,2]", RM_EVALIDATE);
    expect_problem(&l, "$", "expected a manifest object");
    expect_problem(&l, "$", "got an array");
    done(&l);
    l = load_fail("{\"nodes\":{}}", RM_EVALIDATE);
    expect_problem(&l, "$", "missing required field \"version\" (expected "
                            "\"v1\")");
    expect_problem(&l, "nodes", "expected an array of node objects, got an "
                                "object");
    done(&l);
    l = load_fail("{\"version\":\"v1\"}", RM_EVALIDATE);
    expect_problem(&l, "$", "missing required field \"nodes\"");
    done(&l);
    l = load_fail("{\"version\":\"v1\",\"nodes\":[]}", RM_EVALIDATE);
    expect_problem(&l, "nodes", "expected at least one node, got an empty "
                                "array");
    done(&l);
    l = load_fail("{\"version\":\"v1\",\"nodes\":[" NODE("a", "TestPass")
                  "],\"connections\":{}}",
                  RM_EVALIDATE);
    expect_problem(&l, "connections", "expected an array of connection "
                                      "objects");
    done(&l);
}

RM_TEST(duplicate_keys_and_ids) {
    loaded_t l = load_fail(
        "{\"version\":\"v1\",\"version\":\"v1\",\"nodes\":["
        "{\"id\":\"a\",\"node_type\":\"TestPass\",\"id\":\"b\"},"
        NODE("x", "TestPass") "," NODE("a", "TestPass") ","
        NODE("x", "TestPass") "]}",
        RM_EVALIDATE);
    expect_problem(&l, "version", "key \"version\" appears more than once in "
                                  "this manifest (keys #1 and #2)");
    expect_problem(&l, "nodes[0].id", "key \"id\" appears more than once in "
                                      "this node");
    expect_problem(&l, "nodes[2].id",
                   "duplicate node id \"a\": nodes[0] and nodes[2] both use "
                   "it");
    expect_problem(&l, "nodes[3].id",
                   "duplicate node id \"x\": nodes[1] and nodes[3]");
    ASSERT_EQ_INT(rm_diag_count(l.diag), 4);
    done(&l);
}

RM_TEST(unknown_node_type) {
    loaded_t l = load_fail(MANIFEST(NODE("m", "MultiplyNod") ","
                                    NODE("z", "Zebra"), EDGE("m", "z")),
                           RM_EVALIDATE);
    expect_problem(&l, "nodes[0].node_type",
                   "unknown node type \"MultiplyNod\" (did you mean "
                   "\"MultiplyNode\"?); searched " RM_TEST_MANIFEST_PLUGIN_DIR
                   " (13 node types known)");
    expect_problem(&l, "nodes[0].node_type",
                   "to run a Python implementation add \"python\"");
    expect_problem(&l, "nodes[1].node_type", "unknown node type \"Zebra\"; "
                                             "searched");
    /* Edges touching unresolved nodes are not reported again. */
    ASSERT_EQ_INT(rm_diag_count(l.diag), 2);
    done(&l);
    /* Case only differs: still a suggestion. */
    l = load_fail(MANIFEST(NODE("m", "multiplynode"), ""), RM_EVALIDATE);
    expect_problem(&l, "nodes[0].node_type", "did you mean \"MultiplyNode\"?");
    done(&l);
    /* No registry at all. */
    rm_diag_t *diag = rm_diag_new();
    rm_manifest_t *m = NULL;
    const char *text = MANIFEST(NODE("m", "MultiplyNode"), "");
    ASSERT_EQ_INT(rm__manifest_load(NULL, text, strlen(text), NULL, diag, &m),
                  RM_EVALIDATE);
    ASSERT_STR_CONTAINS(rm_diag_text(diag), "searched no plugin directories");
    rm_diag_free(diag);
    /* Without the adapter's plugin, nothing claims "python" (the core
     * knows no plugin's key): an unknown field, and an unknown type. */
    diag = rm_diag_new();
    text = "{\"version\":\"v1\",\"nodes\":[{\"id\":\"p\",\"node_type\":"
           "\"Mine\",\"python\":{\"module\":\"m\",\"class\":\"C\"}}]}";
    ASSERT_EQ_INT(rm__manifest_load(NULL, text, strlen(text), NULL, diag, &m),
                  RM_EVALIDATE);
    ASSERT_STR_CONTAINS(rm_diag_text(diag),
                        "nodes[0].python: unknown node field \"python\"");
    ASSERT_STR_CONTAINS(rm_diag_text(diag),
                        "nodes[0].node_type: unknown node type \"Mine\"; "
                        "searched no plugin directories");
    rm_diag_free(diag);
}

RM_TEST(python_deferred_nodes) {
    loaded_t l = load_ok(
        "{\"version\":\"v1\",\"nodes\":["
        "{\"id\":\"src\",\"node_type\":\"TestSource\"},"
        "{\"id\":\"py\",\"node_type\":\"MyPyNode\",\"runtime_hint\":"
        "\"python\",\"python\":{\"module\":\"__main__\",\"class\":"
        "\"MyPyNode\"},\"params\":{\"k\":2,\"f\":2.5,\"s\":\"v\",\"o\":{"
        "\"a\":1},\"n\":null,\"b\":true}},"
        NODE("sink", "TestSink") "]}");
    const rm_manifest_node_t *py = &l.manifest->nodes[1];
    /* Resolved to the adapter; the user's type name stays. */
    ASSERT_NOT_NULL(py->entry);
    ASSERT_STR_EQ(py->entry->type->name, "PythonNode");
    ASSERT_STR_EQ(py->type_name, "MyPyNode");
    ASSERT_STR_EQ(py->label, "__main__.MyPyNode");
    const char *s = NULL;
    ASSERT_EQ_INT(rm__param_string(py->params, "module", &s), RM_OK);
    ASSERT_STR_EQ(s, "__main__");
    ASSERT_EQ_INT(rm__param_string(py->params, "class", &s), RM_OK);
    ASSERT_STR_EQ(s, "MyPyNode");
    ASSERT_EQ_INT(rm__param_string(py->params, "name", &s), RM_OK);
    ASSERT_STR_EQ(s, "py");
    /* The node's own params travel as "config", normalised (null dropped). */
    ASSERT_EQ_INT(rm__param_json(py->params, "config", &s), RM_OK);
    ASSERT_STR_EQ(s, "{\"k\":2,\"f\":2.5,\"s\":\"v\",\"o\":{\"a\":1},"
                     "\"b\":true}");
    ASSERT_EQ_INT(l.manifest->edge_count, 2); /* implicit chain */
    done(&l);

    /* A live object registered by the SDK needs no module/class. */
    l = load_ok("{\"version\":\"v1\",\"nodes\":[{\"id\":\"py\","
                "\"node_type\":\"Mine\",\"python\":{\"instance\":\"k1\"}}]}");
    ASSERT_STR_EQ(l.manifest->nodes[0].label, "instance:k1");
    ASSERT_EQ_INT(rm__param_string(l.manifest->nodes[0].params, "instance",
                                   &s), RM_OK);
    ASSERT_STR_EQ(s, "k1");
    done(&l);

    /* A Python source: "source": true picks the adapter's source type. */
    l = load_ok("{\"version\":\"v1\",\"nodes\":[{\"id\":\"gen\","
                "\"node_type\":\"Gen\",\"python\":{\"instance\":\"k2\","
                "\"source\":true}}," NODE("sink", "TestSink") "]}");
    ASSERT_STR_EQ(l.manifest->nodes[0].entry->type->name, "PythonSource");
    done(&l);

    /* runtime_hint "python" needs a location to run. */
    l = load_fail("{\"version\":\"v1\",\"nodes\":[{\"id\":\"p\","
                  "\"node_type\":\"TestPass\",\"runtime_hint\":\"python\"}]}",
                  RM_EVALIDATE);
    expect_problem(&l, "nodes[0].runtime_hint",
                   "\"python\" but the node gives no Python location; add "
                   "\"python\": {\"module\": ..., \"class\": ...}");
    /* The path names the field; the message does not say it again. */
    ASSERT_EQ_INT(occurrences(problem_at(&l, "nodes[0].runtime_hint"),
                              "runtime_hint"), 0);
    done(&l);
    l = load_fail("{\"version\":\"v1\",\"nodes\":[{\"id\":\"py\","
                  "\"node_type\":\"Mine\",\"python\":{\"instance\":\"\"}}]}",
                  RM_EVALIDATE);
    expect_problem(&l, "nodes[0].python.instance",
                   "expected the key of a node object registered by the SDK, "
                   "got an empty string");
    ASSERT_EQ_INT(rm_diag_count(l.diag), 1);
    done(&l);

    l = load_fail("{\"version\":\"v1\",\"nodes\":[{\"id\":\"py\","
                  "\"node_type\":\"MyPyNode\",\"runtime_hint\":\"native\","
                  "\"python\":{\"module\":\"m\",\"class\":\"C\"}}]}",
                  RM_EVALIDATE);
    expect_problem(&l, "nodes[0].node_type",
                   "runtime_hint is \"native\" but no plugin provides node "
                   "type \"MyPyNode\" natively");
    done(&l);

    l = load_fail("{\"version\":\"v1\",\"nodes\":[{\"id\":\"py\","
                  "\"node_type\":\"MyPyNode\",\"params\":{\"x\":1e400},"
                  "\"python\":{\"module\":\"m\",\"class\":\"C\"}}]}",
                  RM_EVALIDATE);
    expect_problem(&l, "nodes[0].params.x", "overflows a double");
    done(&l);

    /* The adapter's type named directly: labelled from its params too. */
    l = load_ok("{\"version\":\"v1\",\"nodes\":[{\"id\":\"py\","
                "\"node_type\":\"PythonNode\",\"params\":{\"module\":"
                "\"pkg.mod\",\"class\":\"Gain\"}}]}");
    ASSERT_STR_EQ(l.manifest->nodes[0].label, "pkg.mod.Gain");
    done(&l);

    /* A location that is not an object; members of the wrong type. */
    l = load_fail("{\"version\":\"v1\",\"nodes\":[{\"id\":\"a\","
                  "\"node_type\":\"Mine\",\"python\":[7,8]},{\"id\":\"b\","
                  "\"node_type\":\"Mine\",\"python\":{\"module\":\"m\","
                  "\"class\":[1],\"module\":\"n\"}}]}",
                  RM_EVALIDATE);
    expect_problem(&l, "nodes[0].python",
                   "expected a Python location object {\"module\": ..., "
                   "\"class\": ...}, got an array");
    expect_problem(&l, "nodes[1].python.class",
                   "expected a Python class name like \"MyNode\"; or give "
                   "\"instance\", got an array");
    expect_problem(&l, "nodes[1].python.module",
                   "key \"module\" appears more than once in this python");
    ASSERT_EQ_INT(rm_diag_count(l.diag), 3);
    done(&l);
}

/* --no-python: the adapter's resolver declares RM_CAP_NEEDS_PYTHON, so the
 * registry refuses it with the adapter's types, and the nodes it would
 * claim are named. */
RM_TEST(python_refused) {
    refuse_python = 1;
    loaded_t l = load_fail(
        "{\"version\":\"v1\",\"nodes\":[" NODE("m", "MultiplyNode") ","
        "{\"id\":\"evil\",\"node_type\":\"Anything\",\"python\":"
        "{\"module\":\"os\",\"class\":\"system\"}}]}",
        RM_EVALIDATE);
    expect_problem(&l, "nodes[1].python",
                   "node type \"Anything\" would run Python code, and "
                   "Python nodes are refused here (--no-python, "
                   "REMOTEMEDIA_NO_PYTHON=1): a manifest that names a Python "
                   "class runs it");
    ASSERT_EQ_INT(rm_diag_count(l.diag), 1);
    done(&l);
    /* A native type with a location still runs natively. */
    l = load_ok("{\"version\":\"v1\",\"nodes\":[{\"id\":\"m\","
                "\"node_type\":\"MultiplyNode\",\"python\":{\"module\":"
                "\"m\",\"class\":\"C\"}}]}");
    ASSERT_STR_EQ(l.manifest->nodes[0].entry->type->name, "MultiplyNode");
    done(&l);
    /* An unknown type says Python types are refused, not how to add one. */
    l = load_fail(MANIFEST(NODE("z", "Zebra"), ""), RM_EVALIDATE);
    expect_problem(&l, "nodes[0].node_type",
                   "; node types that run Python are refused here");
    ASSERT_TRUE(strstr(rm_diag_text(l.diag), "to run a Python") == NULL);
    done(&l);
    refuse_python = 0;
}

RM_TEST(edges_to_unknown_nodes) {
    loaded_t l = load_fail(
        MANIFEST(NODE("alpha", "TestPass") "," NODE("beta", "TestPass"),
                 EDGE("alpha", "betta") ","
                 "{\"from\":\"gamma\",\"to\":\"alpha\"},{\"to\":\"beta\"},"
                 "{\"from\":1,\"to\":\"beta\"}"),
        RM_EVALIDATE);
    expect_problem(&l, "connections[0].to",
                   "unknown node id \"betta\" (did you mean \"beta\"?); node "
                   "ids are: \"alpha\", \"beta\"");
    expect_problem(&l, "connections[1].from", "unknown node id \"gamma\"");
    expect_problem(&l, "connections[2]", "missing required field \"from\"");
    expect_problem(&l, "connections[3].from",
                   "expected a node id string, got number 1");
    ASSERT_EQ_INT(rm_diag_count(l.diag), 4);
    done(&l);
}

RM_TEST(ports) {
    loaded_t l = load_ok(MANIFEST(
        NODE("src", "TestSource") "," NODE("split", "TestSplit") ","
        NODE("mix", "TestMix") "," NODE("sink", "TestSink"),
        EDGE("src", "split") ","
        "{\"from\":\"split\",\"from_port\":\"high\",\"to\":\"mix\","
        "\"to_port\":1},"
        "{\"from\":\"split\",\"from_port\":0,\"to\":\"mix\",\"to_port\":"
        "\"left\"},"
        EDGE("mix", "sink")));
    const rm_manifest_edge_t *e = l.manifest->edges;
    ASSERT_EQ_INT(e[1].from_port, 1);
    ASSERT_EQ_INT(e[1].to_port, 1);
    ASSERT_EQ_INT(e[2].from_port, 0);
    ASSERT_EQ_INT(e[2].to_port, 0);
    done(&l);

    l = load_fail(
        MANIFEST(NODE("src", "TestSource") "," NODE("mix", "TestMix") ","
                 NODE("sink", "TestSink") "," NODE("src2", "TestSource"),
                 "{\"from\":\"src\",\"to\":\"mix\",\"to_port\":\"rigth\"},"
                 "{\"from\":\"src\",\"to\":\"mix\",\"to_port\":2},"
                 "{\"from\":\"src\",\"to\":\"mix\",\"to_port\":-1},"
                 "{\"from\":\"src\",\"to\":\"mix\",\"to_port\":true},"
                 "{\"from\":\"src\",\"from_port\":\"in\",\"to\":\"sink\"},"
                 EDGE("mix", "src2") "," EDGE("sink", "mix")),
        RM_EVALIDATE);
    expect_problem(&l, "connections[0].to_port",
                   "unknown input port \"rigth\" (did you mean \"right\"?): "
                   "node \"mix\" (TestMix) has input ports 0 \"left\", 1 "
                   "\"right\"");
    expect_problem(&l, "connections[1].to_port", "unknown input port 2: node "
                                                 "\"mix\" (TestMix)");
    expect_problem(&l, "connections[2].to_port", "unknown input port -1");
    expect_problem(&l, "connections[3].to_port",
                   "expected a port name (string) or index (integer >= 0), "
                   "got boolean true");
    expect_problem(&l, "connections[4].from_port",
                   "unknown output port \"in\": node \"src\" (TestSource) "
                   "has output ports 0 \"out\"");
    expect_problem(&l, "connections[5].to",
                   "node \"src2\" (TestSource) is a source: it has no input "
                   "ports, so it cannot receive from node \"mix\" (TestMix)");
    expect_problem(&l, "connections[6].from",
                   "node \"sink\" (TestSink) is a sink: it has no output "
                   "ports, so it cannot send to node \"mix\" (TestMix)");
    ASSERT_EQ_INT(rm_diag_count(l.diag), 7);
    done(&l);
}

/* A JSON-only port wired into an audio-only input is a validation error
 * naming both ends and both kinds (it used to fail at run time). An ANY
 * port on either side is fine, and so is any overlap. */
RM_TEST(port_kinds_checked) {
    loaded_t l = load_fail(
        MANIFEST(NODE("events", "TestJsonSource") ","
                 NODE("write", "TestAudioSink") ","
                 NODE("samples", "TestSamplesSink"),
                 EDGE("events", "write") "," EDGE("events", "samples")),
        RM_EVALIDATE);
    expect_problem(&l, "connections[0]",
                   "port kinds do not match: node \"events\" "
                   "(TestJsonSource) output port 0 \"events\" emits json, "
                   "but node \"write\" (TestAudioSink) input port 0 "
                   "\"audio\" accepts only audio");
    expect_problem(&l, "connections[1]",
                   "input port 0 \"samples\" accepts only audio or tensor");
    ASSERT_EQ_INT(rm_diag_count(l.diag), 2);
    done(&l);
    /* the implicit chain is checked too */
    l = load_fail("{\"version\":\"v1\",\"nodes\":["
                  NODE("events", "TestJsonSource") ","
                  NODE("write", "TestAudioSink") "]}",
                  RM_EVALIDATE);
    expect_problem(&l, "nodes[1] (implicit chain: no \"connections\")",
                   "emits json, but node \"write\" (TestAudioSink)");
    done(&l);
    l = load_ok(MANIFEST(NODE("src", "TestSource") ","
                         NODE("pass", "TestPass") ","
                         NODE("write", "TestAudioSink") ","
                         NODE("events", "TestJsonSource") ","
                         NODE("sink", "TestSink"),
                         EDGE("src", "pass") "," EDGE("pass", "write") ","
                         EDGE("events", "sink")));
    done(&l);
}

RM_TEST(duplicate_connection) {
    loaded_t l = load_fail(MANIFEST(NODE("a", "TestPass") ","
                                    NODE("b", "TestPass"),
                                    EDGE("a", "b") "," EDGE("a", "b")),
                           RM_EVALIDATE);
    expect_problem(&l, "connections[1]", "duplicate connection: same as "
                                         "connections[0]");
    done(&l);
}

/* Five unrelated mistakes come back as five entries, in one load. */
RM_TEST(all_problems_reported_together) {
    loaded_t l = load_fail(
        "{\"version\":\"v1\",\"extra\":true,\"nodes\":["
        "{\"id\":\"a\",\"node_type\":\"MultiplyNode\",\"params\":{\"factor\":"
        "\"2\"}},"
        "{\"id\":\"a\",\"node_type\":\"TestPass\"},"
        "{\"id\":\"c\",\"node_type\":\"Nope\"}],"
        "\"connections\":[{\"from\":\"a\",\"to\":\"d\"},"
        "{\"from\":\"a\",\"to\":\"c\",\"to_port\":\"x\",\"from_port\":9}]}",
        RM_EVALIDATE);
    if (rm_diag_count(l.diag) != 6)
        RM__FAIL("expected 6 problems, got %zu:\n%s", rm_diag_count(l.diag),
                 rm_diag_text(l.diag));
    expect_problem(&l, "extra", "unknown manifest field");
    expect_problem(&l, "nodes[0].params.factor", "expected a number");
    expect_problem(&l, "nodes[1].id", "duplicate node id \"a\"");
    expect_problem(&l, "nodes[2].node_type", "unknown node type \"Nope\"");
    expect_problem(&l, "connections[0].to", "unknown node id \"d\"");
    expect_problem(&l, "connections[1].from_port", "unknown output port 9");
    /* Every line of the text is "where: message". */
    ASSERT_STR_CONTAINS(rm_diag_text(l.diag),
                        "\nnodes[1].id: duplicate node id \"a\"");
    done(&l);
}

/* ---- graph --------------------------------------------------------------- */

RM_TEST(cycle_of_three_named_in_order) {
    loaded_t l = load_fail(MANIFEST(NODE("a", "TestPass") ","
                                    NODE("b", "TestPass") ","
                                    NODE("c", "TestPass"),
                                    EDGE("a", "b") "," EDGE("b", "c") ","
                                    EDGE("c", "a")),
                           RM_ECYCLE);
    expect_problem(&l, "connections",
                   "the graph has a cycle: a -> b -> c -> a");
    ASSERT_EQ_INT(rm_diag_at(l.diag, 0)->status, RM_ECYCLE);
    ASSERT_EQ_INT(rm_diag_count(l.diag), 1);
    done(&l);
    /* Named from its earliest node in the manifest, edges listed in any
     * order, reached from upstream nodes. */
    l = load_fail(MANIFEST(NODE("s", "TestSource") "," NODE("z", "TestMix")
                           "," NODE("x", "TestPass") "," NODE("y", "TestPass"),
                           EDGE("y", "z") "," EDGE("x", "y") ","
                           "{\"from\":\"s\",\"to\":\"z\",\"to_port\":1},"
                           EDGE("z", "x")),
              RM_ECYCLE);
    expect_problem(&l, "connections", "cycle: z -> x -> y -> z;");
    done(&l);
}

RM_TEST(self_loop) {
    loaded_t l = load_fail(MANIFEST(NODE("a", "TestPass") ","
                                    NODE("b", "TestPass"),
                                    EDGE("a", "b") "," EDGE("b", "b")),
                           RM_ECYCLE);
    expect_problem(&l, "connections", "the graph has a cycle: b -> b;");
    done(&l);
}

RM_TEST(cycle_reported_with_other_problems) {
    loaded_t l = load_fail(MANIFEST(NODE("a", "TestPass") ","
                                    NODE("b", "TestPass") ","
                                    NODE("c", "Unknown"),
                                    EDGE("a", "b") "," EDGE("b", "a")),
                           RM_EVALIDATE);
    expect_problem(&l, "connections", "cycle: a -> b -> a");
    expect_problem(&l, "nodes[2].node_type", "unknown node type");
    done(&l);
}

RM_TEST(diamond_fan_out_fan_in) {
    /* Listed sink-first: the order must still be topological, and among
     * ready nodes the earliest in the manifest goes first (r before l). */
    loaded_t l = load_ok(MANIFEST(
        NODE("m", "TestMix") "," NODE("r", "TestPass") ","
        NODE("l", "TestPass") "," NODE("s", "TestSource") ","
        NODE("t", "TestSink"),
        EDGE("s", "l") "," EDGE("s", "r") ","
        "{\"from\":\"l\",\"to\":\"m\",\"to_port\":\"left\"},"
        "{\"from\":\"r\",\"to\":\"m\",\"to_port\":\"right\"},"
        EDGE("m", "t")));
    const rm_manifest_t *m = l.manifest;
    size_t expected[] = {3, 1, 2, 0, 4};
    for (size_t i = 0; i < 5; i++) ASSERT_EQ_INT(m->order[i], expected[i]);
    size_t s = node_index(m, "s"), mix = node_index(m, "m");
    ASSERT_EQ_INT(m->nodes[s].output_count, 2);
    ASSERT_EQ_INT(m->nodes[s].input_count, 0);
    ASSERT_TRUE(m->nodes[s].inputs == NULL);
    ASSERT_EQ_INT(m->nodes[mix].input_count, 2);
    ASSERT_EQ_INT(m->edges[m->nodes[mix].inputs[0]].to_port, 0);
    ASSERT_EQ_INT(m->edges[m->nodes[mix].inputs[1]].to_port, 1);
    ASSERT_EQ_INT(m->edges[m->nodes[mix].inputs[1]].from_node,
                  node_index(m, "r"));
    done(&l);
}

RM_TEST(many_sources_and_sinks) {
    loaded_t l = load_ok(MANIFEST(
        NODE("s1", "TestSource") "," NODE("s2", "TestSource") ","
        NODE("k1", "TestSink") "," NODE("k2", "TestSink") ","
        NODE("lone", "TestPass"),
        EDGE("s2", "k1") "," EDGE("s1", "k2") "," EDGE("s1", "k1")));
    size_t expected[] = {0, 1, 2, 3, 4};
    for (size_t i = 0; i < 5; i++)
        ASSERT_EQ_INT(l.manifest->order[i], expected[i]);
    ASSERT_EQ_INT(l.manifest->nodes[2].input_count, 2);
    done(&l);
}

RM_TEST(implicit_chain_and_empty_connections) {
    loaded_t l = load_ok("{\"version\":\"v1\",\"nodes\":["
                         NODE("a", "TestSource") "," NODE("b", "TestPass")
                         "," NODE("c", "TestSink") "]}");
    ASSERT_EQ_INT(l.manifest->edge_count, 2);
    ASSERT_EQ_INT(l.manifest->edges[0].from_node, 0);
    ASSERT_EQ_INT(l.manifest->edges[0].to_node, 1);
    ASSERT_EQ_INT(l.manifest->edges[1].from_node, 1);
    ASSERT_EQ_INT(l.manifest->edges[1].to_node, 2);
    done(&l);
    l = load_ok(MANIFEST(NODE("a", "TestSource") "," NODE("b", "TestSource"),
                         ""));
    ASSERT_EQ_INT(l.manifest->edge_count, 0);
    done(&l);
    l = load_fail("{\"version\":\"v1\",\"nodes\":[" NODE("a", "TestPass") ","
                  NODE("b", "TestSource") "]}",
                  RM_EVALIDATE);
    expect_problem(&l, "nodes[1] (implicit chain: no \"connections\")",
                   "node \"b\" (TestSource) is a source");
    done(&l);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 100,000 nodes, connections listed backwards; optionally closed into one
 * big cycle. */
static char *big_chain(size_t n, int cycle) {
    size_t cap = n * 120 + 256, len = 0;
    char *text = malloc(cap);
    ASSERT_NOT_NULL(text);
    len += (size_t)sprintf(text + len, "{\"version\":\"v1\",\"nodes\":[");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len,
                               "%s{\"id\":\"n%zu\",\"node_type\":\"TestPass\"}",
                               i ? "," : "", i);
    len += (size_t)sprintf(text + len, "],\"connections\":[");
    for (size_t i = n - 1; i > 0; i--)
        len += (size_t)sprintf(text + len, "%s{\"from\":\"n%zu\",\"to\":\"n%zu\"}",
                               i == n - 1 ? "" : ",", i - 1, i);
    if (cycle)
        len += (size_t)sprintf(text + len, ",{\"from\":\"n%zu\",\"to\":\"n0\"}",
                               n - 1);
    sprintf(text + len, "]}");
    return text;
}

RM_TEST(chain_of_100000_nodes) {
    const size_t n = 100000;
    char *text = big_chain(n, 0);
    double start = now_s();
    loaded_t l = load_ok(text);
    double elapsed = now_s() - start;
    ASSERT_EQ_INT(l.manifest->node_count, n);
    ASSERT_EQ_INT(l.manifest->edge_count, n - 1);
    for (size_t i = 0; i < n; i++) ASSERT_EQ_INT(l.manifest->order[i], i);
    printf("  100000-node chain loaded in %.3f s\n", elapsed);
    ASSERT_TRUE(elapsed < 10.0); /* generous: ASan, 2 shared cores */
    done(&l);
    free(text);
}

RM_TEST(cycle_of_100000_nodes) {
    char *text = big_chain(100000, 1);
    loaded_t l = load_fail(text, RM_ECYCLE);
    expect_problem(&l, "connections",
                   "cycle: n0 -> n1 -> n2 -> n3 -> n4 -> n5 -> n6 -> n7 -> "
                   "... (99984 more) -> n99992 -> n99993 -> n99994 -> n99995 "
                   "-> n99996 -> n99997 -> n99998 -> n99999 -> n0;");
    done(&l);
    free(text);
}

/* ---- text that is not a manifest ---------------------------------------- */

RM_TEST(malformed_json_line_col) {
    loaded_t l = load_fail("{\n  \"version\": \"v1\",\n  \"nodes\": [,]\n}",
                           RM_EPARSE);
    expect_problem(&l, "test.json:3:13", "malformed JSON: unexpected text "
                                         "\",]\"");
    ASSERT_EQ_INT(rm_diag_count(l.diag), 1);
    done(&l);
    l = load_fail("{\"version\": \"v1\"} x", RM_EPARSE);
    expect_problem(&l, "test.json:1:19", "extra text after the end of the "
                                         "JSON value: \"x\"");
    done(&l);
    l = load_fail("{\"nodes\": [\n{\"id\": \"a\"", RM_EPARSE);
    expect_problem(&l, "test.json:2:11",
                   "unexpected end of input; the '{' at 2:1 is never closed");
    done(&l);
    l = load_fail("{\"nodes\": \"abc", RM_EPARSE);
    expect_problem(&l, "test.json:1:15",
                   "unexpected end of input inside the string that starts at "
                   "1:11");
    done(&l);
    /* Columns count characters, not bytes. */
    l = load_fail("{\"\xc3\xa9\xc3\xa9\": tru}", RM_EPARSE);
    expect_problem(&l, "test.json:1:8", "unexpected text \"tru}\""); /* byte 10 */
    done(&l);
}

/* What people write by hand that JSON does not take: named, at its place
 * (cJSON stops on the character or one past it). */
RM_TEST(malformed_json_names_comments_and_trailing_commas) {
    loaded_t l = load_fail("{\"version\": \"v1\", // note\n \"nodes\": []}",
                           RM_EPARSE);
    expect_problem(&l, "test.json:1:19", "malformed JSON: a comment (// or "
                                         "/* */): JSON has none");
    done(&l);
    l = load_fail("{\"version\": \"v1\",\n /* note */ \"nodes\": []}",
                  RM_EPARSE);
    expect_problem(&l, "test.json:2:2", "a comment (// or /* */)");
    done(&l);
    l = load_fail("{\"version\": \"v1\",\n# note\n\"nodes\": []}", RM_EPARSE);
    expect_problem(&l, "test.json:2:1", "a '#' comment");
    done(&l);
    l = load_fail("{\"nodes\": [{\"id\": \"a\"},\n  ]}", RM_EPARSE);
    expect_problem(&l, "test.json:1:23", "a trailing comma before ']': JSON "
                                         "allows none; remove this ','");
    done(&l);
    l = load_fail("{\"nodes\": [{\"id\": \"a\", }]}", RM_EPARSE);
    expect_problem(&l, "test.json:1:22", "a trailing comma before '}'");
    done(&l);
    l = load_fail("{'version': 'v1'}", RM_EPARSE);
    expect_problem(&l, "test.json:1:2", "a single-quoted string: JSON strings "
                                        "take double quotes");
    done(&l);
}

RM_TEST(hostile_empty_and_whitespace) {
    loaded_t l = load_len("", 0);
    ASSERT_EQ_INT(l.status, RM_EPARSE);
    expect_problem(&l, "test.json", "empty manifest: expected a JSON object");
    done(&l);
    l = load(" \n\t\r\n ");
    ASSERT_EQ_INT(l.status, RM_EPARSE);
    expect_problem(&l, "test.json", "empty manifest (only whitespace)");
    done(&l);
    rm_diag_t *diag = rm_diag_new();
    rm_manifest_t *m = NULL;
    ASSERT_EQ_INT(rm__manifest_load(NULL, NULL, 0, NULL, diag, &m), RM_EPARSE);
    ASSERT_STR_CONTAINS(rm_diag_text(diag), "<string>: empty manifest");
    ASSERT_EQ_INT(rm__manifest_load(NULL, "{}", 2, NULL, diag, NULL),
                  RM_EINVAL);
    rm_diag_free(diag);
}

RM_TEST(hostile_nul_byte) {
    static const char text[] = "{\"version\":\n\"v1\0\"}";
    loaded_t l = load_len(text, sizeof text - 1);
    ASSERT_EQ_INT(l.status, RM_EPARSE);
    expect_problem(&l, "test.json:2:4", "NUL byte at offset 15");
    done(&l);
}

RM_TEST(hostile_invalid_utf8) {
    static const char *const bad[] = {
        "{\"version\":\"v1\xff\"}",         /* never valid        */
        "{\"version\":\"v1\xc0\xaf\"}",     /* overlong "/"       */
        "{\"version\":\"v1\xed\xa0\x80\"}", /* surrogate U+D800   */
        "{\"version\":\"v1\xf4\x90\x80\x80\"}", /* above U+10FFFF */
        "{\"version\":\"v1\xe2\x82\"}",     /* truncated sequence */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        loaded_t l = load_fail(bad[i], RM_EPARSE);
        expect_problem(&l, "test.json:1:15", "invalid UTF-8 (byte 0x");
        expect_problem(&l, "test.json:1:15", "at offset 14)");
        done(&l);
    }
    /* Every valid length still loads: 2-, 3- and 4-byte sequences. */
    loaded_t l = load_ok("{\"version\":\"v1\",\"metadata\":{\"name\":"
                         "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\xb5\"},\"nodes\":["
                         NODE("a", "TestPass") "]}");
    ASSERT_STR_EQ(l.manifest->name, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\xb5");
    done(&l);
}

static char *repeated(const char *prefix, char c, size_t n,
                      const char *suffix) {
    size_t lp = strlen(prefix), ls = strlen(suffix);
    char *text = malloc(lp + n + ls + 1);
    ASSERT_NOT_NULL(text);
    memcpy(text, prefix, lp);
    memset(text + lp, c, n);
    memcpy(text + lp + n, suffix, ls + 1);
    return text;
}

RM_TEST(hostile_deep_nesting) {
    char *text = repeated("", '[', 100000, "");
    double start = now_s();
    loaded_t l = load_fail(text, RM_EPARSE);
    expect_problem(&l, "test.json:1:1001",
                   "malformed JSON: nested deeper than 1000 levels");
    done(&l);
    free(text);
    text = repeated("{\"version\":\"v1\",\"nodes\":[{\"id\":\"a\",\"params\":"
                    "{\"x\":",
                    '{', 100000, "");
    l = load_fail(text, RM_EPARSE);
    /* The prefix is 49 characters with 4 levels open: the 1001st level is
     * the 997th '{' of the run. */
    expect_problem(&l, "test.json:1:1046", "nested deeper than 1000 levels");
    done(&l);
    free(text);
    ASSERT_TRUE(now_s() - start < 5.0);
    /* Deep but within the limit, inside a JSON param: accepted. */
    size_t depth = 990;
    char *open = repeated("{\"version\":\"v1\",\"nodes\":[{\"id\":\"a\","
                          "\"node_type\":\"TestAllParams\",\"params\":{"
                          "\"extra\":",
                          '[', depth, "");
    char *close = repeated(open, ']', depth, "}}]}");
    l = load_ok(close);
    const char *json = NULL;
    ASSERT_EQ_INT(rm__param_json(l.manifest->nodes[0].params, "extra", &json),
                  RM_OK);
    ASSERT_EQ_INT(strlen(json), 2 * depth);
    done(&l);
    free(open);
    free(close);
}

RM_TEST(hostile_huge_string) {
    const size_t n = 1u << 20;
    char *text;
    text = repeated("{\"version\":\"v1\",\"nodes\":[{\"id\":\"a\","
                    "\"node_type\":\"",
                    'Q', n, "\"}]}");
    loaded_t l = load_fail(text, RM_EVALIDATE);
    const rm_diag_entry_t *e = rm_diag_at(l.diag, 0);
    ASSERT_STR_CONTAINS(e->message, "unknown node type \"QQQQQQQQ");
    ASSERT_STR_CONTAINS(e->message, "QQQQ\"...");
    ASSERT_TRUE(strlen(e->message) < 1024);
    done(&l);
    free(text);
    /* A huge unknown key: the path is quoted and cut too. */
    text = repeated("{\"version\":\"v1\",\"nodes\":[" NODE("a", "TestPass")
                    "],\"",
                    'k', n, "\":1}");
    l = load_fail(text, RM_EVALIDATE);
    e = rm_diag_at(l.diag, 0);
    ASSERT_TRUE(strlen(e->where) < 100);
    ASSERT_STR_CONTAINS(e->where, "[\"kkkk");
    ASSERT_TRUE(strlen(e->message) < 1024);
    done(&l);
    free(text);
}

RM_TEST(hostile_numbers) {
    loaded_t l = load_fail("1e400", RM_EVALIDATE);
    expect_problem(&l, "$", "expected a manifest object {\"version\": \"v1\", "
                            "\"nodes\": [...]}, got number 1e400 (overflows "
                            "a double)");
    done(&l);
    l = load_fail("{\"version\":\"v1\",\"nodes\":[{\"id\":\"a\",\"node_type\":"
                  "\"TestPass\",\"timeout_ms\":1e400,\"retry\":{"
                  "\"multiplier\":-0,\"initial_delay_ms\":1e10}}]}",
                  RM_EVALIDATE);
    expect_problem(&l, "nodes[0].timeout_ms", "1e400 (overflows a double) is "
                                              "out of range");
    expect_problem(&l, "nodes[0].retry.multiplier",
                   "-0 is out of range: must be in [1, 1000]");
    expect_problem(&l, "nodes[0].retry.initial_delay_ms",
                   "10000000000 is out of range: must be in [0, 4294967295]");
    done(&l);
}

/* A million mistakes must not mean a million messages (or minutes of
 * did-you-means): the list stops at RM_MANIFEST_MAX_PROBLEMS + a count. */
RM_TEST(hostile_many_problems) {
    const size_t nodes = 5000, edges = 100000;
    size_t cap = nodes * 64 + edges * 48 + 256, len = 0;
    char *text = malloc(cap);
    ASSERT_NOT_NULL(text);
    len += (size_t)sprintf(text + len, "{\"version\":\"v1\",\"nodes\":[");
    for (size_t i = 0; i < nodes; i++)
        len += (size_t)sprintf(text + len,
                               "%s{\"id\":\"node%zu\",\"node_type\":\"Nope\"}",
                               i ? "," : "", i);
    len += (size_t)sprintf(text + len, "],\"connections\":[");
    for (size_t i = 0; i < edges; i++)
        len += (size_t)sprintf(text + len, "%s{\"from\":\"nod%zu\",\"to\":\"x\"}",
                               i ? "," : "", i);
    sprintf(text + len, "]}");
    double start = now_s();
    loaded_t l = load_fail(text, RM_EVALIDATE);
    double elapsed = now_s() - start;
    ASSERT_EQ_INT(rm_diag_count(l.diag), 201);
    expect_problem(&l, "$", "... and 204800 more problems not listed (only "
                            "the first 200 are)");
    printf("  205000 problems in %.3f s\n", elapsed);
    ASSERT_TRUE(elapsed < 10.0);
    done(&l);
    free(text);

    /* A Python node with 100,000 params, every key twice. */
    cap = 200000 * 24 + 256;
    text = malloc(cap);
    ASSERT_NOT_NULL(text);
    len = (size_t)sprintf(text, "{\"version\":\"v1\",\"nodes\":[{\"id\":\"p\","
                                "\"node_type\":\"Py\",\"python\":{\"instance\":"
                                "\"k\"},\"params\":{");
    for (size_t i = 0; i < 200000; i++)
        len += (size_t)sprintf(text + len, "%s\"k%zu\":%zu", i ? "," : "",
                               i % 100000, i);
    sprintf(text + len, "}}]}");
    start = now_s();
    l = load_fail(text, RM_EVALIDATE);
    elapsed = now_s() - start;
    expect_problem(&l, "nodes[0].params.k0", "key \"k0\" appears more than "
                                             "once in this params");
    ASSERT_TRUE(elapsed < 10.0);
    done(&l);
    free(text);
}

RM_TEST(control_characters_escaped_in_messages) {
    loaded_t l = load_fail(MANIFEST(NODE("a", "Bad\\nType\\u0001\\\""), ""),
                           RM_EVALIDATE);
    expect_problem(&l, "nodes[0].node_type",
                   "unknown node type \"Bad\\nType\\u0001\\\"\"");
    done(&l);
}

/* cJSON cuts a string at an escaped NUL and reads 1e400 as inf (printed
 * as null): both are errors at their JSON path, wherever they are. */
RM_TEST(escaped_nul_and_overflow_anywhere) {
    static const struct {
        const char *text, *where;
    } nul_cases[] = {
        {"{\"version\":\"v1\",\"nodes\":[{\"id\":\"w\",\"node_type\":\"Py\","
         "\"python\":{\"instance\":\"k\"},\"params\":{\"path\":"
         "\"x.bashrc\\u0000.wav\"}}]}", "nodes[0].params.path"},
        {"{\"version\":\"v1\",\"nodes\":[{\"id\":\"w\",\"node_type\":\"Py\","
         "\"python\":{\"instance\":\"k\"},\"params\":{\"factor\\u0000junk\":"
         "2}}]}", "nodes[0].params"},
        {"{\"version\":\"v1\",\"nodes\":[{\"id\":\"a\\u0000b\",\"node_type\":"
         "\"Py\",\"python\":{\"instance\":\"k\"}}]}", "nodes[0].id"},
        {"{\"version\":\"v1\",\"metadata\":{\"n\":[\"\\\\u0000 is text\","
         "\"\\u0000\"]},\"nodes\":[]}", "metadata.n[1]"},
        {"{\"version\":\"v1\",\"metadata\":{\"a b\":{\"\\ud83d\\ude00\":"
         "\"x\\u0000\"}},\"nodes\":[]}", "metadata[\"a b\"][\"\xf0\x9f\x98\x80\"]"},
    };
    for (size_t i = 0; i < sizeof nul_cases / sizeof nul_cases[0]; i++) {
        loaded_t l = load_fail(nul_cases[i].text, RM_EVALIDATE);
        expect_problem(&l, nul_cases[i].where, "escaped NUL (\\u0000)");
        done(&l);
    }
    /* "\\u0000" (an escaped backslash, then text) is no NUL */
    loaded_t l = load_ok("{\"version\":\"v1\",\"metadata\":{\"n\":"
                         "\"C:\\\\u0000\"},\"nodes\":[{\"id\":\"a\","
                         "\"node_type\":\"Py\",\"python\":{\"instance\":"
                         "\"k\"}}]}");
    done(&l);
    l = load_fail("{\"version\":\"v1\",\"metadata\":{\"x\":{\"y\":[1,"
                  "-1e400]}},\"nodes\":[{\"id\":\"a\",\"node_type\":\"Py\","
                  "\"python\":{\"instance\":\"k\"}}]}",
                  RM_EVALIDATE);
    expect_problem(&l, "metadata.x.y[1]", "overflows a double");
    done(&l);
    /* The scanner on its own: --input's checks. */
    rm_strbuf_t where, msg;
    rm__sb_init(&where);
    rm__sb_init(&msg);
    const char *input = "[1, {\"k\": [2, 1e400]}]";
    ASSERT_EQ_INT(rm__json_find_flaw(input, strlen(input), RM_JSON_FLAW_NUL,
                                     &where, &msg), 0);
    ASSERT_EQ_INT(rm__json_find_flaw(input, strlen(input),
                                     RM_JSON_FLAW_OVERFLOW, &where, &msg), 1);
    ASSERT_STR_EQ(where.s, "[1].k[1]");
    ASSERT_STR_CONTAINS(msg.s, "1e400 is too large");
    ASSERT_STR_CONTAINS(msg.s, "column 15");
    rm__sb_free(&where);
    rm__sb_free(&msg);
}

/* Nodes claimed by a plugin's node resolver (RM_NODE_RESOLVER_ID): the
 * test plugins claim "via" (precedence 5) and "remote" (100). */
RM_TEST(node_resolvers) {
    resolver_dirs = 1;
    loaded_t l = load_ok(
        "{\"version\":\"v1\",\"nodes\":["
        "{\"id\":\"twice\",\"node_type\":\"Doubler\",\"via\":{\"factor\":2}},"
        "{\"id\":\"far\",\"node_type\":\"Doubler\",\"via\":{\"factor\":2},"
        "\"remote\":{\"url\":\"tcp://h:1\"}}]}");
    const rm_manifest_node_t *n = &l.manifest->nodes[0];
    /* The resolver's type and params; the user's type name stays. */
    ASSERT_STR_EQ(n->entry->type->name, "MultiplyNode");
    ASSERT_STR_EQ(n->type_name, "Doubler");
    double factor = 0;
    ASSERT_EQ_INT(rm__param_float(n->params, "factor", &factor), RM_OK);
    ASSERT_NEAR(factor, 2.0, 1e-12);
    /* Both keys: the higher precedence wins. */
    n = &l.manifest->nodes[1];
    ASSERT_STR_EQ(n->entry->type->name, "RemoteStub");
    const char *url = NULL;
    ASSERT_EQ_INT(rm__param_string(n->params, "url", &url), RM_OK);
    ASSERT_STR_EQ(url, "tcp://h:1");
    done(&l);

    /* The resolver's own message, prefixed with the node and the key's
     * path. */
    l = load_fail("{\"version\":\"v1\",\"nodes\":[{\"id\":\"a\","
                  "\"node_type\":\"X\",\"via\":{}}]}", RM_EVALIDATE);
    expect_problem(&l, "nodes[0].via",
                   "node 'a': \"via\" needs a number \"factor\" (node "
                   "resolver of ");
    done(&l);
    /* A type no plugin provides. */
    l = load_fail("{\"version\":\"v1\",\"nodes\":[{\"id\":\"a\","
                  "\"node_type\":\"X\",\"via\":{\"type\":\"N\"}}]}",
                  RM_EVALIDATE);
    expect_problem(&l, "nodes[0].via",
                   "node 'a': resolved to node type \"NoSuchType\", which no "
                   "loaded plugin provides");
    done(&l);
    /* The resolved params are checked against the resolved type. */
    l = load_fail("{\"version\":\"v1\",\"nodes\":[{\"id\":\"a\","
                  "\"node_type\":\"X\",\"via\":{\"params\":{\"count\":"
                  "1000}}}]}", RM_EVALIDATE);
    expect_problem(&l, "nodes[0].via.count", "1000");
    done(&l);
    /* A key no resolver claims is still an unknown field. */
    l = load_fail("{\"version\":\"v1\",\"nodes\":[{\"id\":\"a\","
                  "\"node_type\":\"TestPass\",\"viaa\":{}}]}", RM_EVALIDATE);
    expect_problem(&l, "nodes[0].viaa", "unknown node field \"viaa\" (did "
                                        "you mean \"via\"?)");
    done(&l);
    /* The "remote" resolver is a 1.1 one: the RM_RESOLVER_FALLBACK past its
     * struct_size is never read, so it claims a native type's node too. */
    l = load_ok("{\"version\":\"v1\",\"nodes\":[{\"id\":\"n\","
                "\"node_type\":\"TestPass\",\"remote\":{\"url\":"
                "\"tcp://h:2\"}}]}");
    ASSERT_STR_EQ(l.manifest->nodes[0].entry->type->name, "RemoteStub");
    done(&l);
    resolver_dirs = 0;
}

RM_TEST_LIST(RM_TEST_ENTRY(sdk_manifest_loads),
             RM_TEST_ENTRY(node_resolvers),
             RM_TEST_ENTRY(escaped_nul_and_overflow_anywhere),
             RM_TEST_ENTRY(retry_timeout_python_fields),
             RM_TEST_ENTRY(param_defaults_and_accessors),
             RM_TEST_ENTRY(param_values_accepted),
             RM_TEST_ENTRY(param_errors),
             RM_TEST_ENTRY(field_errors),
             RM_TEST_ENTRY(top_level_shape_errors),
             RM_TEST_ENTRY(duplicate_keys_and_ids),
             RM_TEST_ENTRY(unknown_node_type),
             RM_TEST_ENTRY(python_deferred_nodes),
             RM_TEST_ENTRY(python_refused),
             RM_TEST_ENTRY(edges_to_unknown_nodes),
             RM_TEST_ENTRY(ports),
             RM_TEST_ENTRY(port_kinds_checked),
             RM_TEST_ENTRY(duplicate_connection),
             RM_TEST_ENTRY(all_problems_reported_together),
             RM_TEST_ENTRY(cycle_of_three_named_in_order),
             RM_TEST_ENTRY(self_loop),
             RM_TEST_ENTRY(cycle_reported_with_other_problems),
             RM_TEST_ENTRY(diamond_fan_out_fan_in),
             RM_TEST_ENTRY(many_sources_and_sinks),
             RM_TEST_ENTRY(implicit_chain_and_empty_connections),
             RM_TEST_ENTRY(chain_of_100000_nodes),
             RM_TEST_ENTRY(cycle_of_100000_nodes),
             RM_TEST_ENTRY(malformed_json_line_col),
             RM_TEST_ENTRY(malformed_json_names_comments_and_trailing_commas),
             RM_TEST_ENTRY(hostile_empty_and_whitespace),
             RM_TEST_ENTRY(hostile_nul_byte),
             RM_TEST_ENTRY(hostile_invalid_utf8),
             RM_TEST_ENTRY(hostile_deep_nesting),
             RM_TEST_ENTRY(hostile_huge_string),
             RM_TEST_ENTRY(hostile_numbers),
             RM_TEST_ENTRY(hostile_many_problems),
             RM_TEST_ENTRY(control_characters_escaped_in_messages))
