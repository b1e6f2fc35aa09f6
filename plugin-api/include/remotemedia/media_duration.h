/*
 * remotemedia/media_duration.h — the node-type extension
 * "remotemedia.media-duration/1" (RM_MEDIA_DURATION_ID), returned by
 * rm_node_type_t.get_extension of a node type that reads a file (a
 * parameter with the role RM_PARAM_INPUT_PATH): how long a file plays,
 * from its header, without creating a node. `rmrun --batch` asks the
 * node types that read its inputs, for its progress and batch report, so
 * rmrun links no decoder (AudioFileSource answers with libsndfile).
 * Optional both ways: a host that does not ask never sees it, a node type
 * without it answers NULL (the duration is then unknown).
 */
#ifndef REMOTEMEDIA_MEDIA_DURATION_H
#define REMOTEMEDIA_MEDIA_DURATION_H

#include <stdint.h>
#include <remotemedia/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RM_MEDIA_DURATION_ID "remotemedia.media-duration/1"

typedef struct rm_media_duration {
    uint32_t struct_size; /* sizeof(rm_media_duration_t); FIRST            */
    uint32_t reserved;    /* 0                                             */
    /* Seconds of media in the file at `path` (borrowed), as its header
     * says; a negative number when the node type cannot tell (no such
     * file, a format it does not know, no length in the header). Reads
     * the header only. [thread-safe] */
    double (*seconds)(const char *path);
} rm_media_duration_t;

#ifdef __cplusplus
}
#endif

#endif /* REMOTEMEDIA_MEDIA_DURATION_H */
