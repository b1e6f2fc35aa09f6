/*
 * resolver.h — the CPython adapter's node resolver (resolver.c): manifest
 * nodes with a "python" location become PythonNode / PythonSource.
 */
#ifndef RM_PYTHON_RESOLVER_H
#define RM_PYTHON_RESOLVER_H

#include <remotemedia/plugin.h>

extern const rm_node_resolver_t rm_python_resolver;

#endif /* RM_PYTHON_RESOLVER_H */
