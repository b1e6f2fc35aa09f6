/*
 * test_audio_file.c — AudioFileSource / AudioFileSink through their
 * vtables: WAV/FLAC/OGG round trips, chunking and layouts, truncated and
 * corrupt files, the atomic write (no file under the final name after
 * a failed run), and what the sink does with a path that is a symlink, a
 * FIFO, a character device (copies made with mknod in a temp dir), "-", a
 * directory, or has a symlink planted at the old temporary name.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <remotemedia/media_duration.h>

#include "fake_host.h"
#include "file_stream.h"
#include "rm_test.h"
#include "safe_output.h"

const rm_plugin_descriptor_t *rm_plugin_entry(void);

static const rm_node_type_t *type_named(const char *name) {
    const rm_node_type_t *t = fake_find_type(rm_plugin_entry(), name);
    ASSERT_NOT_NULL(t);
    return t;
}

static char temp_dir[64];
static void make_temp_dir(void) {
    strcpy(temp_dir, "/tmp/rm-audio-file-XXXXXX");
    ASSERT_NOT_NULL(mkdtemp(temp_dir));
}
static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}
static size_t count_dir_entries(const char *dir) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    FILE *p = popen(cmd, "r");
    size_t n = 0;
    if (p && fscanf(p, "%zu", &n) != 1) n = 999;
    if (p) pclose(p);
    return n;
}

/* stereo test signal, planar f32 */
static float *stereo_signal(size_t frames, uint32_t rate) {
    float *x = malloc(frames * 2 * sizeof(float));
    for (size_t i = 0; i < frames; i++) {
        x[i] = (float)(0.5 * sin(2 * 3.14159265358979 * 440 * i / rate));
        x[frames + i] = (float)(0.25 * sin(2 * 3.14159265358979 * 660 * i / rate));
    }
    return x;
}

/* Write `x` (planar stereo) in chunks through the sink; returns flush's
 * JSON. */
static cJSON *write_file(const char *path, const char *format,
                         const char *subtype, const float *x, size_t frames,
                         uint32_t rate) {
    fake_host_t fh;
    char path_json[300];
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    const char *const params[] = {"path", path_json, "format", format,
                                  "subtype", subtype, NULL};
    if (fake_create(&fh, type_named("AudioFileSink"), params) != RM_OK)
        RM__FAIL("create: %s", fh.err.message);
    const size_t chunk = 1000;
    for (size_t at = 0; at < frames; at += chunk) {
        size_t n = frames - at < chunk ? frames - at : chunk;
        rm_item_t *in = fake_audio(&fh, rate, 2, RM_SAMPLE_F32,
                                   RM_LAYOUT_PLANAR, n, NULL);
        float *d = in->data;
        for (size_t i = 0; i < n; i++) {
            d[i] = x[at + i];
            d[n + i] = x[frames + at + i];
        }
        if (fake_process(&fh, in) != RM_OK) RM__FAIL("%s", fh.err.message);
        fake_unref(in);
        ASSERT_TRUE(!exists(path)); /* not under the final name yet */
    }
    if (fake_flush(&fh) != RM_OK) RM__FAIL("flush: %s", fh.err.message);
    ASSERT_TRUE(exists(path));
    cJSON *j = cJSON_Parse(fake_emitted_on(&fh, 0, 0)->data);
    fake_destroy(&fh);
    return j;
}

/* Read the whole file back as planar f32 through the source. */
static float *read_file(const char *path, double chunk_seconds,
                        size_t *frames_out, uint32_t *rate_out,
                        size_t *items_out) {
    fake_host_t fh;
    char path_json[300], chunk_json[32];
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    snprintf(chunk_json, sizeof chunk_json, "%g", chunk_seconds);
    const char *const params[] = {"path", path_json, "chunk_seconds",
                                  chunk_json, NULL};
    if (fake_create(&fh, type_named("AudioFileSource"), params) != RM_OK)
        RM__FAIL("create: %s", fh.err.message);
    int finished = 0;
    for (int guard = 0; !finished && guard < 100000; guard++)
        if (fake_generate(&fh, &finished) != RM_OK)
            RM__FAIL("generate: %s", fh.err.message);
    size_t total = 0, items = fake_count_on(&fh, 0);
    for (size_t k = 0; k < items; k++)
        total += fake_emitted_on(&fh, 0, k)->audio.frames;
    float *x = malloc(total * 2 * sizeof(float));
    size_t at = 0;
    for (size_t k = 0; k < items; k++) {
        rm_item_t *it = fake_emitted_on(&fh, 0, k);
        ASSERT_EQ_INT(it->audio.channels, 2);
        ASSERT_EQ_INT(it->audio.layout, RM_LAYOUT_PLANAR);
        ASSERT_EQ_INT(it->audio.sample_format, RM_SAMPLE_F32);
        size_t n = (size_t)it->audio.frames;
        const float *d = it->data;
        for (size_t i = 0; i < n; i++) {
            x[at + i] = d[i];
            x[total + at + i] = d[n + i];
        }
        at += n;
        *rate_out = it->audio.sample_rate;
    }
    fake_destroy(&fh);
    *frames_out = total;
    *items_out = items;
    return x;
}

