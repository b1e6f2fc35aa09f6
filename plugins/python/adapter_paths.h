/*
 * adapter_paths.h — where the adapter finds its Python: no build-machine
 * path is compiled into the plugin (#21.8). The interpreter and libpython
 * come, in order, from the environment (REMOTEMEDIA_PYTHON /
 * REMOTEMEDIA_LIBPYTHON, VIRTUAL_ENV), from the virtual environment the
 * plugin is installed in (the pyvenv.cfg above it, whose `home` names the
 * base interpreter's bin folder), and, in a build tree only, from
 * python-adapter.cfg beside python-adapter-impl.so (written by CMake, never
 * installed).
 */
#ifndef RM_PYTHON_ADAPTER_PATHS_H
#define RM_PYTHON_ADAPTER_PATHS_H

#include <stddef.h>

#define RM_ADAPTER_CFG_FILE "python-adapter.cfg"

/* The venv folder holding `anchor` (a function's address in this plugin),
 * found by walking up to a pyvenv.cfg; 0 when there is none. */
int rm_adapter_venv_of(const void *anchor, char *out, size_t size);
/* The value of `key = value` in a simple config file; 0 when absent. */
int rm_adapter_cfg_value(const char *file, const char *key, char *out,
                         size_t size);
/* The build tree's setting `key` (python, libpython) from
 * python-adapter.cfg in the folder above the plugin of `anchor`; 0 when
 * there is no such file (an installed plugin). */
int rm_adapter_build_setting(const void *anchor, const char *key, char *out,
                             size_t size);

#endif /* RM_PYTHON_ADAPTER_PATHS_H */
