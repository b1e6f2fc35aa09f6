/*
 * reader_ffmpeg.c — AudioFileSource's FFmpeg decoder (libavformat +
 * libavcodec; built when the plugin finds them): what libsndfile cannot
 * read — M4A/AAC, the audio track of video files (MP4, MKV, WebM, MOV),
 * WMA, AMR, ... — streamed packet by packet in bounded memory.
 *
 * A module of its own (see reader.h: loaded on first use). Frames are
 * delivered interleaved in the packed form of the decoder's
 * own sample format (s16, s32, float or double; libswresample only
 * interleaves, it never rescales), so the source's conversion rules apply
 * to every decoder alike and float codecs (AAC, Opus, Vorbis) stay
 * bit-exact with FFmpeg's own float output.
 */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include <remotemedia/plugin.h>

struct rm_reader {
    AVFormatContext *format;
    AVCodecContext *codec;
    SwrContext *swr;       /* planar -> packed; NULL when already packed  */
    AVAudioFifo *fifo;     /* decoded frames not yet handed out           */
    AVPacket *packet;
    AVFrame *frame;
    uint8_t *packed;       /* interleaved copy of a planar frame (reused) */
    int packed_frames;     /* what `packed` holds room for                */
    int stream;
    enum AVSampleFormat out_format;
    uint32_t rate, channels;
    int64_t declared_frames; /* from the container's duration, or -1      */
    uint64_t frames_out;     /* handed out so far                         */
    uint64_t frames_decoded;
    int input_done;          /* demuxer at its end (decoder flushed)      */
    int decoder_done;        /* decoder drained                           */
};

static void describe(int code, char *why, size_t why_len, const char *what) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(code, text, sizeof text);
    snprintf(why, why_len, "%s: %s", what, text);
}

/* The packed sample format read() delivers for a decoder's format. */
static enum AVSampleFormat packed_of(enum AVSampleFormat format,
                                     uint32_t *rm_format) {
    switch (av_get_packed_sample_fmt(format)) {
    case AV_SAMPLE_FMT_S32: *rm_format = RM_SAMPLE_I32; return AV_SAMPLE_FMT_S32;
    case AV_SAMPLE_FMT_FLT: *rm_format = RM_SAMPLE_F32; return AV_SAMPLE_FMT_FLT;
    case AV_SAMPLE_FMT_DBL:
    case AV_SAMPLE_FMT_S64: *rm_format = RM_SAMPLE_F64; return AV_SAMPLE_FMT_DBL;
    default: *rm_format = RM_SAMPLE_I16; return AV_SAMPLE_FMT_S16; /* u8, s16 */
    }
}

static void ffmpeg_close(rm_reader_t *r) {
    if (!r) return;
    swr_free(&r->swr);
    av_freep(&r->packed);
    if (r->fifo) av_audio_fifo_free(r->fifo);
    av_packet_free(&r->packet);
    av_frame_free(&r->frame);
    avcodec_free_context(&r->codec);
    avformat_close_input(&r->format);
    free(r);
}

/* FFmpeg prints its decoders' warnings ("Could not update timestamps for
 * skipped samples", ...) straight to stderr at its default level, in the
 * middle of rmrun's own lines; what matters reaches the user as the
 * source's error. Only errors are printed then, unless
 * REMOTEMEDIA_LOG_LEVEL asks for info or debug; a process that chose
 * FFmpeg's level itself keeps it (only the untouched default is lowered). */
