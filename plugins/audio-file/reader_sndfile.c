/*
 * reader_sndfile.c — AudioFileSource's libsndfile decoder: WAV, FLAC,
 * OGG/Vorbis, AIFF, ... with libsndfile converting to the wanted sample
 * format while it decodes (integer PCM wanted as float: read as integers,
 * converted by the source). A WAV/AIFF whose data chunk is cut off is an
 * error at the cut, not a shorter file. Standard input ("-") is read
 * through pipe_stream.c (libsndfile's virtual I/O), so every format
 * libsndfile streams works there, not only WAV: its length is unknown
 * and it is read to its end.
 */
#include <fcntl.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_stream.h"
#include "pipe_stream.h"
#include "reader.h"
#include <remotemedia/plugin.h>

struct rm_reader {
    SNDFILE *file;
    SF_INFO info;
    uint32_t sample_format;
    uint64_t frames_read;
    uint64_t declared_frames; /* from the header, when libsndfile found the
                                 data shorter (truncated file); else 0 */
    rm_pipe_stream_t *pipe;   /* standard input, else NULL */
    rm_file_stream_t *stream; /* a file, read through file_stream.h */
    int unknown_length;       /* read to the end (a stream) */
    int at_end;
};

/* A stream's frame count as libsndfile guesses it without a length: the
 * maximum, or whatever a streaming header (0xFFFFFFFF bytes) implies. */
#define RM_SNDFILE_NO_LENGTH ((sf_count_t)1 << 40)

/* libsndfile quietly shortens a WAV/AIFF whose data chunk is cut off
 * ("data : 64888 (should be 19956)" in its log) and reports only the
 * frames present. Find the frame count the header promised, so the read
 * can fail at the cut instead of passing a partial file as whole. */
static uint64_t declared_frames_of_truncated(SNDFILE *file) {
    char log[8192];
    sf_command(file, SFC_GET_LOG_INFO, log, sizeof log);
    const char *data = strstr(log, "\ndata : ");
    const char *align = strstr(log, "Block Align");
    long long declared = 0, present = 0, block_align = 0;
    if (!data || !align ||
        sscanf(data, "\ndata : %lld (should be %lld)", &declared, &present) != 2 ||
        sscanf(strchr(align, ':') ? strchr(align, ':') + 1 : "", "%lld",
               &block_align) != 1 ||
        block_align <= 0 || declared <= present)
        return 0;
    return (uint64_t)(declared / block_align);
}

/* An MP3 without a Xing/Info header has no length: libsndfile (mpg123)
 * estimates one from the file size and the first frame's bitrate (its log
 * says "bitrate mode : constant"; with the header, "variable"), over the
 * frames there are, by far for a VBR file. It is read to its end: ending
 * before the estimate is no cut (a cut file's estimate is of the bytes
 * left). With the header, the count is the file's, and a cut fails. */
static int mp3_length_estimated(SNDFILE *file, int format) {
    if ((format & SF_FORMAT_TYPEMASK) != SF_FORMAT_MPEG) return 0;
    char log[8192];
    sf_command(file, SFC_GET_LOG_INFO, log, sizeof log);
    const char *mode = strstr(log, "bitrate mode");
    char value[16] = "";
    return mode && sscanf(strchr(mode, ':') ? strchr(mode, ':') + 1 : "",
                          "%15s", value) == 1 &&
           strcmp(value, "constant") == 0;
}

/* What to ask libsndfile for. For float it converts integer PCM through
 * an 8 KB buffer with a scalar loop. The file's own integers (16-bit: read
 * straight into the caller's buffer; 24-bit: still unpacked through
 * libsndfile's buffer) are converted by the source with the plugins'
 * vectorized kernel: bit-identical, since both scale by an exact power of
 * two (2^-15 for 16-bit, 2^-31 for 24/32-bit, which libsndfile hands over
 * left-justified in 32 bits), as long as libsndfile's float normalisation
 * stays at its default (SFC_SET_NORM_FLOAT on; never changed here). */
