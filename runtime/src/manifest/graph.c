/* graph.c — edge lists, stable topological order and cycle naming. */
#include "manifest/graph.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_util.h"

/* Cycles longer than this are shown as their first and last nodes. */
#define RM__CYCLE_SHOWN 16

/* A binary min-heap of node indices: the ready set of Kahn's algorithm. */
typedef struct rm__heap {
    size_t *items;
    size_t count;
} rm__heap_t;

static void rm__heap_push(rm__heap_t *heap, size_t value) {
    size_t i = heap->count++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (heap->items[parent] <= value) break;
        heap->items[i] = heap->items[parent];
        i = parent;
    }
    heap->items[i] = value;
}

static size_t rm__heap_pop(rm__heap_t *heap) {
    size_t top = heap->items[0];
    size_t last = heap->items[--heap->count];
    size_t i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= heap->count) break;
        if (child + 1 < heap->count && heap->items[child + 1] < heap->items[child])
            child++;
        if (heap->items[child] >= last) break;
        heap->items[i] = heap->items[child];
        i = child;
    }
    if (heap->count) heap->items[i] = last;
    return top;
}

static int rm__fill_edge_lists(rm_manifest_t *m) {
    for (size_t e = 0; e < m->edge_count; e++) {
        m->nodes[m->edges[e].from_node].output_count++;
        m->nodes[m->edges[e].to_node].input_count++;
    }
    for (size_t i = 0; i < m->node_count; i++) {
        rm_manifest_node_t *node = &m->nodes[i];
        if (node->input_count &&
            !(node->inputs = malloc(node->input_count * sizeof(size_t))))
            return RM_ENOMEM;
        if (node->output_count &&
            !(node->outputs = malloc(node->output_count * sizeof(size_t))))
            return RM_ENOMEM;
        node->input_count = node->output_count = 0;
    }
    for (size_t e = 0; e < m->edge_count; e++) {
        rm_manifest_node_t *from = &m->nodes[m->edges[e].from_node];
        rm_manifest_node_t *to = &m->nodes[m->edges[e].to_node];
        from->outputs[from->output_count++] = e;
        to->inputs[to->input_count++] = e;
    }
    return RM_OK;
}

static void rm__sb_id(rm_strbuf_t *sb, const char *id) {
    int plain = strlen(id) <= RM_ECHO_MAX;
    for (const char *p = id; plain && *p; p++)
        plain = (unsigned char)*p >= 0x20 && *p != '"' && *p != ' ';
    if (plain) rm__sb_add(sb, id);
    else rm__sb_quote(sb, id);
}

/* Every node left unplaced by Kahn has an input edge from another unplaced
 * node, so walking such edges backwards must revisit a node: that stretch
 * of the walk is a cycle. O(V + E), no recursion. */
static int rm__report_cycle(const rm_manifest_t *m, const size_t *remaining,
                            rm_diag_t *diag) {
    size_t *step = malloc(m->node_count * sizeof(size_t));
    size_t *walk = malloc(m->node_count * sizeof(size_t));
    if (!step || !walk) {
        free(step);
        free(walk);
        rm_diag_add(diag, RM_ENOMEM, NULL, "out of memory naming a cycle");
        return RM_ENOMEM;
    }
    for (size_t i = 0; i < m->node_count; i++) step[i] = SIZE_MAX;
    size_t v = 0;
    while (remaining[v] == 0) v++;
    size_t length = 0;
    while (step[v] == SIZE_MAX) {
        step[v] = length;
        walk[length++] = v;
        const rm_manifest_node_t *node = &m->nodes[v];
        for (size_t k = 0; k < node->input_count; k++) {
            size_t from = m->edges[node->inputs[k]].from_node;
            if (remaining[from]) {
                v = from;
                break;
            }
        }
    }
    /* walk[step[v]] .. walk[length-1] is the cycle, backwards; forward,
     * position 0 is walk[first] and position p > 0 is walk[length - p]. */
    size_t first = step[v], n = length - first;
#define RM__CYCLE_AT(pos) ((pos) == 0 ? walk[first] : walk[length - (pos)])
    size_t start = 0; /* begin at the earliest node in manifest order */
    for (size_t pos = 1; pos < n; pos++)
        if (RM__CYCLE_AT(pos) < RM__CYCLE_AT(start)) start = pos;
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    rm__sb_add(&msg, "the graph has a cycle: ");
    for (size_t k = 0; k <= n; k++) {
        /* A long cycle is named by its first and last stretch. */
        if (n > RM__CYCLE_SHOWN && k == RM__CYCLE_SHOWN / 2) {
            size_t skipped = n - RM__CYCLE_SHOWN;
            rm__sb_addf(&msg, " -> ... (%zu more)", skipped);
            k += skipped - 1;
            continue;
        }
        size_t node = RM__CYCLE_AT((start + k) % n);
        if (k) rm__sb_add(&msg, " -> ");
        rm__sb_id(&msg, m->nodes[node].id ? m->nodes[node].id : "?");
    }
#undef RM__CYCLE_AT
    rm__sb_add(&msg, "; a pipeline must be acyclic: remove one of these "
                     "connections");
    rm_diag_add(diag, RM_ECYCLE, "connections", "%s",
                msg.s ? msg.s : "the graph has a cycle");
    rm__sb_free(&msg);
    free(step);
    free(walk);
    return RM_ECYCLE;
}

int rm__graph_build(rm_manifest_t *m, rm_diag_t *diag) {
    if (rm__fill_edge_lists(m) != RM_OK) {
        rm_diag_add(diag, RM_ENOMEM, NULL, "out of memory building the graph");
        return RM_ENOMEM;
    }
    size_t n = m->node_count;
    size_t *remaining = malloc((n ? n : 1) * sizeof(size_t));
    size_t *order = malloc((n ? n : 1) * sizeof(size_t));
    rm__heap_t ready = {malloc((n ? n : 1) * sizeof(size_t)), 0};
    if (!remaining || !order || !ready.items) {
        free(remaining);
        free(order);
        free(ready.items);
        rm_diag_add(diag, RM_ENOMEM, NULL, "out of memory building the graph");
        return RM_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        remaining[i] = m->nodes[i].input_count;
        if (remaining[i] == 0) rm__heap_push(&ready, i);
    }
    size_t placed = 0;
    while (ready.count) {
        size_t v = rm__heap_pop(&ready);
        order[placed++] = v;
        const rm_manifest_node_t *node = &m->nodes[v];
        for (size_t k = 0; k < node->output_count; k++) {
            size_t to = m->edges[node->outputs[k]].to_node;
            if (--remaining[to] == 0) rm__heap_push(&ready, to);
        }
    }
    free(ready.items);
    int status = RM_OK;
    if (placed < n) {
        status = rm__report_cycle(m, remaining, diag);
        free(order);
        order = NULL;
    }
    free(remaining);
    m->order = order;
    return status;
}
