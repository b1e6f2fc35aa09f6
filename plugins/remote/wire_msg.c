/* wire_msg.c — see wire_msg.h. */
#include "wire_msg.h"

#include "wire_in_place.h"

#include <stdlib.h>
#include <string.h>

/* Payloads from this size go out by reference instead of being copied. */
#define ZERO_COPY_MIN ((size_t)16 << 10)
#define MAX_PARTS 3

/* A ProtobufCBuffer that copies everything except the one payload it is
 * told about, which becomes a segment of its own. */
typedef struct packer {
    ProtobufCBuffer base;
    uint8_t *bytes;
    size_t len, cap;
    const void *zc_data;
    size_t zc_len;
    size_t zc_at;      /* offset in `bytes` where the payload sits; or -1 */
    int failed;
} packer_t;

static void packer_append(ProtobufCBuffer *buffer, size_t len,
                          const uint8_t *data) {
    packer_t *p = (packer_t *)buffer;
    if (p->failed)
        return;
    if (p->zc_data && data == p->zc_data && len == p->zc_len &&
        p->zc_at == (size_t)-1) {
        p->zc_at = p->len;
        return;
    }
    if (p->len + len > p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        while (cap < p->len + len)
            cap *= 2;
        uint8_t *grown = realloc(p->bytes, cap);
        if (!grown) {
            p->failed = 1;
            return;
        }
        p->bytes = grown;
        p->cap = cap;
    }
    memcpy(p->bytes + p->len, data, len);
    p->len += len;
}

typedef struct item_hold {
    rm_item_t *item;
    void (*unref)(rm_item_t *item);
} item_hold_t;

static void release_hold(void *user) {
    item_hold_t *h = user;
    h->unref(h->item);
    free(h);
}

int rm_wire_send(rm_tp_call_t *call, const ProtobufCMessage *msg,
                 rm_item_t *payload_item, const rm_wire_items_t *items,
                 int timeout_ms) {
    packer_t p;
    memset(&p, 0, sizeof p);
    p.base.append = packer_append;
    p.zc_at = (size_t)-1;
    if (payload_item && payload_item->size >= ZERO_COPY_MIN) {
        p.zc_data = payload_item->data;
        p.zc_len = payload_item->size;
    }
    protobuf_c_message_pack_to_buffer(msg, &p.base);
    if (p.failed) {
        free(p.bytes);
        return RM_TP_RESOURCE_EXHAUSTED;
    }
    rm_tp_segment_t seg[MAX_PARTS];
    size_t n = 0;
    if (p.zc_at == (size_t)-1) {
        seg[n++] = (rm_tp_segment_t){p.bytes, p.len, NULL, NULL};
    } else {
        item_hold_t *hold = malloc(sizeof *hold);
        if (!hold) {
            free(p.bytes);
            return RM_TP_RESOURCE_EXHAUSTED;
        }
        hold->item = items->ref(payload_item);
        hold->unref = items->unref;
        if (p.zc_at)
            seg[n++] = (rm_tp_segment_t){p.bytes, p.zc_at, NULL, NULL};
        seg[n++] = (rm_tp_segment_t){p.zc_data, p.zc_len, release_hold, hold};
        if (p.len > p.zc_at)
            seg[n++] = (rm_tp_segment_t){p.bytes + p.zc_at, p.len - p.zc_at,
                                         NULL, NULL};
    }
    int status = rm_tp_send(call, seg, n, timeout_ms);
    free(p.bytes);
    return status;
}

int rm_wire_recv(rm_tp_call_t *call, const ProtobufCMessageDescriptor *desc,
                 ProtobufCMessage **out, int timeout_ms) {
    *out = NULL;
    rm_tp_message_t m;
    int r = rm_tp_recv(call, &m, timeout_ms);
    if (r != 1)
        return r;
    *out = protobuf_c_message_unpack(desc, NULL, m.len, m.data);
    rm_tp_message_free(&m);
    return *out ? 1 : -2;
}

static void free_owner(void *user, void *data) {
    (void)data;
    rm_wire_in_free(user);
}

rm_item_t *rm_wire_item_make(const rm_wire_items_t *items,
                             const rm_wire_item_t *w, rm_wire_in_t **owner) {
    if (w->kind == RM_KIND_JSON)
        return items->new_json(items->ctx, w->size ? w->data : "", w->size);
    static char empty[1];
    void *data = w->data ? (void *)w->data : empty;
    rm_item_t *item = items->wrap(items->ctx, w->kind, data,
                                  w->size, free_owner, *owner);
    if (!item)
        return NULL;
    *owner = NULL;
    if (w->kind == RM_KIND_AUDIO)
        item->audio = w->audio;
    else if (w->kind == RM_KIND_TENSOR)
        item->tensor = w->tensor;
    return item;
}

/* ---- receiving with the payload in place ---------------------------------- */

/* Where the payload of a large Input/Output item starts, to align it. */
static size_t place_payload(const uint8_t *head, size_t len, size_t total) {
    return rm_wire_payload_offset(head, len, total, ZERO_COPY_MIN);
}

int rm_wire_recv_in(rm_tp_call_t *call,
                    const ProtobufCMessageDescriptor *desc,
                    rm_wire_in_t **out, int timeout_ms) {
    *out = NULL;
    rm_wire_in_t *in = calloc(1, sizeof *in);
    if (!in)
        return -1;
    int r = rm_tp_recv_placed(call, &in->raw, timeout_ms, place_payload);
    if (r != 1) {
        free(in);
        return r;
    }
    in->msg = rm_wire_unpack_in_place(desc, in->raw.data, in->raw.len,
                                      ZERO_COPY_MIN, 16, &in->borrowed);
    if (!in->msg) {
        in->msg = protobuf_c_message_unpack(desc, NULL, in->raw.len,
                                            in->raw.data);
        rm_tp_message_free(&in->raw);
        if (!in->msg) {
            free(in);
            return -2;
        }
    }
    *out = in;
    return 1;
}

void rm_wire_in_free(rm_wire_in_t *in) {
    if (!in)
        return;
    rm_wire_unborrow(in->borrowed); /* not protobuf-c's to free */
    if (in->msg)
        protobuf_c_message_free_unpacked(in->msg, NULL);
    rm_tp_message_free(&in->raw);
    free(in);
}
