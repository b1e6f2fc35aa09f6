/*
 * client_open.c — opening a RemoteNode's stream when the node is created,
 * under the node's retry policy. During a run a failed call is retried by
 * the engine; a create is not, so the node retries its own open through
 * the host's "remotemedia.retry/1" extension (the engine's back-off, and
 * a wait that a cancelled run ends). What the stream reports as transient
 * is tried again: UNAVAILABLE (server down or restarting, connection
 * refused or reset), RESOURCE_EXHAUSTED (server full: --max-streams),
 * DEADLINE_EXCEEDED (no answer to Open within timeout_ms), CANCELLED and
 * ABORTED, and a failure the server itself marks transient (a remote
 * create that raised a transient error). Anything else (unknown node
 * type, bad params, UNAUTHENTICATED, another protocol version, a
 * permanent node error of the remote create) fails at once, as is.
 *
 * Once the policy's attempts are spent the error is permanent: a create
 * the engine re-runs within a run (after its watchdog abandoned a hung
 * instance) would otherwise retry the whole policy again per attempt.
 */
#include "client.h"
#include "node_error.h"

static const char *plural(uint32_t n) { return n == 1 ? "" : "s"; }

static const char *last_status(const rm_remote_stream_t *s) {
    return s->last_code >= 0 ? rm_tp_code_name(s->last_code)
                             : "a transient node error";
}

static const char *last_message(const rm_remote_stream_t *s) {
    return s->last_error ? s->last_error : "?";
}

int rm_remote_stream_open_retried(rm_remote_stream_t *s, rm_error_t *err) {
    const rm_host_t *host = s->host;
    const rm_remote_target_t *t = s->target;
    const rm_retry_t *retry = rm_host_retry(host);
    uint32_t max_retries = retry ? retry->max_retries(host) : 0;
    uint32_t attempt = 1;
    int status;
    for (;; attempt++) {
        status = rm_remote_stream_open(s, err);
        if (status == RM_OK || !s->last_transient || attempt > max_retries)
            break;
        uint64_t delay = retry->delay_ms(host, attempt);
        host->log(host, RM_LOG_WARN,
                  "attempt %u of %llu to open node type '%s' on %s failed, "
                  "retrying in %llu ms: %s",
                  attempt, (unsigned long long)max_retries + 1, t->node_type,
                  t->host, (unsigned long long)delay, last_message(s));
        if (retry->wait_ms(host, delay) != RM_OK)
            return rm_node_error(host, err, RM_ECANCELED, 0,
                                 RM_REMOTE_NODE_TYPE,
                                 "creation cancelled while waiting to retry "
                                 "%s (after %u attempt%s; the last failed "
                                 "with %s: %s)",
                                 t->host, attempt, plural(attempt),
                                 last_status(s), last_message(s));
    }
    if (status == RM_OK || !s->last_transient)
        return status;
    return rm_node_error(host, err, status, retry ? 0 : 1,
                         RM_REMOTE_NODE_TYPE,
                         "could not open node type '%s' on %s in %u attempt%s "
                         "(the node's retry policy: max_retries %u); the "
                         "last failed with %s: %s",
                         t->node_type, t->host, attempt, plural(attempt),
                         max_retries, last_status(s), last_message(s));
}
