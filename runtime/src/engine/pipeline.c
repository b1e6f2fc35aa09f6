/*
 * pipeline.c — compile a manifest into nodes and instances; run it.
 *
 * Instances across runs. A compiled pipeline caches one set of node
 * instances. A run takes the cached set (or, when another run of the same
 * pipeline holds it, makes its own), creates whatever instance is missing,
 * and gives the set back at the end. Instances of node types that keep
 * state between items (RM_CAP_STATEFUL, RM_CAP_STREAMING, sources, Python
 * nodes) are destroyed after every run, so each run starts fresh; stateless
 * ones are reused, so compile-once-run-many pays create only once.
 */
#include <remotemedia/metrics.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "item/item.h"

#define RM__RECREATE_CAPS                                                     \
    (RM_CAP_STATEFUL | RM_CAP_STREAMING | RM_CAP_SOURCE | RM_CAP_NEEDS_PYTHON)

/* ---- instance sets ------------------------------------------------------ */

static void instances_destroy_one(const rm_pipeline_t *p,
                                  rm__instances_t *set, size_t i) {
    if (!set->created[i]) return;
    if (p->nodes[i].type->destroy) p->nodes[i].type->destroy(set->instances[i]);
    set->instances[i] = NULL;
    set->created[i] = 0;
}

static void instances_free(const rm_pipeline_t *p, rm__instances_t *set) {
    if (!set) return;
    for (size_t i = 0; i < set->count; i++) {
        instances_destroy_one(p, set, i);
        rm__host_destroy(set->hosts[i]);
        free(set->hosts[i]);
    }
    free(set->hosts);
    free(set->instances);
    free(set->created);
    free(set);
}

static rm__instances_t *instances_new(const rm_pipeline_t *p) {
    rm__instances_t *set = calloc(1, sizeof(*set));
    if (!set) return NULL;
    size_t n = p->node_count ? p->node_count : 1;
    set->hosts = calloc(n, sizeof(*set->hosts));
    set->instances = calloc(n, sizeof(*set->instances));
    set->created = calloc(n, sizeof(*set->created));
    if (!set->hosts || !set->instances || !set->created) {
        instances_free(p, set);
        return NULL;
    }
    for (size_t i = 0; i < p->node_count; i++) {
        set->count = i + 1;
        set->hosts[i] = malloc(sizeof(*set->hosts[i]));
        if (!set->hosts[i] ||
            rm__host_init(set->hosts[i], p->nodes[i].m->id,
                          p->nodes[i].m->type_name,
                          p->nodes[i].unused_ports,
                          &p->nodes[i].m->retry) != RM_OK) {
            instances_free(p, set);
            return NULL;
        }
    }
    return set;
}

/* Create every missing instance, in topological order, for the run or
 * compile that `cancel` stops (NULL: none). On failure returns the status
 * and the failing node's index and error. */
static int instances_fill(const rm_pipeline_t *p, rm__instances_t *set,
                          const rm_cancel_t *cancel, size_t *failed_node,
                          rm_error_t *err) {
    for (size_t k = 0; k < p->node_count; k++) {
        size_t i = p->manifest->order[k];
        if (set->created[i]) continue;
        int status = rm__node_create(p, set, i, cancel, err);
        if (status != RM_OK) {
            *failed_node = i;
            return status;
        }
    }
    return RM_OK;
}

void rm__instances_give_back(rm_pipeline_t *p, rm__instances_t *set) {
    for (size_t i = 0; i < p->node_count; i++)
        if (p->nodes[i].type->capabilities & RM__RECREATE_CAPS)
            instances_destroy_one(p, set, i);
    rm__instances_t *expected = NULL;
    if (!atomic_compare_exchange_strong(&p->cached, &expected, set))
        instances_free(p, set); /* a concurrent run's set is cached */
}

rm__instances_t *rm__instances_take(rm_pipeline_t *p,
                                    const rm_cancel_t *cancel, int *status,
                                    size_t *failed_node, rm_error_t *err) {
    rm__instances_t *set = atomic_exchange(&p->cached, NULL);
    if (!set) set = instances_new(p);
    if (!set) return NULL;
    *status = instances_fill(p, set, cancel, failed_node, err);
    return set;
}

/* ---- compile ------------------------------------------------------------- */

/* The output ports (< 64) of node `node` that no edge leaves: what it
 * emits there is dropped, unless it is a sink, whose every port is a
 * result. */
