/*
 * module_beside.h — load a plugin's own extra module, kept in a folder
 * beside the plugin file so that heavy libraries (FFmpeg, gRPC) are loaded
 * only when a run needs them (plugins/audio-file/reader.h,
 * plugins/remote/core_module.h, plugins/python/adapter_entry.c).
 */
#ifndef RM_PLUGIN_MODULE_BESIDE_H
#define RM_PLUGIN_MODULE_BESIDE_H

#include <stddef.h>
#include <stdint.h>

/* How a table of calls a module exports for its plugin file begins: its
 * layout (a number the table's header bumps when its fields change) and
 * sizeof the table, as built. An old module of another layout beside a
 * new plugin file is then refused, naming the file, instead of misread. */
typedef struct rm_module_table_head {
    uint32_t layout;
    uint32_t struct_size;
} rm_module_table_head_t;

/* dlopen `path` (RTLD_NOW | RTLD_LOCAL; closed again only when it fails the
 * checks below) and return its
 * `symbol`, a table that begins as rm_module_table_head_t, when its head
 * is `expect`; else NULL with the reason (the loader's message, which
 * symbol is missing, or a table of another layout) in `why`. */
const void *rm_module_open(const char *path, const char *symbol,
                           const rm_module_table_head_t *expect, char *why,
                           size_t why_len);

/* rm_module_open of <folder of the shared object holding `anchor`>/`dir`/`file`
 * ("cannot tell where the plugin file is" when the loader cannot say).
 * Call it once (pthread_once): each call loads again. */
const void *rm_module_beside(const void *anchor, const char *dir,
                             const char *file, const char *symbol,
                             const rm_module_table_head_t *expect, char *why,
                             size_t why_len);

#endif /* RM_PLUGIN_MODULE_BESIDE_H */
