/* test_rmrun_batch.c — `rmrun MANIFEST --batch ... --out ...` end to end:
 * a corrupt file in the middle fails alone (listed with its reason, exit
 * 1, the others written), --resume skips complete outputs, the report,
 * --events, @LIST inputs and usage errors. Generates its WAVs. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rm_test.h"

static char dir[128];     /* per-process scratch directory */
static char out_buf[65536], err_buf[65536];

static void slurp(const char *path, char *buf, size_t size) {
    FILE *f = fopen(path, "r");
    buf[0] = '\0';
    if (!f) return;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    ASSERT_NOT_NULL(f);
    fputs(text, f);
    fclose(f);
}

static void put_u32(FILE *f, uint32_t v) {
    unsigned char b[4] = {v & 255, (v >> 8) & 255, (v >> 16) & 255, v >> 24};
    fwrite(b, 1, 4, f);
}
static void put_u16(FILE *f, uint16_t v) {
    unsigned char b[2] = {v & 255, v >> 8};
    fwrite(b, 1, 2, f);
}

/* A 16-bit stereo WAV: harmonic bursts (speech-like) over faint noise. */
static void write_wav(const char *path, unsigned rate, double seconds) {
    FILE *f = fopen(path, "wb");
    ASSERT_NOT_NULL(f);
    uint32_t frames = (uint32_t)(rate * seconds), bytes = frames * 4;
    fwrite("RIFF", 1, 4, f);
    put_u32(f, 36 + bytes);
    fwrite("WAVEfmt ", 1, 8, f);
    put_u32(f, 16);
    put_u16(f, 1);
    put_u16(f, 2);
    put_u32(f, rate);
    put_u32(f, rate * 4);
    put_u16(f, 4);
    put_u16(f, 16);
    fwrite("data", 1, 4, f);
    put_u32(f, bytes);
    uint32_t noise = 12345;
    for (uint32_t i = 0; i < frames; i++) {
        double t = (double)i / rate, x = 0;
        if (fmod(t, 1.0) < 0.6)
            for (int h = 1; h < 8; h++) x += 0.2 / h * sin(2 * M_PI * 180 * h * t);
        noise = noise * 1103515245u + 12345u;
        x += ((double)(noise >> 16) / 65536.0 - 0.5) * 0.004;
        int16_t s = (int16_t)lrint(x * 32767);
        put_u16(f, (uint16_t)s);
        put_u16(f, (uint16_t)s);
    }
    fclose(f);
}

static int rmrun(const char *args) {
    char cmd[4096], out_path[192], err_path[192];
    snprintf(out_path, sizeof out_path, "%s/stdout", dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    snprintf(cmd, sizeof cmd,
             "'%s/bin/rmrun' --no-env-plugins --no-default-plugins "
             "--plugins '%s' %s >%s 2>%s",
             RM_TEST_BUILD_DIR, RM_TEST_PLUGIN_DIR, args, out_path, err_path);
    int status = system(cmd);
    ASSERT_TRUE(status != -1 && WIFEXITED(status));
    slurp(out_path, out_buf, sizeof out_buf);
    slurp(err_path, err_buf, sizeof err_buf);
    return WEXITSTATUS(status);
}

/* Whether dir/out/<name> exists. */
static int exists_in(const char *sub, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    struct stat st;
    return stat(path, &st) == 0;
}

static const char manifest_text[] =
    "{\"version\":\"v1\",\"nodes\":["
    "{\"id\":\"read\",\"node_type\":\"AudioFileSource\",\"params\":{\"path\":"
    "\"placeholder.wav\",\"chunk_seconds\":0.25}},"
    "{\"id\":\"mono\",\"node_type\":\"FormatConverterNode\",\"params\":"
    "{\"target_format\":\"f32\",\"channels\":1}},"
    "{\"id\":\"resample\",\"node_type\":\"AudioResampleNode\",\"params\":"
    "{\"target_sample_rate\":16000}},"
    "{\"id\":\"speech\",\"node_type\":\"SpeechSegmenter\",\"params\":"
    "{\"emit_audio\":true}},"
    "{\"id\":\"write\",\"node_type\":\"AudioFileSink\",\"params\":{\"path\":"
    "\"placeholder.flac\"}}],"
    "\"connections\":[{\"from\":\"read\",\"to\":\"mono\"},"
    "{\"from\":\"mono\",\"to\":\"resample\"},"
    "{\"from\":\"resample\",\"to\":\"speech\"},"
    "{\"from\":\"speech\",\"from_port\":1,\"to\":\"write\"}]}";

static void setup(void) {
    snprintf(dir, sizeof dir, "/tmp/rm_batch_test_%d", (int)getpid());
    char cmd[512], path[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/in'", dir, dir);
    ASSERT_EQ_INT(system(cmd), 0);
    snprintf(path, sizeof path, "%s/m.json", dir);
    write_text(path, manifest_text);
    const char *names[] = {"a", "b", "c", "d", "e"};
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/in/%s.wav", dir, names[i]);
        if (i == 2) /* corrupt, in the middle: a header and garbage */
            write_text(path, "RIFF....WAVEfmt garbage that is not audio");
        else
            write_wav(path, 48000, 1.5 + 0.5 * i);
    }
    snprintf(path, sizeof path, "%s/in/notes.txt", dir); /* not audio */
    write_text(path, "ignored by a directory input\n");
}

static void teardown(void) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ASSERT_EQ_INT(system(cmd), 0);
}

