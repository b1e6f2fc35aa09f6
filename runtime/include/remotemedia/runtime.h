/*
 * remotemedia/runtime.h — everything an embedder of the runtime needs:
 * the plugin ABI types, the registry, diagnostics and pipelines.
 */
#ifndef REMOTEMEDIA_RUNTIME_H
#define REMOTEMEDIA_RUNTIME_H

#include <remotemedia/plugin.h>
#include <remotemedia/diag.h>
#include <remotemedia/registry.h>
#include <remotemedia/pipeline.h>
#include <remotemedia/session.h>
#include <remotemedia/metrics.h>

#endif /* REMOTEMEDIA_RUNTIME_H */
