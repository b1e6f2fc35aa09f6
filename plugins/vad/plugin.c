/* plugin.c — the vad plugin's descriptor: VADNode, VoiceActivityDetector,
 * SpeechSegmenter. */
#include <remotemedia/plugin.h>

#include "nodes.h"

static const rm_node_type_t *const node_types[] = {
    &rm_vad_node_type, &rm_voice_activity_detector_type,
    &rm_speech_segmenter_type};

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.vad",
    .name = "Voice activity detection",
    .version = "1.0.0",
    .description = "Energy VADs of the SDK contract and the spectral "
                   "SpeechSegmenter",
    .node_types = node_types,
    .node_type_count = 3,
};

RM_PLUGIN_DEFINE(descriptor)
