/*
 * node_error.h — how a plugin's error message names its node: the way the
 * runtime and the Python SDK name one, `node 'vad' (SpeechSegmenter): ...`
 * (the type alone when the host gave no id).
 *
 * Every built-in plugin fails through this, so the spelling lives here
 * once:
 *
 *     return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
 *                          "frame_ms %lld is not 10, 20 or 30", ms);
 */
#ifndef RM_NODE_ERROR_H
#define RM_NODE_ERROR_H

#include <remotemedia/plugin.h>

/* host->error_set(err, status, transient, "node '<id>' (<node_type>): "
 * fmt, ...); returns `status`. A message of any length is kept whole (a
 * long one is formatted into the heap; without memory, cut at 511
 * bytes). */
int rm_node_error(const rm_host_t *host, rm_error_t *err, int status,
                  int transient, const char *node_type, const char *fmt, ...)
    RM_PRINTF_LIKE(6, 7);

#endif /* RM_NODE_ERROR_H */