static double snr_db(const float *ref, const float *got, size_t n) {
    double s = 0, e = 0;
    for (size_t i = 0; i < n; i++) {
        s += (double)ref[i] * ref[i];
        e += ((double)got[i] - ref[i]) * ((double)got[i] - ref[i]);
    }
    return e > 0 ? 10 * log10(s / e) : 400;
}

static void round_trip(const char *name, const char *format,
                       const char *subtype, double max_error,
                       double min_snr) {
    make_temp_dir();
    char path[256];
    snprintf(path, sizeof path, "%s/%s", temp_dir, name);
    const uint32_t rate = 44100;
    const size_t frames = 44100 + 777;
    float *x = stereo_signal(frames, rate);
    cJSON *j = write_file(path, format, subtype, x, frames, rate);
    ASSERT_NOT_NULL(j);
    ASSERT_STR_EQ(cJSON_GetObjectItem(j, "path")->valuestring, path);
    ASSERT_EQ_INT(cJSON_GetObjectItem(j, "frames")->valuedouble, frames);
    ASSERT_EQ_INT(cJSON_GetObjectItem(j, "sample_rate")->valuedouble, rate);
    ASSERT_EQ_INT(cJSON_GetObjectItem(j, "channels")->valuedouble, 2);
    cJSON_Delete(j);
    size_t got_frames = 0, items = 0;
    uint32_t got_rate = 0;
    float *y = read_file(path, 0.1, &got_frames, &got_rate, &items);
    ASSERT_EQ_INT(got_frames, frames);
    ASSERT_EQ_INT(got_rate, rate);
    ASSERT_EQ_INT(items, (frames + 4409) / 4410); /* 0.1 s chunks */
    double worst = 0;
    for (size_t i = 0; i < frames * 2; i++)
        if (fabs((double)x[i] - y[i]) > worst) worst = fabs((double)x[i] - y[i]);
    double snr = snr_db(x, y, frames * 2);
    printf("  %s: max error %.3g, SNR %.1f dB\n", name, worst, snr);
    ASSERT_TRUE(worst <= max_error);
    ASSERT_TRUE(snr >= min_snr);
    ASSERT_EQ_INT(count_dir_entries(temp_dir), 1); /* no temp file left */
    unlink(path);
    rmdir(temp_dir);
    free(x);
    free(y);
}

RM_TEST(wav_pcm16_round_trip) { round_trip("a.wav", "\"auto\"", "\"pcm16\"", 0.50001 / 32768, 85); }
RM_TEST(wav_float_round_trip) { round_trip("a.wav", "\"wav\"", "\"float\"", 0, 400); }
RM_TEST(flac_pcm24_round_trip) { round_trip("a.flac", "\"auto\"", "\"pcm24\"", 1.0 / 8388608, 130); }
RM_TEST(ogg_vorbis_round_trip) { round_trip("a.ogg", "\"auto\"", "\"pcm16\"", 0.05, 25); }

