/*
 * test_flac_reader.c — AudioFileSource's libFLAC reader (reader_flac.c)
 * gives what the libsndfile reader gave, bit for bit: every bit depth
 * libsndfile reads (8, 16, 24), 1..3 channels, every sample format and
 * layout, reads that cut FLAC blocks anywhere; through the source, the
 * items of decoder "auto" (libFLAC) equal those of decoder "sndfile".
 * What it declines (not FLAC, standard input, a FIFO) goes on to libsndfile, and a
 * cut-off FLAC file is an error naming the file and the frame.
 * The libsndfile reader hands integer PCM wanted as f32 over as integers
 * (the source converts them): what the source gives equals libsndfile's
 * own float conversion, bit for bit.
 */
#include <fcntl.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convert.h"
#include "fake_host.h"
#include "reader.h"
#include "rm_test.h"

const rm_plugin_descriptor_t *rm_plugin_entry(void);

static char temp_dir[64];

/* A file of `frames` frames in `container` (SF_FORMAT_FLAC, _WAV, ...):
 * tones plus noise (so a FLAC encoder uses residuals of every size), full
 * scale peaks and silence at the end. */
static void write_audio(const char *path, int container, int bits,
                        int channels, size_t frames) {
    SF_INFO info = {0};
    info.samplerate = 22050;
    info.channels = channels;
    int byte = container == SF_FORMAT_WAV ? SF_FORMAT_PCM_U8 /* WAV's 8 bit */
                                          : SF_FORMAT_PCM_S8;
    info.format = container | (bits == 8    ? byte
                               : bits == 16 ? SF_FORMAT_PCM_16
                               : bits == 24 ? SF_FORMAT_PCM_24
                                            : SF_FORMAT_PCM_32);
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    ASSERT_NOT_NULL(f);
    int *x = malloc(frames * (size_t)channels * sizeof *x);
    uint32_t seed = 12345;
    for (size_t i = 0; i < frames; i++)
        for (int c = 0; c < channels; c++) {
            seed = seed * 1664525u + 1013904223u;
            double v = 0.6 * sin(0.01 * (double)i * (c + 1)) +
                       0.3 * ((double)(seed >> 8) / 16777216.0 - 0.5);
            if (i == 100) v = c ? -1.0 : 0.99999;
            if (i > frames - 500) v = 0;
            x[i * (size_t)channels + (size_t)c] = (int)lrint(v * 2147483647.0);
        }
    ASSERT_EQ_INT(sf_writef_int(f, x, (sf_count_t)frames), (sf_count_t)frames);
    sf_close(f);
    free(x);
}

static void write_flac(const char *path, int bits, int channels,
                       size_t frames) {
    write_audio(path, SF_FORMAT_FLAC, bits, channels, frames);
}

static const uint32_t formats[] = {RM_SAMPLE_F32, RM_SAMPLE_I16,
                                   RM_SAMPLE_I32, RM_SAMPLE_F64};

/* The whole file through `ops`, `chunk` frames a call, interleaved. */
static unsigned char *read_all(const rm_reader_ops_t *ops, const char *path,
                               uint32_t format, uint32_t layout, size_t chunk,
                               size_t *frames_out, uint32_t *channels_out) {
    rm_reader_info_t info = {0};
    char why[512] = "";
    int fd = open(path, O_RDONLY | O_CLOEXEC); /* as the source hands it */
    ASSERT_TRUE(fd >= 0);
    rm_reader_t *r = ops->open(path, fd, format, layout, &info, why,
                               sizeof why);
    if (!r) RM__FAIL("%s cannot open %s: %s", ops->name, path, why);
    size_t width = rm_sample_size(format) * info.channels;
    size_t total = (size_t)info.frames;
    unsigned char *all = malloc(total * width + 1);
    unsigned char *part = malloc(chunk * width);
    /* A reader may deliver its own sample format; the source converts. */
    unsigned char *own = malloc(chunk * info.channels *
                                rm_sample_size(info.sample_format));
    size_t at = 0, got = 0;
    while (ops->more(r)) {
        void *into = info.sample_format == format ? (void *)part : own;
        if (ops->read(r, into, chunk, &got, why, sizeof why) != 0)
            RM__FAIL("%s read: %s", ops->name, why);
        if (got == 0) break;
        if (into == own)
            rm_convert_samples(own, info.sample_format, part, format,
                               got * info.channels);
        ASSERT_TRUE(got <= chunk && at + got <= total);
        size_t sample = rm_sample_size(format);
        for (size_t i = 0; i < got; i++)
            for (size_t c = 0; c < info.channels; c++) {
                size_t from = info.layout == RM_LAYOUT_PLANAR
                                  ? c * got + i
                                  : i * info.channels + c;
                memcpy(all + ((at + i) * info.channels + c) * sample,
                       part + from * sample, sample);
            }
        at += got;
    }
    ASSERT_EQ_INT(at, total);
    ops->close(r);
    close(fd);
    free(part);
    free(own);
    *frames_out = total;
    *channels_out = info.channels;
    return all;
}

