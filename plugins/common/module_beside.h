/*
 * module_beside.h — load a plugin's own extra module, kept in a folder
 * beside the plugin file so that heavy libraries (FFmpeg, gRPC) are loaded
 * only when a run needs them (plugins/audio-file/reader.h,
 * plugins/remote/core_module.h).
 */
#ifndef RM_PLUGIN_MODULE_BESIDE_H
#define RM_PLUGIN_MODULE_BESIDE_H

#include <stddef.h>

/* dlopen <folder of the shared object holding `anchor`>/`dir`/`file`
 * (RTLD_NOW | RTLD_LOCAL; never closed) and return its `symbol`, or NULL
 * with the reason (the loader's message, or which symbol is missing) in
 * `why`. Call it once (pthread_once): each call loads again. */
const void *rm_module_beside(const void *anchor, const char *dir,
                             const char *file, const char *symbol,
                             char *why, size_t why_len);

#endif /* RM_PLUGIN_MODULE_BESIDE_H */
