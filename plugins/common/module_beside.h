/*
 * module_beside.h — load a plugin's own extra module, kept in a folder
 * beside the plugin file so that heavy libraries (FFmpeg, gRPC) are loaded
 * only when a run needs them (plugins/audio-file/reader.h,
 * plugins/remote/core_module.h, plugins/python/adapter_entry.c).
 */
#ifndef RM_PLUGIN_MODULE_BESIDE_H
#define RM_PLUGIN_MODULE_BESIDE_H

#include <stddef.h>

/* dlopen `path` (RTLD_NOW | RTLD_LOCAL; never closed) and return its
 * `symbol`, or NULL with the reason (the loader's message, or which symbol
 * is missing) in `why`. */
const void *rm_module_open(const char *path, const char *symbol, char *why,
                           size_t why_len);

/* rm_module_open of <folder of the shared object holding `anchor`>/`dir`/`file`
 * ("cannot tell where the plugin file is" when the loader cannot say).
 * Call it once (pthread_once): each call loads again. */
const void *rm_module_beside(const void *anchor, const char *dir,
                             const char *file, const char *symbol,
                             char *why, size_t why_len);

#endif /* RM_PLUGIN_MODULE_BESIDE_H */
