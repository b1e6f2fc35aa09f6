/*
 * reader_ffmpeg_load.c — finds and loads the FFmpeg reader module (see
 * reader.h) once, from the folder beside this plugin's own file.
 */
#include <dlfcn.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "reader.h"

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const rm_reader_ops_t *loaded;
static char load_error[4608];

static void load(void) {
    Dl_info self;
    if (!dladdr((void *)&rm_reader_ffmpeg, &self) || !self.dli_fname) {
        snprintf(load_error, sizeof load_error,
                 "cannot tell where the audio-file plugin is");
        return;
    }
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s", self.dli_fname);
    snprintf(path, sizeof path, "%s/%s/%s", dirname(dir),
             RM_FFMPEG_READER_DIR, RM_FFMPEG_READER_FILE);
    void *module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!module) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error,
                 "this installation has no FFmpeg decoder (%s; build with "
                 "libavformat-dev, libavcodec-dev and libswresample-dev "
                 "installed)",
                 reason ? reason : path);
        return;
    }
    loaded = dlsym(module, RM_FFMPEG_READER_SYMBOL);
    if (!loaded)
        snprintf(load_error, sizeof load_error, "%s has no %s", path,
                 RM_FFMPEG_READER_SYMBOL);
    /* Never dlclose: decoders may hold state until the process ends. */
}

const rm_reader_ops_t *rm_reader_ffmpeg(char *why, size_t why_len) {
    pthread_once(&load_once, load);
    if (!loaded && why) snprintf(why, why_len, "%s", load_error);
    return loaded;
}