RM_TEST(libflac_reader_equals_libsndfile_bit_for_bit) {
    strcpy(temp_dir, "/tmp/rm-flac-reader-XXXXXX");
    ASSERT_NOT_NULL(mkdtemp(temp_dir));
    static const int bits[] = {8, 16, 24};
    int compared = 0;
    for (int b = 0; b < 3; b++)
        for (int channels = 1; channels <= 3; channels++) {
            char path[128];
            snprintf(path, sizeof path, "%s/b%d-c%d.flac", temp_dir, bits[b],
                     channels);
            write_flac(path, bits[b], channels, 3 * 4096 + 1234);
            for (int f = 0; f < 4; f++)
                for (uint32_t layout = 0; layout < 2; layout++) {
                    size_t n_ref = 0, n_got = 0;
                    uint32_t ch_ref = 0, ch_got = 0;
                    unsigned char *ref =
                        read_all(&rm_reader_sndfile, path, formats[f],
                                 layout, 1000, &n_ref, &ch_ref);
                    unsigned char *got =
                        read_all(&rm_reader_flac, path, formats[f], layout,
                                 777, &n_got, &ch_got);
                    ASSERT_EQ_INT(n_got, n_ref);
                    ASSERT_EQ_INT(ch_got, ch_ref);
                    if (memcmp(ref, got,
                               n_ref * ch_ref * rm_sample_size(formats[f])))
                        RM__FAIL("%d bits, %d channels, format %u, layout "
                                 "%u: libFLAC differs from libsndfile",
                                 bits[b], channels, formats[f], layout);
                    free(ref);
                    free(got);
                    compared++;
                }
            unlink(path);
        }
    ASSERT_EQ_INT(compared, 3 * 3 * 4 * 2);
    rmdir(temp_dir);
}

/* Every item of the source with `decoder`, concatenated. */
static unsigned char *source_items(const char *path, const char *decoder,
                                   const char *format, const char *layout,
                                   size_t *bytes, size_t *items) {
    const rm_node_type_t *type =
        fake_find_type(rm_plugin_entry(), "AudioFileSource");
    ASSERT_NOT_NULL(type);
    char path_json[300];
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    const char *const params[] = {"path", path_json, "decoder", decoder,
                                  "format", format, "layout", layout,
                                  "chunk_seconds", "0.123", NULL};
    fake_host_t fh;
    if (fake_create(&fh, type, params) != RM_OK)
        RM__FAIL("create: %s", fh.err.message);
    int finished = 0;
    for (int guard = 0; !finished && guard < 10000; guard++)
        if (fake_generate(&fh, &finished) != RM_OK)
            RM__FAIL("generate: %s", fh.err.message);
    *items = fake_count_on(&fh, 0);
    size_t total = 0;
    for (size_t k = 0; k < *items; k++) total += fake_emitted_on(&fh, 0, k)->size;
    unsigned char *all = malloc(total + 1);
    size_t at = 0;
    for (size_t k = 0; k < *items; k++) {
        rm_item_t *it = fake_emitted_on(&fh, 0, k);
        memcpy(all + at, it->data, it->size);
        at += it->size;
    }
    fake_destroy(&fh);
    *bytes = total;
    return all;
}

