/*
 * wire_msg.h — whole protocol messages on a transport call, for both
 * ends: pack a ClientMessage/ServerMessage and send it (an item's large
 * payload travels as its own segment, without a copy, holding a reference
 * to the item until gRPC is done with it); receive and unpack one; turn a
 * decoded wire item into an rm_item_t that owns the unpacked message
 * (no copy either, except JSON which must end in a NUL).
 */
#ifndef RM_REMOTE_WIRE_MSG_H
#define RM_REMOTE_WIRE_MSG_H

#include <protobuf-c/protobuf-c.h>

#include "transport.h"
#include "wire_item.h"

/* How one end makes and drops items (the client through its rm_host_t,
 * the server through the runtime library). */
typedef struct rm_wire_items {
    rm_item_t *(*wrap)(void *ctx, uint32_t kind, void *data, size_t size,
                       rm_release_cb release, void *user);
    rm_item_t *(*new_json)(void *ctx, const char *json, size_t len);
    rm_item_t *(*ref)(rm_item_t *item);
    void (*unref)(rm_item_t *item);
    void *ctx;
} rm_wire_items_t;

/* Pack `msg` and send it on `call`. `payload_item` (may be NULL) is the
 * item whose payload the message points at: sent by reference. Returns a
 * transport status (RM_TP_OK), or RM_TP_RESOURCE_EXHAUSTED when out of
 * memory. */
int rm_wire_send(rm_tp_call_t *call, const ProtobufCMessage *msg,
                 rm_item_t *payload_item, const rm_wire_items_t *items,
                 int timeout_ms);

/* Receive one message of `desc` (client or server message). 1 and *out
 * (free with protobuf_c_message_free_unpacked(*out, NULL)); 0 when the
 * peer ended the stream; -1 on timeout; -2 when the bytes do not parse. */
int rm_wire_recv(rm_tp_call_t *call, const ProtobufCMessageDescriptor *desc,
                 ProtobufCMessage **out, int timeout_ms);

/* A received message whose item payload may stay where it arrived: the
 * unpacked message's Input/Output item points into `raw` (64-byte
 * aligned) instead of a copy. */
typedef struct rm_wire_in {
    ProtobufCMessage *msg;
    rm_tp_message_t raw;          /* kept while the payload points into it */
    ProtobufCBinaryData *borrowed; /* that payload field, or NULL          */
} rm_wire_in_t;

/* rm_wire_recv for ClientMessage/ServerMessage with large payloads left in
 * place; same returns, *out freed with rm_wire_in_free. */
int rm_wire_recv_in(rm_tp_call_t *call,
                    const ProtobufCMessageDescriptor *desc,
                    rm_wire_in_t **out, int timeout_ms);
void rm_wire_in_free(rm_wire_in_t *in);

/* An item for `w` (decoded from a part of `*owner`). When the item took
 * over the message, *owner is set to NULL (it is freed with the item).
 * NULL when out of memory. */
rm_item_t *rm_wire_item_make(const rm_wire_items_t *items,
                             const rm_wire_item_t *w, rm_wire_in_t **owner);

#endif /* RM_REMOTE_WIRE_MSG_H */
