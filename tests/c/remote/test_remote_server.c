/*
 * test_remote_server.c — the node server at the protocol level, through
 * the plugin's own transport (plugins/remote/transport.h): the Health rpc,
 * hostile and out-of-order messages (a Failure, never a crash), the idle
 * timeout, and a stop that lets the stream in flight finish.
 */
#include "rm_test.h"

#include <string.h>
#include <time.h>

#include <remotemedia/runtime.h>

#include "proto_names.h"
#include "served.h"
#include "transport.h"
#include "wire_msg.h"

#define HANG_MS 30000 /* generous: only catches hangs */

extern const rm_node_server_t rm_remote_node_server;

static rm_item_t *t_wrap(void *ctx, uint32_t kind, void *data, size_t size,
                         rm_release_cb release, void *user) {
    (void)ctx;
    return rm_item_wrap(kind, data, size, 0, release, user);
}
static rm_item_t *t_json(void *ctx, const char *json, size_t len) {
    (void)ctx;
    return rm_item_new_json(json, len);
}
static const rm_wire_items_t items = {t_wrap, t_json, rm_item_ref,
                                      rm_item_unref, NULL};

typedef struct client {
    rm_tp_channel_t *channel;
    rm_tp_call_t *call;
} client_t;

static void connect_to(client_t *c, int port, const char *method) {
    char target[64], why[256];
    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    ASSERT_EQ_INT(rm_tp_channel_open(target, NULL, 1 << 20, &c->channel, why,
                                     sizeof why), 0);
    ASSERT_EQ_INT(rm_tp_call_start(c->channel, method, NULL, &c->call),
                  RM_TP_OK);
}

static void disconnect(client_t *c) {
    rm_tp_call_free(c->call);
    rm_tp_channel_close(c->channel);
}

static void send_open(client_t *c, const char *type, const char *params) {
    pb_open_t o = REMOTEMEDIA__REMOTE__V1__OPEN__INIT;
    o.protocol = PB_PROTOCOL;
    o.node_id = "n";
    o.node_type = (char *)type;
    o.params_json = (char *)params;
    pb_client_msg_t m = REMOTEMEDIA__REMOTE__V1__CLIENT_MESSAGE__INIT;
    m.body_case = PB_C_OPEN;
    m.open = &o;
    ASSERT_EQ_INT(rm_wire_send(c->call, &m.base, NULL, &items, HANG_MS),
                  RM_TP_OK);
}

static void send_json_input(client_t *c, uint64_t seq, const char *json) {
    rm_item_t *item = rm_item_new_json(json, strlen(json));
    rm_wire_pb_item_t storage;
    char why[128];
    ASSERT_EQ_INT(rm_wire_item_encode(item, &storage, why, sizeof why), 0);
    pb_input_t in = REMOTEMEDIA__REMOTE__V1__INPUT__INIT;
    in.seq = seq;
    in.item = &storage.item;
    pb_client_msg_t m = REMOTEMEDIA__REMOTE__V1__CLIENT_MESSAGE__INIT;
    m.body_case = PB_C_INPUT;
    m.input = &in;
    ASSERT_EQ_INT(rm_wire_send(c->call, &m.base, item, &items, HANG_MS),
                  RM_TP_OK);
    rm_item_unref(item);
}

static pb_server_msg_t *expect(client_t *c, int body_case) {
    ProtobufCMessage *raw = NULL;
    ASSERT_EQ_INT(rm_wire_recv(c->call, &PB_SERVER_DESC, &raw, HANG_MS), 1);
    pb_server_msg_t *m = (pb_server_msg_t *)raw;
    if ((int)m->body_case != body_case)
        RM__FAIL("expected message %d, got %d%s%s", body_case,
                 (int)m->body_case,
                 m->body_case == PB_S_FAILURE ? ": " : "",
                 m->body_case == PB_S_FAILURE ? m->failure->message : "");
    return m;
}

