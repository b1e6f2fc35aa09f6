/*
 * plugin_scan.h — load a plugin file in a child first (plugin_scan.c).
 */
#ifndef RM_PLUGIN_SCAN_H
#define RM_PLUGIN_SCAN_H

#include <stddef.h>
#include <sys/stat.h>

/* The scanner executable, installed in <libdir>/remotemedia/. It loads the
 * plugin file argv[1] as the registry would, unloads it, and prints
 * RM_SCANNER_SAFE on stdout when all of that returned. */
#define RM_SCANNER_NAME "rm-plugin-scanner"
#define RM_SCANNER_SAFE "loads-safely"

/* 1: safe to load in this process (scanned now or before, or scanning is
 * off); 0: the file crashed, exited or hung the scanner — `reason` says
 * which, as the end of a sentence about the file. */
int rm__plugin_scan(const char *path, const struct stat *st, char *reason,
                    size_t reason_len);

#endif /* RM_PLUGIN_SCAN_H */
