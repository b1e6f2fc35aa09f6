/*
 * reader_flac.c — AudioFileSource's FLAC decoder on libFLAC itself.
 *
 * libsndfile decodes FLAC with libFLAC too, but copies every block through
 * its own buffer, interleaved. Here each decoded block is converted once,
 * straight into the item in the layout it wants (planar by default, so no
 * interleave + de-interleave): ~8 % fewer instructions per file, and the
 * fastest route measured (bench/RESULTS.md, issue #14; FFmpeg's decoder
 * was slower). The samples are libsndfile's to the bit: f32/f64 = sample *
 * 2^-(bits-1) (a float product for f32, as libsndfile's), i16 = the
 * sample shifted to 16 bits, i32 = shifted to 32.
 *
 * It takes only what libsndfile reads the same way — a file the source
 * has open (not standard input) that starts with the "fLaC" signature,
 * read without consuming (pread: a FIFO or a pipe is declined unread), 8,
 * 16 or 24 bits, 1..8 channels, a STREAMINFO that gives the length — and
 * declines the rest (open returns NULL with the reason), which the source
 * then hands to libsndfile, on the same file descriptor.
 */
#include <FLAC/stream_decoder.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_stream.h"
#include "reader.h"
#include <remotemedia/plugin.h>

#define RM_FLAC_MAX_CHANNELS 8

struct rm_reader {
    FLAC__StreamDecoder *decoder;
    /* The FILE's stdio buffer (libFLAC's FILE closes before this goes):
     * one read() per 64 KiB instead of per 4 KiB (file_stream.h). */
    char io_buffer[RM_FILE_STREAM_BUFFER];
    uint32_t channels, bits, rate, sample_format, layout;
    uint64_t total, frames_read;
    unsigned max_block;
    int have_info;
    /* The read() in progress: `out` holds `out_frames` frames (planar:
     * channel c at c * out_frames), `out_at` written so far. */
    unsigned char *out;
    size_t out_frames, out_at;
    /* The end of the last block that did not fit: planar, channel c at
     * rest + c * max_block. */
    FLAC__int32 *rest;
    size_t rest_frames, rest_at;
    char failure[160]; /* a decoding error, "" while there is none */
};

/* Frames [from, from + n) of `block` into the output at out_at, in the
 * wanted format and layout, with libsndfile's scaling. */
static void put(rm_reader_t *r, const FLAC__int32 *const block[], size_t from,
                size_t n) {
    size_t ch = r->channels;
    int planar = r->layout == RM_LAYOUT_PLANAR;
    for (size_t c = 0; c < ch; c++) {
        const FLAC__int32 *src = block[c] + from;
        size_t at = planar ? c * r->out_frames + r->out_at : r->out_at * ch + c;
        size_t step = planar ? 1 : ch;
        switch (r->sample_format) {
        case RM_SAMPLE_I16: {
            int16_t *dst = (int16_t *)r->out + at;
            if (r->bits >= 16) {
                unsigned shift = r->bits - 16;
                for (size_t i = 0; i < n; i++)
                    dst[i * step] = (int16_t)(src[i] >> shift);
            } else {
                unsigned shift = 16 - r->bits;
                for (size_t i = 0; i < n; i++)
                    dst[i * step] = (int16_t)((uint32_t)src[i] << shift);
            }
            break;
        }
        case RM_SAMPLE_I32: {
            int32_t *dst = (int32_t *)r->out + at;
            unsigned shift = 32 - r->bits;
            for (size_t i = 0; i < n; i++)
                dst[i * step] = (int32_t)((uint32_t)src[i] << shift);
            break;
        }
        case RM_SAMPLE_F64: {
            double *dst = (double *)r->out + at;
            double norm = 1.0 / (double)(1u << (r->bits - 1));
            for (size_t i = 0; i < n; i++) dst[i * step] = src[i] * norm;
            break;
        }
        default: {
            float *dst = (float *)r->out + at;
            float norm = (float)(1.0 / (double)(1u << (r->bits - 1)));
            if (planar)
                for (size_t i = 0; i < n; i++) dst[i] = (float)src[i] * norm;
            else
                for (size_t i = 0; i < n; i++)
                    dst[i * step] = (float)src[i] * norm;
            break;
        }
        }
    }
    r->out_at += n;
}