RM_TEST(source_formats_and_layouts) {
    make_temp_dir();
    char path[256];
    snprintf(path, sizeof path, "%s/b.wav", temp_dir);
    float *x = stereo_signal(1000, 8000);
    cJSON_Delete(write_file(path, "\"auto\"", "\"pcm16\"", x, 1000, 8000));
    fake_host_t fh;
    char path_json[300];
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    const char *const params[] = {"path", path_json, "format", "\"i16\"",
                                  "layout", "\"interleaved\"",
                                  "chunk_seconds", "0.001", NULL};
    ASSERT_EQ_INT(fake_create(&fh, type_named("AudioFileSource"), params), RM_OK);
    int finished = 0;
    ASSERT_EQ_INT(fake_generate(&fh, &finished), RM_OK);
    rm_item_t *it = fake_emitted_on(&fh, 0, 0);
    ASSERT_EQ_INT(it->audio.frames, 8); /* 1 ms at 8 kHz */
    ASSERT_EQ_INT(it->audio.layout, RM_LAYOUT_INTERLEAVED);
    ASSERT_EQ_INT(it->audio.sample_format, RM_SAMPLE_I16);
    const int16_t *s = it->data;
    ASSERT_EQ_INT(s[2], lrint(x[1] * 32768.0)); /* frame 1, left */
    ASSERT_EQ_INT(s[3], lrint(x[1001] * 32768.0)); /* frame 1, right */
    fake_destroy(&fh);
    unlink(path);
    rmdir(temp_dir);
    free(x);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(truncated_file_names_file_and_frame) {
    make_temp_dir();
    char path[256];
    snprintf(path, sizeof path, "%s/cut.wav", temp_dir);
    float *x = stereo_signal(8000, 8000);
    cJSON_Delete(write_file(path, "\"auto\"", "\"pcm16\"", x, 8000, 8000));
    ASSERT_EQ_INT(truncate(path, 44 + 3000 * 4), 0); /* 3000 of 8000 frames */
    fake_host_t fh;
    char path_json[300];
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    const char *const params[] = {"path", path_json, "chunk_seconds", "0.25",
                                  NULL};
    int status = fake_create(&fh, type_named("AudioFileSource"), params);
    if (status == RM_OK) {
        int finished = 0;
        for (int guard = 0; guard < 100 && status == RM_OK && !finished; guard++)
            status = fake_generate(&fh, &finished);
    }
    ASSERT_EQ_INT(status, RM_EIO);
    ASSERT_STR_STARTS_WITH(fh.err.message,
                           "node 'node_under_test' (AudioFileSource): ");
    ASSERT_STR_CONTAINS(fh.err.message, path);
    ASSERT_STR_CONTAINS(fh.err.message, "frame 3000");
    fake_destroy(&fh);
    unlink(path);
    rmdir(temp_dir);
    free(x);
}

RM_TEST(corrupt_and_missing_files_name_the_file) {
    make_temp_dir();
    char path[256], path_json[300];
    snprintf(path, sizeof path, "%s/garbage.wav", temp_dir);
    FILE *f = fopen(path, "wb");
    fputs("RIFF....WAVEjunkjunkjunkjunkjunkjunk", f);
    fclose(f);
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    const char *const params[] = {"path", path_json, NULL};
    fake_host_t fh;
    ASSERT_EQ_INT(fake_create(&fh, type_named("AudioFileSource"), params), RM_EIO);
    ASSERT_STR_CONTAINS(fh.err.message, path);
    unlink(path);
    ASSERT_EQ_INT(fake_create(&fh, type_named("AudioFileSource"), params), RM_EIO);
    ASSERT_STR_CONTAINS(fh.err.message, "cannot open");
    rmdir(temp_dir);
    ASSERT_EQ_INT(fake_live_items, 0);
}

/* The media-duration extension (what `rmrun --batch` reports as audio_s):
 * the header's length, for WAV and FLAC alike; -1 for a missing or
 * corrupt file and for standard input. */
RM_TEST(source_tells_a_file_s_duration) {
    const rm_node_type_t *type = type_named("AudioFileSource");
    ASSERT_NOT_NULL(type->get_extension);
    const rm_media_duration_t *d = type->get_extension(RM_MEDIA_DURATION_ID);
    ASSERT_NOT_NULL(d);
    ASSERT_EQ_INT(d->struct_size, sizeof(rm_media_duration_t));
    ASSERT_TRUE(type->get_extension("remotemedia.no-such/1") == NULL);
    make_temp_dir();
    char wav[256], flac[256], junk[256];
    snprintf(wav, sizeof wav, "%s/d.wav", temp_dir);
    snprintf(flac, sizeof flac, "%s/d.flac", temp_dir);
    snprintf(junk, sizeof junk, "%s/junk.wav", temp_dir);
    float *x = stereo_signal(12000, 8000);
    cJSON_Delete(write_file(wav, "\"auto\"", "\"pcm16\"", x, 12000, 8000));
    cJSON_Delete(write_file(flac, "\"auto\"", "\"pcm16\"", x, 12000, 8000));
    ASSERT_TRUE(fabs(d->seconds(wav) - 1.5) < 1e-12);
    ASSERT_TRUE(fabs(d->seconds(flac) - 1.5) < 1e-12);
    FILE *f = fopen(junk, "wb");
    ASSERT_NOT_NULL(f);
    fputs("RIFF....WAVEjunkjunkjunkjunkjunkjunk", f);
    fclose(f);
    ASSERT_TRUE(d->seconds(junk) < 0);
    unlink(wav);
    ASSERT_TRUE(d->seconds(wav) < 0);
    ASSERT_TRUE(d->seconds("-") < 0);
    unlink(flac);
    unlink(junk);
    rmdir(temp_dir);
    free(x);
}

RM_TEST(failed_run_leaves_no_file) {
    make_temp_dir();
    char path[256], path_json[300];
    snprintf(path, sizeof path, "%s/never.flac", temp_dir);
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    const char *const params[] = {"path", path_json, NULL};
    fake_host_t fh;
    ASSERT_EQ_INT(fake_create(&fh, type_named("AudioFileSink"), params), RM_OK);
    rm_item_t *in = fake_audio(&fh, 16000, 1, RM_SAMPLE_F32, RM_LAYOUT_PLANAR,
                               1600, NULL);
    ASSERT_EQ_INT(fake_process(&fh, in), RM_OK);
    ASSERT_EQ_INT(count_dir_entries(temp_dir), 1); /* the temp file */
    ASSERT_TRUE(!exists(path));
    /* a chunk in another format fails the run ... */
    in->audio.sample_rate = 8000;
    ASSERT_EQ_INT(fake_process(&fh, in), RM_EINVAL);
    ASSERT_STR_STARTS_WITH(fh.err.message,
                           "node 'node_under_test' (AudioFileSink): ");
    ASSERT_STR_CONTAINS(fh.err.message, path);
    /* ... and destroy without flush removes everything */
    fake_destroy(&fh);
    ASSERT_TRUE(!exists(path));
    ASSERT_EQ_INT(count_dir_entries(temp_dir), 0);
    fake_unref(in);
    rmdir(temp_dir);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(sink_param_errors) {
    fake_host_t fh;
    const char *const no_ext[] = {"path", "\"/tmp/x.aiff\"", NULL};
    ASSERT_EQ_INT(fake_create(&fh, type_named("AudioFileSink"), no_ext), RM_EINVAL);
    ASSERT_STR_CONTAINS(fh.err.message, "format");
    const char *const flac_float[] = {"path", "\"/tmp/x.flac\"", "subtype",
                                      "\"float\"", NULL};
    ASSERT_EQ_INT(fake_create(&fh, type_named("AudioFileSink"), flac_float),
                  RM_EINVAL);
    ASSERT_STR_CONTAINS(fh.err.message, "subtype");
    const char *const no_path[] = {"path", "\"\"", NULL};
    ASSERT_EQ_INT(fake_create(&fh, type_named("AudioFileSource"), no_path),
                  RM_EINVAL);
    ASSERT_STR_CONTAINS(fh.err.message, "path");
}

/* ---- what is at the output path: never replaced unless a regular file -- */

/* Runs the sink on 0.25 s of stereo audio at `path` (JSON string param
 * text built here). Returns create/process/flush's first failure status;
 * the message is in `message`. */
static int sink_once(const char *path, const char *format, char *message,
                     size_t message_size) {
    fake_host_t fh;
    char path_json[600];
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    const char *const params[] = {"path", path_json, "format", format, NULL};
    message[0] = '\0';
    int status = fake_create(&fh, type_named("AudioFileSink"), params);
    if (status != RM_OK) {
        snprintf(message, message_size, "%s", fh.err.message);
        return status;
    }
    rm_item_t *in = fake_audio(&fh, 16000, 2, RM_SAMPLE_F32,
                               RM_LAYOUT_PLANAR, 4000, NULL);
    memset(in->data, 0, in->size);
    status = fake_process(&fh, in);
    fake_unref(in);
    if (status == RM_OK) status = fake_flush(&fh);
    if (status != RM_OK) snprintf(message, message_size, "%s", fh.err.message);
    fake_destroy(&fh);
    return status;
}

static mode_t lstat_type(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) return 0;
    return st.st_mode & S_IFMT;
}

static size_t file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

static void write_text_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    ASSERT_NOT_NULL(f);
    fputs(text, f);
    fclose(f);
}

