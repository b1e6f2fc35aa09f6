/*
 * sink.c — AudioFileSink: writes each incoming audio chunk as it arrives
 * (libsndfile, through plugins/common/safe_output.c) and at flush finishes the
 * file, then emits one JSON item {"path", "frames", "sample_rate",
 * "channels"}. A regular file (or nothing yet) at the path is written to a
 * temporary next to it and renamed over it at flush, so the final name only
 * ever holds a complete file; a run that fails (destroy without flush)
 * removes the temporary. A symlink is followed to its target. A FIFO, a
 * character device or "-" (stdout) is written through as a stream, never
 * replaced: FLAC, OGG (Vorbis, Opus) and MP3 stream; WAV needs to seek back
 * to its header, so WAV to a pipe is refused with an error naming the path.
 * MP3 and Opus need libsndfile >= 1.1 (built with LAME / libopus); Opus
 * takes 48, 24, 16, 12 or 8 kHz only. A directory,
 * block device or socket is refused.
 *
 * The file's rate and channel count are those of the first chunk; a later
 * chunk with another rate or channel count is an error. Float input is
 * clipped to [-1, 1] when written to an integer subtype. With no audio at
 * all, no file is written and the JSON says frames 0.
 */
#include <limits.h>
#include <sys/stat.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "audio_check.h"
#include "convert.h"
#include "node_error.h"
#include "nodes.h"
#include "json_number.h"
#include "safe_output.h"

#define NODE_NAME "AudioFileSink"

typedef struct file_sink {
    const rm_host_t *host;
    char *path;
    rm_safe_output_t out; /* open while file is */
    int major_format; /* SF_FORMAT_WAV / FLAC / OGG / MPEG */
    int subtype;      /* SF_FORMAT_PCM_16 ... */
    SNDFILE *file;
    SF_INFO info;
    uint64_t frames;
    void *scratch; /* interleaved copy of planar input */
    size_t scratch_bytes;
} file_sink_t;

static const char *const container_values[] = {"auto", "wav", "flac", "ogg",
                                                "mp3", "opus", NULL};
static const char *const subtype_values[] = {"pcm16", "pcm24", "pcm32",
                                             "float", "double", "vorbis",
                                             NULL};

static const rm_param_spec_t sink_params[] = {
    {"path", RM_PARAM_STRING, RM_PARAM_REQUIRED | RM_PARAM_OUTPUT_PATH, NULL, 0, 0, NULL,
     "file to write; appears only when the stream completes"},
    {"format", RM_PARAM_ENUM, 0, "\"auto\"", 0, 0, container_values,
     "container: wav, flac, ogg (Vorbis), opus (Ogg Opus), mp3, or auto = "
     "from the path's extension"},
    {"subtype", RM_PARAM_ENUM, 0, "\"pcm16\"", 0, 0, subtype_values,
     "sample encoding (flac: pcm16/pcm24; ogg, opus, mp3: their own)"},
};

static const rm_port_spec_t audio_in[] = {
    {"in", RM_KIND_BIT(RM_KIND_AUDIO), "audio chunks, any format/layout"},
};
static const rm_port_spec_t sink_outputs[] = {
    {"result", RM_KIND_BIT(RM_KIND_JSON),
     "{\"path\",\"frames\",\"sample_rate\",\"channels\"} at flush"},
};

/* The container of format `name` ("auto": from the path's extension):
 * SF_FORMAT_* major format, and its only encoding for the lossy ones (0:
 * the subtype param decides). 0 when unknown. */
static int container_from_name(const char *name, const char *path,
                               int *fixed_subtype) {
    if (strcmp(name, "auto") == 0) {
        const char *dot = strrchr(path, '.');
        name = dot ? dot + 1 : "";
        if (strcasecmp(name, "oga") == 0) name = "ogg";
    }
    *fixed_subtype = 0;
    if (strcasecmp(name, "wav") == 0) return SF_FORMAT_WAV;
    if (strcasecmp(name, "flac") == 0) return SF_FORMAT_FLAC;
    if (strcasecmp(name, "ogg") == 0) {
        *fixed_subtype = SF_FORMAT_VORBIS;
        return SF_FORMAT_OGG;
    }
    if (strcasecmp(name, "opus") == 0) {
        *fixed_subtype = SF_FORMAT_OPUS;
        return SF_FORMAT_OGG;
    }
    if (strcasecmp(name, "mp3") == 0) {
        *fixed_subtype = SF_FORMAT_MPEG_LAYER_III;
        return SF_FORMAT_MPEG;
    }
    return 0;
}