static uint64_t unused_ports(const rm_manifest_t *m, const rm__node_t *node) {
    if (node->is_sink) return 0;
    uint32_t count = node->type->output_count < 64 ? node->type->output_count
                                                   : 64;
    uint64_t unused = count == 64 ? UINT64_MAX : ((uint64_t)1 << count) - 1;
    for (size_t i = 0; i < node->m->output_count; i++) {
        uint32_t port = m->edges[node->m->outputs[i]].from_port;
        if (port < 64) unused &= ~((uint64_t)1 << port);
    }
    return unused;
}

static int check_nodes(rm_pipeline_t *p, rm_diag_t *diag) {
    int problems = 0;
    for (size_t i = 0; i < p->node_count; i++) {
        rm__node_t *node = &p->nodes[i];
        const rm_manifest_node_t *m = &p->manifest->nodes[i];
        node->m = m;
        atomic_init(&node->avg_call_ns, 0);
        atomic_init(&node->slow_penalty, 0u);
        rm__breaker_init(&node->breaker);
        node->timeout_ms = m->retry.timeout_ms;
        if (!m->entry || !m->entry->type) {
            rm_diag_add(diag, RM_EVALIDATE, m->id,
                        "node '%s': type '%s' has no implementation to run",
                        m->id, m->type_name);
            problems++;
            continue;
        }
        const rm_node_type_t *type = m->entry->type;
        node->type = type;
        node->is_source = (type->capabilities & RM_CAP_SOURCE) != 0;
        node->is_entry = m->input_count == 0 && !node->is_source;
        node->is_sink = m->output_count == 0;
        if (node->is_sink) node->sink_index = p->sink_count++;
        node->unused_ports = unused_ports(p->manifest, node);
        if (node->is_entry) p->entries[p->entry_count++] = i;
        const char *missing = NULL;
        if (!type->create) missing = "create";
        else if (node->is_source && !type->generate) missing = "generate";
        else if (!node->is_source && !type->process) missing = "process";
        if (missing) {
            rm_diag_add(diag, RM_EVALIDATE, m->id,
                        "node '%s' (%s): the plugin provides no %s()",
                        m->id, m->type_name, missing);
            problems++;
        }
        if (node->is_source && m->input_count > 0) {
            rm_diag_add(diag, RM_EVALIDATE, m->id,
                        "node '%s' (%s) is a source and takes no input, but "
                        "%zu connection(s) lead to it",
                        m->id, m->type_name, m->input_count);
            problems++;
        }
    }
    /* A single chain: one head, every node at most one edge in and out,
     * all connected (n - 1 edges). */
    size_t heads = 0;
    p->is_chain = p->manifest->edge_count + 1 == p->node_count;
    for (size_t i = 0; i < p->node_count && p->is_chain; i++) {
        const rm_manifest_node_t *m = &p->manifest->nodes[i];
        if (m->input_count > 1 || m->output_count > 1) p->is_chain = 0;
        if (m->input_count == 0) heads++;
    }
    if (heads != 1) p->is_chain = 0;
    return problems ? RM_EVALIDATE : RM_OK;
}

void rm_pipeline_free(rm_pipeline_t *pipeline) {
    if (!pipeline) return;
    instances_free(pipeline, atomic_load(&pipeline->cached));
    rm__run_scratch_free(pipeline, atomic_load(&pipeline->scratch));
    for (size_t i = 0; pipeline->nodes && i < pipeline->node_count; i++)
        rm__breaker_destroy(&pipeline->nodes[i].breaker);
    free(pipeline->nodes);
    free(pipeline->entries);
    rm__manifest_free(pipeline->manifest);
    free(pipeline);
}

int rm_pipeline_compile(const rm_registry_t *registry,
                        const char *manifest_text, size_t len,
                        const char *source_name, rm_diag_t *diag,
                        rm_pipeline_t **out) {
    return rm_pipeline_compile_cancellable(registry, manifest_text, len,
                                           source_name, diag, NULL, out);
}

