/*
 * source.c — AudioFileSource: reads an audio file (anything libsndfile
 * opens: WAV, FLAC, OGG/Vorbis, AIFF, ...) one chunk per generate() call,
 * so files larger than memory stream with back-pressure.
 *
 * Each item holds chunk_seconds of audio (round(chunk_seconds * rate)
 * frames, at least 1; the last one may be shorter) in the chosen sample
 * format and layout (default f32 planar = numpy (channels, frames)), with
 * the file's sample rate and channel count. An empty file emits nothing.
 * A file that ends before the frame count in its header, or a decoding
 * error, fails permanently with a message naming the file and the frame
 * offset.
 */
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "convert.h"
#include "nodes.h"

#define NODE_NAME "AudioFileSource"

typedef struct file_source {
    const rm_host_t *host;
    char *path;
    SNDFILE *file;
    SF_INFO info;
    uint32_t sample_format;
    uint32_t layout;
    size_t chunk_frames;
    uint64_t frames_read;
    uint64_t declared_frames; /* from the header, when libsndfile found the
                                 data shorter (truncated file); else 0 */
    void *scratch; /* interleaved chunk, for planar output */
    size_t scratch_bytes;
} file_source_t;

static const char *const format_values[] = {"f32", "i16", "i32", "f64",
                                             NULL};
static const char *const layout_values[] = {"planar", "interleaved", NULL};

static const rm_param_spec_t source_params[] = {
    {"path", RM_PARAM_STRING, RM_PARAM_REQUIRED, NULL, 0, 0, NULL,
     "audio file to read (WAV, FLAC, OGG/Vorbis, ...)"},
    {"chunk_seconds", RM_PARAM_FLOAT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX,
     "1.0", 0.001, 3600, NULL, "seconds of audio per emitted item"},
    {"format", RM_PARAM_ENUM, 0, "\"f32\"", 0, 0, format_values,
     "sample format of the items (f32/f64 in [-1, 1], i16, i32)"},
    {"layout", RM_PARAM_ENUM, 0, "\"planar\"", 0, 0, layout_values,
     "planar = numpy (channels, frames); interleaved = L R L R"},
};

static const rm_port_spec_t source_outputs[] = {
    {"out", RM_KIND_BIT(RM_KIND_AUDIO),
     "chunks of the file's audio, file rate and channels"},
};

static void source_destroy(void *instance);

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

static int source_create(const rm_host_t *host, const rm_params_t *params,
                         void **instance, rm_error_t *err) {
    const char *path = NULL, *format = "f32", *layout = "planar";
    double chunk_seconds = 1.0;
    if (host->param_string(params, "path", &path) != RM_OK || !path || !*path)
        return host->error_set(err, RM_EINVAL, 0,
                               "%s '%s': path is required", NODE_NAME,
                               host->node_id);
    host->param_float(params, "chunk_seconds", &chunk_seconds);
    host->param_string(params, "format", &format);
    host->param_string(params, "layout", &layout);
    if (!(chunk_seconds >= 0.001 && chunk_seconds <= 3600))
        return host->error_set(err, RM_EINVAL, 0,
                               "%s '%s': chunk_seconds %g is outside "
                               "0.001..3600",
                               NODE_NAME, host->node_id, chunk_seconds);
    uint32_t sample_format = rm_sample_format_from_name(format);
    if (!sample_format)
        return host->error_set(err, RM_EINVAL, 0,
                               "%s '%s': format \"%s\" is not one of f32, "
                               "i16, i32, f64",
                               NODE_NAME, host->node_id, format);
    int planar = strcmp(layout, "planar") == 0;
    if (!planar && strcmp(layout, "interleaved") != 0)
        return host->error_set(err, RM_EINVAL, 0,
                               "%s '%s': layout \"%s\" is not planar or "
                               "interleaved",
                               NODE_NAME, host->node_id, layout);

    file_source_t *self = host->alloc(host, sizeof *self);
    if (!self)
        return host->error_set(err, RM_ENOMEM, 0, "%s '%s': out of memory",
                               NODE_NAME, host->node_id);
    memset(self, 0, sizeof *self);
    self->host = host;
    self->sample_format = sample_format;
    self->layout = planar ? RM_LAYOUT_PLANAR : RM_LAYOUT_INTERLEAVED;
    size_t path_len = strlen(path);
    self->path = host->alloc(host, path_len + 1);
    if (!self->path) {
        source_destroy(self);
        return host->error_set(err, RM_ENOMEM, 0, "%s '%s': out of memory",
                               NODE_NAME, host->node_id);
    }
    memcpy(self->path, path, path_len + 1);
    self->file = sf_open(path, SFM_READ, &self->info);
    if (!self->file) {
        int status = host->error_set(err, RM_EIO, 0,
                                     "%s '%s': cannot open audio file '%s': "
                                     "%s",
                                     NODE_NAME, host->node_id, path,
                                     sf_strerror(NULL));
        source_destroy(self);
        return status;
    }
    if (self->info.channels < 1 || self->info.channels > RM_MAX_CHANNELS ||
        self->info.samplerate < 1 ||
        self->info.samplerate > RM_MAX_SAMPLE_RATE) {
        int status = host->error_set(
            err, RM_EINVAL, 0,
            "%s '%s': audio file '%s' has %d channels at %d Hz (supported: "
            "1..%d channels, 1..%d Hz)",
            NODE_NAME, host->node_id, path, self->info.channels,
            self->info.samplerate, RM_MAX_CHANNELS, RM_MAX_SAMPLE_RATE);
        source_destroy(self);
        return status;
    }
    self->declared_frames = declared_frames_of_truncated(self->file);
    double frames = floor(chunk_seconds * self->info.samplerate + 0.5);
    self->chunk_frames = frames < 1 ? 1 : (size_t)frames;
    *instance = self;
    return RM_OK;
}

