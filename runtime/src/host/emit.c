/* emit.c — host->emit: a node call's outputs into its `out` (host.h). */
#include <stdlib.h>

#include "host/host.h"
#include "util/contract.h"

/* The first bad emit of a call is remembered: the call fails with it even
 * when the plugin ignores emit's status (execute_node_call). */
static void rm__emit_reject(rm_emit_t *out, uint32_t port, uint32_t kind) {
    if (out->rejected) return;
    out->rejected = 1;
    out->rejected_port = port;
    out->rejected_kind = kind;
}

int rm__emit(rm_emit_t *out, uint32_t port, rm_item_t *item) {
    if (!out || !item) {
        rm__violation_note(RM_VIOLATION_NULL_EMIT);
        if (out) rm__emit_reject(out, port, UINT32_MAX);
        rm__item_unref(item);
        return RM_EINVAL;
    }
    if (port >= out->port_count) {
        rm__violation_note(RM_VIOLATION_BAD_PORT);
        rm__emit_reject(out, port, item->kind);
        rm__item_unref(item);
        return RM_EINVAL;
    }
    /* A typed port only carries what it declares, and audio or a tensor
     * must fit its payload: garbage stops here, not in the next node. */
    if ((out->ports && out->ports[port].kinds &&
         (item->kind >= 32 ||
          !(out->ports[port].kinds & RM_KIND_BIT(item->kind)))) ||
        ((item->kind == RM_KIND_AUDIO || item->kind == RM_KIND_TENSOR ||
          item->kind > RM_KIND_PYOBJECT) &&
         rm__item_consistent(item, (char[160]){0}, 160) != RM_OK)) {
        rm__emit_reject(out, port, item->kind);
        rm__item_unref(item);
        return RM_EKIND;
    }
    if (out->count == out->capacity) {
        size_t capacity = out->capacity ? out->capacity * 2 : 16;
        rm__emitted_t *grown = realloc(out->items, capacity * sizeof(*grown));
        if (!grown) {
            rm__item_unref(item);
            out->overflow = 1;
            return RM_ENOMEM;
        }
        out->items = grown;
        out->capacity = capacity;
    }
    out->items[out->count].item = item;
    out->items[out->count].port = port;
    out->count++;
    return RM_OK;
}
