/*
 * plugin_scan.h — load a plugin file in a child first (plugin_scan.c).
 */
#ifndef RM_PLUGIN_SCAN_H
#define RM_PLUGIN_SCAN_H

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>

/* The scanner executable, installed in <libdir>/remotemedia/. It loads the
 * plugin file argv[1] as the registry would, unloads it, and prints
 * RM_SCANNER_SAFE on stdout when all of that returned. */
#define RM_SCANNER_NAME "rm-plugin-scanner"
#define RM_SCANNER_SAFE "loads-safely"

/* One scanner verdict, as the cache file keeps it. */
typedef struct rm__scan_verdict {
    unsigned long long dev, ino, size, mtime;
    int safe;
    char *path, *reason;              /* heap                               */
} rm__scan_verdict_t;

/* The scans of one registry open: where the scanner is, the cache file's
 * text, read once, and the verdicts of the files scanned by this open. */
typedef struct rm__scan {
    int enabled;                      /* 0: scanning off or no scanner      */
    int changed;                      /* a verdict to write back            */
    char scanner[PATH_MAX];
    char cache[PATH_MAX];             /* "": no place for a cache           */
    char *text;                       /* the cache file; NULL: none         */
    size_t text_len;
    size_t parsed;                    /* cache lines parsed by lookups: only
                                         those holding a looked-up path     */
    rm__scan_verdict_t *verdicts;     /* scanned now, written back at close */
    size_t count, capacity;
} rm__scan_t;

/* open: find the scanner, read the cache. file: 1 safe to load in this
 * process (scanned now or before, or scanning is off); 0 the file crashed,
 * exited or hung the scanner — `reason` says which, as the end of a
 * sentence about the file. close: write the new verdicts back, free. */
void rm__scan_open(rm__scan_t *scan);
int rm__scan_file(rm__scan_t *scan, const char *path, const struct stat *st,
                  char *reason, size_t reason_len);
void rm__scan_close(rm__scan_t *scan);

#endif /* RM_PLUGIN_SCAN_H */
