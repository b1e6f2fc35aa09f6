/*
 * registry_private.h — what the registry shares with the rest of the core
 * (internal). registry/ is a leaf: it uses util/ only; manifest/ and
 * engine/ use it (docs/architecture.md).
 */
#ifndef RM_REGISTRY_PRIVATE_H
#define RM_REGISTRY_PRIVATE_H

#include "registry/plugin_check.h"
#include "registry/plugin_scan.h"

/* Timed-out calls whose plugin code is still running (process-wide). The
 * registry does not dlclose plugins while this is non-zero. */
unsigned rm__orphan_calls(void);
void rm__orphan_calls_add(int delta);

#endif /* RM_REGISTRY_PRIVATE_H */