static uint32_t read_format_for(uint32_t want_format, int file_format) {
    if (want_format != RM_SAMPLE_F32) return want_format;
    switch (file_format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_16: return RM_SAMPLE_I16;
    case SF_FORMAT_PCM_24:
    case SF_FORMAT_PCM_32: return RM_SAMPLE_I32;
    default: return want_format;
    }
}

static rm_reader_t *sndfile_open(const char *path, int fd,
                                 uint32_t want_format, uint32_t want_layout,
                                 rm_reader_info_t *info, char *why,
                                 size_t why_len) {
    (void)want_layout; /* interleaved: the source lays out the item */
    rm_reader_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    int streamed = 0; /* a FIFO or a device: no seeking, maybe no length */
    if (strcmp(path, "-") == 0) {
        r->pipe = rm_pipe_stream_new(0);
        if (!r->pipe) {
            snprintf(why, why_len, "out of memory");
            free(r);
            return NULL;
        }
        r->file = sf_open_virtual(&rm_pipe_stream_vio, SFM_READ, &r->info,
                                  r->pipe);
    } else if (fd >= 0 && (r->stream = rm_file_stream_open(fd)) != NULL) {
        /* A regular file: through a large stdio buffer (file_stream.h). */
        r->file = sf_open_virtual(&rm_file_stream_vio, SFM_READ, &r->info,
                                  r->stream);
        /* What libsndfile cannot tell by content it guesses from the
         * file name's extension (headerless .au/.snd/.vox/.gsm, an .mp3
         * without a tag), which a stream lacks: a file it declined is
         * opened by path, as before. */
        if (!r->file) {
            rm_file_stream_close(r->stream);
            r->stream = NULL;
            if (lseek(fd, 0, SEEK_SET) == 0) {
                memset(&r->info, 0, sizeof r->info);
                r->file = sf_open(path, SFM_READ, &r->info);
            }
        }
    } else if (fd >= 0) {
        /* Not a regular file (a FIFO, a device): libsndfile reads it as a
         * pipe. It closes the descriptor it is given, also when it fails
         * (whatever close_desc says): it gets a duplicate of the caller's,
         * which shares its offset. */
        int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        r->file = own >= 0 ? sf_open_fd(own, SFM_READ, &r->info, SF_TRUE)
                           : NULL;
        streamed = 1;
    } else {
        r->file = sf_open(path, SFM_READ, &r->info);
    }
    if (!r->file) {
        char io[200];
        if (r->pipe && rm_pipe_stream_failed(r->pipe, io, sizeof io))
            snprintf(why, why_len, "reading standard input: %s", io);
        else
            snprintf(why, why_len, "%s", sf_strerror(NULL));
        rm_pipe_stream_free(r->pipe);
        rm_file_stream_close(r->stream);
        free(r);
        return NULL;
    }
    r->sample_format = read_format_for(want_format, r->info.format);
    if (r->pipe || streamed) {
        if (r->pipe) rm_pipe_stream_settle(r->pipe);
        /* A streaming WAV header (arecord: data size 0x7FFFFFFF or
         * 0xFFFFFFFF bytes; sox to a pipe: 0x7FFFF000) promises ~2 GB:
         * read it to its end too, from standard input or a FIFO. */
        sf_count_t streaming = (sf_count_t)0x7FFF0000 /
                               ((sf_count_t)(r->info.channels > 0
                                                 ? r->info.channels : 1) * 8);
        r->unknown_length = r->info.frames <= 0 ||
                            r->info.frames >= RM_SNDFILE_NO_LENGTH ||
                            r->info.frames >= streaming;
    } else if (mp3_length_estimated(r->file, r->info.format)) {
        r->unknown_length = 1;
    } else {
        r->declared_frames = declared_frames_of_truncated(r->file);
    }
    info->sample_rate = (uint32_t)(r->info.samplerate > 0 ? r->info.samplerate : 0);
    info->channels = (uint32_t)(r->info.channels > 0 ? r->info.channels : 0);
    info->sample_format = r->sample_format;
    info->layout = RM_LAYOUT_INTERLEAVED;
    /* A file libsndfile finds no length in (an OGG cut short: no last
     * page) says SF_COUNT_MAX: unknown, not 2^63 frames (a batch's audio
     * seconds and progress). */
    info->frames = r->unknown_length || r->info.frames >= RM_SNDFILE_NO_LENGTH
                       ? -1 : r->info.frames;
    return r;
}