RM_TEST(source_auto_on_flac_equals_sndfile) {
    strcpy(temp_dir, "/tmp/rm-flac-reader-XXXXXX");
    ASSERT_NOT_NULL(mkdtemp(temp_dir));
    char path[128];
    snprintf(path, sizeof path, "%s/s.flac", temp_dir);
    write_flac(path, 16, 2, 22050 * 2 + 99);
    static const char *const names[] = {"\"f32\"", "\"i16\"", "\"i32\"",
                                        "\"f64\""};
    static const char *const layouts[] = {"\"planar\"", "\"interleaved\""};
    for (int f = 0; f < 4; f++)
        for (int l = 0; l < 2; l++) {
            size_t n_auto = 0, n_sf = 0, items_auto = 0, items_sf = 0;
            unsigned char *a = source_items(path, "\"auto\"", names[f],
                                            layouts[l], &n_auto, &items_auto);
            unsigned char *s = source_items(path, "\"sndfile\"", names[f],
                                            layouts[l], &n_sf, &items_sf);
            ASSERT_EQ_INT(items_auto, items_sf);
            ASSERT_EQ_INT(items_auto, (22050 * 2 + 99 + 2711) / 2712);
            ASSERT_EQ_INT(n_auto, n_sf);
            ASSERT_TRUE(memcmp(a, s, n_auto) == 0);
            free(a);
            free(s);
        }
    unlink(path);
    rmdir(temp_dir);
    ASSERT_EQ_INT(fake_live_items, 0);
}

/* The source's f32 of integer PCM (libsndfile reads the integers, the
 * source converts) against libsndfile's own float conversion. */
