/*
 * rm-plugin-scanner — loads one plugin file in a process of its own, so
 * that the registry of the real process never loads a file that crashes,
 * aborts, exits or hangs while loading (runtime/src/scan/plugin_scan.c, which
 * runs this with a time limit and caches the verdict).
 *
 *   rm-plugin-scanner FILE     prints "loads-safely" after loading and
 *                              unloading FILE returned (a clean refusal —
 *                              not a plugin, bad ABI — is safe too: the
 *                              registry reports it in-process)
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <remotemedia/registry.h>

#include "scan/plugin_scan.h"

/* In a sanitizer build, a plugin that crashes must crash the scanner with
 * its signal (the verdict names it), not be caught and reported by
 * AddressSanitizer as exit(1); leaks of a plugin's libraries are not a
 * loading fault either. Read by ASan at start-up; unused otherwise. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
    return "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_abort=0:"
           "detect_leaks=0";
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PLUGIN.so (internal to RemoteMedia)\n",
                argv[0]);
        return 2;
    }
    char why[512];
    rm_registry_probe_file(argv[1], why, sizeof why);
    fputs(RM_SCANNER_SAFE "\n", stdout);
    fflush(stdout);
    /* _exit: what a sanitizer build's leak check finds in a plugin's
     * libraries at exit is not a loading fault (and would turn the exit
     * status into one). */
    _exit(0);
}
