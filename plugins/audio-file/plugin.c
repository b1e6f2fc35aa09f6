/* plugin.c — the audio-file plugin's descriptor: AudioFileSource and
 * AudioFileSink (libsndfile: WAV, FLAC, OGG/Vorbis). */
#include <remotemedia/plugin.h>

#include "nodes.h"

static const rm_node_type_t *const node_types[] = {
    &rm_audio_file_source_type, &rm_audio_file_sink_type};

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.audio-file",
    .name = "Audio files",
    .version = "1.0.0",
    .description = "Streaming audio file read/write with libsndfile",
    .node_types = node_types,
    .node_type_count = 2,
};

RM_PLUGIN_DEFINE(descriptor)
