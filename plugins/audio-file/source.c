/*
 * source.c — AudioFileSource: reads an audio file one chunk per generate()
 * call, so files larger than memory stream with back-pressure. The
 * decoding is a reader's (reader.h): libFLAC for FLAC files, libsndfile
 * for what it opens (WAV, OGG/Vorbis, AIFF, ..., and the FLAC the libFLAC
 * reader declines), FFmpeg (when built) for the rest — M4A/AAC, the audio
 * of video files, WMA, AMR, ... — chosen by the `decoder` param.
 *
 * Each item holds chunk_seconds of audio (round(chunk_seconds * rate)
 * frames, at least 1; the last one may be shorter) in the chosen sample
 * format and layout (default f32 planar = numpy (channels, frames)), with
 * the file's sample rate and channel count. An empty file emits nothing.
 * A file that ends before the length its header declares, or a decoding
 * error, fails permanently with a message naming the file and the frame
 * offset.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <remotemedia/media_duration.h>

#include "convert.h"
#include "node_error.h"
#include "nodes.h"
#include "reader.h"

#define NODE_NAME "AudioFileSource"

typedef struct file_source {
    const rm_host_t *host;
    char *path;
    const rm_reader_ops_t *ops;
    rm_reader_t *reader;
    rm_reader_info_t info;
    uint32_t sample_format;
    uint32_t layout;
    size_t chunk_frames;
    void *scratch; /* interleaved chunk, when the item is not that */
    size_t scratch_bytes;
} file_source_t;

static const char *const format_values[] = {"f32", "i16", "i32", "f64",
                                             NULL};
static const char *const layout_values[] = {"planar", "interleaved", NULL};
static const char *const decoder_values[] = {"auto", "sndfile", "ffmpeg",
                                             NULL};

static const rm_param_spec_t source_params[] = {
    {"path", RM_PARAM_STRING, RM_PARAM_REQUIRED | RM_PARAM_INPUT_PATH, NULL, 0, 0, NULL,
     "audio file to read (WAV, FLAC, OGG/Vorbis, ...; with FFmpeg also "
     "M4A/AAC, video files' audio, WMA, AMR); \"-\" = standard input"},
    {"chunk_seconds", RM_PARAM_FLOAT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX,
     "1.0", 0.001, 3600, NULL, "seconds of audio per emitted item"},
    {"format", RM_PARAM_ENUM, 0, "\"f32\"", 0, 0, format_values,
     "sample format of the items (f32/f64 in [-1, 1], i16, i32)"},
    {"layout", RM_PARAM_ENUM, 0, "\"planar\"", 0, 0, layout_values,
     "planar = numpy (channels, frames); interleaved = L R L R"},
    {"decoder", RM_PARAM_ENUM, 0, "\"auto\"", 0, 0, decoder_values,
     "auto = libFLAC for FLAC, libsndfile for what it reads, else FFmpeg "
     "(when built); or force one"},
};

static const rm_port_spec_t source_outputs[] = {
    {"out", RM_KIND_BIT(RM_KIND_AUDIO),
     "chunks of the file's audio, file rate and channels"},
};

static void source_destroy(void *instance);

/* Open the file with the reader `decoder` asks for ("auto": libFLAC for
 * a FLAC file it takes, else libsndfile, else FFmpeg). The file is opened
 * once, here, and handed to libFLAC and libsndfile as a descriptor (the
 * FLAC reader tells FLAC by the signature, without consuming it); FFmpeg
 * opens the path itself. On failure fills `err` with both libsndfile's and
 * FFmpeg's reasons. */
enum { DECODER_AUTO, DECODER_SNDFILE, DECODER_FFMPEG }; /* decoder_values */

/* open_reader with `fd`, the file opened once for the readers (-1: none;
 * borrowed). */