static void remove_temp_dir(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", temp_dir);
    ASSERT_EQ_INT(system(cmd), 0);
}

RM_TEST(sink_follows_symlink_to_its_target) {
    make_temp_dir();
    char real[256], link[256], dangling[256], created[256], msg[4096];
    snprintf(real, sizeof real, "%s/real.wav", temp_dir);
    snprintf(link, sizeof link, "%s/link.wav", temp_dir);
    snprintf(dangling, sizeof dangling, "%s/dangling.wav", temp_dir);
    snprintf(created, sizeof created, "%s/sub-new.wav", temp_dir);
    write_text_file(real, "old");
    ASSERT_EQ_INT(symlink("real.wav", link), 0); /* relative, like ln -s */
    ASSERT_EQ_INT(sink_once(link, "\"auto\"", msg, sizeof msg), RM_OK);
    ASSERT_EQ_INT(lstat_type(link), S_IFLNK); /* still the link */
    ASSERT_EQ_INT(lstat_type(real), S_IFREG);
    size_t frames = 0, items = 0;
    uint32_t rate = 0;
    float *y = read_file(real, 1, &frames, &rate, &items);
    ASSERT_EQ_INT(frames, 4000); /* the target got the audio */
    free(y);
    /* a dangling link: its target is created, the link stays */
    ASSERT_EQ_INT(symlink(created, dangling), 0);
    ASSERT_EQ_INT(sink_once(dangling, "\"wav\"", msg, sizeof msg), RM_OK);
    ASSERT_EQ_INT(lstat_type(dangling), S_IFLNK);
    ASSERT_EQ_INT(lstat_type(created), S_IFREG);
    ASSERT_TRUE(file_size(created) > 4000 * 4);
    ASSERT_EQ_INT(count_dir_entries(temp_dir), 4); /* no temporaries */
    remove_temp_dir();
    ASSERT_EQ_INT(fake_live_items, 0);
}

