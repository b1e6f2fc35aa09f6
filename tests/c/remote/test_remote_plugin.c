/*
 * test_remote_plugin.c — the remote plugin as the host sees it: its
 * manifest "host" resolver (resolve() called directly: the host side that
 * asks resolvers is not needed for this), and its node server extension
 * serving a RemoteNode pipeline in-process over loopback.
 */
#include "rm_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <remotemedia/node_server.h>
#include <remotemedia/runtime.h>

#include "served.h"

static const void *extension(const rm_registry_t *registry, const char *id) {
    for (size_t i = 0; i < rm_registry_plugin_count(registry); i++) {
        const rm_plugin_descriptor_t *d = rm_registry_plugin_at(registry, i, NULL);
        if (strcmp(d->id, "org.remotemedia.remote") == 0)
            return d->get_extension ? d->get_extension(id) : NULL;
    }
    RM__FAIL("the remote plugin is not in %s", RM_TEST_PLUGIN_DIR);
    return NULL;
}

RM_TEST(resolver_turns_a_host_node_into_a_remote_node) {
    rm_registry_t *registry = served_registry();
    const rm_node_resolver_t *r = extension(registry, RM_NODE_RESOLVER_ID);
    ASSERT_NOT_NULL(r);
    ASSERT_STR_EQ(r->manifest_key, "host");
    ASSERT_EQ_INT(r->precedence, 100);
    const char *type = NULL;
    char *params = NULL, err[256] = "";
    ASSERT_EQ_INT(r->resolve("{\"id\":\"rs\",\"node_type\":\"AudioResampleNode\","
                             "\"params\":{\"target_sample_rate\":16000},"
                             "\"host\":\"gpu:50051\",\"python\":null}",
                             &type, &params, err, sizeof err), 0);
    ASSERT_STR_EQ(type, "RemoteNode");
    ASSERT_STR_EQ(params, "{\"host\":\"gpu:50051\",\"node_type\":"
                          "\"AudioResampleNode\",\"params\":"
                          "{\"target_sample_rate\":16000}}");
    r->free_string(params);
    /* A Python node keeps its location; connection options pass along. */
    ASSERT_EQ_INT(r->resolve("{\"id\":\"p\",\"node_type\":\"Whisper\",\"host\":"
                             "\"gpu:1\",\"python\":{\"module\":\"m\",\"class\":"
                             "\"W\"},\"remote\":{\"token_file\":\"/t\","
                             "\"other\":1}}",
                             &type, &params, err, sizeof err), 0);
    ASSERT_STR_EQ(params, "{\"host\":\"gpu:1\",\"node_type\":\"Whisper\","
                          "\"params\":{},\"python\":{\"module\":\"m\","
                          "\"class\":\"W\"},\"token_file\":\"/t\"}");
    r->free_string(params);
    rm_registry_close(registry);
}

