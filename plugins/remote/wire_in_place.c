/*
 * wire_in_place.c — see wire_in_place.h. The encoded message is walked
 * field by field (varint tags and lengths, every length checked against
 * its enclosing message) to find the payload of ClientMessage.input.item
 * or ServerMessage.output.item; the message is then unpacked from a copy
 * of everything but that field (the two enclosing lengths re-encoded), and
 * the unpacked item's payload pointed at the original bytes.
 */
#include "wire_in_place.h"

#include <stdlib.h>
#include <string.h>

#include "proto_names.h"

/* One length-delimited field found in a message. Offsets are absolute. */
typedef struct span {
    size_t field_start;      /* its tag                                     */
    size_t len_pos, len_width; /* its length varint                         */
    size_t value_start, value_len;
} span_t;

static int read_varint(const uint8_t *d, size_t avail, size_t *at,
                       uint64_t *v) {
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*at >= avail)
            return -1;
        uint8_t b = d[(*at)++];
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

/* Find length-delimited field `want` among the fields in [start, end) of
 * `d` (bytes readable up to `avail`). With `whole`, every field is
 * scanned and a repeated `want` is refused (protobuf would merge them);
 * else the first is taken. 1 found, 0 absent, -1 malformed/unreadable. */
static int find_field(const uint8_t *d, size_t avail, size_t start,
                      size_t end, uint32_t want, int whole, span_t *out) {
    int found = 0;
    size_t at = start;
    while (at < end) {
        size_t field_start = at;
        uint64_t tag, len;
        if (read_varint(d, avail, &at, &tag) != 0 || at > end)
            return -1;
        switch (tag & 7) {
        case 0:
            if (read_varint(d, avail, &at, &len) != 0)
                return -1;
            break;
        case 1: at += 8; break;
        case 5: at += 4; break;
        case 2: {
            size_t len_pos = at;
            if (read_varint(d, avail, &at, &len) != 0 || at > end ||
                len > end - at)
                return -1;
            if ((tag >> 3) == want) {
                if (found)
                    return -1;
                *out = (span_t){field_start, len_pos, at - len_pos, at,
                                (size_t)len};
                found = 1;
                if (!whole)
                    return 1;
            }
            at += (size_t)len;
            break;
        }
        default:
            return -1;
        }
    }
    return at == end ? found : -1;
}

/* The path ClientMessage.input / ServerMessage.output (2) -> item (3) ->
 * payload (4): 1 and the three spans, else 0. */
static int locate(const uint8_t *d, size_t avail, size_t total, int whole,
                  span_t sp[3]) {
    if (find_field(d, avail, 0, total, 2, whole, &sp[0]) != 1)
        return 0;
    if (find_field(d, avail, sp[0].value_start,
                   sp[0].value_start + sp[0].value_len, 3, whole, &sp[1]) != 1)
        return 0;
    return find_field(d, avail, sp[1].value_start,
                      sp[1].value_start + sp[1].value_len, 4, whole,
                      &sp[2]) == 1;
}

size_t rm_wire_payload_offset(const uint8_t *data, size_t len, size_t total,
                              size_t min_payload) {
    span_t sp[3];
    if (len > total || !locate(data, len, total, 0, sp) ||
        sp[2].value_len < min_payload)
        return 0;
    return sp[2].value_start;
}

static size_t put_varint(uint8_t *out, uint64_t v) {
    size_t n = 0;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        out[n++] = b | (v ? 0x80 : 0);
    } while (v);
    return n;
}

ProtobufCMessage *rm_wire_unpack_in_place(
    const ProtobufCMessageDescriptor *desc, const uint8_t *d, size_t len,
    size_t min_payload, size_t align, ProtobufCBinaryData **borrowed) {
    *borrowed = NULL;
    span_t sp[3];
    if (!locate(d, len, len, 1, sp) || sp[2].value_len < min_payload ||
        ((uintptr_t)(d + sp[2].value_start)) % (align ? align : 1))
        return NULL;
    size_t cut = sp[2].value_start + sp[2].value_len - sp[2].field_start;
    size_t cap = sp[2].field_start + 20 + (len - sp[2].value_start -
                                           sp[2].value_len);
    uint8_t *h = malloc(cap), *o = h;
    if (!h)
        return NULL;
    memcpy(o, d, sp[0].len_pos);
    o += sp[0].len_pos;
    o += put_varint(o, sp[0].value_len - cut);
    memcpy(o, d + sp[0].value_start, sp[1].len_pos - sp[0].value_start);
    o += sp[1].len_pos - sp[0].value_start;
    o += put_varint(o, sp[1].value_len - cut);
    memcpy(o, d + sp[1].value_start, sp[2].field_start - sp[1].value_start);
    o += sp[2].field_start - sp[1].value_start;
    size_t tail = sp[2].value_start + sp[2].value_len;
    memcpy(o, d + tail, len - tail);
    o += len - tail;
    ProtobufCMessage *msg = protobuf_c_message_unpack(desc, NULL, (size_t)(o - h), h);
    free(h);
    if (!msg)
        return NULL;
    Remotemedia__Remote__V1__Item *item = NULL;
    if (desc == &PB_CLIENT_DESC) {
        pb_client_msg_t *m = (pb_client_msg_t *)msg;
        if (m->body_case == PB_C_INPUT && m->input)
            item = m->input->item;
    } else if (desc == &PB_SERVER_DESC) {
        pb_server_msg_t *m = (pb_server_msg_t *)msg;
        if (m->body_case == PB_S_OUTPUT && m->output)
            item = m->output->item;
    }
    if (!item || item->payload.len) {
        protobuf_c_message_free_unpacked(msg, NULL);
        return NULL;
    }
    item->payload.data = (uint8_t *)d + sp[2].value_start;
    item->payload.len = sp[2].value_len;
    *borrowed = &item->payload;
    return msg;
}

void rm_wire_unborrow(ProtobufCBinaryData *borrowed) {
    if (!borrowed)
        return;
    borrowed->data = NULL;
    borrowed->len = 0;
}

