/* nodes.h — the node types of the audio-file plugin (one file each). */
#ifndef RM_AUDIO_FILE_NODES_H
#define RM_AUDIO_FILE_NODES_H

#include <remotemedia/plugin.h>

extern const rm_node_type_t rm_audio_file_source_type; /* AudioFileSource */
extern const rm_node_type_t rm_audio_file_sink_type;   /* AudioFileSink */

#endif /* RM_AUDIO_FILE_NODES_H */