RM_TEST(resolver_names_what_is_wrong) {
    rm_registry_t *registry = served_registry();
    const rm_node_resolver_t *r = extension(registry, RM_NODE_RESOLVER_ID);
    ASSERT_NOT_NULL(r);
    static const struct { const char *node, *expect; } cases[] = {
        {"{\"id\":\"a\",\"node_type\":\"X\",\"host\":\"nocolon\"}", "host:"},
        {"{\"id\":\"a\",\"node_type\":\"X\",\"host\":5}", "HOST:PORT"},
        {"{\"id\":\"a\",\"host\":\"h:1\"}", "node_type:"},
        {"{\"id\":\"a\",\"node_type\":\"X\",\"host\":\"h:1\",\"params\":[]}",
         "params:"},
        {"{\"id\":\"a\",\"node_type\":\"X\",\"host\":\"h:1\",\"remote\":1}",
         "remote:"},
        {"[1]", "object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *type = "untouched";
        char *params = (char *)"untouched", err[256] = "";
        ASSERT_NE_INT(r->resolve(cases[i].node, &type, &params, err, sizeof err), 0);
        ASSERT_TRUE(type == NULL && params == NULL);
        ASSERT_STR_CONTAINS(err, cases[i].expect);
    }
    rm_registry_close(registry);
}

/* The plugin's node server on a thread of the test (served.h), and a
 * pipeline of one RemoteNode 'm' running MultiplyNode(factor 3) there, with
 * `retry` (a manifest "retry" object, or "") as its retry policy. */
static void serve_in_process(rm_registry_t *registry, served_t *s) {
    const rm_node_server_t *server = extension(registry, RM_NODE_SERVER_ID);
    ASSERT_NOT_NULL(server);
    served_init(s, server, registry);
    served_start(s);
}

/* Compile the pipeline, under `cancel` (NULL: none); its status. */
static int compile_multiply_status(rm_registry_t *registry, int port,
                                   const char *retry, rm_diag_t *diag,
                                   rm_cancel_t *cancel, rm_pipeline_t **p) {
    char manifest[512];
    snprintf(manifest, sizeof manifest,
             "{\"version\":\"v1\",\"nodes\":[{\"id\":\"m\",\"node_type\":"
             "\"RemoteNode\",%s%s%s\"params\":{\"host\":\"127.0.0.1:%d\","
             "\"node_type\":\"MultiplyNode\",\"params\":{\"factor\":3}}}],"
             "\"connections\":[]}",
             *retry ? "\"retry\":" : "", retry, *retry ? "," : "", port);
    return rm_pipeline_compile_cancellable(registry, manifest,
                                           strlen(manifest), "<test>", diag,
                                           cancel, p);
}

static rm_pipeline_t *compile_multiply(rm_registry_t *registry, int port,
                                       const char *retry, rm_diag_t *diag) {
    rm_pipeline_t *p = NULL;
    if (compile_multiply_status(registry, port, retry, diag, NULL, &p) !=
        RM_OK)
        RM__FAIL("compile: %s", rm_diag_text(diag));
    return p;
}

RM_TEST(node_server_serves_a_remote_node_in_process) {
    rm_registry_t *registry = served_registry();
    served_t s;
    serve_in_process(registry, &s);
    rm_diag_t *diag = rm_diag_new();
    rm_pipeline_t *p = compile_multiply(registry, s.port, "", diag);
    rm_item_t *in[2] = {rm_item_new_json("2", 1), rm_item_new_json("[1,5]", 5)};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_pipeline_run(p, NULL, in, 2, &r), RM_OK);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 2);
    ASSERT_STR_EQ((const char *)rm_run_result_item(r, 0, 0)->data, "6");
    ASSERT_STR_EQ((const char *)rm_run_result_item(r, 0, 1)->data, "[3,15]");
    rm_run_result_free(r);
    rm_item_unref(in[0]);
    rm_item_unref(in[1]);
    rm_pipeline_free(p);
    rm_diag_free(diag);

    served_join(&s);
    ASSERT_EQ_INT(s.result, 0);
    rm_registry_close(registry);
}

RM_TEST(node_server_refuses_no_auth_off_loopback) {
    rm_registry_t *registry = served_registry();
    const rm_node_server_t *server = extension(registry, RM_NODE_SERVER_ID);
    ASSERT_NOT_NULL(server);
    volatile sig_atomic_t stop = 0;
    rm_node_server_options_t o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.flags = RM_NODE_SERVER_NO_AUTH;
    o.listen = "0.0.0.0:0";
    o.registry = (const struct rm_registry *)registry;
    o.stop = &stop;
    static const char *const off_loopback[] = {
        "0.0.0.0:0", "127.0.0.1.example.com:0", "[::]:0", "10.1.2.3:0", ":0"};
    for (size_t i = 0; i < sizeof off_loopback / sizeof off_loopback[0]; i++) {
        char err[256] = "";
        o.listen = off_loopback[i];
        ASSERT_NE_INT(server->serve(&o, err, sizeof err), 0);
        ASSERT_STR_CONTAINS(err, "--no-auth is refused");
    }
    rm_registry_close(registry);
}

/* A RemoteNode pipeline with `retry` that ran once against an in-process
 * server, which is gone now: the next run's create finds no server. */
typedef struct server_gone {
    rm_registry_t *registry;
    rm_diag_t *diag;
    rm_pipeline_t *pipeline;
    rm_item_t *in;
    int port;
} server_gone_t;

static void server_gone_open(server_gone_t *g, const char *retry) {
    g->registry = served_registry();
    served_t s;
    serve_in_process(g->registry, &s);
    g->port = s.port;
    g->diag = rm_diag_new();
    g->pipeline = compile_multiply(g->registry, g->port, retry, g->diag);
    g->in = rm_item_new_json("2", 1);
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_pipeline_run(g->pipeline, NULL, &g->in, 1, &r), RM_OK);
    rm_run_result_free(r);
    served_join(&s); /* the server is gone before the next run's create */
}

static void server_gone_close(server_gone_t *g) {
    rm_item_unref(g->in);
    rm_pipeline_free(g->pipeline);
    rm_diag_free(g->diag);
    rm_registry_close(g->registry);
}

static void *request_cancel(void *cancel) {
    rm_cancel_request(cancel);
    return NULL;
}

/* A run re-creates its RemoteNode (a stateful type) at its start; with the
 * server gone the create retries under the node's retry policy, whose
 * back-off here is an hour, so only the run's cancel can end the wait (a
 * wait that missed it would hang until the test's alarm). */
