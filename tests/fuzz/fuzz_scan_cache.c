/*
 * fuzz_scan_cache.c — the plugin scan cache (runtime/src/scan/plugin_scan.c)
 * on fuzzed cache files: the lazy lookup (memmem for "\t<path>\t", the
 * line around a hit parsed) and the write-back (every line parsed and
 * carried over). The first byte: bit 0 appends a well-formed line for the
 * looked-up file (bit 1 its verdict), bit 2 starts that line on a fresh
 * line. The rest is the cache text.
 *
 * Checks: no crash, leak or UB; the appended line's verdict is what the
 * lookup returns (on a fresh line); a file not in the cache is scanned
 * (here /bin/true: "exit(0) while loading", unsafe) and written back, so
 * a second open, whose scanner cannot run, finds that verdict in the
 * cache.
 */
#include "scan/plugin_scan.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/rm-fuzz-scan-cache-XXXXXX";
static char cache[PATH_MAX], plugin[PATH_MAX];

static void cleanup(void) {
    unlink(cache);
    unlink(plugin);
    rmdir(dir);
}

static void setup(void) {
    if (!mkdtemp(dir)) abort();
    atexit(cleanup);
    snprintf(cache, sizeof cache, "%s/plugin-scan-v1.txt", dir);
    snprintf(plugin, sizeof plugin, "%s/plugin.so", dir);
    FILE *f = fopen(plugin, "w");
    if (!f) abort();
    fputs("never loaded", f);
    fclose(f);
    setenv("REMOTEMEDIA_CACHE_DIR", dir, 1);
    unsetenv("REMOTEMEDIA_SCAN");
}

static int lookup(const char *scanner, const struct stat *st, char *reason,
                  size_t size) {
    setenv("REMOTEMEDIA_SCANNER", scanner, 1);
    rm__scan_t scan;
    rm__scan_open(&scan);
    int verdict = rm__scan_file(&scan, plugin, st, reason, size);
    rm__scan_close(&scan);
    return verdict;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    if (!ready) {
        setup();
        ready = 1;
    }
    if (size == 0) return 0;
    struct stat st;
    if (stat(plugin, &st) != 0) abort();
    int append = data[0] & 1, safe = (data[0] >> 1) & 1,
        fresh = (data[0] >> 2) & 1;
    FILE *f = fopen(cache, "wb");
    if (!f) abort();
    fwrite(data + 1, 1, size - 1, f);
    if (append)
        fprintf(f, "%s%llu\t%llu\t%llu\t%llu\t%d\t%s\tfuzzed reason\n",
                fresh ? "\n" : "", (unsigned long long)st.st_dev,
                (unsigned long long)st.st_ino,
                (unsigned long long)st.st_size,
                (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
                    (unsigned long long)st.st_mtim.tv_nsec,
                safe, plugin);
    fclose(f);

    char reason[512] = "";
    int verdict = lookup("/bin/true", &st, reason, sizeof reason);
    if (append && fresh) {
        /* Its own line (a fuzzed one would need this file's device,
         * inode, size and mtime to match before it). */
        if (verdict != safe || strcmp(reason, "fuzzed reason") != 0) abort();
        return 0;
    }
    if (!strstr(reason, "exit(0)")) return 0; /* found in the fuzzed text */
    if (verdict != 0) abort();
    /* Written back: found again by an open that cannot scan. */
    char again[512] = "";
    if (lookup("/nonexistent/rm-plugin-scanner", &st, again, sizeof again) != 0 ||
        strcmp(again, reason) != 0)
        abort();
    return 0;
}