RM_TEST(health_says_serving) {
    rm_registry_t *registry = served_registry();
    served_t s;
    served_init(&s, &rm_remote_node_server, registry);
    served_start(&s);
    client_t c;
    connect_to(&c, s.port, "/remotemedia.remote.v1.NodeService/Health");
    rm_tp_segment_t empty = {"", 0, NULL, NULL};
    ASSERT_EQ_INT(rm_tp_send(c.call, &empty, 1, HANG_MS), RM_TP_OK);
    ASSERT_EQ_INT(rm_tp_close_send(c.call, HANG_MS), RM_TP_OK);
    ProtobufCMessage *raw = NULL;
    ASSERT_EQ_INT(rm_wire_recv(c.call, &PB_HEALTH_REPLY_DESC, &raw, HANG_MS), 1);
    ASSERT_STR_EQ(((pb_health_reply_t *)raw)->status, "serving");
    protobuf_c_message_free_unpacked(raw, NULL);
    ASSERT_EQ_INT(rm_tp_call_status(c.call, NULL, 0, HANG_MS), RM_TP_OK);
    disconnect(&c);
    served_join(&s);
    rm_registry_close(registry);
}

RM_TEST(hostile_and_out_of_order_messages_get_a_failure) {
    rm_registry_t *registry = served_registry();
    served_t s;
    served_init(&s, &rm_remote_node_server, registry);
    served_start(&s);
    /* Bytes that are no ClientMessage. */
    client_t c;
    connect_to(&c, s.port, "/remotemedia.remote.v1.NodeService/Stream");
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x80};
    rm_tp_segment_t seg = {junk, sizeof junk, NULL, NULL};
    ASSERT_EQ_INT(rm_tp_send(c.call, &seg, 1, HANG_MS), RM_TP_OK);
    pb_server_msg_t *m = expect(&c, PB_S_FAILURE);
    ASSERT_STR_CONTAINS(m->failure->message, "malformed");
    protobuf_c_message_free_unpacked(&m->base, NULL);
    disconnect(&c);
    /* Input before Open. */
    connect_to(&c, s.port, "/remotemedia.remote.v1.NodeService/Stream");
    send_json_input(&c, 1, "1");
    m = expect(&c, PB_S_FAILURE);
    ASSERT_STR_CONTAINS(m->failure->message, "must be Open");
    protobuf_c_message_free_unpacked(&m->base, NULL);
    disconnect(&c);
    /* An item whose header lies about its payload. */
    connect_to(&c, s.port, "/remotemedia.remote.v1.NodeService/Stream");
    send_open(&c, "PassThroughNode", "{}");
    protobuf_c_message_free_unpacked(&expect(&c, PB_S_OPENED)->base, NULL);
    Remotemedia__Remote__V1__AudioFormat a = REMOTEMEDIA__REMOTE__V1__AUDIO_FORMAT__INIT;
    a.sample_rate = 16000;
    a.channels = 1;
    a.sample_format = RM_SAMPLE_F32;
    a.frames = 1000000; /* 4 MB declared, 4 bytes sent */
    Remotemedia__Remote__V1__Item it = REMOTEMEDIA__REMOTE__V1__ITEM__INIT;
    it.kind = RM_KIND_AUDIO;
    it.audio = &a;
    it.payload.data = (uint8_t *)"abcd";
    it.payload.len = 4;
    pb_input_t in = REMOTEMEDIA__REMOTE__V1__INPUT__INIT;
    in.seq = 1;
    in.item = &it;
    pb_client_msg_t cm = REMOTEMEDIA__REMOTE__V1__CLIENT_MESSAGE__INIT;
    cm.body_case = PB_C_INPUT;
    cm.input = &in;
    ASSERT_EQ_INT(rm_wire_send(c.call, &cm.base, NULL, &items, HANG_MS), RM_TP_OK);
    m = expect(&c, PB_S_FAILURE);
    ASSERT_STR_CONTAINS(m->failure->message, "input 1");
    ASSERT_STR_CONTAINS(m->failure->message, "does not match its payload");
    ASSERT_EQ_INT(m->failure->seq, 1);
    protobuf_c_message_free_unpacked(&m->base, NULL);
    disconnect(&c);
    served_join(&s);
    ASSERT_EQ_INT(s.result, 0);
    rm_registry_close(registry);
}

