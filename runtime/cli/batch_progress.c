/*
 * batch_progress.c — the progress of `rmrun --batch` on stderr (batch.h):
 *
 *   on a terminal   one line redrawn twice a second and per finished file:
 *                   a bar of the audio seconds done (files when no length
 *                   is known), the percentage, x realtime, ETA, files and
 *                   failures; cut to the terminal's width, never wrapped
 *   otherwise       (a log, nohup, CI) a plain line every
 *                   --progress-interval seconds (default 10; 0: one per
 *                   finished file), so a long batch is never silent
 *   --no-progress, -q: nothing
 *
 * The bar's audio total is summed from the files' headers: for a bar or a
 * line per file the first 32 files before the workers start, the rest
 * (plain lines every few seconds: all) by the ticker thread in the
 * background, a quarter second at a time between redraws, so a batch of
 * many files starts at once; until the sum is complete the fraction
 * counts files. Without progress no header is read ahead: each worker
 * reads its file's length when it runs it.
 */
#include "batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static double rm__now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void rm__clock(char *buf, size_t size, double seconds) {
    if (!(seconds >= 0) || seconds > 359999) {
        snprintf(buf, size, "--:--");
        return;
    }
    unsigned s = (unsigned)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, size, "%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%u:%02u", s / 60, s % 60);
}

/* The terminal's width (stderr's), else $COLUMNS, else 80. */
static int rm__width(void) {
    struct winsize ws;
    if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    const char *columns = getenv("COLUMNS");
    int n = columns ? atoi(columns) : 0;
    return n > 0 ? n : 80;
}

/* The fraction done: of the audio seconds when the lengths are known. */
static double rm__fraction(const rm_batch_t *b) {
    if (b->sized && b->audio_todo > 0) return b->audio_done / b->audio_todo;
    return b->todo ? (double)b->done / (double)b->todo : 1.0;
}

void rm_batch_progress_line(rm_batch_t *b, int final) {
    if (!b->progress || (final && b->progress == RM_BATCH_PROGRESS_PLAIN))
        return; /* plain: the summary line follows */
    double elapsed = rm__now() - b->start;
    double rate = elapsed > 0 ? b->audio_done / elapsed : 0;
    double fraction = final ? 1.0 : rm__fraction(b);
    if (fraction > 1) fraction = 1;
    char eta[32], took[32], total[32] = "", stats[256];
    double left = b->audio_todo - b->audio_done;
    rm__clock(eta, sizeof eta,
              final ? 0 : rate > 0 && b->sized ? left / rate : -1);
    rm__clock(took, sizeof took, elapsed);
    if (b->sized || (final && b->done >= b->todo))
        snprintf(total, sizeof total, "/%.1f",
                 b->sized ? b->audio_todo : b->audio_done);
    int n = snprintf(stats, sizeof stats,
                     "%3.0f%%  %.1f%s s audio  %.1fx  %s<%s  %zu/%zu files",
                     fraction * 100, b->audio_done, total, rate, took, eta,
                     b->done, b->todo);
    if (b->failed && n > 0 && (size_t)n < sizeof stats)
        snprintf(stats + n, sizeof stats - (size_t)n, "  %zu failed", b->failed);
    if (b->progress == RM_BATCH_PROGRESS_PLAIN) {
        fprintf(stderr, "%s: batch: %s\n", b->cli->program, stats);
        fflush(stderr);
        return;
    }
    /* [#####.....] stats, cut to the width (one column spare: a line that
     * fills the last column wraps on some terminals). ASCII only, so a
     * byte is a column. */
    int width = rm__width() - 1;
    char line[512];
    int bar = width - (int)strlen(stats) - 3;
    if (bar > 40) bar = 40;
    if (bar >= 10) {
        int filled = (int)(fraction * bar + 0.5);
        line[0] = '[';
        for (int i = 0; i < bar; i++) line[1 + i] = i < filled ? '#' : '.';
        snprintf(line + 1 + bar, sizeof line - 1 - (size_t)bar, "] %s", stats);
    } else {
        snprintf(line, sizeof line, "%s", stats);
    }
    if (width > 0 && (size_t)width < sizeof line) line[width] = '\0';
    fprintf(stderr, "\r\033[K%s%s", line, final ? "\n" : "");
    fflush(stderr);
}

void rm_batch_progress_file_done(rm_batch_t *b) {
    if (b->progress == RM_BATCH_PROGRESS_BAR ||
        (b->progress == RM_BATCH_PROGRESS_PLAIN && b->progress_interval <= 0))
        rm_batch_progress_line(b, 0);
}

/* Files whose length is read before the workers start: all of a small
 * batch (its bar starts with its total), the first of a large one. */
#define RM__SIZE_AHEAD 32

/* Adds the audio seconds of the next files to be->size_sum: at most
 * `count` of them, and for about `budget` seconds when budget > 0; sets
 * audio_todo and `sized` (under the lock) when all are summed. */
static void rm__size_some(rm_batch_t *b, size_t count, double budget) {
    double until = rm__now() + budget;
    for (size_t k = 0; k < count && b->size_next < b->entry_count; k++) {
        rm_batch_entry_t *e = &b->entries[b->size_next++];
        double seconds = e->runs ? rm_batch_header_seconds(b, e) : -1;
        if (seconds > 0) b->size_sum += seconds;
        if (budget > 0 &&
            (rm__now() >= until || atomic_load(&b->interrupted) ||
             atomic_load(&b->progress_stop)))
            break;
    }
    if (b->size_next < b->entry_count) return;
    pthread_mutex_lock(&b->lock);
    b->audio_todo = b->size_sum;
    b->sized = 1;
    pthread_mutex_unlock(&b->lock);
}

void rm_batch_progress_start(rm_batch_t *b) {
    /* Plain lines every few seconds: the ticker has summed them by the
     * first one; a bar or a line per file shows the total at once. */
    if (b->progress == RM_BATCH_PROGRESS_BAR || b->progress_interval <= 0)
        rm__size_some(b, RM__SIZE_AHEAD, 0);
}

void rm_batch_progress_wake_init(rm_batch_t *b) {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&b->progress_wake, &attr);
    pthread_condattr_destroy(&attr);
}

/* Waits a quarter second (lock held), or less when the batch stops: the
 * summary must not wait for the ticker's next redraw. */
static void rm__wait_a_tick(rm_batch_t *b) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += 250 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    while (!b->progress_stop &&
           pthread_cond_timedwait(&b->progress_wake, &b->lock, &until) == 0) {
    }
}

void *rm_batch_progress_ticker(void *arg) {
    rm_batch_t *b = arg;
    double last = rm__now();
    for (;;) {
        /* only this thread sizes now */
        if (b->size_next < b->entry_count)
            rm__size_some(b, b->entry_count, 0.25);
        pthread_mutex_lock(&b->lock);
        if (b->size_next >= b->entry_count) rm__wait_a_tick(b);
        int finished = b->done >= b->todo || b->manifest_problem ||
                       b->progress_stop;
        double now = rm__now();
        if (!finished && b->progress == RM_BATCH_PROGRESS_BAR) {
            rm_batch_progress_line(b, 0);
        } else if (!finished && b->progress_interval > 0 &&
                   now - last >= b->progress_interval) {
            rm_batch_progress_line(b, 0);
            last = now;
        }
        pthread_mutex_unlock(&b->lock);
        if (finished) break;
    }
    return NULL;
}
