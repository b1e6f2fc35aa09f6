/*
 * wire_in_place.h — unpacking a received ClientMessage/ServerMessage with
 * its Input/Output item's payload left where it arrived (no copy: protobuf-c
 * would copy every bytes field). Pure parsing of hostile bytes, no gRPC:
 * fuzzed by tests/fuzz/fuzz_remote_wire.c against protobuf-c's own unpack.
 */
#ifndef RM_REMOTE_WIRE_IN_PLACE_H
#define RM_REMOTE_WIRE_IN_PLACE_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

/* The offset in the encoded message of its Input/Output item payload of
 * at least `min_payload` bytes, from the message's first `len` of `total`
 * bytes (it may be cut short); 0 when there is none or it is not in view. */
size_t rm_wire_payload_offset(const uint8_t *data, size_t len, size_t total,
                              size_t min_payload);

/* `desc` (ClientMessage or ServerMessage) unpacked from `data`, its
 * Input/Output item's payload (of at least `min_payload` bytes, at an
 * address that is a multiple of `align`) pointing into `data`: *borrowed
 * is that field. Before protobuf_c_message_free_unpacked, call
 * rm_wire_unborrow(*borrowed); `data` must outlive the message. NULL when
 * the message has no such payload or is not well formed (unpack it the
 * usual way then). */
ProtobufCMessage *rm_wire_unpack_in_place(
    const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
    size_t min_payload, size_t align, ProtobufCBinaryData **borrowed);
/* Detach a borrowed payload (NULL: nothing). */
void rm_wire_unborrow(ProtobufCBinaryData *borrowed);

#endif /* RM_REMOTE_WIRE_IN_PLACE_H */
