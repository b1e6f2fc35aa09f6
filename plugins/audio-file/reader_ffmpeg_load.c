/*
 * reader_ffmpeg_load.c — finds and loads the FFmpeg reader module (see
 * reader.h) once, from the folder beside this plugin's own file.
 */
#include <pthread.h>
#include <stdio.h>

#include "module_beside.h"
#include "reader.h"

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const rm_reader_ops_t *loaded;
static char load_error[4608];

static void load(void) {
    /* Never unloaded: decoders may hold state until the process ends. */
    char why[4400] = "";
    const rm_module_table_head_t expect = {RM_READER_OPS_LAYOUT,
                                           sizeof(rm_reader_ops_t)};
    loaded = rm_module_beside((const void *)&rm_reader_ffmpeg,
                              RM_FFMPEG_READER_DIR, RM_FFMPEG_READER_FILE,
                              RM_FFMPEG_READER_SYMBOL, &expect, why,
                              sizeof why);
    if (!loaded)
        snprintf(load_error, sizeof load_error,
                 "this installation has no FFmpeg decoder (%s; build with "
                 "libavformat-dev, libavcodec-dev and libswresample-dev "
                 "installed)",
                 why);
}

const rm_reader_ops_t *rm_reader_ffmpeg(char *why, size_t why_len) {
    pthread_once(&load_once, load);
    if (!loaded && why) snprintf(why, why_len, "%s", load_error);
    return loaded;
}
