/*
 * fuzz_audio_file.c — libFuzzer target: AudioFileSource's decoders
 * (plugins/audio-file/reader_*.c) on fuzzed file bytes. The first byte
 * picks the decoder (bit 0 FFmpeg, else bit 4 libFLAC, else libsndfile),
 * the sample format asked for (bits 1-2), the layout (bit 5 planar) and
 * (bit 3, libsndfile) standard input: the file then comes as fd 0 and
 * the path is "-" (pipe_stream.c, unknown length); the rest is the file,
 * handed over as /proc/self/fd/N of a memfd.
 * Every frame is read in small, odd-sized chunks until the end or an
 * error. Properties: no crash, leak or UB; an error always has a reason;
 * a reader never claims more frames than the buffer it was given.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <remotemedia/plugin.h>

#include "reader.h"

extern const rm_reader_ops_t rm_audio_file_ffmpeg_reader;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    static const uint32_t formats[] = {RM_SAMPLE_F32, RM_SAMPLE_I16,
                                       RM_SAMPLE_I32, RM_SAMPLE_F64};
    const rm_reader_ops_t *ops = data[0] & 1    ? &rm_audio_file_ffmpeg_reader
                                 : data[0] & 16 ? &rm_reader_flac
                                                : &rm_reader_sndfile;
    uint32_t format = formats[(data[0] >> 1) & 3];
    uint32_t layout = data[0] & 32 ? RM_LAYOUT_PLANAR : RM_LAYOUT_INTERLEAVED;
    int fd = memfd_create("fuzz-audio", 0);
    if (fd < 0) abort();
    if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
        abort();
    lseek(fd, 0, SEEK_SET);
    char path[64], why[512] = "";
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int from_stdin = ops == &rm_reader_sndfile && (data[0] & 8);
    int saved_stdin = -1;
    if (from_stdin) {
        saved_stdin = dup(0);
        if (saved_stdin < 0 || dup2(fd, 0) < 0) abort();
        snprintf(path, sizeof path, "-");
    }
    rm_reader_info_t info = {0};
    /* The descriptor, as the source hands it (none for standard input). */
    rm_reader_t *reader = ops->open(path, from_stdin ? -1 : fd, format,
                                    layout, &info, why, sizeof why);
    if (!reader) {
        if (!why[0]) abort(); /* a refusal always says why */
        if (from_stdin && (dup2(saved_stdin, 0) < 0 || close(saved_stdin)))
            abort();
        close(fd);
        return 0;
    }
    if (info.channels >= 1 && info.channels <= RM_MAX_CHANNELS) {
        /* 37 frames a call, at most ~1 M frames per input (a header may
         * declare hours of audio: the fuzzer is not a decoder benchmark). */
        size_t frame_bytes = 8u * info.channels;
        unsigned char *buffer = malloc(37 * frame_bytes + 1);
        size_t total = 0, got = 0;
        while (buffer && total < (1u << 20) &&
               ops->read(reader, buffer, 37, &got, why, sizeof why) == 0 &&
               got > 0) {
            if (got > 37) abort();
            total += got;
            if (!ops->more(reader)) break;
        }
        free(buffer);
    }
    ops->close(reader);
    if (from_stdin && (dup2(saved_stdin, 0) < 0 || close(saved_stdin)))
        abort();
    close(fd);
    return 0;
}