RM_TEST(a_silent_stream_ends_after_the_idle_timeout) {
    rm_registry_t *registry = served_registry();
    served_t s;
    served_init(&s, &rm_remote_node_server, registry);
    s.options.idle_timeout_ms = 100;
    served_start(&s);
    client_t c;
    connect_to(&c, s.port, "/remotemedia.remote.v1.NodeService/Stream");
    send_open(&c, "PassThroughNode", "{}");
    protobuf_c_message_free_unpacked(&expect(&c, PB_S_OPENED)->base, NULL);
    rm_tp_message_t msg;
    ASSERT_EQ_INT(rm_tp_recv(c.call, &msg, HANG_MS), 0); /* ended by the server */
    ASSERT_EQ_INT(rm_tp_call_status(c.call, NULL, 0, HANG_MS),
                  RM_TP_DEADLINE_EXCEEDED);
    disconnect(&c);
    served_join(&s);
    rm_registry_close(registry);
}

RM_TEST(stop_lets_the_stream_in_flight_finish) {
    rm_registry_t *registry = served_registry();
    served_t s;
    served_init(&s, &rm_remote_node_server, registry);
    s.options.grace_ms = HANG_MS;
    served_start(&s);
    client_t c;
    connect_to(&c, s.port, "/remotemedia.remote.v1.NodeService/Stream");
    send_open(&c, "MultiplyNode", "{\"factor\":2}");
    protobuf_c_message_free_unpacked(&expect(&c, PB_S_OPENED)->base, NULL);
    s.stop = 1; /* like SIGTERM: no new streams, this one goes on */
    send_json_input(&c, 1, "21");
    pb_server_msg_t *m = expect(&c, PB_S_OUTPUT);
    ASSERT_EQ_INT(m->output->seq, 1);
    ASSERT_EQ_INT(m->output->item->payload.len, 2);
    ASSERT_TRUE(memcmp(m->output->item->payload.data, "42", 2) == 0);
    protobuf_c_message_free_unpacked(&m->base, NULL);
    m = expect(&c, PB_S_PROCESSED);
    ASSERT_EQ_INT(m->processed->seq, 1);
    protobuf_c_message_free_unpacked(&m->base, NULL);
    pb_end_t e = REMOTEMEDIA__REMOTE__V1__END__INIT;
    pb_client_msg_t end = REMOTEMEDIA__REMOTE__V1__CLIENT_MESSAGE__INIT;
    end.body_case = PB_C_END;
    end.end = &e;
    ASSERT_EQ_INT(rm_wire_send(c.call, &end.base, NULL, &items, HANG_MS), RM_TP_OK);
    protobuf_c_message_free_unpacked(&expect(&c, PB_S_FLUSHED)->base, NULL);
    ASSERT_EQ_INT(rm_tp_close_send(c.call, HANG_MS), RM_TP_OK);
    ASSERT_EQ_INT(rm_tp_call_status(c.call, NULL, 0, HANG_MS), RM_TP_OK);
    disconnect(&c);
    served_join(&s); /* returns: nothing in flight any more */
    ASSERT_EQ_INT(s.result, 0);
    rm_registry_close(registry);
}

RM_TEST_LIST(RM_TEST_ENTRY(health_says_serving),
             RM_TEST_ENTRY(hostile_and_out_of_order_messages_get_a_failure),
             RM_TEST_ENTRY(a_silent_stream_ends_after_the_idle_timeout),
             RM_TEST_ENTRY(stop_lets_the_stream_in_flight_finish))