static int open_reader_on(file_source_t *self, uint32_t decoder, int fd,
                          rm_error_t *err) {
    const rm_host_t *host = self->host;
    char why[512] = "", why_ffmpeg[512] = "";
    int want_sndfile = decoder != DECODER_FFMPEG;
    int want_ffmpeg = decoder != DECODER_SNDFILE;
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 &&
        (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size == 0)))
        /* Not libsndfile's "format not recognised": say what is there. */
        return rm_node_error(host, err, RM_EIO, 0, NODE_NAME,
                             "cannot open audio file '%s': %s",
                             self->path,
                             S_ISDIR(st.st_mode) ? "it is a directory"
                                                 : "it is empty (0 bytes)");
    if (decoder == DECODER_AUTO) {
        /* Declined (not FLAC, or one libsndfile must read): on below. */
        self->reader = rm_reader_flac.open(self->path, fd,
                                           self->sample_format, self->layout,
                                           &self->info, why, sizeof why);
        if (self->reader) {
            self->ops = &rm_reader_flac;
            return RM_OK;
        }
        why[0] = '\0';
    }
    if (want_sndfile) {
        self->reader = rm_reader_sndfile.open(self->path, fd,
                                              self->sample_format,
                                              self->layout, &self->info, why,
                                              sizeof why);
        if (self->reader) {
            self->ops = &rm_reader_sndfile;
            return RM_OK;
        }
    }
    if (want_sndfile && strcmp(self->path, "-") == 0)
        /* libsndfile has consumed what it read: FFmpeg would start in the
         * middle of the stream. */
        return rm_node_error(host, err, RM_EIO, 0, NODE_NAME,
                             "cannot read standard input: libsndfile: %s (for "
                             "a format only FFmpeg decodes, give decoder "
                             "\"ffmpeg\")",
                             why);
    char why_load[4608] = "";
    const rm_reader_ops_t *ffmpeg =
        want_ffmpeg ? rm_reader_ffmpeg(why_load, sizeof why_load) : NULL;
    if (ffmpeg) { /* FFmpeg opens the path itself */
        self->reader = ffmpeg->open(self->path, -1, self->sample_format,
                                    self->layout, &self->info, why_ffmpeg,
                                    sizeof why_ffmpeg);
        if (self->reader) {
            self->ops = ffmpeg;
            return RM_OK;
        }
    }
    if (want_ffmpeg && !ffmpeg && !want_sndfile)
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "decoder \"ffmpeg\" is not available: %s",
                             why_load);
    if (want_sndfile && want_ffmpeg && ffmpeg)
        return rm_node_error(host, err, RM_EIO, 0, NODE_NAME,
                             "cannot open audio file '%s': libsndfile: %s; "
                             "FFmpeg: %s", self->path, why, why_ffmpeg);
    if (want_ffmpeg && !ffmpeg)
        return rm_node_error(host, err, RM_EIO, 0, NODE_NAME,
                             "cannot open audio file '%s': %s (for other "
                             "formats: %s)", self->path, why, why_load);
    return rm_node_error(host, err, RM_EIO, 0, NODE_NAME,
                         "cannot open audio file '%s': %s",
                         self->path, want_sndfile ? why : why_ffmpeg);
}

static int open_reader(file_source_t *self, uint32_t decoder,
                       rm_error_t *err) {
    /* When this fails (fd -1), libsndfile opens the path itself and says
     * why. A FIFO blocks here until it has a writer, as it did in
     * libsndfile's own open. */
    int fd = decoder != DECODER_FFMPEG && strcmp(self->path, "-") != 0
                 ? open(self->path, O_RDONLY | O_CLOEXEC)
                 : -1;
    int status = open_reader_on(self, decoder, fd, err);
    if (fd >= 0) close(fd); /* a reader that took it has its own duplicate */
    return status;
}

static int source_create(const rm_host_t *host, const rm_params_t *params,
                         void **instance, rm_error_t *err) {
    const char *path = NULL, *format = "f32";
    uint32_t layout = 0; /* layout_values: 0 planar, 1 interleaved */
    double chunk_seconds = 1.0;
    if (host->param_string(params, "path", &path) != RM_OK || !path || !*path)
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "path is required");
    host->param_float(params, "chunk_seconds", &chunk_seconds);
    host->param_string(params, "format", &format);
    host->param_enum(params, "layout", &layout);
    uint32_t decoder = DECODER_AUTO;
    host->param_enum(params, "decoder", &decoder);
    /* Ranges and enum values were validated by the host (plugin.h). */
    file_source_t *self = host->alloc(host, sizeof *self);
    if (!self)
        return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                             "out of memory");
    memset(self, 0, sizeof *self);
    self->host = host;
    self->sample_format = rm_sample_format_from_name(format);
    self->layout = layout == 0 ? RM_LAYOUT_PLANAR : RM_LAYOUT_INTERLEAVED;
    size_t path_len = strlen(path);
    self->path = host->alloc(host, path_len + 1);
    if (!self->path) {
        source_destroy(self);
        return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                             "out of memory");
    }
    memcpy(self->path, path, path_len + 1);
    int status = open_reader(self, decoder, err);
    if (status != RM_OK) {
        source_destroy(self);
        return status;
    }
    if (self->info.channels < 1 || self->info.channels > RM_MAX_CHANNELS ||
        self->info.sample_rate < 1 ||
        self->info.sample_rate > RM_MAX_SAMPLE_RATE) {
        status = rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                               "audio file '%s' has %u channels at %u Hz "
                               "(supported: 1..%d channels, 1..%d Hz)",
                               path, self->info.channels,
                               self->info.sample_rate, RM_MAX_CHANNELS,
                               RM_MAX_SAMPLE_RATE);
        source_destroy(self);
        return status;
    }
    double frames = floor(chunk_seconds * self->info.sample_rate + 0.5);
    self->chunk_frames = frames < 1 ? 1 : (size_t)frames;
    *instance = self;
    return RM_OK;
}