int rm_pipeline_compile_cancellable(const rm_registry_t *registry,
                                    const char *manifest_text, size_t len,
                                    const char *source_name, rm_diag_t *diag,
                                    rm_cancel_t *cancel, rm_pipeline_t **out) {
    if (!out) return RM_EINVAL;
    *out = NULL;
    if (!manifest_text) return RM_EINVAL;
    rm_diag_t *own_diag = NULL;
    if (!diag) diag = own_diag = rm_diag_new();
    rm_manifest_t *manifest = NULL;
    int status = rm__manifest_load(registry, manifest_text, len,
                                   source_name ? source_name : "<string>",
                                   diag, &manifest);
    if (status != RM_OK) {
        rm_diag_free(own_diag);
        return status;
    }
    rm_pipeline_t *p = calloc(1, sizeof(*p));
    if (!p) {
        rm__manifest_free(manifest);
        rm_diag_free(own_diag);
        return RM_ENOMEM;
    }
    p->registry = registry;
    p->manifest = manifest;
    p->node_count = manifest->node_count;
    atomic_init(&p->cached, NULL);
    atomic_init(&p->scratch, NULL);
    p->nodes = calloc(p->node_count ? p->node_count : 1, sizeof(*p->nodes));
    p->entries =
        calloc(p->node_count ? p->node_count : 1, sizeof(*p->entries));
    if (!p->nodes || !p->entries) status = RM_ENOMEM;
    if (status == RM_OK) status = check_nodes(p, diag);
    rm__instances_t *set = NULL;
    if (status == RM_OK) {
        set = instances_new(p);
        if (!set) status = RM_ENOMEM;
    }
    if (status == RM_OK) {
        size_t failed = 0;
        rm_error_t err = {0};
        status = instances_fill(p, set, cancel, &failed, &err);
        if (status != RM_OK) {
            const rm_manifest_node_t *m = p->nodes[failed].m;
            rm_diag_add(diag, status, m->id,
                        "node '%s' (%s): create failed: %s", m->id,
                        m->type_name,
                        err.message ? rm__past_own_label(m, err.message)
                                    : rm_strerror(status));
        }
        rm__error_clear(&err);
    }
    if (status != RM_OK) {
        instances_free(p, set);
        rm_pipeline_free(p);
        rm_diag_free(own_diag);
        return status;
    }
    atomic_store(&p->cached, set);
    rm_diag_free(own_diag);
    *out = p;
    return RM_OK;
}

const char *rm_pipeline_name(const rm_pipeline_t *pipeline) {
    return pipeline ? pipeline->manifest->name : NULL;
}
size_t rm_pipeline_node_count(const rm_pipeline_t *pipeline) {
    return pipeline ? pipeline->node_count : 0;
}
const char *rm_pipeline_node_id(const rm_pipeline_t *pipeline, size_t index) {
    return pipeline && index < pipeline->node_count
               ? pipeline->nodes[index].m->id
               : NULL;
}
const char *rm_pipeline_node_type(const rm_pipeline_t *pipeline,
                                  size_t index) {
    return pipeline && index < pipeline->node_count
               ? pipeline->nodes[index].m->type_name
               : NULL;
}

/* ---- results (runs and sessions: session.c) ----------------------------------------------------------------- */

void rm_run_result_free(rm_run_result_t *result) {
    if (!result) return;
    for (size_t s = 0; s < result->sink_count; s++) {
        for (size_t i = 0; i < result->sinks[s].count; i++)
            rm__item_unref(result->sinks[s].items[i]);
        free(result->sinks[s].items);
    }
    free(result->sinks);
    free(result->stats);
    rm__observers_free(&result->obs);
    free(result->error_message);
    free(result);
}

rm_run_result_t *rm__result_new(const rm_pipeline_t *p) {
    rm_run_result_t *r = calloc(1, sizeof(*r));
    if (!r) return NULL;
    r->pipeline = p;
    r->sink_count = p->sink_count;
    r->node_count = p->node_count;
    r->sinks = calloc(p->sink_count ? p->sink_count : 1, sizeof(*r->sinks));
    r->stats = calloc(p->node_count ? p->node_count : 1, sizeof(*r->stats));
    if (!r->sinks || !r->stats) {
        rm_run_result_free(r);
        return NULL;
    }
    for (size_t i = 0; i < p->node_count; i++) {
        r->stats[i].node_id = p->nodes[i].m->id;
        r->stats[i].node_type = p->nodes[i].m->type_name;
    }
    return r;
}