static sf_count_t read_as(rm_reader_t *r, void *buffer, sf_count_t frames) {
    switch (r->sample_format) {
    case RM_SAMPLE_I16: return sf_readf_short(r->file, buffer, frames);
    case RM_SAMPLE_I32: return sf_readf_int(r->file, buffer, frames);
    case RM_SAMPLE_F64: return sf_readf_double(r->file, buffer, frames);
    default: return sf_readf_float(r->file, buffer, frames);
    }
}

/* A stream of unknown length: what there is, up to its end. */
static int read_to_end(rm_reader_t *r, void *buffer, size_t frames,
                       size_t *got, char *why, size_t why_len) {
    if (r->at_end) return 0;
    sf_count_t n = read_as(r, buffer, (sf_count_t)frames);
    char io[200];
    if (r->pipe && rm_pipe_stream_failed(r->pipe, io, sizeof io)) {
        snprintf(why, why_len, "reading standard input failed at frame "
                 "%llu: %s", (unsigned long long)r->frames_read, io);
        return -1;
    }
    if (sf_error(r->file)) {
        snprintf(why, why_len, "is corrupt at frame %llu: %s",
                 (unsigned long long)r->frames_read, sf_strerror(r->file));
        return -1;
    }
    if (n < (sf_count_t)frames) r->at_end = 1;
    r->frames_read += (uint64_t)(n > 0 ? n : 0);
    *got = (size_t)(n > 0 ? n : 0);
    return 0;
}

static int sndfile_read(rm_reader_t *r, void *buffer, size_t frames,
                        size_t *got, char *why, size_t why_len) {
    *got = 0;
    if (r->unknown_length)
        return read_to_end(r, buffer, frames, got, why, why_len);
    uint64_t remaining = r->info.frames > 0
                             ? (uint64_t)r->info.frames - r->frames_read
                             : 0;
    size_t want = frames;
    if ((uint64_t)want > remaining) want = (size_t)remaining;
    if (want == 0 && r->declared_frames > r->frames_read) {
        snprintf(why, why_len,
                 "is truncated at frame %llu: its header declares %llu "
                 "frames",
                 (unsigned long long)r->frames_read,
                 (unsigned long long)r->declared_frames);
        return -1;
    }
    if (want == 0) return 0;
    sf_count_t n = read_as(r, buffer, (sf_count_t)want);
    int error_code = sf_error(r->file);
    if (n < (sf_count_t)want || error_code) {
        uint64_t offset = r->frames_read + (n > 0 ? (uint64_t)n : 0);
        int no_length = r->info.frames >= RM_SNDFILE_NO_LENGTH;
        char total[40] = "";
        if (!no_length)
            snprintf(total, sizeof total, " of %lld", (long long)r->info.frames);
        snprintf(why, why_len, "is truncated or corrupt at frame %llu%s: %s",
                 (unsigned long long)offset, total,
                 error_code ? sf_strerror(r->file)
                 : no_length ? "its end is missing (no length can be read "
                               "from it: a file cut short)"
                             : "the data ends before the length in its "
                               "header");
        return -1;
    }
    r->frames_read += (uint64_t)n;
    *got = (size_t)n;
    return 0;
}

static int sndfile_more(const rm_reader_t *r) {
    if (r->unknown_length) return !r->at_end;
    return r->frames_read < (uint64_t)(r->info.frames > 0 ? r->info.frames : 0) ||
           r->declared_frames > r->frames_read;
}

static void sndfile_close(rm_reader_t *r) {
    if (!r) return;
    if (r->file) sf_close(r->file);
    rm_pipe_stream_free(r->pipe);
    rm_file_stream_close(r->stream);
    free(r);
}

const rm_reader_ops_t rm_reader_sndfile = {
    {RM_READER_OPS_LAYOUT, sizeof(rm_reader_ops_t)}, "sndfile", sndfile_open,
    sndfile_read, sndfile_more, sndfile_close};
