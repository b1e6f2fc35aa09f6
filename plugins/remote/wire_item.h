/*
 * wire_item.h — items to and from the remote wire format
 * (remotemedia_remote.proto, message Item), for both ends of a remote
 * node: the client plugin and the node server.
 *
 * Decoding never trusts the sender: every declared size is checked
 * against the payload (with overflow-safe arithmetic) before anything
 * points into it, so a hostile message gets an error naming what is
 * wrong, never a read past the buffer. Neither direction copies the
 * payload: an encoded Item points at the item's memory, and a decoded one
 * at the unpacked message's.
 */
#ifndef RM_REMOTE_WIRE_ITEM_H
#define RM_REMOTE_WIRE_ITEM_H

#include <stddef.h>
#include <stdint.h>
#include <remotemedia/plugin.h>

#include "remotemedia_remote.pb-c.h"

/* The largest payload either end accepts by default (a 4K RGB frame is
 * 25 MB; gRPC's own limit is raised to match on both ends). */
#define RM_WIRE_MAX_PAYLOAD ((size_t)256 << 20)

/* A decoded item: the header checked, `data` pointing into the message. */
typedef struct rm_wire_item {
    uint32_t kind;              /* RM_KIND_AUDIO .. RM_KIND_BYTES           */
    rm_audio_format_t audio;    /* kind audio                               */
    rm_tensor_info_t tensor;    /* kind tensor; strides C-contiguous        */
    const void *data;           /* borrowed from the message                */
    size_t size;
} rm_wire_item_t;

/* The protobuf structs one encoded Item needs (no allocation). */
typedef struct rm_wire_pb_item {
    Remotemedia__Remote__V1__Item item;
    Remotemedia__Remote__V1__AudioFormat audio;
    Remotemedia__Remote__V1__TensorInfo tensor;
    int64_t shape[RM_TENSOR_MAX_DIMS];
} rm_wire_pb_item_t;

/* Check `pb` and describe it in `out`. 0, or -1 with `why` filled. */
int rm_wire_item_decode(const Remotemedia__Remote__V1__Item *pb,
                        size_t max_payload, rm_wire_item_t *out, char *why,
                        size_t why_len);

/* Fill `storage` from `item` (borrowed: the payload is not copied; keep
 * the item alive until the message is packed). A tensor must be
 * C-contiguous; Python objects cannot cross. 0, or -1 with `why`. */
int rm_wire_item_encode(const rm_item_t *item, rm_wire_pb_item_t *storage,
                        char *why, size_t why_len);

#endif /* RM_REMOTE_WIRE_ITEM_H */
