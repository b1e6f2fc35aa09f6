/* nodes.h — the node types of the vad plugin (one file each). */
#ifndef RM_VAD_NODES_H
#define RM_VAD_NODES_H

#include <remotemedia/plugin.h>

extern const rm_node_type_t rm_vad_node_type;                 /* VADNode */
extern const rm_node_type_t rm_voice_activity_detector_type;  /* VoiceActivityDetector */
extern const rm_node_type_t rm_speech_segmenter_type;         /* SpeechSegmenter */

#endif /* RM_VAD_NODES_H */
