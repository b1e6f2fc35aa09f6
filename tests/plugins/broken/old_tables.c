/*
 * old_tables.c — a module beside a plugin as an older build made it: the
 * tables the Python adapter, the remote plugin and the audio-file plugin
 * look up (rm_python_adapter_impl, rm_remote_core,
 * rm_audio_file_ffmpeg_reader) in their layout before the
 * head they begin with now (plugins/common/module_beside.h), and one table
 * whose head names the right layout at the wrong size. Nothing in it is
 * ever called: the plugin files must refuse it, naming the file.
 */
#include <stddef.h>
#include <stdint.h>

typedef int (*call_t)(void);

static int never_called(void) { return -1; }

#define EXPORT __attribute__((visibility("default")))

EXPORT extern const struct old_python_impl {
    call_t create, process, generate, flush, destroy;
} rm_python_adapter_impl;
const struct old_python_impl rm_python_adapter_impl = {
    never_called, never_called, never_called, never_called, never_called};

EXPORT extern const struct old_remote_core {
    call_t create, process, flush, destroy;
    const void *server;
} rm_remote_core;
const struct old_remote_core rm_remote_core = {
    never_called, never_called, never_called, never_called, NULL};

EXPORT extern const struct old_reader_ops {
    const char *name;
    call_t open, read, more, close;
} rm_audio_file_ffmpeg_reader;
const struct old_reader_ops rm_audio_file_ffmpeg_reader = {
    "ffmpeg", never_called, never_called, never_called, never_called};

/* Layout 1, but 4 bytes longer than layout 1 is. */
EXPORT extern const struct grown_table {
    uint32_t layout, struct_size;
    call_t call;
    uint32_t added;
} rm_test_grown_table;
const struct grown_table rm_test_grown_table = {
    1, sizeof(struct grown_table), never_called, 0};
