/*
 * reader.h — one decoder behind AudioFileSource: libsndfile (WAV, FLAC,
 * OGG/Vorbis, AIFF, ...) or, when the plugin was built with FFmpeg,
 * libavformat/libavcodec (M4A/AAC, the audio track of video files, WMA,
 * AMR, MP3, Opus, ...); FLAC files on libFLAC directly (reader_flac.c,
 * the fastest route measured). The source asks a reader for frames in the
 * reader's own sample format and layout and converts them itself, so the
 * sample conversion rules are the plugin's (convert.c) whatever decodes.
 *
 * Errors are written into `why` (a short text the source prefixes with
 * the node and the file); the functions return 0 on success, -1 on error.
 */
#ifndef RM_AUDIO_FILE_READER_H
#define RM_AUDIO_FILE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "module_beside.h" /* rm_module_table_head_t */

typedef struct rm_reader rm_reader_t;

typedef struct rm_reader_info {
    uint32_t sample_rate;
    uint32_t channels;
    uint32_t sample_format; /* RM_SAMPLE_*: what read() delivers          */
    uint32_t layout;        /* RM_LAYOUT_*: what read() delivers (planar:
                               channel c at c * the frames it gave)      */
    int64_t frames;         /* total, or -1 when the container does not
                               say (the stream is read to its end)       */
} rm_reader_info_t;

/* rm_reader_ops_t's layout: bump it when its fields change (the plugin
 * refuses an FFmpeg module of another layout, see module_beside.h). */
#define RM_READER_OPS_LAYOUT 1u

typedef struct rm_reader_ops {
    /* FIRST: RM_READER_OPS_LAYOUT and sizeof(rm_reader_ops_t). */
    rm_module_table_head_t head;
    const char *name; /* "sndfile", "flac", "ffmpeg" */
    /* Open `path` ("-" = standard input) for reading. `fd` is the file
     * the caller opened on `path`, at offset 0 (borrowed for open()
     * only: a reader that takes the file reads through a duplicate of its
     * own, so the caller closes `fd` once open() returns), so a file is
     * opened once whichever reader takes it; -1 for standard input, or when the caller could not open
     * it (the reader then opens `path` itself, for its own message).
     * `want_format` and `want_layout` are what the caller will emit: a
     * reader that can deliver them directly (libsndfile converts the
     * format while decoding, the FLAC reader both) does so; info says
     * what it gives. A reader that declines leaves fd at offset 0. */
    rm_reader_t *(*open)(const char *path, int fd, uint32_t want_format,
                         uint32_t want_layout, rm_reader_info_t *info,
                         char *why, size_t why_len);
    /* Up to `frames` frames into `buffer` (a planar reader lays channel c
     * at c * *got); *got = 0 only at the end of the stream. A truncated or
     * corrupt file is an error naming the frame offset. */
    int (*read)(rm_reader_t *reader, void *buffer, size_t frames,
                size_t *got, char *why, size_t why_len);
    /* 0 when read() can give nothing more (neither frames nor an error):
     * the source then ends without one more empty call. */
    int (*more)(const rm_reader_t *reader);
    void (*close)(rm_reader_t *reader);
} rm_reader_ops_t;

extern const rm_reader_ops_t rm_reader_sndfile;
/* FLAC files only (it declines anything else, see reader_flac.c); it
 * reads only through `fd` (no path, so no second open). */
extern const rm_reader_ops_t rm_reader_flac;

/* The FFmpeg reader lives in its own module, RM_FFMPEG_READER_FILE in the
 * folder RM_FFMPEG_READER_DIR beside the plugin, loaded on first use:
 * FFmpeg's libraries pull in ~130 others (40 ms to load), which a
 * WAV/FLAC run should not pay. It exports RM_FFMPEG_READER_SYMBOL. */
#define RM_FFMPEG_READER_DIR "rm_audio_file.d"
#define RM_FFMPEG_READER_FILE "ffmpeg_reader.so"
#define RM_FFMPEG_READER_SYMBOL "rm_audio_file_ffmpeg_reader"
/* The FFmpeg reader, or NULL (not installed: `why` says so). [thread-safe] */
const rm_reader_ops_t *rm_reader_ffmpeg(char *why, size_t why_len);

#endif /* RM_AUDIO_FILE_READER_H */