RM_TEST(cancelling_a_run_ends_creation_retries) {
    server_gone_t g;
    server_gone_open(&g, "{\"max_retries\":3,\"initial_delay_ms\":3600000}");
    rm_cancel_t *cancel = rm_cancel_new();
    pthread_t thread;
    ASSERT_EQ_INT(pthread_create(&thread, NULL, request_cancel, cancel), 0);
    rm_run_result_t *r = NULL;
    int status =
        rm_pipeline_run_cancellable(g.pipeline, NULL, cancel, &g.in, 1, &r);
    pthread_join(thread, NULL);
    ASSERT_EQ_INT(status, RM_ECANCELED);
    const rm_run_error_t *e = rm_run_result_error(r);
    ASSERT_NOT_NULL(e);
    ASSERT_STR_EQ(e->operation, "create");
    ASSERT_STR_EQ(e->node_id, "m");
    char expect[128];
    snprintf(expect, sizeof expect,
             "creation cancelled while waiting to retry 127.0.0.1:%d "
             "(after 1 attempt;", g.port);
    ASSERT_STR_CONTAINS(e->message, expect);
    ASSERT_STR_CONTAINS(e->message, "the last failed with UNAVAILABLE");
    /* The structured fields say what the message says: 1 of 3 + 1. */
    ASSERT_EQ_INT((int)e->attempt, 1);
    ASSERT_EQ_INT((int)e->max_attempts, 4);
    rm_run_result_free(r);
    rm_cancel_free(cancel);
    server_gone_close(&g);
}

/* A loopback port that refuses connections while `fd` is open: bound,
 * never listening. */
static int refusing_port(int *fd) {
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_TRUE(*fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ASSERT_EQ_INT(bind(*fd, (struct sockaddr *)&a, sizeof a), 0);
    ASSERT_EQ_INT(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
    return ntohs(a.sin_port);
}

/* A compile creates the RemoteNode too; against a port that refuses, with
 * an hour's back-off, only the compile's cancel can end the wait (one
 * that missed it would hang until the test's alarm). */
RM_TEST(cancelling_a_compile_ends_creation_retries) {
    rm_registry_t *registry = served_registry();
    int fd, port = refusing_port(&fd);
    rm_cancel_t *cancel = rm_cancel_new();
    pthread_t thread;
    ASSERT_EQ_INT(pthread_create(&thread, NULL, request_cancel, cancel), 0);
    rm_diag_t *diag = rm_diag_new();
    rm_pipeline_t *p = NULL;
    int status = compile_multiply_status(
        registry, port, "{\"max_retries\":3,\"initial_delay_ms\":3600000}",
        diag, cancel, &p);
    pthread_join(thread, NULL);
    ASSERT_EQ_INT(status, RM_ECANCELED);
    ASSERT_TRUE(p == NULL);
    char expect[192];
    snprintf(expect, sizeof expect,
             "node 'm' (RemoteNode): create failed: creation "
             "cancelled while waiting to retry 127.0.0.1:%d (after 1 "
             "attempt;", port);
    ASSERT_STR_CONTAINS(rm_diag_text(diag), expect);
    rm_diag_free(diag);
    rm_cancel_free(cancel);
    close(fd);
    rm_registry_close(registry);
}

/* The error after the policy's last attempt is permanent: the policy is
 * spent, and an engine that retries transient failures (a create after its
 * watchdog abandoned a hung instance) would run all the attempts again per
 * retry. */
RM_TEST(an_open_that_spent_its_retries_is_a_permanent_error) {
    server_gone_t g;
    server_gone_open(&g, "{\"max_retries\":1,\"initial_delay_ms\":1}");
    rm_run_result_t *r = NULL;
    ASSERT_NE_INT(rm_pipeline_run(g.pipeline, NULL, &g.in, 1, &r), RM_OK);
    const rm_run_error_t *e = rm_run_result_error(r);
    ASSERT_NOT_NULL(e);
    ASSERT_STR_EQ(e->operation, "create");
    ASSERT_STR_CONTAINS(e->message, "in 2 attempts (the node's retry policy: "
                                    "max_retries 1)");
    ASSERT_EQ_INT(e->transient, 0);
    ASSERT_EQ_INT((int)e->attempt, 2); /* was 1 of 1: the message knew */
    ASSERT_EQ_INT((int)e->max_attempts, 2);
    rm_run_result_free(r);
    server_gone_close(&g);
}

RM_TEST_LIST(RM_TEST_ENTRY(resolver_turns_a_host_node_into_a_remote_node),
             RM_TEST_ENTRY(resolver_names_what_is_wrong),
             RM_TEST_ENTRY(node_server_serves_a_remote_node_in_process),
             RM_TEST_ENTRY(node_server_refuses_no_auth_off_loopback),
             RM_TEST_ENTRY(cancelling_a_run_ends_creation_retries),
             RM_TEST_ENTRY(cancelling_a_compile_ends_creation_retries),
             RM_TEST_ENTRY(an_open_that_spent_its_retries_is_a_permanent_error))