/* Reads a FIFO (or pipe) to the end into `data`. */
typedef struct reader {
    const char *path; /* NULL: read fd */
    int fd;
    unsigned char data[65536];
    size_t size;
} reader_t;

static void *read_all(void *arg) {
    reader_t *r = arg;
    int fd = r->path ? open(r->path, O_RDONLY) : r->fd;
    if (fd < 0) return NULL;
    ssize_t n;
    while ((n = read(fd, r->data + r->size, sizeof r->data - r->size)) > 0)
        r->size += (size_t)n;
    if (r->path) close(fd);
    return NULL;
}

RM_TEST(sink_writes_fifo_as_a_stream) {
    make_temp_dir();
    char fifo[256], msg[4096];
    snprintf(fifo, sizeof fifo, "%s/out.flac", temp_dir);
    ASSERT_EQ_INT(mkfifo(fifo, 0600), 0);
    static reader_t r;
    memset(&r, 0, sizeof r);
    r.path = fifo;
    pthread_t reader;
    ASSERT_EQ_INT(pthread_create(&reader, NULL, read_all, &r), 0);
    ASSERT_EQ_INT(sink_once(fifo, "\"auto\"", msg, sizeof msg), RM_OK);
    pthread_join(reader, NULL);
    ASSERT_EQ_INT(lstat_type(fifo), S_IFIFO); /* not replaced */
    ASSERT_TRUE(r.size > 4 && memcmp(r.data, "fLaC", 4) == 0);
    /* WAV cannot stream (its header is finished by a seek): refused, with
     * the path and the way out, and the FIFO is left alone. */
    memset(&r, 0, sizeof r);
    r.path = fifo;
    ASSERT_EQ_INT(pthread_create(&reader, NULL, read_all, &r), 0);
    ASSERT_EQ_INT(sink_once(fifo, "\"wav\"", msg, sizeof msg), RM_EINVAL);
    pthread_join(reader, NULL);
    ASSERT_STR_CONTAINS(msg, fifo);
    ASSERT_STR_CONTAINS(msg, "cannot write WAV");
    ASSERT_STR_CONTAINS(msg, "flac");
    ASSERT_EQ_INT(lstat_type(fifo), S_IFIFO);
    ASSERT_EQ_INT(count_dir_entries(temp_dir), 1);
    remove_temp_dir();
    ASSERT_EQ_INT(fake_live_items, 0);
}

/* libsndfile guesses a headerless file's format from its extension (VOX
 * ADPCM, 8 kHz mono for .vox: two frames a byte): the source, which
 * hands libsndfile a descriptor, still reads what libsndfile reads by
 * path. */
RM_TEST(source_reads_a_format_named_by_its_extension) {
    make_temp_dir();
    char path[256], path_json[300];
    snprintf(path, sizeof path, "%s/headerless.vox", temp_dir);
    FILE *f = fopen(path, "wb");
    ASSERT_NOT_NULL(f);
    for (int i = 0; i < 4000; i++) fputc((i * 37) & 0x7f, f);
    fclose(f);
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    const char *const params[] = {"path", path_json, "decoder", "\"sndfile\"",
                                  NULL};
    fake_host_t fh;
    if (fake_create(&fh, type_named("AudioFileSource"), params) != RM_OK)
        RM__FAIL("create: %s", fh.err.message);
    int finished = 0;
    if (fake_generate(&fh, &finished) != RM_OK)
        RM__FAIL("generate: %s", fh.err.message);
    rm_item_t *it = fake_emitted_on(&fh, 0, 0);
    ASSERT_EQ_INT(it->audio.sample_rate, 8000);
    ASSERT_EQ_INT(it->audio.channels, 1);
    ASSERT_EQ_INT(it->audio.frames, 8000);
    fake_destroy(&fh);
    remove_temp_dir();
    ASSERT_EQ_INT(fake_live_items, 0);
}

/* Writes the file `path` into the FIFO `fifo` (opened for writing, so
 * it blocks until the source opens it for reading). */
typedef struct feeder {
    const char *path, *fifo;
} feeder_t;

