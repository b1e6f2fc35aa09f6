/*
 * file_stream.h — a regular file for libsndfile's virtual I/O, read
 * through stdio with a large buffer. libsndfile reads PCM in pieces of at
 * most its own 8 KiB buffer and asks the OS for each piece (one read()
 * per 20 ms chunk of 48 kHz stereo, ~540 per 10 s file); through this
 * stream one read() fetches RM_FILE_STREAM_BUFFER bytes. The bytes and
 * seeks libsndfile sees are the file's, so what it decodes is the same.
 */
#ifndef RM_AUDIO_FILE_FILE_STREAM_H
#define RM_AUDIO_FILE_FILE_STREAM_H

#include <sndfile.h>
#include <stdio.h>

/* 64 KiB: ~16x fewer read()s; 256 KiB measured slower with 1 s chunks
 * (the stdio copy goes through a buffer half the size of L2). */
#define RM_FILE_STREAM_BUFFER (64u << 10)

typedef struct rm_file_stream rm_file_stream_t;

/* A stream over a duplicate of `fd` (which shares its offset; `fd` stays
 * the caller's), if it is a regular file; NULL with errno set (EBADF,
 * ENOMEM, or ESPIPE for anything but a regular file: a FIFO or a device,
 * which libsndfile reads as a pipe, with no length). */
rm_file_stream_t *rm_file_stream_open(int fd);
void rm_file_stream_close(rm_file_stream_t *stream);

/* A read FILE over a duplicate of `fd` (sharing its offset; `fd` stays the
 * caller's) that reads through `buffer` (`size` bytes, which must outlive
 * the FILE); NULL with errno set. */
FILE *rm_file_fdopen_buffered(int fd, char *buffer, size_t size);

/* libsndfile's virtual I/O over a stream (user_data), read-only. */
extern SF_VIRTUAL_IO rm_file_stream_vio;

#endif /* RM_AUDIO_FILE_FILE_STREAM_H */