static const char *container_label(int major, int subtype) {
    switch (major) {
    case SF_FORMAT_WAV: return "wav";
    case SF_FORMAT_FLAC: return "flac";
    case SF_FORMAT_OGG: return subtype == SF_FORMAT_VORBIS ? "ogg" : "opus";
    default: return "mp3";
    }
}

/* Opus encodes at these rates only (RFC 6716); libsndfile does not
 * resample. */
static int opus_rate_ok(uint32_t rate) {
    return rate == 48000 || rate == 24000 || rate == 16000 ||
           rate == 12000 || rate == 8000;
}

/* What MPEG layer III (LAME) takes: libsndfile would open the file and
 * fail with a bare "Error : ..." on rate, or "in this format" on
 * channels. */
static int mp3_rate_ok(uint32_t rate) {
    return rate == 8000 || rate == 11025 || rate == 12000 || rate == 16000 ||
           rate == 22050 || rate == 24000 || rate == 32000 || rate == 44100 ||
           rate == 48000;
}

static int subtype_from_name(const char *name) {
    if (strcmp(name, "pcm16") == 0) return SF_FORMAT_PCM_16;
    if (strcmp(name, "pcm24") == 0) return SF_FORMAT_PCM_24;
    if (strcmp(name, "pcm32") == 0) return SF_FORMAT_PCM_32;
    if (strcmp(name, "float") == 0) return SF_FORMAT_FLOAT;
    if (strcmp(name, "double") == 0) return SF_FORMAT_DOUBLE;
    if (strcmp(name, "vorbis") == 0) return SF_FORMAT_VORBIS;
    return 0;
}

static char *copy_string(const rm_host_t *host, const char *text) {
    size_t n = strlen(text) + 1;
    char *copy = host->alloc(host, n);
    if (copy) memcpy(copy, text, n);
    return copy;
}

static void sink_destroy(void *instance);

static int sink_create(const rm_host_t *host, const rm_params_t *params,
                       void **instance, rm_error_t *err) {
    const char *path = NULL, *container = "auto", *subtype_name = "pcm16";
    if (host->param_string(params, "path", &path) != RM_OK || !path || !*path)
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "path is required");
    host->param_string(params, "format", &container);
    host->param_string(params, "subtype", &subtype_name);
    int fixed = 0;
    int major = container_from_name(container, path, &fixed);
    if (!major && strcmp(path, "-") == 0)
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "path '-' (stdout) has no extension: give format "
                             "\"flac\", \"ogg\", \"opus\" or \"mp3\" (they "
                             "stream), or \"wav\" when stdout is a file");
    struct stat st;
    size_t len = strlen(path);
    if (!major && (path[len - 1] == '/' ||
                   (stat(path, &st) == 0 && S_ISDIR(st.st_mode))))
        /* What the write would say, before "no extension" misleads. */
        return rm_node_error(host, err, RM_EIO, 0, NODE_NAME,
                             "cannot write '%s': it is a directory (outputs "
                             "go to regular files, FIFOs, character devices "
                             "or '-' for stdout; give a file path in it)",
                             path);
    if (!major)
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "format \"%s\" for path '%s' is not wav, flac, "
                             "ogg, opus or mp3 (auto needs a .wav, .flac, "
                             ".ogg, .opus or .mp3 extension)",
                             container, path);
    int subtype = fixed ? fixed : subtype_from_name(subtype_name);
    SF_INFO probe = {.samplerate = 48000, .channels = 1,
                     .format = major | subtype};
    if (fixed && !sf_format_check(&probe))
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "this libsndfile (%s) cannot write %s files (MP3 "
                             "and Opus need libsndfile >= 1.1 built with "
                             "LAME / libopus)",
                             sf_version_string(),
                             container_label(major, subtype));
    if (!subtype || !sf_format_check(&probe))
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "subtype \"%s\" cannot be written in a %s file",
                             subtype_name, container_label(major, subtype));
    file_sink_t *self = host->alloc(host, sizeof *self);
    if (!self)
        return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                             "out of memory");
    memset(self, 0, sizeof *self);
    self->host = host;
    self->major_format = major;
    self->subtype = subtype;
    self->out.fd = -1;
    self->path = copy_string(host, path);
    if (!self->path) {
        sink_destroy(self);
        return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                             "out of memory");
    }
    *instance = self;
    return RM_OK;
}

