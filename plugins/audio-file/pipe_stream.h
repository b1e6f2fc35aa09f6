/*
 * pipe_stream.h — a non-seekable input (standard input, a pipe) that a
 * decoder written for files can open: every byte read is kept until
 * rm_pipe_stream_settle(), so seeks back into what was read (a decoder
 * probing headers) work; forward seeks read on. After settle the kept
 * bytes are let go as they are consumed, so a stream of any length reads
 * in bounded memory. Used through libsndfile's virtual I/O
 * (rm_pipe_stream_vio); the total length is unknown.
 */
#ifndef RM_AUDIO_FILE_PIPE_STREAM_H
#define RM_AUDIO_FILE_PIPE_STREAM_H

#include <sndfile.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rm_pipe_stream rm_pipe_stream_t;

/* Reads `fd` (not closed by the stream). NULL: out of memory. */
rm_pipe_stream_t *rm_pipe_stream_new(int fd);
void rm_pipe_stream_free(rm_pipe_stream_t *stream);
/* Back to offset 0 (only before settle): another decoder tries. */
int rm_pipe_stream_rewind(rm_pipe_stream_t *stream);
/* The decoder is open: stop keeping bytes for seeks back. */
void rm_pipe_stream_settle(rm_pipe_stream_t *stream);
/* Bytes read so far from the fd (kept or not), and whether a read error
 * happened (errno text in `why`). */
int rm_pipe_stream_failed(const rm_pipe_stream_t *stream, char *why,
                          size_t why_len);

/* libsndfile's virtual I/O over a stream (user_data = the stream). */
extern SF_VIRTUAL_IO rm_pipe_stream_vio;

#endif /* RM_AUDIO_FILE_PIPE_STREAM_H */