RM_TEST(source_f32_of_integer_pcm_equals_libsndfile_float) {
    strcpy(temp_dir, "/tmp/rm-flac-reader-XXXXXX");
    ASSERT_NOT_NULL(mkdtemp(temp_dir));
    static const struct {
        int container, bits;
        const char *ext;
    } cases[] = {{SF_FORMAT_WAV, 8, "wav"},   {SF_FORMAT_WAV, 16, "wav"},
                 {SF_FORMAT_WAV, 24, "wav"},  {SF_FORMAT_WAV, 32, "wav"},
                 {SF_FORMAT_AIFF, 16, "aiff"}, {SF_FORMAT_AIFF, 24, "aiff"},
                 {SF_FORMAT_FLAC, 16, "flac"}, {SF_FORMAT_FLAC, 24, "flac"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (int channels = 1; channels <= 3; channels += 2) {
            char path[128];
            snprintf(path, sizeof path, "%s/p%zu-%d.%s", temp_dir, k,
                     channels, cases[k].ext);
            size_t frames = 22050 + 777;
            write_audio(path, cases[k].container, cases[k].bits, channels,
                        frames);
            SF_INFO info = {0};
            SNDFILE *f = sf_open(path, SFM_READ, &info);
            ASSERT_NOT_NULL(f);
            float *want = malloc(frames * (size_t)channels * sizeof *want);
            ASSERT_EQ_INT(sf_readf_float(f, want, (sf_count_t)frames),
                          (sf_count_t)frames);
            sf_close(f);
            size_t bytes = 0, items = 0;
            unsigned char *got = source_items(path, "\"sndfile\"", "\"f32\"",
                                              "\"interleaved\"", &bytes,
                                              &items);
            ASSERT_EQ_INT(bytes, frames * (size_t)channels * sizeof(float));
            if (memcmp(got, want, bytes) != 0)
                RM__FAIL("%d-bit %s, %d channels: the source's f32 differs "
                         "from libsndfile's", cases[k].bits, cases[k].ext,
                         channels);
            free(got);
            free(want);
            unlink(path);
        }
    rmdir(temp_dir);
    ASSERT_EQ_INT(fake_live_items, 0);
}

/* A FLAC the libFLAC reader declines after reading its header (here: a
 * STREAMINFO without the length, which libFLAC's reader leaves to
 * libsndfile) goes to libsndfile on the same descriptor, back at its
 * start: decoder "auto" gives what "sndfile" gives. */
RM_TEST(source_hands_a_declined_flac_to_sndfile_from_its_start) {
    strcpy(temp_dir, "/tmp/rm-flac-reader-XXXXXX");
    ASSERT_NOT_NULL(mkdtemp(temp_dir));
    char path[128];
    snprintf(path, sizeof path, "%s/nolength.flac", temp_dir);
    write_flac(path, 16, 2, 8000 + 77);
    /* STREAMINFO's 36-bit total (after "fLaC" and the 4-byte block
     * header: 10 bytes of sizes, then rate 20, channels 3, bits 5, total
     * 36 bits): 0 = unknown. */
    unsigned char head[26];
    FILE *f = fopen(path, "r+b");
    ASSERT_NOT_NULL(f);
    ASSERT_EQ_INT(fread(head, 1, sizeof head, f), sizeof head);
    ASSERT_TRUE(memcmp(head, "fLaC", 4) == 0);
    head[21] &= 0xF0;
    memset(head + 22, 0, 4);
    ASSERT_EQ_INT(fseek(f, 0, SEEK_SET), 0);
    ASSERT_EQ_INT(fwrite(head, 1, sizeof head, f), sizeof head);
    fclose(f);
    int fd = open(path, O_RDONLY);
    ASSERT_TRUE(fd >= 0);
    rm_reader_info_t info = {0};
    char why[256] = "";
    ASSERT_TRUE(rm_reader_flac.open(path, fd, RM_SAMPLE_F32, RM_LAYOUT_PLANAR,
                                    &info, why, sizeof why) == NULL);
    ASSERT_STR_CONTAINS(why, "left to libsndfile");
    ASSERT_EQ_INT(lseek(fd, 0, SEEK_CUR), 0);
    close(fd);
    /* libsndfile reads a FLAC without a length to its end, then calls the
     * stream cut short: both decoders give every frame from the first,
     * then that same error. */
    char message[2][2048];
    size_t frames[2];
    static const char *const decoders[] = {"\"auto\"", "\"sndfile\""};
    for (int d = 0; d < 2; d++) {
        char path_json[300];
        snprintf(path_json, sizeof path_json, "\"%s\"", path);
        const char *const params[] = {"path", path_json, "decoder",
                                      decoders[d], "format", "\"i16\"",
                                      "chunk_seconds", "0.1", NULL};
        fake_host_t fh;
        if (fake_create(&fh, fake_find_type(rm_plugin_entry(),
                                            "AudioFileSource"),
                        params) != RM_OK)
            RM__FAIL("%s: create: %s", decoders[d], fh.err.message);
        int finished = 0, status = RM_OK;
        for (int guard = 0; status == RM_OK && !finished && guard < 100;
             guard++)
            status = fake_generate(&fh, &finished);
        frames[d] = 0;
        for (size_t k = 0; k < fake_count_on(&fh, 0); k++)
            frames[d] += fake_emitted_on(&fh, 0, k)->audio.frames;
        snprintf(message[d], sizeof message[d], "%s",
                 status == RM_OK ? "" : fh.err.message);
        fake_destroy(&fh);
    }
    ASSERT_EQ_INT(frames[0], frames[1]);
    ASSERT_EQ_INT(frames[0], 3 * 2205); /* chunks of 0.1 s at 22.05 kHz */
    ASSERT_STR_EQ(message[0], message[1]);
    ASSERT_STR_CONTAINS(message[0], "at frame 8077: "); /* all, from the start */
    /* no length: said so, not "of 9223372036854775807" (SF_COUNT_MAX) */
    ASSERT_STR_CONTAINS(message[0], "its end is missing");
    unlink(path);
    rmdir(temp_dir);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(libflac_reader_declines_what_is_not_its_own) {
    rm_reader_info_t info = {0};
    char why[256] = "";
    ASSERT_TRUE(rm_reader_flac.open("-", -1, RM_SAMPLE_F32, RM_LAYOUT_PLANAR,
                                    &info, why, sizeof why) == NULL);
    ASSERT_STR_CONTAINS(why, "not a FLAC file");
    strcpy(temp_dir, "/tmp/rm-flac-reader-XXXXXX");
    ASSERT_NOT_NULL(mkdtemp(temp_dir));
    char path[128];
    snprintf(path, sizeof path, "%s/not.flac", temp_dir);
    FILE *f = fopen(path, "wb");
    fputs("RIFF....WAVEjunk", f);
    fclose(f);
    why[0] = '\0';
    int fd = open(path, O_RDONLY);
    ASSERT_TRUE(fd >= 0);
    ASSERT_TRUE(rm_reader_flac.open(path, fd, RM_SAMPLE_F32, RM_LAYOUT_PLANAR,
                                    &info, why, sizeof why) == NULL);
    ASSERT_STR_CONTAINS(why, "not a FLAC file");
    ASSERT_EQ_INT(lseek(fd, 0, SEEK_CUR), 0); /* the next reader's start */
    close(fd);
    /* Without the caller's descriptor it reads nothing (no second open). */
    ASSERT_TRUE(rm_reader_flac.open(path, -1, RM_SAMPLE_F32, RM_LAYOUT_PLANAR,
                                    &info, why, sizeof why) == NULL);
    unlink(path);

    /* A FIFO is declined unread: what its writer sent stays for libsndfile
     * (the signature is looked at with pread, which a stream refuses). */
    snprintf(path, sizeof path, "%s/stream.flac", temp_dir);
    ASSERT_EQ_INT(mkfifo(path, 0600), 0);
    fd = open(path, O_RDWR | O_NONBLOCK); /* writer and reader, at once */
    ASSERT_TRUE(fd >= 0);
    ASSERT_EQ_INT(write(fd, "fLaC", 4), 4);
    why[0] = '\0';
    ASSERT_TRUE(rm_reader_flac.open(path, fd, RM_SAMPLE_F32, RM_LAYOUT_PLANAR,
                                    &info, why, sizeof why) == NULL);
    ASSERT_STR_CONTAINS(why, "not a FLAC file");
    char back[8] = "";
    ASSERT_EQ_INT(read(fd, back, sizeof back), 4);
    ASSERT_TRUE(memcmp(back, "fLaC", 4) == 0);
    close(fd);
    unlink(path);
    rmdir(temp_dir);
}

RM_TEST(cut_off_flac_names_file_and_frame) {
    strcpy(temp_dir, "/tmp/rm-flac-reader-XXXXXX");
    ASSERT_NOT_NULL(mkdtemp(temp_dir));
    char path[128], path_json[200];
    snprintf(path, sizeof path, "%s/cut.flac", temp_dir);
    write_flac(path, 16, 2, 8 * 4096);
    struct stat st;
    ASSERT_EQ_INT(stat(path, &st), 0);
    ASSERT_EQ_INT(truncate(path, st.st_size / 2), 0);
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    const char *const params[] = {"path", path_json, "chunk_seconds", "0.5",
                                  NULL};
    fake_host_t fh;
    int status = fake_create(
        &fh, fake_find_type(rm_plugin_entry(), "AudioFileSource"), params);
    ASSERT_EQ_INT(status, RM_OK);
    int finished = 0;
    for (int guard = 0; guard < 100 && status == RM_OK && !finished; guard++)
        status = fake_generate(&fh, &finished);
    ASSERT_EQ_INT(status, RM_EIO);
    ASSERT_STR_CONTAINS(fh.err.message, path);
    ASSERT_STR_CONTAINS(fh.err.message, "truncated or corrupt at frame");
    ASSERT_STR_CONTAINS(fh.err.message, "of 32768");
    fake_destroy(&fh);
    unlink(path);
    rmdir(temp_dir);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST_LIST(RM_TEST_ENTRY(libflac_reader_equals_libsndfile_bit_for_bit),
             RM_TEST_ENTRY(source_f32_of_integer_pcm_equals_libsndfile_float),
             RM_TEST_ENTRY(source_auto_on_flac_equals_sndfile),
             RM_TEST_ENTRY(source_hands_a_declined_flac_to_sndfile_from_its_start),
             RM_TEST_ENTRY(libflac_reader_declines_what_is_not_its_own),
             RM_TEST_ENTRY(cut_off_flac_names_file_and_frame))