static int open_file(file_sink_t *self, const rm_audio_format_t *format,
                     rm_error_t *err) {
    const rm_host_t *host = self->host;
    self->info.samplerate = (int)format->sample_rate;
    self->info.channels = format->channels;
    self->info.format = self->major_format | self->subtype;
    if (self->subtype == SF_FORMAT_OPUS && !opus_rate_ok(format->sample_rate))
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "cannot write %u Hz audio to '%s': Opus takes "
                             "48000, 24000, 16000, 12000 or 8000 Hz "
                             "(resample first, e.g. AudioResampleNode)",
                             format->sample_rate, self->path);
    if (self->major_format == SF_FORMAT_MPEG &&
        (!mp3_rate_ok(format->sample_rate) || format->channels > 2))
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "cannot write %u Hz, %u channel%s to '%s': MP3 "
                             "takes 1 or 2 channels at 8000, 11025, 12000, "
                             "16000, 22050, 24000, 32000, 44100 or 48000 Hz "
                             "(convert first, e.g. FormatConverterNode "
                             "channels=2, AudioResampleNode "
                             "target_sample_rate=48000)",
                             format->sample_rate, format->channels,
                             format->channels == 1 ? "" : "s", self->path);
    if (!sf_format_check(&self->info))
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "cannot write %u Hz, %u channels to '%s' in this "
                             "format",
                             format->sample_rate, format->channels,
                             self->path);
    char why[PATH_MAX + 256];
    if (rm_safe_output_open(&self->out, self->path, why, sizeof why) != 0)
        return rm_node_error(host, err, RM_EIO, 0, NODE_NAME,
                             "%s", why);
    if (!self->out.seekable && self->major_format == SF_FORMAT_WAV) {
        rm_safe_output_abort(&self->out);
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "cannot write WAV to '%s': it is a pipe (or "
                             "another stream that cannot seek) and a WAV "
                             "header is completed by seeking back at the "
                             "end; use format \"flac\" or \"ogg\", which "
                             "stream, or a regular file", self->path);
    }
    self->file = sf_open_fd(self->out.fd, SFM_WRITE, &self->info, SF_FALSE);
    if (!self->file) {
        rm_safe_output_abort(&self->out);
        return rm_node_error(host, err, RM_EIO, 0, NODE_NAME,
                             "cannot write '%s': %s",
                             self->path, sf_strerror(NULL));
    }
    sf_command(self->file, SFC_SET_CLIPPING, NULL, SF_TRUE);
    if (!self->out.seekable && self->major_format == SF_FORMAT_MPEG) {
        /* No seeking back to write the Xing (VBR length) frame into a
         * stream: constant bit rate, so readers can tell its length. */
        int mode = SF_BITRATE_MODE_CONSTANT;
        sf_command(self->file, SFC_SET_BITRATE_MODE, &mode, sizeof mode);
    }
    return RM_OK;
}

/* Integer subtypes get our own scaling (x32768 / x2^31, round to
 * nearest, clamp), the inverse of how libsndfile reads them back (/32768);
 * libsndfile's float writer scales by 32767 instead. Returns the format
 * the data now has. */
static uint32_t integer_target(const file_sink_t *self, uint32_t format) {
    if (format != RM_SAMPLE_F32 && format != RM_SAMPLE_F64) return format;
    if (self->subtype == SF_FORMAT_PCM_16) return RM_SAMPLE_I16;
    if (self->subtype == SF_FORMAT_PCM_24 || self->subtype == SF_FORMAT_PCM_32)
        return RM_SAMPLE_I32;
    return format;
}

static sf_count_t write_interleaved(file_sink_t *self, const void *data,
                                    uint32_t sample_format,
                                    sf_count_t frames) {
    switch (sample_format) {
    case RM_SAMPLE_I16: return sf_writef_short(self->file, data, frames);
    case RM_SAMPLE_I32: return sf_writef_int(self->file, data, frames);
    case RM_SAMPLE_F64: return sf_writef_double(self->file, data, frames);
    default: return sf_writef_float(self->file, data, frames);
    }
}

