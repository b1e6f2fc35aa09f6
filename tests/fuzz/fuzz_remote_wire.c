/*
 * fuzz_remote_wire.c — libFuzzer target: what a node server or a remote
 * client receives, as bytes off the network: a ClientMessage and a
 * ServerMessage of remotemedia_remote.proto are unpacked, and every item
 * in them decoded (plugins/remote/wire_item.c) against a 1 MiB limit.
 * The same bytes also go through the in-place unpack the receivers use
 * for large payloads (plugins/remote/wire_in_place.c): when it accepts a
 * message, protobuf-c's own unpack must accept it too and agree on the
 * item (kind, headers, payload bytes).
 * Properties: no crash, leak or UB; a decoded item's declared size equals
 * its payload; a refusal always says why; in-place and copying unpack
 * agree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire_in_place.h"
#include "wire_item.h"

static void check(const Remotemedia__Remote__V1__Item *pb) {
    if (!pb) return;
    rm_wire_item_t item;
    char why[256] = "";
    if (rm_wire_item_decode(pb, (size_t)1 << 20, &item, why, sizeof why) != 0) {
        if (!why[0]) abort();
        return;
    }
    if (item.size != pb->payload.len) abort();
    if (item.kind == RM_KIND_AUDIO &&
        item.audio.frames * item.audio.channels *
                rm_sample_size(item.audio.sample_format) != item.size)
        abort();
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < item.size; i += 4096) sink ^= ((const uint8_t *)item.data)[i];
    (void)sink;
}

static const Remotemedia__Remote__V1__Item *item_of(const ProtobufCMessage *m) {
    if (m->descriptor == &remotemedia__remote__v1__client_message__descriptor) {
        const Remotemedia__Remote__V1__ClientMessage *c = (const void *)m;
        return c->body_case == REMOTEMEDIA__REMOTE__V1__CLIENT_MESSAGE__BODY_INPUT ? c->input->item : NULL;
    }
    const Remotemedia__Remote__V1__ServerMessage *s = (const void *)m;
    return s->body_case == REMOTEMEDIA__REMOTE__V1__SERVER_MESSAGE__BODY_OUTPUT ? s->output->item : NULL;
}

static int same_audio(const Remotemedia__Remote__V1__AudioFormat *a,
                      const Remotemedia__Remote__V1__AudioFormat *b) {
    if (!a || !b) return a == b;
    return a->sample_rate == b->sample_rate && a->channels == b->channels &&
           a->sample_format == b->sample_format && a->layout == b->layout &&
           a->frames == b->frames;
}

/* In-place unpack vs protobuf-c's. */
static void differential(const ProtobufCMessageDescriptor *desc,
                         const uint8_t *data, size_t size) {
    ProtobufCBinaryData *borrowed = NULL;
    ProtobufCMessage *in_place = rm_wire_unpack_in_place(desc, data, size, 1, 1, &borrowed);
    if (!in_place) return;
    ProtobufCMessage *copied = protobuf_c_message_unpack(desc, NULL, size, data);
    if (!copied || !borrowed) abort();
    const Remotemedia__Remote__V1__Item *a = item_of(in_place), *b = item_of(copied);
    if (!a || !b || a->kind != b->kind || a->payload.len != b->payload.len ||
        memcmp(a->payload.data, b->payload.data, a->payload.len) != 0 ||
        !same_audio(a->audio, b->audio) || !a->tensor != !b->tensor ||
        (a->tensor && (a->tensor->dtype != b->tensor->dtype ||
                       a->tensor->n_shape != b->tensor->n_shape)))
        abort();
    if (a->payload.data < data || a->payload.data + a->payload.len > data + size) abort();
    check(a);
    rm_wire_unborrow(borrowed);
    protobuf_c_message_free_unpacked(in_place, NULL);
    protobuf_c_message_free_unpacked(copied, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    differential(&remotemedia__remote__v1__client_message__descriptor, data, size);
    differential(&remotemedia__remote__v1__server_message__descriptor, data, size);
    (void)rm_wire_payload_offset(data, size / 2, size, 1);
    Remotemedia__Remote__V1__ClientMessage *client =
        remotemedia__remote__v1__client_message__unpack(NULL, size, data);
    if (client) {
        if (client->body_case == REMOTEMEDIA__REMOTE__V1__CLIENT_MESSAGE__BODY_INPUT)
            check(client->input->item);
        remotemedia__remote__v1__client_message__free_unpacked(client, NULL);
    }
    Remotemedia__Remote__V1__ServerMessage *server =
        remotemedia__remote__v1__server_message__unpack(NULL, size, data);
    if (server) {
        if (server->body_case == REMOTEMEDIA__REMOTE__V1__SERVER_MESSAGE__BODY_OUTPUT)
            check(server->output->item);
        remotemedia__remote__v1__server_message__free_unpacked(server, NULL);
    }
    return 0;
}