static int source_generate(void *instance, rm_emit_t *out, int *finished,
                           rm_error_t *err) {
    file_source_t *self = instance;
    const rm_host_t *host = self->host;
    size_t want = self->chunk_frames;
    rm_audio_format_t format = {self->info.sample_rate,
                                (uint16_t)self->info.channels,
                                (uint8_t)self->sample_format,
                                (uint8_t)self->layout, want};
    /* What the reader delivers: its own sample format and layout. */
    rm_audio_format_t read_format = format;
    read_format.sample_format = (uint8_t)self->info.sample_format;
    read_format.layout = (uint8_t)self->info.layout;
    int direct = read_format.sample_format == format.sample_format &&
                 (format.layout == read_format.layout ||
                  self->info.channels == 1);
    void *target = NULL; /* NULL: read straight into the item */
    if (!direct) {
        size_t bytes = rm_audio_bytes(&read_format);
        if (bytes > self->scratch_bytes) {
            void *grown = host->realloc(host, self->scratch, bytes);
            if (!grown)
                return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                                     "out of memory");
            self->scratch = grown;
            self->scratch_bytes = bytes;
        }
        target = self->scratch;
    }
    rm_item_t *item = host->item_new_audio(host, &format);
    if (!item)
        return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                             "cannot allocate a chunk of %zu frames", want);
    size_t got = 0;
    char why[512];
    if (self->ops->read(self->reader, target ? target : item->data, want,
                        &got, why, sizeof why) != 0) {
        host->item_unref(item);
        return rm_node_error(host, err, RM_EIO, 0, NODE_NAME,
                             "audio file '%s' %s", self->path, why);
    }
    if (got == 0) {
        host->item_unref(item);
        *finished = 1;
        return RM_OK;
    }
    if (got < want) { /* the last chunk: the item says how many frames */
        format.frames = got;
        read_format.frames = got;
        item->audio.frames = got;
        item->size = rm_audio_bytes(&format);
    }
    if (target) rm_convert_audio(target, &read_format, item->data, &format);
    if (!self->ops->more(self->reader)) *finished = 1;
    return host->emit(out, 0, item);
}

static void source_destroy(void *instance) {
    file_source_t *self = instance;
    if (!self) return;
    const rm_host_t *host = self->host;
    if (self->reader) self->ops->close(self->reader);
    if (self->scratch) host->free(host, self->scratch);
    if (self->path) host->free(host, self->path);
    host->free(host, self);
}

/* How long a file plays, from its header as libsndfile reads it (what
 * `rmrun --batch` reports as audio_s); -1 for standard input (never
 * consumed here), anything but a regular file, or a file libsndfile
 * cannot open. */
static double source_seconds(const char *path) {
    if (!path || strcmp(path, "-") == 0) return -1;
    /* Only a regular file: opening a FIFO would block for a writer and
     * take its bytes. */
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
    rm_reader_info_t info;
    char why[256];
    rm_reader_t *reader =
        rm_reader_sndfile.open(path, -1, RM_SAMPLE_F32,
                               RM_LAYOUT_INTERLEAVED, &info, why, sizeof why);
    if (!reader) return -1;
    double seconds = info.sample_rate > 0 && info.frames >= 0
                         ? (double)info.frames / info.sample_rate
                         : -1;
    rm_reader_sndfile.close(reader);
    return seconds;
}

static const rm_media_duration_t source_duration = {
    sizeof(rm_media_duration_t), 0, source_seconds};

static const void *source_extension(const char *id) {
    return id && strcmp(id, RM_MEDIA_DURATION_ID) == 0 ? &source_duration
                                                       : NULL;
}

const rm_node_type_t rm_audio_file_source_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = NODE_NAME,
    .description = "Read an audio file (WAV, FLAC, OGG; M4A, video audio, ... with FFmpeg) in chunks",
    .version = "1.0.0",
    .capabilities = RM_CAP_SOURCE | RM_CAP_STATEFUL | RM_CAP_STREAMING,
    .params = source_params,
    .param_count = sizeof source_params / sizeof source_params[0],
    .input_count = 0,
    .inputs = NULL,
    .outputs = source_outputs,
    .output_count = 1,
    .create = source_create,
    .generate = source_generate,
    .destroy = source_destroy,
    .get_extension = source_extension,
};
