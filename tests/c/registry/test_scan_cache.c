/* test_scan_cache.c — the plugin scan cache (scan/plugin_scan.c) is read
 * once per registry open but a line is parsed only when its file is
 * scanned: the file holds the lines of every build tree of the machine
 * (hundreds on a developer's), which a registry open must not pay for. */
#include "rm_test.h"

#include "scan/plugin_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char rmt_dir[] = "/tmp/rm-scan-cache-XXXXXX";

static void rmt_line(FILE *f, const char *path, const struct stat *st,
                     unsigned long long size, int safe, const char *reason) {
    fprintf(f, "%llu\t%llu\t%llu\t%llu\t%d\t%s\t%s\n",
            (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
            size, (unsigned long long)st->st_mtim.tv_sec * 1000000000ull +
                      (unsigned long long)st->st_mtim.tv_nsec,
            safe, path, reason);
}

static void rmt_read(const char *path, char *out, size_t size) {
    FILE *f = fopen(path, "r");
    ASSERT_NOT_NULL(f);
    size_t n = fread(out, 1, size - 1, f);
    out[n] = '\0';
    fclose(f);
}

/* 500 lines of other trees, a stale line of the plugin (another size) and
 * its own: the open parses none, the lookup only the plugin's two, takes
 * the verdict from its line (no scanner could run here), and a close
 * without a new verdict leaves the file as it was. A path that only ends
 * like the plugin's is not its line. */
RM_TEST(only_the_lines_of_a_scanned_file_are_parsed) {
    ASSERT_NOT_NULL(mkdtemp(rmt_dir));
    char plugin[512], cache[512], other[600];
    snprintf(plugin, sizeof plugin, "%s/a.so", rmt_dir);
    snprintf(cache, sizeof cache, "%s/plugin-scan-v1.txt", rmt_dir);
    snprintf(other, sizeof other, "/elsewhere%s", plugin);
    FILE *f = fopen(plugin, "w");
    ASSERT_NOT_NULL(f);
    fputs("not loaded by this test", f);
    fclose(f);
    struct stat st;
    ASSERT_EQ_INT(stat(plugin, &st), 0);
    f = fopen(cache, "w");
    ASSERT_NOT_NULL(f);
    for (int i = 0; i < 500; i++) {
        char path[64];
        snprintf(path, sizeof path, "/tmp/other-tree-%d/plugins/x.so", i);
        rmt_line(f, path, &st, 1, 1, "");
    }
    rmt_line(f, other, &st, (unsigned long long)st.st_size, 1, "");
    rmt_line(f, plugin, &st, (unsigned long long)st.st_size + 1, 1, "");
    rmt_line(f, plugin, &st, (unsigned long long)st.st_size, 0,
             "crashed (from the cache)");
    fclose(f);
    static char before[64 * 1024], after[64 * 1024];
    rmt_read(cache, before, sizeof before);

    setenv("REMOTEMEDIA_CACHE_DIR", rmt_dir, 1);
    setenv("REMOTEMEDIA_SCANNER", "/nonexistent/rm-plugin-scanner", 1);
    unsetenv("REMOTEMEDIA_SCAN");
    rm__scan_t scan;
    rm__scan_open(&scan);
    ASSERT_EQ_INT(scan.enabled, 1);
    ASSERT_EQ_INT(scan.parsed, 0);
    char reason[256] = "";
    ASSERT_EQ_INT(rm__scan_file(&scan, plugin, &st, reason, sizeof reason), 0);
    ASSERT_STR_EQ(reason, "crashed (from the cache)");
    ASSERT_EQ_INT(scan.parsed, 2);
    rm__scan_close(&scan);
    rmt_read(cache, after, sizeof after);
    ASSERT_STR_EQ(after, before);

    unlink(cache);
    unlink(plugin);
    rmdir(rmt_dir);
}

RM_TEST_LIST(RM_TEST_ENTRY(only_the_lines_of_a_scanned_file_are_parsed))