static void quiet_ffmpeg(void) {
    const char *level = getenv("REMOTEMEDIA_LOG_LEVEL");
    int verbose = level && (strcmp(level, "info") == 0 ||
                            strcmp(level, "debug") == 0 ||
                            strcmp(level, "2") == 0 || strcmp(level, "3") == 0);
    if (!verbose && av_log_get_level() == AV_LOG_INFO)
        av_log_set_level(AV_LOG_ERROR);
}

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static rm_reader_t *ffmpeg_open(const char *path, int fd,
                                uint32_t want_format, uint32_t want_layout,
                                rm_reader_info_t *info, char *why,
                                size_t why_len) {
    /* libavformat opens `path` itself (its own I/O, probing); the files it
     * is asked for are those libsndfile could not read. */
    (void)fd;
    /* The source converts from the decoder's format, interleaved. */
    (void)want_format;
    (void)want_layout;
    rm_reader_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    r->declared_frames = -1;
    pthread_once(&quiet_once, quiet_ffmpeg);
    const char *url = strcmp(path, "-") == 0 ? "pipe:0" : path;
    int code = avformat_open_input(&r->format, url, NULL, NULL);
    if (code < 0) {
        describe(code, why, why_len, "FFmpeg cannot open it");
        ffmpeg_close(r);
        return NULL;
    }
    code = avformat_find_stream_info(r->format, NULL);
    if (code < 0) {
        describe(code, why, why_len, "FFmpeg cannot read its streams");
        ffmpeg_close(r);
        return NULL;
    }
    const AVCodec *decoder = NULL;
    r->stream = av_find_best_stream(r->format, AVMEDIA_TYPE_AUDIO, -1, -1,
                                    &decoder, 0);
    if (r->stream < 0) {
        snprintf(why, why_len, "%s",
                 r->stream == AVERROR_DECODER_NOT_FOUND
                     ? "its audio codec has no decoder in this FFmpeg"
                     : "it has no audio stream");
        ffmpeg_close(r);
        return NULL;
    }
    AVStream *stream = r->format->streams[r->stream];
    r->codec = avcodec_alloc_context3(decoder);
    r->packet = av_packet_alloc();
    r->frame = av_frame_alloc();
    if (!r->codec || !r->packet || !r->frame ||
        avcodec_parameters_to_context(r->codec, stream->codecpar) < 0) {
        snprintf(why, why_len, "out of memory");
        ffmpeg_close(r);
        return NULL;
    }
    r->codec->thread_count = 1; /* a batch runs one file per core */
    code = avcodec_open2(r->codec, decoder, NULL);
    if (code < 0) {
        describe(code, why, why_len, "FFmpeg cannot open its decoder");
        ffmpeg_close(r);
        return NULL;
    }
    r->rate = r->codec->sample_rate > 0 ? (uint32_t)r->codec->sample_rate : 0;
    r->channels = r->codec->ch_layout.nb_channels > 0
                      ? (uint32_t)r->codec->ch_layout.nb_channels
                      : 0;
    if (!r->rate || !r->channels) {
        snprintf(why, why_len, "its audio stream has no sample rate or "
                               "channel count");
        ffmpeg_close(r);
        return NULL;
    }
    uint32_t rm_format = RM_SAMPLE_F32;
    r->out_format = packed_of(r->codec->sample_fmt, &rm_format);
    r->fifo = av_audio_fifo_alloc(r->out_format, (int)r->channels, 4096);
    if (!r->fifo) {
        snprintf(why, why_len, "out of memory");
        ffmpeg_close(r);
        return NULL;
    }
    /* A duration FFmpeg estimated from the bitrate (ADTS AAC, an MP3
     * without a Xing header) is no declared length: a VBR file would fail
     * as truncated. */
    if (stream->duration > 0 && stream->time_base.den > 0 &&
        r->format->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE)
        r->declared_frames = av_rescale_q(stream->duration, stream->time_base,
                                          (AVRational){1, (int)r->rate});
    info->sample_rate = r->rate;
    info->channels = r->channels;
    info->sample_format = rm_format;
    info->layout = RM_LAYOUT_INTERLEAVED;
    info->frames = -1; /* a container's duration is an estimate */
    return r;
}

/* Append a decoded frame to the FIFO, interleaved. */
static int queue_frame(rm_reader_t *r, char *why, size_t why_len) {
    AVFrame *f = r->frame;
    if (f->sample_rate != (int)r->rate ||
        f->ch_layout.nb_channels != (int)r->channels) {
        snprintf(why, why_len,
                 "changes format at frame %llu (%d Hz, %d channels after "
                 "%u Hz, %u channels): not supported",
                 (unsigned long long)r->frames_decoded, f->sample_rate,
                 f->ch_layout.nb_channels, r->rate, r->channels);
        return -1;
    }
    void **data = (void **)f->extended_data;
    if (f->format != r->out_format) {
        if (!r->swr) {
            int code = swr_alloc_set_opts2(&r->swr, &f->ch_layout,
                                           r->out_format, f->sample_rate,
                                           &f->ch_layout, f->format,
                                           f->sample_rate, 0, NULL);
            if (code >= 0) code = swr_init(r->swr);
            if (code < 0) {
                describe(code, why, why_len, "cannot set up libswresample");
                return -1;
            }
        }
        if (f->nb_samples > r->packed_frames) {
            av_freep(&r->packed);
            r->packed_frames = 0;
            if (av_samples_alloc(&r->packed, NULL, (int)r->channels,
                                 f->nb_samples, r->out_format, 0) < 0) {
                snprintf(why, why_len, "out of memory");
                return -1;
            }
            r->packed_frames = f->nb_samples;
        }
        int n = swr_convert(r->swr, &r->packed, f->nb_samples,
                            (const uint8_t **)f->extended_data,
                            f->nb_samples);
        if (n != f->nb_samples) {
            describe(n < 0 ? n : AVERROR_BUG, why, why_len,
                     "libswresample failed");
            return -1;
        }
        data = (void **)&r->packed;
    }
    int written = av_audio_fifo_write(r->fifo, data, f->nb_samples);
    if (written != f->nb_samples) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    r->frames_decoded += (uint64_t)f->nb_samples;
    return 0;
}

