/*
 * cmd_trace.c — `rmrun trace view TRACE.json [--width N]`: a trace that
 * rmrun --trace wrote (Chrome trace events, schema remotemedia.trace/1),
 * drawn in the terminal without a browser: a lane per thread, a column per
 * slice of time showing the node that ran longest in it (a letter per node,
 * '.' idle), an axis in the run's time and a legend per node (type, calls,
 * total time). --html FILE also writes it as one HTML page with an inline
 * SVG (a rectangle per call, its node, operation and time as a tooltip),
 * no scripts, nothing fetched.
 */
#include "cli.h"
#include "cli_options.h"
#include "safe_output.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const rm_cli_option_t rm__trace_options[] = {
    {"width", 0, "N", "columns to use (default: the terminal's, or 80)"},
    {"html", 0, "FILE", "also write the timeline as one self-contained\n"
     "HTML page (inline SVG, no scripts)"},
};
static const rm_cli_options_t rm__trace_table =
    RM_CLI_OPTIONS(rm__trace_options);

static const char rm__trace_help[] =
    "  view TRACE.json       draw a trace rmrun --trace wrote: a lane per\n"
    "                        thread, a letter per node, a legend\n";

static const char rm__letters[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
#define RM__MAX_NODES (sizeof rm__letters - 1)
#define RM__MAX_LANES 64

typedef struct rm__node {
    const char *id, *type;
    size_t calls;
    double total_us;
} rm__node_t;

typedef struct rm__lane {
    double tid;
    const char *name;
    double *busy; /* per column x node: microseconds */
} rm__lane_t;

static int rm__width(int given) {
    if (given > 0) return given;
    struct winsize ws;
    if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col;
    return 80;
}

static const char *rm__string(const cJSON *object, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(object, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double rm__number(const cJSON *object, const char *key, double fallback) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(object, key);
    return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

/* "12.3 us", "4.56 ms", "7.89 s" */
static void rm__time(char *buf, size_t size, double us) {
    if (us < 1000) snprintf(buf, size, "%.1f us", us);
    else if (us < 1e6) snprintf(buf, size, "%.2f ms", us / 1e3);
    else snprintf(buf, size, "%.2f s", us / 1e6);
}

/* Whether event `e` is a node call ("X") of a known node (*k) on a known
 * lane (*l). */
static int rm__slice(const cJSON *e, const rm__node_t *nodes, size_t node_count,
                     const rm__lane_t *lanes, size_t lane_count, size_t *k,
                     size_t *l) {
    const char *ph = rm__string(e, "ph");
    if (!ph || strcmp(ph, "X") != 0) return 0;
    const char *id = rm__string(cJSON_GetObjectItemCaseSensitive(e, "args"),
                                "node_id");
    if (!id) id = rm__string(e, "name");
    double tid = rm__number(e, "tid", 0);
    for (*k = 0; id && *k < node_count && strcmp(nodes[*k].id, id) != 0; ++*k)
        ;
    for (*l = 0; *l < lane_count && lanes[*l].tid != tid; ++*l)
        ;
    return id && *k < node_count && *l < lane_count;
}

/* ---- --html: one self-contained page, an inline SVG, no scripts -------------- */

static void rm__xml(FILE *f, const char *text) {
    for (const char *p = text ? text : ""; *p; p++)
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*p, f);
        }
}

static const char *const rm__colors[] = {"#4e79a7", "#f28e2b", "#e15759",
                                         "#76b7b2", "#59a14f", "#edc948",
                                         "#b07aa1", "#ff9da7", "#9c755f",
                                         "#bab0ac"};

/* Writes the timeline as HTML to `out` (safe_output.h). RM_EXIT_*. */
static int rm__html(const rm_cli_t *cli, const char *path, const char *out,
                    const cJSON *events, const rm__node_t *nodes,
                    size_t node_count, const rm__lane_t *lanes,
                    size_t lane_count, double t0, double span) {
    rm_safe_output_t target;
    char why[4096];
    FILE *f = rm_safe_output_fopen(&target, out, why, sizeof why);
    if (!f) {
        fprintf(stderr, "%s trace: %s\n", cli->program, why);
        return RM_EXIT_IO;
    }
    const int label = 160, plot = 1000, row = 28, top = 30;
    int height = top + (int)lane_count * row + 20 + (int)node_count * 20;
    char total[32];
    rm__time(total, sizeof total, span);
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", f);
    rm__xml(f, path);
    fputs("</title></head>\n<body style=\"font-family:sans-serif\">\n<h3>", f);
    rm__xml(f, path);
    fprintf(f, " &mdash; %s</h3>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
            "width=\"%d\" height=\"%d\" font-size=\"12\">\n",
            total, label + plot + 10, height);
    fprintf(f, "<text x=\"%d\" y=\"20\">0</text><text x=\"%d\" y=\"20\" "
            "text-anchor=\"end\">%s</text>\n", label, label + plot, total);
    for (size_t l = 0; l < lane_count; l++) {
        int y = top + (int)l * row;
        fprintf(f, "<text x=\"4\" y=\"%d\">", y + 18);
        if (lanes[l].name) rm__xml(f, lanes[l].name);
        else fprintf(f, "tid %.0f", lanes[l].tid);
        fprintf(f, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" "
                "height=\"%d\" fill=\"#f4f4f4\"/>\n", label, y, plot, row - 4);
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, events) {
        size_t k, l;
        if (!rm__slice(e, nodes, node_count, lanes, lane_count, &k, &l))
            continue;
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(e, "args");
        const char *id = nodes[k].id;
        double a = rm__number(e, "ts", 0) - t0, dur = rm__number(e, "dur", 0);
        double x = label + a / span * plot, w = dur / span * plot;
        char took[32];
        rm__time(took, sizeof took, dur);
        fprintf(f, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" "
                "fill=\"%s\"><title>", x, top + (int)l * row,
                w < 0.5 ? 0.5 : w, row - 4,
                rm__colors[k % (sizeof rm__colors / sizeof *rm__colors)]);
        rm__xml(f, id);
        fputs(" ", f);
        rm__xml(f, rm__string(args, "operation"));
        fprintf(f, " %s</title></rect>\n", took);
    }
    for (size_t k = 0; k < node_count; k++) {
        int y = top + (int)lane_count * row + 20 + (int)k * 20;
        char busy[32];
        rm__time(busy, sizeof busy, nodes[k].total_us);
        fprintf(f, "<rect x=\"4\" y=\"%d\" width=\"12\" height=\"12\" "
                "fill=\"%s\"/><text x=\"22\" y=\"%d\">", y - 10,
                rm__colors[k % (sizeof rm__colors / sizeof *rm__colors)], y);
        rm__xml(f, nodes[k].id);
        fputs(" (", f);
        rm__xml(f, nodes[k].type);
        fprintf(f, "): %zu call%s, %s</text>\n", nodes[k].calls,
                nodes[k].calls == 1 ? "" : "s", busy);
    }
    fputs("</svg>\n</body></html>\n", f);
    if (rm_safe_output_fclose(&target, f, why, sizeof why) != 0) {
        fprintf(stderr, "%s trace: %s\n", cli->program, why);
        return RM_EXIT_IO;
    }
    return RM_EXIT_OK;
}

static int rm__view(const rm_cli_t *cli, const char *path, int width_arg,
                    const char *html) {
    size_t len = 0;
    char *text = rm_cli_read_file(path, &len);
    if (!text) {
        fprintf(stderr, "%s trace: cannot read %s: %s\n", cli->program, path,
                rm_cli_read_error(errno));
        return RM_EXIT_IO;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(root, "traceEvents");
    if (!cJSON_IsArray(events)) {
        fprintf(stderr, "%s trace: %s is not a trace (no \"traceEvents\" "
                "list; rmrun --trace FILE writes one)\n", cli->program, path);
        cJSON_Delete(root);
        return RM_EXIT_USAGE;
    }
    rm__node_t nodes[RM__MAX_NODES];
    rm__lane_t lanes[RM__MAX_LANES];
    size_t node_count = 0, lane_count = 0, slices = 0, dropped_nodes = 0;
    double t0 = 0, t1 = 0;
    const cJSON *e;
    /* pass 1: nodes, lanes, the time span */
    cJSON_ArrayForEach(e, events) {
        const char *ph = rm__string(e, "ph");
        double tid = rm__number(e, "tid", 0);
        if (!ph) continue;
        size_t lane = 0;
        while (lane < lane_count && lanes[lane].tid != tid) lane++;
        int is_slice = strcmp(ph, "X") == 0;
        int is_name = strcmp(ph, "M") == 0 &&
                      strcmp(rm__string(e, "name") ? rm__string(e, "name") : "",
                             "thread_name") == 0;
        if ((is_slice || is_name) && lane == lane_count &&
            lane_count < RM__MAX_LANES)
            lanes[lane_count++] = (rm__lane_t){tid, NULL, NULL};
        if (is_name && lane < lane_count)
            lanes[lane].name = rm__string(
                cJSON_GetObjectItemCaseSensitive(e, "args"), "name");
        if (!is_slice) continue;
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(e, "args");
        const char *id = rm__string(args, "node_id");
        if (!id) id = rm__string(e, "name");
        if (!id) continue;
        double ts = rm__number(e, "ts", 0), dur = rm__number(e, "dur", 0);
        if (slices == 0 || ts < t0) t0 = ts;
        if (slices == 0 || ts + dur > t1) t1 = ts + dur;
        slices++;
        size_t k = 0;
        while (k < node_count && strcmp(nodes[k].id, id) != 0) k++;
        if (k == node_count) {
            if (node_count == RM__MAX_NODES) {
                dropped_nodes++;
                continue;
            }
            nodes[node_count++] = (rm__node_t){id, rm__string(args, "node_type"),
                                               0, 0};
        }
        nodes[k].calls++;
        nodes[k].total_us += dur;
    }
    if (slices == 0) {
        printf("%s: no node calls in the trace\n", path);
        cJSON_Delete(root);
        return RM_EXIT_OK;
    }
    /* the columns */
    /* as wide as the longest lane name ("caller (inline calls)"), 14..24 */
    int label = 14, width = rm__width(width_arg);
    for (size_t l = 0; l < lane_count; l++) {
        size_t n = lanes[l].name ? strlen(lanes[l].name) : 0;
        if (n > (size_t)label) label = n > 24 ? 24 : (int)n;
    }
    int columns = width - label - 3;
    if (columns < 10) columns = 10;
    double span = t1 > t0 ? t1 - t0 : 1, per = span / columns;
    int status = RM_EXIT_OK;
    for (size_t l = 0; l < lane_count; l++) {
        lanes[l].busy = calloc((size_t)columns * (node_count ? node_count : 1),
                               sizeof(double));
        if (!lanes[l].busy) status = RM_EXIT_FAILED;
    }
    /* pass 2: each slice's time into the columns it covers */
    cJSON_ArrayForEach(e, events) {
        if (status != RM_EXIT_OK) break;
        size_t k, l;
        if (!rm__slice(e, nodes, node_count, lanes, lane_count, &k, &l))
            continue;
        double a = rm__number(e, "ts", 0) - t0;
        double z = a + rm__number(e, "dur", 0);
        for (int c = (int)(a / per); c < columns && c * per < z; c++) {
            double from = c * per > a ? c * per : a;
            double to = (c + 1) * per < z ? (c + 1) * per : z;
            lanes[l].busy[(size_t)c * node_count + k] +=
                to > from ? to - from : per * 1e-3; /* an instant still shows */
        }
    }
    if (status == RM_EXIT_OK) {
        char total[32], step[32];
        rm__time(total, sizeof total, span);
        rm__time(step, sizeof step, per);
        printf("%s: %zu node calls in %s on %zu thread%s; a column is %s\n",
               path, slices, total, lane_count, lane_count == 1 ? "" : "s",
               step);
        printf("%-*s |0%*s|\n", label, "thread", columns - 1, total);
        for (size_t l = 0; l < lane_count; l++) {
            char name[64];
            if (lanes[l].name)
                snprintf(name, sizeof name, "%s", lanes[l].name);
            else
                snprintf(name, sizeof name, "tid %.0f", lanes[l].tid);
            printf("%-*.*s |", label, label, name);
            for (int c = 0; c < columns; c++) {
                size_t best = node_count;
                double most = 0;
                for (size_t k = 0; k < node_count; k++)
                    if (lanes[l].busy[(size_t)c * node_count + k] > most) {
                        most = lanes[l].busy[(size_t)c * node_count + k];
                        best = k;
                    }
                putchar(best < node_count ? rm__letters[best] : '.');
            }
            puts("|");
        }
        puts("\nnodes:");
        for (size_t k = 0; k < node_count; k++) {
            char busy[32];
            rm__time(busy, sizeof busy, nodes[k].total_us);
            printf("  %c  %-20s %-22s %6zu call%s  %s\n", rm__letters[k],
                   nodes[k].id, nodes[k].type ? nodes[k].type : "",
                   nodes[k].calls, nodes[k].calls == 1 ? " " : "s", busy);
        }
        if (dropped_nodes)
            printf("  (%zu calls of nodes past the first %zu are not drawn)\n",
                   dropped_nodes, (size_t)RM__MAX_NODES);
    }
    if (status == RM_EXIT_OK && html)
        status = rm__html(cli, path, html, events, nodes, node_count, lanes,
                          lane_count, t0, span);
    for (size_t l = 0; l < lane_count; l++) free(lanes[l].busy);
    cJSON_Delete(root);
    if (status == RM_EXIT_FAILED)
        fprintf(stderr, "%s trace: out of memory\n", cli->program);
    return status;
}

typedef struct rm__trace_args {
    const rm_cli_t *cli;
    int width;
    const char *html;
} rm__trace_args_t;

static int rm__trace_option(void *ctx, const rm_cli_option_t *o,
                            const char *value) {
    rm__trace_args_t *a = ctx;
    if (o == &rm__trace_options[1]) {
        a->html = value;
        return RM_EXIT_OK;
    }
    char *end = NULL;
    long n = strtol(value, &end, 10);
    if (*end || n < 40 || n > 1000) {
        fprintf(stderr, "%s trace: --width takes columns from 40 to "
                "1000, got '%s'\n", a->cli->program, value);
        return RM_EXIT_USAGE;
    }
    a->width = (int)n;
    return RM_EXIT_OK;
}

static int rm__cmd_trace(const rm_cli_t *cli, int argc, char **argv) {
    rm__trace_args_t a = {cli, 0, NULL};
    int status = rm_cli_parse_options(cli, "trace", &rm__trace_table, &argc,
                                      argv, rm__trace_option, &a);
    if (status != RM_EXIT_OK) return status;
    /* what is left, in order: the action and the trace */
    const char *action = argc > 0 ? argv[0] : NULL;
    const char *path = argc > 1 ? argv[1] : NULL;
    int wrong = action && strcmp(action, "view") != 0;
    if (argc > 2) {
        fprintf(stderr, "%s trace: one trace at a time; got '%s' and '%s'\n",
                cli->program, path, argv[2]);
        return RM_EXIT_USAGE;
    }
    if (!action || wrong || !path) {
        fprintf(stderr, "%s trace: usage: %s trace view TRACE.json [--width "
                "N] [--html FILE]%s%s%s\n", cli->program, cli->program,
                wrong ? " (no action '" : "", wrong ? action : "",
                wrong ? "')" : "");
        return RM_EXIT_USAGE;
    }
    return rm__view(cli, path, a.width, a.html);
}

const rm_cli_command_t rm_cli_command_trace = {
    "trace", NULL, "view TRACE.json [--width N] [--html FILE]",
    "draw a trace (rmrun --trace) in the terminal: lanes, nodes, legend",
    rm__trace_help, 0, rm__cmd_trace, &rm__trace_table};