static FLAC__StreamDecoderWriteStatus on_block(
    const FLAC__StreamDecoder *decoder, const FLAC__Frame *frame,
    const FLAC__int32 *const block[], void *data) {
    (void)decoder;
    rm_reader_t *r = data;
    size_t n = frame->header.blocksize;
    if (frame->header.channels != r->channels ||
        frame->header.bits_per_sample != r->bits || n > r->max_block) {
        snprintf(r->failure, sizeof r->failure,
                 "a block of %u channels, %u bits, %zu frames in a stream "
                 "of %u channels, %u bits, blocks of at most %u",
                 frame->header.channels, frame->header.bits_per_sample, n,
                 r->channels, r->bits, r->max_block);
        return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
    }
    size_t room = r->out_frames - r->out_at;
    size_t now = n < room ? n : room;
    put(r, block, 0, now);
    for (size_t c = 0; c < r->channels; c++)
        memcpy(r->rest + c * r->max_block, block[c] + now,
               (n - now) * sizeof(FLAC__int32));
    r->rest_frames = n - now;
    r->rest_at = 0;
    return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

static void on_metadata(const FLAC__StreamDecoder *decoder,
                        const FLAC__StreamMetadata *metadata, void *data) {
    (void)decoder;
    rm_reader_t *r = data;
    if (metadata->type != FLAC__METADATA_TYPE_STREAMINFO) return;
    const FLAC__StreamMetadata_StreamInfo *info = &metadata->data.stream_info;
    r->channels = info->channels;
    r->bits = info->bits_per_sample;
    r->rate = info->sample_rate;
    r->total = info->total_samples;
    r->max_block = info->max_blocksize;
    r->have_info = 1;
}

static void on_error(const FLAC__StreamDecoder *decoder,
                     FLAC__StreamDecoderErrorStatus status, void *data) {
    (void)decoder;
    rm_reader_t *r = data;
    if (!r->failure[0])
        snprintf(r->failure, sizeof r->failure, "%s",
                 FLAC__StreamDecoderErrorStatusString[status]);
}

/* 1 when the file behind `fd` starts with "fLaC". pread: nothing is
 * consumed and the offset stays, and on a stream (a FIFO, a pipe) it fails
 * (ESPIPE) without reading, so what its writer sent stays for libsndfile. */
static int has_flac_signature(int fd) {
    char magic[4];
    return pread(fd, magic, sizeof magic, 0) == (ssize_t)sizeof magic &&
           memcmp(magic, "fLaC", 4) == 0;
}

static void flac_close(rm_reader_t *r) {
    if (!r) return;
    if (r->decoder) FLAC__stream_decoder_delete(r->decoder);
    free(r->rest);
    free(r);
}

/* NULL with the reason when the file is not one this reader takes. */
/* Close what flac_open made and put the caller's fd back at offset 0 (the
 * decoder read through a duplicate that shares it): the next reader
 * starts at the beginning. */
static rm_reader_t *decline(rm_reader_t *r, int fd) {
    flac_close(r);
    lseek(fd, 0, SEEK_SET);
    return NULL;
}

static rm_reader_t *flac_open(const char *path, int fd,
                              uint32_t want_format, uint32_t want_layout,
                              rm_reader_info_t *info, char *why,
                              size_t why_len) {
    (void)path; /* read through fd only: the file is opened once */
    if (fd < 0 || !has_flac_signature(fd)) {
        snprintf(why, why_len, "not a FLAC file (no fLaC signature)");
        return NULL;
    }
    rm_reader_t *r = calloc(1, sizeof *r);
    if (!r || !(r->decoder = FLAC__stream_decoder_new())) {
        snprintf(why, why_len, "out of memory");
        return decline(r, fd);
    }
    r->sample_format = want_format;
    r->layout = want_layout;
    FLAC__stream_decoder_set_md5_checking(r->decoder, false);
    /* libFLAC takes the FILE (a duplicate of the caller's fd, sharing its
     * offset) at init, also when init fails, and closes it when the
     * decoder is deleted. */
    FILE *file = rm_file_fdopen_buffered(fd, r->io_buffer,
                                         sizeof r->io_buffer);
    if (!file) {
        snprintf(why, why_len, "cannot read the file: %s", strerror(errno));
        return decline(r, fd);
    }
    FLAC__StreamDecoderInitStatus status = FLAC__stream_decoder_init_FILE(
        r->decoder, file, on_block, on_metadata, on_error, r);
    if (status != FLAC__STREAM_DECODER_INIT_STATUS_OK) {
        snprintf(why, why_len, "libFLAC: %s",
                 FLAC__StreamDecoderInitStatusString[status]);
        return decline(r, fd); /* libFLAC owns the FILE from init on */
    }
    if (!FLAC__stream_decoder_process_until_end_of_metadata(r->decoder) ||
        r->failure[0] || !r->have_info) {
        snprintf(why, why_len, "libFLAC: %s",
                 r->failure[0] ? r->failure : "no STREAMINFO");
        return decline(r, fd);
    }
    if ((r->bits != 8 && r->bits != 16 && r->bits != 24) || r->total == 0 ||
        r->channels < 1 || r->channels > RM_FLAC_MAX_CHANNELS ||
        r->max_block < 16) {
        snprintf(why, why_len,
                 "%u bits, %u channels, %llu frames: left to libsndfile",
                 r->bits, r->channels, (unsigned long long)r->total);
        return decline(r, fd);
    }
    r->rest = malloc((size_t)r->channels * r->max_block * sizeof *r->rest);
    if (!r->rest) {
        snprintf(why, why_len, "out of memory");
        return decline(r, fd);
    }
    info->sample_rate = r->rate;
    info->channels = r->channels;
    info->sample_format = want_format;
    info->layout = want_layout;
    info->frames = (int64_t)r->total;
    return r;
}

static int flac_read(rm_reader_t *r, void *buffer, size_t frames, size_t *got,
                     char *why, size_t why_len) {
    *got = 0;
    uint64_t remaining = r->total - r->frames_read;
    size_t want = (uint64_t)frames < remaining ? frames : (size_t)remaining;
    if (want == 0) return 0;
    r->out = buffer;
    r->out_frames = want; /* also the planar stride: the item's frames */
    r->out_at = 0;
    if (r->rest_at < r->rest_frames) {
        const FLAC__int32 *rest[RM_FLAC_MAX_CHANNELS];
        for (size_t c = 0; c < r->channels; c++)
            rest[c] = r->rest + c * r->max_block;
        size_t n = r->rest_frames - r->rest_at;
        if (n > want) n = want;
        put(r, rest, r->rest_at, n);
        r->rest_at += n;
    }
    while (r->out_at < want && !r->failure[0]) {
        if (!FLAC__stream_decoder_process_single(r->decoder) ||
            FLAC__stream_decoder_get_state(r->decoder) ==
                FLAC__STREAM_DECODER_END_OF_STREAM)
            break;
    }
    if (r->out_at < want || r->failure[0]) {
        FLAC__StreamDecoderState state =
            FLAC__stream_decoder_get_state(r->decoder);
        snprintf(why, why_len,
                 "is truncated or corrupt at frame %llu of %llu: %s",
                 (unsigned long long)(r->frames_read + r->out_at),
                 (unsigned long long)r->total,
                 r->failure[0] ? r->failure
                 : state == FLAC__STREAM_DECODER_END_OF_STREAM
                     ? "the data ends before the length in its header"
                     : FLAC__StreamDecoderStateString[state]);
        return -1;
    }
    r->frames_read += want;
    *got = want;
    return 0;
}

static int flac_more(const rm_reader_t *r) {
    return r->frames_read < r->total;
}

const rm_reader_ops_t rm_reader_flac = {
    {RM_READER_OPS_LAYOUT, sizeof(rm_reader_ops_t)}, "flac", flac_open,
    flac_read, flac_more, flac_close};