RM_TEST(corrupt_file_in_the_middle_fails_alone) {
    setup();
    char args[1024], path[512], report[16384];
    snprintf(args, sizeof args, "%s/m.json --batch %s/in --out %s/out -j 2",
             dir, dir, dir);
    ASSERT_EQ_INT(rmrun(args), 1);
    ASSERT_TRUE(exists_in("out", "a.flac"));
    ASSERT_TRUE(exists_in("out", "b.flac"));
    ASSERT_TRUE(!exists_in("out", "c.flac"));
    ASSERT_TRUE(exists_in("out", "d.flac"));
    ASSERT_TRUE(exists_in("out", "e.flac"));
    ASSERT_TRUE(!exists_in("out", "a.json")); /* only a file sink */
    /* listed at the end with its reason */
    ASSERT_STR_CONTAINS(err_buf, "4 ok, 1 failed, 0 skipped of 5");
    ASSERT_STR_CONTAINS(err_buf, "1 file failed:");
    ASSERT_STR_CONTAINS(err_buf, "in/c.wav: read: node 'read' (AudioFileSource)");
    /* not an input, but named as skipped (issue 17), never as failed */
    ASSERT_STR_CONTAINS(err_buf, "1 file skipped, not audio by extension");
    ASSERT_TRUE(strstr(err_buf, "notes.txt:") == NULL);
    ASSERT_TRUE(strstr(err_buf, "\r") == NULL); /* no progress: not a TTY */
    snprintf(path, sizeof path, "%s/out/batch-report.json", dir);
    slurp(path, report, sizeof report);
    ASSERT_STR_CONTAINS(report, "\"ok\":4,\"failed\":1,\"skipped\":0");
    ASSERT_STR_CONTAINS(report, "c.wav\",\"status\":\"failed\"");
    ASSERT_STR_CONTAINS(report, "a.wav\",\"status\":\"ok\",\"audio_s\":1.5,");
    teardown();
}