static void *feed(void *arg) {
    feeder_t *f = arg;
    FILE *in = fopen(f->path, "rb");
    int out = open(f->fifo, O_WRONLY);
    char buf[4096];
    size_t n;
    while (in && out >= 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (write(out, buf, n) != (ssize_t)n) break;
    if (in) fclose(in);
    if (out >= 0) close(out);
    return NULL;
}

/* A FIFO input with decoder "auto": opened once (by the source), declined
 * unread by the libFLAC reader, read by libsndfile as a stream — every
 * byte its writer sent, not the file minus a sniffed signature. */
RM_TEST(source_reads_a_fifo_whole) {
    make_temp_dir();
    char wav[256], fifo[256];
    snprintf(wav, sizeof wav, "%s/src.wav", temp_dir);
    snprintf(fifo, sizeof fifo, "%s/in.wav", temp_dir);
    float *x = stereo_signal(5000, 8000);
    cJSON_Delete(write_file(wav, "\"auto\"", "\"pcm16\"", x, 5000, 8000));
    ASSERT_EQ_INT(mkfifo(fifo, 0600), 0);
    feeder_t f = {wav, fifo};
    pthread_t writer;
    ASSERT_EQ_INT(pthread_create(&writer, NULL, feed, &f), 0);
    size_t frames = 0, items = 0;
    uint32_t rate = 0;
    float *got = read_file(fifo, 0.25, &frames, &rate, &items);
    pthread_join(writer, NULL);
    ASSERT_EQ_INT(frames, 5000);
    ASSERT_EQ_INT(rate, 8000);
    ASSERT_TRUE(fabs(got[1234] - x[1234]) < 1e-4);
    free(got);
    free(x);
    remove_temp_dir();
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(sink_writes_character_devices_through) {
    make_temp_dir();
    char null_dev[256], full_dev[256], msg[4096];
    snprintf(null_dev, sizeof null_dev, "%s/null", temp_dir);
    snprintf(full_dev, sizeof full_dev, "%s/full", temp_dir);
    /* Copies of /dev/null and /dev/full in the temp dir (needs root or
     * CAP_MKNOD; the real /dev is never touched). */
    if (mknod(null_dev, S_IFCHR | 0666, makedev(1, 3)) != 0 ||
        mknod(full_dev, S_IFCHR | 0666, makedev(1, 7)) != 0) {
        printf("  skipped: mknod needs root (%s)\n", strerror(errno));
        remove_temp_dir();
        return;
    }
    ASSERT_EQ_INT(sink_once(null_dev, "\"wav\"", msg, sizeof msg), RM_OK);
    ASSERT_EQ_INT(lstat_type(null_dev), S_IFCHR); /* still the device */
    /* a device that fails writes (a full disk): the error names the
     * user's path, no temporary, and the device stays */
    ASSERT_EQ_INT(sink_once(full_dev, "\"flac\"", msg, sizeof msg), RM_EIO);
    ASSERT_STR_CONTAINS(msg, full_dev);
    ASSERT_TRUE(strstr(msg, ".rmtmp") == NULL);
    ASSERT_EQ_INT(lstat_type(full_dev), S_IFCHR);
    ASSERT_EQ_INT(count_dir_entries(temp_dir), 2);
    remove_temp_dir();
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(sink_dash_writes_stdout) {
    make_temp_dir();
    char msg[4096], file[256];
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    ASSERT_TRUE(saved >= 0);
    /* stdout a pipe: FLAC streams */
    int fds[2];
    ASSERT_EQ_INT(pipe(fds), 0);
    static reader_t r;
    memset(&r, 0, sizeof r);
    r.fd = fds[0];
    pthread_t reader;
    ASSERT_EQ_INT(pthread_create(&reader, NULL, read_all, &r), 0);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[1]);
    int status = sink_once("-", "\"flac\"", msg, sizeof msg);
    dup2(saved, STDOUT_FILENO); /* the pipe's last writer closes: EOF */
    pthread_join(reader, NULL);
    close(fds[0]);
    ASSERT_EQ_INT(status, RM_OK);
    ASSERT_TRUE(r.size > 4 && memcmp(r.data, "fLaC", 4) == 0);
    /* stdout a file: WAV works too (it can seek), and no file named "-" */
    snprintf(file, sizeof file, "%s/stdout.wav", temp_dir);
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_TRUE(fd >= 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    status = sink_once("-", "\"wav\"", msg, sizeof msg);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    ASSERT_EQ_INT(status, RM_OK);
    size_t frames = 0, items = 0;
    uint32_t rate = 0;
    float *y = read_file(file, 1, &frames, &rate, &items);
    ASSERT_EQ_INT(frames, 4000);
    free(y);
    ASSERT_TRUE(!exists("-"));
    /* "-" has no extension to choose the format by */
    ASSERT_EQ_INT(sink_once("-", "\"auto\"", msg, sizeof msg), RM_EINVAL);
    ASSERT_STR_CONTAINS(msg, "'-' (stdout)");
    ASSERT_STR_CONTAINS(msg, "flac");
    remove_temp_dir();
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(sink_refuses_a_directory_and_leaves_it) {
    make_temp_dir();
    char sub[256], msg[4096];
    snprintf(sub, sizeof sub, "%s/out.wav", temp_dir);
    ASSERT_EQ_INT(mkdir(sub, 0700), 0);
    ASSERT_NE_INT(sink_once(sub, "\"auto\"", msg, sizeof msg), RM_OK);
    ASSERT_STR_CONTAINS(msg, sub);
    ASSERT_STR_CONTAINS(msg, "directory");
    ASSERT_EQ_INT(lstat_type(sub), S_IFDIR);
    remove_temp_dir();
    ASSERT_EQ_INT(fake_live_items, 0);
}

/* The old temporary name was "<path>.tmp-<pid>": a symlink planted there
 * (and at every name a guess could give) is never followed. */
RM_TEST(sink_never_follows_a_planted_temp_symlink) {
    make_temp_dir();
    char out[256], victim[256], planted[300], msg[4096];
    snprintf(out, sizeof out, "%s/out.wav", temp_dir);
    snprintf(victim, sizeof victim, "%s/victim", temp_dir);
    snprintf(planted, sizeof planted, "%s.tmp-%ld", out, (long)getpid());
    write_text_file(victim, "precious");
    ASSERT_EQ_INT(symlink(victim, planted), 0);
    ASSERT_EQ_INT(sink_once(out, "\"auto\"", msg, sizeof msg), RM_OK);
    char text[32] = {0};
    FILE *f = fopen(victim, "r");
    ASSERT_NOT_NULL(f);
    ASSERT_TRUE(fgets(text, sizeof text, f) != NULL);
    fclose(f);
    ASSERT_STR_EQ(text, "precious");
    ASSERT_EQ_INT(lstat_type(planted), S_IFLNK);
    ASSERT_EQ_INT(lstat_type(out), S_IFREG);
    ASSERT_EQ_INT(count_dir_entries(temp_dir), 3);
    remove_temp_dir();
    ASSERT_EQ_INT(fake_live_items, 0);
}

/* The module itself: O_EXCL temporaries with unpredictable names, and
 * the stale sweep removes only dead processes' temporaries. */
RM_TEST(safe_output_temporaries) {
    make_temp_dir();
    char path[256], why[512];
    snprintf(path, sizeof path, "%s/x.json", temp_dir);
    rm_safe_output_t a, b;
    ASSERT_EQ_INT(rm_safe_output_open(&a, path, why, sizeof why), 0);
    ASSERT_EQ_INT(rm_safe_output_open(&b, path, why, sizeof why), 0);
    ASSERT_TRUE(strcmp(a.temp, b.temp) != 0); /* random part differs */
    ASSERT_STR_CONTAINS(a.temp, RM_SAFE_OUTPUT_PREFIX);
    ASSERT_EQ_INT(write(a.fd, "{}", 2), 2);
    ASSERT_EQ_INT(rm_safe_output_commit(&a, why, sizeof why), 0);
    rm_safe_output_abort(&b);
    ASSERT_EQ_INT(file_size(path), 2);
    ASSERT_EQ_INT(count_dir_entries(temp_dir), 1);
    /* a dead process's temporary, a live one's (ours), and a user file
     * that only looks similar */
    pid_t child = fork();
    if (child == 0) _exit(0);
    ASSERT_TRUE(child > 0);
    ASSERT_EQ_INT(waitpid(child, NULL, 0), child);
    char dead[300], live[300], other[300];
    snprintf(dead, sizeof dead, "%s/" RM_SAFE_OUTPUT_PREFIX "%ld-00ff.a.wav",
             temp_dir, (long)child);
    snprintf(live, sizeof live, "%s/" RM_SAFE_OUTPUT_PREFIX "%ld-00ff.b.wav",
             temp_dir, (long)getpid());
    snprintf(other, sizeof other, "%s/" RM_SAFE_OUTPUT_PREFIX "notes",
             temp_dir);
    write_text_file(dead, "x");
    write_text_file(live, "x");
    write_text_file(other, "x");
    ASSERT_EQ_INT(rm_safe_output_clean_stale(temp_dir), 1);
    ASSERT_TRUE(!exists(dead));
    ASSERT_TRUE(exists(live) && exists(other));
    remove_temp_dir();
}

/* file_stream.c: libsndfile over the buffered stream reads the same
 * frames as sf_open, also after seeks (back and forward, past the stdio
 * buffer), and its length and positions are the file's. */
RM_TEST(file_stream_reads_what_sf_open_reads) {
    make_temp_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/long.wav", temp_dir);
    const sf_count_t frames = 200000; /* 800 KB: > 3 stdio buffers */
    SF_INFO info = {.samplerate = 48000, .channels = 2,
                    .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *w = sf_open(path, SFM_WRITE, &info);
    ASSERT_NOT_NULL(w);
    short *pcm = malloc((size_t)frames * 2 * sizeof *pcm);
    ASSERT_NOT_NULL(pcm);
    for (sf_count_t i = 0; i < frames * 2; i++) pcm[i] = (short)(i * 7919);
    ASSERT_EQ_INT(sf_writef_short(w, pcm, frames), frames);
    sf_close(w);

    int fd = open(path, O_RDONLY);
    ASSERT_TRUE(fd >= 0);
    rm_file_stream_t *stream = rm_file_stream_open(fd);
    ASSERT_NOT_NULL(stream);
    close(fd); /* the stream has its own duplicate */
    SF_INFO got_info = {0};
    SNDFILE *f = sf_open_virtual(&rm_file_stream_vio, SFM_READ, &got_info,
                                 stream);
    ASSERT_NOT_NULL(f);
    struct stat st;
    ASSERT_EQ_INT(stat(path, &st), 0);
    ASSERT_EQ_INT(rm_file_stream_vio.get_filelen(stream), st.st_size);
    ASSERT_EQ_INT(got_info.frames, frames);
    ASSERT_EQ_INT(got_info.channels, 2);
    short piece[2 * 1000];
    const sf_count_t at[] = {0, 150000, 10, 199000, 70000};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        ASSERT_EQ_INT(sf_seek(f, at[k], SEEK_SET), at[k]);
        ASSERT_EQ_INT(sf_readf_short(f, piece, 1000), 1000);
        ASSERT_TRUE(memcmp(piece, pcm + 2 * at[k], sizeof piece) == 0);
    }
    /* to the end in small reads, as 20 ms chunks are read */
    ASSERT_EQ_INT(sf_seek(f, 0, SEEK_SET), 0);
    sf_count_t total = 0, n;
    while ((n = sf_readf_short(f, piece, 960)) > 0) {
        ASSERT_TRUE(memcmp(piece, pcm + 2 * total, (size_t)n * 4) == 0);
        total += n;
    }
    ASSERT_EQ_INT(total, frames);
    sf_close(f);
    rm_file_stream_close(stream);
    free(pcm);

    errno = 0;
    ASSERT_TRUE(rm_file_stream_open(-1) == NULL);
    ASSERT_EQ_INT(errno, EBADF);
    /* a FIFO is left to libsndfile's pipe handling (no length to seek in) */
    char fifo[160];
    snprintf(fifo, sizeof fifo, "%s/fifo", temp_dir);
    ASSERT_EQ_INT(mkfifo(fifo, 0600), 0);
    int keep_open = open(fifo, O_RDWR); /* so opening it does not block */
    ASSERT_TRUE(keep_open >= 0);
    errno = 0;
    ASSERT_TRUE(rm_file_stream_open(keep_open) == NULL);
    ASSERT_EQ_INT(errno, ESPIPE);
    close(keep_open);
    unlink(fifo);
    rm_file_stream_close(NULL);
    unlink(path);
    rmdir(temp_dir);
}

RM_TEST_LIST(RM_TEST_ENTRY(wav_pcm16_round_trip),
             RM_TEST_ENTRY(file_stream_reads_what_sf_open_reads),
             RM_TEST_ENTRY(wav_float_round_trip),
             RM_TEST_ENTRY(flac_pcm24_round_trip),
             RM_TEST_ENTRY(ogg_vorbis_round_trip),
             RM_TEST_ENTRY(source_formats_and_layouts),
             RM_TEST_ENTRY(truncated_file_names_file_and_frame),
             RM_TEST_ENTRY(corrupt_and_missing_files_name_the_file),
             RM_TEST_ENTRY(source_tells_a_file_s_duration),
             RM_TEST_ENTRY(failed_run_leaves_no_file),
             RM_TEST_ENTRY(sink_param_errors),
             RM_TEST_ENTRY(sink_follows_symlink_to_its_target),
             RM_TEST_ENTRY(sink_writes_fifo_as_a_stream),
             RM_TEST_ENTRY(source_reads_a_fifo_whole),
             RM_TEST_ENTRY(source_reads_a_format_named_by_its_extension),
             RM_TEST_ENTRY(sink_writes_character_devices_through),
             RM_TEST_ENTRY(sink_dash_writes_stdout),
             RM_TEST_ENTRY(sink_refuses_a_directory_and_leaves_it),
             RM_TEST_ENTRY(sink_never_follows_a_planted_temp_symlink),
             RM_TEST_ENTRY(safe_output_temporaries))