/* A decoding error, named with where in the stream it happened. */
static int corrupt(const rm_reader_t *r, int code, char *why, size_t why_len) {
    char what[96];
    snprintf(what, sizeof what, "is corrupt at frame %llu",
             (unsigned long long)r->frames_decoded);
    describe(code, why, why_len, what);
    return -1;
}

/* Decode until the FIFO holds `frames` or the stream ends. */
static int fill(rm_reader_t *r, size_t frames, char *why, size_t why_len) {
    while ((size_t)av_audio_fifo_size(r->fifo) < frames && !r->decoder_done) {
        int code = avcodec_receive_frame(r->codec, r->frame);
        if (code == 0) {
            int status = queue_frame(r, why, why_len);
            av_frame_unref(r->frame);
            if (status) return status;
            continue;
        }
        if (code == AVERROR_EOF) {
            r->decoder_done = 1;
            break;
        }
        if (code != AVERROR(EAGAIN)) return corrupt(r, code, why, why_len);
        if (r->input_done) { /* EAGAIN after the flush: nothing more */
            r->decoder_done = 1;
            break;
        }
        code = av_read_frame(r->format, r->packet);
        if (code == AVERROR_EOF) {
            r->input_done = 1;
            code = avcodec_send_packet(r->codec, NULL); /* drain */
        } else if (code < 0) {
            char what[96];
            snprintf(what, sizeof what,
                     "cannot be read past frame %llu",
                     (unsigned long long)r->frames_decoded);
            describe(code, why, why_len, what);
            return -1;
        } else {
            if (r->packet->stream_index == r->stream)
                code = avcodec_send_packet(r->codec, r->packet);
            av_packet_unref(r->packet);
        }
        if (code < 0 && code != AVERROR_EOF && code != AVERROR(EAGAIN))
            return corrupt(r, code, why, why_len);
    }
    return 0;
}

static int ffmpeg_read(rm_reader_t *r, void *buffer, size_t frames,
                       size_t *got, char *why, size_t why_len) {
    *got = 0;
    if (fill(r, frames, why, why_len)) return -1;
    int n = av_audio_fifo_read(r->fifo, &buffer, (int)frames);
    if (n < 0) {
        describe(n, why, why_len, "cannot take decoded frames");
        return -1;
    }
    r->frames_out += (uint64_t)n;
    /* A container that declares its length: ending well short of it is a
     * truncated file (a codec frame of slack: priming and padding). Checked
     * when the stream ends, also on a read that got frames: after a short
     * last chunk the source reads no more (an MP3 cut short passed). */
    if (r->decoder_done && av_audio_fifo_size(r->fifo) == 0 &&
        r->declared_frames > 0 &&
        r->frames_out + 8192 + r->rate / 10 < (uint64_t)r->declared_frames) {
        snprintf(why, why_len,
                 "is truncated at frame %llu: its container declares about "
                 "%lld frames",
                 (unsigned long long)r->frames_out,
                 (long long)r->declared_frames);
        return -1;
    }
    *got = (size_t)n;
    return 0;
}

static int ffmpeg_more(const rm_reader_t *r) {
    return !r->decoder_done || av_audio_fifo_size(r->fifo) > 0;
}

/* The one symbol this module exports (see reader.h). */
__attribute__((visibility("default"))) const rm_reader_ops_t
    rm_audio_file_ffmpeg_reader = {{RM_READER_OPS_LAYOUT,
                                    sizeof(rm_reader_ops_t)}, "ffmpeg",
                                   ffmpeg_open, ffmpeg_read, ffmpeg_more,
                                   ffmpeg_close};