const char *rm__past_own_label(const rm_manifest_node_t *m,
                               const char *message) {
    size_t id_len = strlen(m->id), type_len = strlen(m->type_name);
    const char *s = message;
    if (strncmp(s, "node '", 6) != 0) return message;
    s += 6;
    if (strncmp(s, m->id, id_len) != 0 || strncmp(s + id_len, "' (", 3) != 0)
        return message;
    s += id_len + 3;
    if (strncmp(s, m->type_name, type_len) != 0 ||
        strncmp(s + type_len, "): ", 3) != 0)
        return message;
    return s + type_len + 3;
}

void rm__result_set_error(rm_run_result_t *r, const rm__node_t *node,
                          const char *operation, int status,
                          const rm_error_t *err, uint32_t attempt,
                          uint32_t max_attempts) {
    r->status = status;
    r->error.status = status;
    r->error.transient = err ? err->transient : 0;
    r->error.node_id = node ? node->m->id : NULL;
    r->error.node_type = node ? node->m->type_name : NULL;
    r->error.operation = operation;
    r->error.attempt = attempt;
    r->error.max_attempts = max_attempts;
    const char *message = err && err->message ? err->message
                                              : rm_strerror(status);
    r->error_message = strdup(message);
    r->error.message = r->error_message ? r->error_message : message;
}

int rm_run_result_status(const rm_run_result_t *result) {
    return result ? result->status : RM_EINVAL;
}
const rm_run_error_t *rm_run_result_error(const rm_run_result_t *result) {
    return result && result->status != RM_OK ? &result->error : NULL;
}
size_t rm_run_result_sink_count(const rm_run_result_t *result) {
    return result ? result->sink_count : 0;
}
const char *rm_run_result_sink_id(const rm_run_result_t *result,
                                  size_t sink) {
    if (!result || sink >= result->sink_count) return NULL;
    const rm_pipeline_t *p = result->pipeline;
    for (size_t i = 0; i < p->node_count; i++)
        if (p->nodes[i].is_sink && p->nodes[i].sink_index == sink)
            return p->nodes[i].m->id;
    return NULL;
}
size_t rm_run_result_item_count(const rm_run_result_t *result, size_t sink) {
    return result && sink < result->sink_count ? result->sinks[sink].count
                                               : 0;
}
rm_item_t *rm_run_result_item(const rm_run_result_t *result, size_t sink,
                              size_t index) {
    if (!result || sink >= result->sink_count ||
        index >= result->sinks[sink].count)
        return NULL;
    return result->sinks[sink].items[index];
}
size_t rm_run_result_node_count(const rm_run_result_t *result) {
    return result ? result->node_count : 0;
}
const rm_node_stats_t *rm_run_result_node_stats(const rm_run_result_t *result,
                                                size_t index) {
    return result && index < result->node_count ? &result->stats[index] : NULL;
}
uint64_t rm_run_result_total_ns(const rm_run_result_t *result) {
    return result ? result->total_ns : 0;
}
size_t rm_run_result_first_unprocessed(const rm_run_result_t *result) {
    return result ? result->first_unprocessed : 0;
}
size_t rm_run_result_input_count(const rm_run_result_t *result) {
    return result ? result->input_count : 0;
}

/* ---- what observe/ exports (remotemedia/metrics.h) ----------------------- */

static rm__run_report_t report_of(const rm_run_result_t *r) {
    return (rm__run_report_t){
        .manifest = r->pipeline->manifest, .stats = r->stats,
        .node_count = r->node_count, .status = r->status,
        .error = &r->error, .start_ns = r->start_ns,
        .started_wall_us = r->started_wall_us, .total_ns = r->total_ns,
        .obs = &r->obs};
}

char *rm_run_result_metrics_json(const rm_run_result_t *r, uint32_t flags,
                                 size_t *len) {
    if (!r) return NULL;
    rm__run_report_t report = report_of(r);
    return rm__metrics_json(&report, flags, len);
}

char *rm_run_result_summary_text(const rm_run_result_t *r) {
    if (!r) return NULL;
    rm__run_report_t report = report_of(r);
    return rm__summary_text(&report);
}

char *rm_run_result_trace_json(const rm_run_result_t *r, size_t *len) {
    if (!r) return NULL;
    rm__run_report_t report = report_of(r);
    return rm__trace_json(&report, len);
}

int rm_run_result_node_quantile_ns(const rm_run_result_t *r, size_t index,
                                   double q, uint64_t *out) {
    if (!r) return RM_EINVAL;
    rm__run_report_t report = report_of(r);
    return rm__metrics_quantile(&report, index, q, out);
}