/* Read up to `frames` interleaved frames in the output sample format. */
static sf_count_t read_interleaved(file_source_t *self, void *buffer,
                                   sf_count_t frames) {
    switch (self->sample_format) {
    case RM_SAMPLE_I16: return sf_readf_short(self->file, buffer, frames);
    case RM_SAMPLE_I32: return sf_readf_int(self->file, buffer, frames);
    case RM_SAMPLE_F64: return sf_readf_double(self->file, buffer, frames);
    default: return sf_readf_float(self->file, buffer, frames);
    }
}

static int source_generate(void *instance, rm_emit_t *out, int *finished,
                           rm_error_t *err) {
    file_source_t *self = instance;
    const rm_host_t *host = self->host;
    uint64_t remaining = self->info.frames > 0
                             ? (uint64_t)self->info.frames - self->frames_read
                             : 0;
    size_t want = self->chunk_frames;
    if ((uint64_t)want > remaining) want = (size_t)remaining;
    if (want == 0 && self->declared_frames > self->frames_read)
        return host->error_set(
            err, RM_EIO, 0,
            "%s '%s': audio file '%s' is truncated at frame %llu: its "
            "header declares %llu frames",
            NODE_NAME, host->node_id, self->path,
            (unsigned long long)self->frames_read,
            (unsigned long long)self->declared_frames);
    if (want == 0) {
        *finished = 1;
        return RM_OK;
    }
    rm_audio_format_t format = {(uint32_t)self->info.samplerate,
                                (uint16_t)self->info.channels,
                                (uint8_t)self->sample_format,
                                (uint8_t)self->layout, want};
    size_t bytes = rm_audio_bytes(&format);
    void *target;
    if (self->layout == RM_LAYOUT_PLANAR && self->info.channels > 1) {
        if (bytes > self->scratch_bytes) {
            void *grown = host->realloc(host, self->scratch, bytes);
            if (!grown)
                return host->error_set(err, RM_ENOMEM, 0,
                                       "%s '%s': out of memory", NODE_NAME,
                                       host->node_id);
            self->scratch = grown;
            self->scratch_bytes = bytes;
        }
        target = self->scratch;
    } else {
        target = NULL; /* read straight into the item */
    }
    rm_item_t *item = host->item_new_audio(host, &format);
    if (!item)
        return host->error_set(err, RM_ENOMEM, 0,
                               "%s '%s': cannot allocate a chunk of %zu "
                               "frames",
                               NODE_NAME, host->node_id, want);
    sf_count_t got = read_interleaved(self, target ? target : item->data,
                                      (sf_count_t)want);
    int error_code = sf_error(self->file);
    if (got < (sf_count_t)want || error_code) {
        host->item_unref(item);
        uint64_t offset = self->frames_read + (got > 0 ? (uint64_t)got : 0);
        return host->error_set(
            err, RM_EIO, 0,
            "%s '%s': audio file '%s' is truncated or corrupt at frame "
            "%llu of %lld: %s",
            NODE_NAME, host->node_id, self->path,
            (unsigned long long)offset, (long long)self->info.frames,
            error_code ? sf_strerror(self->file)
                       : "the data ends before the length in its header");
    }
    if (target) {
        rm_audio_format_t interleaved = format;
        interleaved.layout = RM_LAYOUT_INTERLEAVED;
        rm_convert_audio(target, &interleaved, item->data, &format);
    }
    self->frames_read += (uint64_t)got;
    if (self->frames_read >= (uint64_t)self->info.frames &&
        self->declared_frames <= self->frames_read)
        *finished = 1;
    return host->emit(out, 0, item);
}

static void source_destroy(void *instance) {
    file_source_t *self = instance;
    if (!self) return;
    const rm_host_t *host = self->host;
    if (self->file) sf_close(self->file);
    if (self->scratch) host->free(host, self->scratch);
    if (self->path) host->free(host, self->path);
    host->free(host, self);
}

const rm_node_type_t rm_audio_file_source_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = NODE_NAME,
    .description = "Read an audio file (WAV, FLAC, OGG) in chunks",
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
};