static int sink_process(void *instance, uint32_t input_port, rm_item_t *item,
                        rm_emit_t *out, rm_error_t *err) {
    file_sink_t *self = instance;
    const rm_host_t *host = self->host;
    int checked = rm_audio_item_check(host, NODE_NAME, item, err);
    if (checked) return checked;
    const rm_audio_format_t *f = &item->audio;
    size_t bytes = rm_audio_bytes(f);
    if (f->frames == 0) return RM_OK;
    if (!self->file) {
        int status = open_file(self, f, err);
        if (status) return status;
    } else if ((int)f->sample_rate != self->info.samplerate ||
               f->channels != self->info.channels) {
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "chunk of %u Hz, %u channels after %d Hz, %d "
                             "channels: '%s' needs one format",
                             f->sample_rate, f->channels,
                             self->info.samplerate, self->info.channels,
                             self->path);
    }
    const void *data = item->data;
    uint32_t write_format = integer_target(self, f->sample_format);
    rm_audio_format_t interleaved = *f;
    interleaved.layout = RM_LAYOUT_INTERLEAVED;
    interleaved.sample_format = (uint8_t)write_format;
    if ((f->layout == RM_LAYOUT_PLANAR && f->channels > 1) ||
        write_format != f->sample_format) {
        bytes = rm_audio_bytes(&interleaved) > bytes ? rm_audio_bytes(&interleaved)
                                                     : bytes;
        if (bytes > self->scratch_bytes) {
            void *grown = host->realloc(host, self->scratch, bytes);
            if (!grown)
                return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                                     "out of memory");
            self->scratch = grown;
            self->scratch_bytes = bytes;
        }
        rm_convert_audio(item->data, f, self->scratch, &interleaved);
        data = self->scratch;
    }
    sf_count_t written =
        write_interleaved(self, data, write_format, (sf_count_t)f->frames);
    if (written != (sf_count_t)f->frames)
        return rm_node_error(host, err, RM_EIO, 0, NODE_NAME,
                             "writing '%s' failed at frame %llu: %s",
                             self->path, (unsigned long long)self->frames,
                             sf_strerror(self->file));
    self->frames += f->frames;
    return RM_OK;
}

static int sink_flush(void *instance, rm_emit_t *out, rm_error_t *err) {
    file_sink_t *self = instance;
    const rm_host_t *host = self->host;
    if (self->file) {
        int close_error = sf_close(self->file);
        self->file = NULL;
        if (close_error) {
            rm_safe_output_abort(&self->out);
            return rm_node_error(host, err, RM_EIO, 0, NODE_NAME,
                                 "finishing '%s' failed: %s",
                                 self->path, sf_error_number(close_error));
        }
        char why[PATH_MAX + 256];
        if (rm_safe_output_commit(&self->out, why, sizeof why) != 0)
            return rm_node_error(host, err, RM_EIO, 0, NODE_NAME,
                                 "%s", why);
    }
    /* {"path", "frames", "sample_rate", "channels"} */
    cJSON *result = cJSON_CreateObject();
    if (result) {
        cJSON_AddStringToObject(result, "path", self->path);
        rm_json_add_number(result, "frames", (double)self->frames);
        rm_json_add_number(result, "sample_rate", self->info.samplerate);
        rm_json_add_number(result, "channels", self->info.channels);
    }
    char *json = result ? cJSON_PrintUnformatted(result) : NULL;
    cJSON_Delete(result);
    if (!json)
        return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                             "out of memory");
    size_t n = strlen(json);
    rm_item_t *item = host->item_new_json(host, json, n);
    free(json);
    if (!item)
        return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                             "out of memory");
    return host->emit(out, 0, item);
}

static void sink_destroy(void *instance) {
    file_sink_t *self = instance;
    if (!self) return;
    const rm_host_t *host = self->host;
    if (self->file) sf_close(self->file);
    /* not flushed: the run failed, leave no file */
    if (self->out.fd >= 0) rm_safe_output_abort(&self->out);
    if (self->scratch) host->free(host, self->scratch);
    if (self->path) host->free(host, self->path);
    host->free(host, self);
}

const rm_node_type_t rm_audio_file_sink_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = NODE_NAME,
    .description = "Write audio chunks to a WAV/FLAC/OGG/Opus/MP3 file, "
                   "atomically at end of stream",
    .version = "1.0.0",
    .capabilities = RM_CAP_STATEFUL | RM_CAP_STREAMING,
    .params = sink_params,
    .param_count = sizeof sink_params / sizeof sink_params[0],
    .input_count = 1,
    .inputs = audio_in,
    .outputs = sink_outputs,
    .output_count = 1,
    .create = sink_create,
    .process = sink_process,
    .flush = sink_flush,
    .destroy = sink_destroy,
};