RM_TEST(resume_skips_complete_outputs) {
    setup();
    char args[1024], path[512], report[16384];
    snprintf(args, sizeof args, "%s/m.json --batch '%s/in/*.wav' --out %s/out",
             dir, dir, dir);
    ASSERT_EQ_INT(rmrun(args), 1);
    /* b's output is "lost"; a stale temporary file must not count */
    snprintf(path, sizeof path, "%s/out/b.flac", dir);
    ASSERT_EQ_INT(unlink(path), 0);
    snprintf(path, sizeof path, "%s/out/b.flac.tmp-1", dir);
    write_text(path, "partial");
    struct stat before;
    snprintf(path, sizeof path, "%s/out/a.flac", dir);
    ASSERT_EQ_INT(stat(path, &before), 0);
    snprintf(args, sizeof args,
             "%s/m.json --batch '%s/in/*.wav' --out %s/out --resume --events",
             dir, dir, dir);
    ASSERT_EQ_INT(rmrun(args), 1); /* c still fails */
    ASSERT_STR_CONTAINS(err_buf, "1 ok, 1 failed, 3 skipped of 5");
    ASSERT_TRUE(exists_in("out", "b.flac"));
    struct stat after;
    ASSERT_EQ_INT(stat(path, &after), 0);
    ASSERT_TRUE(after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
                after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
    /* one event line per input */
    ASSERT_STR_CONTAINS(out_buf, "a.wav\",\"status\":\"skipped\"");
    ASSERT_STR_CONTAINS(out_buf, "b.wav\",\"status\":\"ok\"");
    ASSERT_STR_CONTAINS(out_buf, "c.wav\",\"status\":\"failed\"");
    snprintf(path, sizeof path, "%s/out/batch-report.json", dir);
    slurp(path, report, sizeof report);
    ASSERT_STR_CONTAINS(report, "\"ok\":1,\"failed\":1,\"skipped\":3");
    teardown();
}

RM_TEST(list_input_other_sinks_json_and_errors) {
    setup();
    char args[1024], path[512], text[65536];
    /* A chain without file sink: the segmenter is the sink -> <stem>.json */
    snprintf(path, sizeof path, "%s/seg.json", dir);
    write_text(path,
               "{\"version\":\"v1\",\"nodes\":["
               "{\"id\":\"read\",\"node_type\":\"AudioFileSource\","
               "\"params\":{\"path\":\"x.wav\"}},"
               "{\"id\":\"speech\",\"node_type\":\"SpeechSegmenter\"}]}");
    snprintf(path, sizeof path, "%s/list.txt", dir);
    char list[1024];
    snprintf(list, sizeof list, "%s/in/a.wav\n%s/in/e.wav\n", dir, dir);
    write_text(path, list);
    snprintf(args, sizeof args, "%s/seg.json --batch @%s/list.txt --out %s/o2",
             dir, dir, dir);
    ASSERT_EQ_INT(rmrun(args), 0);
    snprintf(path, sizeof path, "%s/o2/e.json", dir);
    slurp(path, text, sizeof text);
    ASSERT_STR_CONTAINS(text, "{\"speech\": [");
    ASSERT_STR_CONTAINS(text, "\"final\":true");
    /* usage errors: exit 2; invalid manifest: exit 3 */
    snprintf(args, sizeof args, "%s/m.json --batch %s/in", dir, dir);
    ASSERT_EQ_INT(rmrun(args), 2);
    snprintf(args, sizeof args, "%s/m.json --batch '%s/none/*.wav' --out %s/o3",
             dir, dir, dir);
    ASSERT_EQ_INT(rmrun(args), 2);
    ASSERT_STR_CONTAINS(err_buf, "no input files");
    snprintf(path, sizeof path, "%s/bad.json", dir);
    write_text(path, "{\"version\":\"v1\",\"nodes\":[{\"id\":\"read\","
                     "\"node_type\":\"AudioFileSource\",\"params\":{\"path\":"
                     "\"x\",\"chunk_seconds\":-1}}]}");
    snprintf(args, sizeof args, "%s/bad.json --batch %s/in --out %s/o4", dir,
             dir, dir);
    ASSERT_EQ_INT(rmrun(args), 3);
    ASSERT_STR_CONTAINS(err_buf, "chunk_seconds");
    teardown();
}

RM_TEST_LIST(RM_TEST_ENTRY(corrupt_file_in_the_middle_fails_alone),
             RM_TEST_ENTRY(resume_skips_complete_outputs),
             RM_TEST_ENTRY(list_input_other_sinks_json_and_errors))
