/*
 * batch_segments.c — `rmrun --batch ... --segments FORMATS`: the speech
 * segments of the node that emits them (its type declares
 * RM_CAP_SPEECH_SEGMENTS, e.g. the vad plugin's segmenter) as the files
 * speech tools read (batch.h, docs/batch.md "Segment files").
 *
 * The manifest gets a tap: a sink of a node type declaring
 * RM_CAP_PASS_THROUGH on the segmenter's port 0, so its items are in the
 * run's result whatever the segmenter is wired to (a run's result holds
 * the sinks' items only). Per file, its per-chunk items give the frame
 * scores and its final item every segment [start, end); a segment's score
 * is the mean score of its frames. Written per input (next to its other
 * outputs) and, at the end, combined for the batch in OUT_DIR:
 *
 *   jsonl     <stem>.segments.jsonl  {"file","start","end","duration","score"}
 *   csv       <stem>.segments.csv    file,start,end,duration,score
 *   rttm      <stem>.rttm            SPEAKER <uri> 1 <start> <dur> <NA> <NA> speech <NA> <NA>
 *   audacity  <stem>.labels.txt      start<TAB>end<TAB>speech (per file only)
 *
 * The per-file JSONL is always written (the combined files are built from
 * it, so a --resume'd batch still combines every file).
 */
#include "batch.h"
#include "json_number.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safe_output.h"

static const struct {
    const char *name;
    unsigned bit;
    const char *suffix; /* of the per-file output, after the stem */
} rm__formats[] = {
    {"jsonl", RM_SEGMENTS_JSONL, ".segments.jsonl"},
    {"csv", RM_SEGMENTS_CSV, ".segments.csv"},
    {"rttm", RM_SEGMENTS_RTTM, ".rttm"},
    {"audacity", RM_SEGMENTS_AUDACITY, ".labels.txt"},
};
#define RM__FORMAT_COUNT (sizeof rm__formats / sizeof *rm__formats)

int rm_batch_segments_parse(const rm_cli_t *cli, const char *value,
                            unsigned *formats) {
    *formats = RM_SEGMENTS_JSONL; /* always: the combined files read it */
    char copy[256];
    snprintf(copy, sizeof copy, "%s", value);
    for (char *save = NULL, *word = strtok_r(copy, ",", &save); word;
         word = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        if (strcmp(word, "all") == 0) {
            for (; i < RM__FORMAT_COUNT; i++) *formats |= rm__formats[i].bit;
            continue;
        }
        while (i < RM__FORMAT_COUNT && strcmp(word, rm__formats[i].name) != 0)
            i++;
        if (i == RM__FORMAT_COUNT) {
            fprintf(stderr, "%s: batch: --segments takes jsonl, csv, rttm, "
                    "audacity or all (comma-separated), got '%s'\n",
                    cli->program, word);
            return RM_EXIT_USAGE;
        }
        *formats |= rm__formats[i].bit;
    }
    return RM_EXIT_OK;
}

size_t rm_batch_segments_outputs(const rm_batch_t *b) {
    size_t n = 0;
    for (size_t i = 0; i < RM__FORMAT_COUNT; i++)
        n += (b->segment_formats & rm__formats[i].bit) != 0;
    return n;
}

int rm_batch_segments_plan(const rm_batch_t *b, rm_batch_entry_t *e,
                           char **outputs) {
    size_t n = 0;
    for (size_t i = 0; i < RM__FORMAT_COUNT; i++) {
        if (!(b->segment_formats & rm__formats[i].bit)) continue;
        outputs[n] = rm_batch_file_path(b, e, rm__formats[i].suffix);
        if (!outputs[n++]) return -1;
    }
    return 0;
}

char *rm_batch_segments_combined_path(const rm_batch_t *b, unsigned bit) {
    for (size_t i = 0; i < RM__FORMAT_COUNT; i++)
        if (rm__formats[i].bit == bit && bit != RM_SEGMENTS_AUDACITY)
            /* ".segments.jsonl" -> "segments.jsonl"; ".rttm" -> "segments.rttm" */
            return rm_batch_path(b->out_dir, "", "segments",
                                 bit == RM_SEGMENTS_RTTM
                                     ? ".rttm"
                                     : rm__formats[i].suffix + 9);
    return NULL;
}

/* The node type of `node` when it declares capability `cap`, else NULL. */
static const rm_node_type_t *rm__with_cap(const rm_registry_t *registry,
                                          const cJSON *node, uint64_t cap) {
    const rm_registry_entry_t *entry = rm_cli_node_entry(registry, node);
    return entry && (entry->type->capabilities & cap) ? entry->type : NULL;
}

/* The first node type declaring RM_CAP_PASS_THROUGH whose input takes
 * `kinds`, or NULL. */
static const char *rm__tap_type(const rm_registry_t *registry,
                                uint32_t kinds) {
    for (size_t i = 0; i < rm_registry_count(registry); i++) {
        const rm_node_type_t *type = rm_registry_at(registry, i)->type;
        if ((type->capabilities & RM_CAP_PASS_THROUGH) &&
            type->input_count >= 1 && type->output_count >= 1 &&
            (type->inputs[0].kinds & kinds) == kinds)
            return type->name;
    }
    return NULL;
}

int rm_batch_segments_tap(rm_batch_t *b) {
    cJSON *nodes = cJSON_GetObjectItemCaseSensitive(b->manifest, "nodes");
    const char *segmenter = NULL;
    const rm_node_type_t *segmenter_type = NULL;
    cJSON *node;
    cJSON_ArrayForEach(node, nodes) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(node, "id");
        const rm_node_type_t *type =
            rm__with_cap(b->registry, node, RM_CAP_SPEECH_SEGMENTS);
        if (!type || !cJSON_IsString(id) || type->output_count < 1) continue;
        if (segmenter) {
            fprintf(stderr, "%s: batch: --segments: %s has two nodes that "
                    "emit speech segments ('%s' and '%s'); it writes the "
                    "segments of one\n", b->cli->program, b->manifest_path,
                    segmenter, id->valuestring);
            return RM_EXIT_USAGE;
        }
        segmenter = id->valuestring;
        segmenter_type = type;
    }
    if (!segmenter) {
        fprintf(stderr, "%s: batch: --segments: %s has no node that emits "
                "speech segments (a node type with the speech-segments "
                "capability, e.g. the vad plugin's segmenter), so there are "
                "no segments to write\n", b->cli->program, b->manifest_path);
        return RM_EXIT_USAGE;
    }
    const char *tap_type =
        rm__tap_type(b->registry, segmenter_type->outputs[0].kinds);
    if (!tap_type) {
        fprintf(stderr, "%s: batch: --segments: no loaded plugin has a "
                "pass-through node type to capture the segments of '%s' "
                "(the math plugin has one)\n", b->cli->program, segmenter);
        return RM_EXIT_USAGE;
    }
    /* Without "connections" the nodes form a chain: spell it out first. */
    cJSON *edges = cJSON_GetObjectItemCaseSensitive(b->manifest, "connections");
    if (!edges) {
        edges = cJSON_AddArrayToObject(b->manifest, "connections");
        const cJSON *prev = NULL;
        cJSON_ArrayForEach(node, nodes) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(node, "id");
            if (prev && cJSON_IsString(id)) {
                cJSON *edge = cJSON_CreateObject();
                cJSON_AddStringToObject(edge, "from", prev->valuestring);
                cJSON_AddStringToObject(edge, "to", id->valuestring);
                cJSON_AddItemToArray(edges, edge);
            }
            prev = cJSON_IsString(id) ? id : NULL;
        }
    }
    cJSON *tap = cJSON_CreateObject();
    cJSON_AddStringToObject(tap, "id", RM_BATCH_SEGMENTS_TAP);
    cJSON_AddStringToObject(tap, "node_type", tap_type);
    cJSON_AddItemToArray(nodes, tap);
    cJSON *edge = cJSON_CreateObject();
    cJSON_AddStringToObject(edge, "from", segmenter);
    rm_json_add_number(edge, "from_port", 0);
    cJSON_AddStringToObject(edge, "to", RM_BATCH_SEGMENTS_TAP);
    cJSON_AddItemToArray(edges, edge);
    return RM_EXIT_OK;
}

/* ---- one file ------------------------------------------------------------------ */

typedef struct rm__scores {
    float *at;
    size_t count, cap;
    double frame_s;
} rm__scores_t;

static int rm__keep_scores(rm__scores_t *s, const cJSON *item) {
    const cJSON *scores = cJSON_GetObjectItemCaseSensitive(item, "scores");
    const cJSON *first = cJSON_GetObjectItemCaseSensitive(item, "first_frame");
    const cJSON *frame_s = cJSON_GetObjectItemCaseSensitive(item, "frame_s");
    if (!cJSON_IsArray(scores) || !cJSON_IsNumber(first)) return 0;
    if (cJSON_IsNumber(frame_s)) s->frame_s = frame_s->valuedouble;
    size_t k = first->valuedouble > 0 ? (size_t)first->valuedouble : 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, scores) {
        if (k >= s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 1024;
            while (cap <= k) cap *= 2;
            float *grown = realloc(s->at, cap * sizeof(*grown));
            if (!grown) return -1;
            for (size_t i = s->cap; i < cap; i++) grown[i] = NAN;
            s->at = grown;
            s->cap = cap;
        }
        s->at[k++] = (float)(cJSON_IsNumber(v) ? v->valuedouble : NAN);
        if (k > s->count) s->count = k;
    }
    return 0;
}

/* The mean score of the frames in [start, end); NAN when unknown. */
static double rm__score(const rm__scores_t *s, double start, double end) {
    if (!(s->frame_s > 0)) return NAN;
    double sum = 0;
    size_t n = 0;
    size_t first = (size_t)(start / s->frame_s + 1e-9);
    for (size_t k = first; k < s->count && (double)k * s->frame_s < end - 1e-9;
         k++)
        if (!isnan(s->at[k])) {
            sum += s->at[k];
            n++;
        }
    return n ? sum / (double)n : NAN;
}

static double rm__ms(double seconds) { return rm_cli_round(seconds * 1000) / 1000; }

/* The JSONL of one file: a line per segment. */
static char *rm__jsonl(const char *input, const cJSON *segments,
                       const rm__scores_t *scores) {
    size_t cap = 256, len = 0;
    char *text = malloc(cap);
    if (!text) return NULL;
    text[0] = '\0';
    const cJSON *seg;
    cJSON_ArrayForEach(seg, segments) {
        const cJSON *a = cJSON_GetArrayItem(seg, 0), *z = cJSON_GetArrayItem(seg, 1);
        if (!cJSON_IsNumber(a) || !cJSON_IsNumber(z)) continue;
        double start = a->valuedouble, end = z->valuedouble;
        double score = rm__score(scores, start, end);
        cJSON *line = cJSON_CreateObject();
        cJSON_AddStringToObject(line, "file", input);
        rm_json_add_number(line, "start", rm__ms(start));
        rm_json_add_number(line, "end", rm__ms(end));
        rm_json_add_number(line, "duration", rm__ms(end - start));
        if (isnan(score)) cJSON_AddNullToObject(line, "score");
        else rm_json_add_number(line, "score", rm__ms(score));
        char *one = cJSON_PrintUnformatted(line);
        cJSON_Delete(line);
        size_t need = one ? strlen(one) + 2 : 0;
        if (!one || len + need + 1 > cap) {
            while (one && len + need + 1 > cap) cap *= 2;
            char *grown = one ? realloc(text, cap) : NULL;
            if (!grown) {
                free(one);
                free(text);
                return NULL;
            }
            text = grown;
        }
        len += (size_t)sprintf(text + len, "%s\n", one);
        free(one);
    }
    return text;
}

/* A CSV field: as is, or quoted with doubled quotes (RFC 4180). */
static void rm__csv_field(FILE *f, const char *text) {
    if (!strpbrk(text, ",\"\r\n")) {
        fputs(text, f);
        return;
    }
    fputc('"', f);
    for (const char *p = text; *p; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

/* The RTTM file id: the input's folder and stem, blanks as '_'. */
static void rm__rttm_uri(const rm_batch_entry_t *e, char *uri, size_t size) {
    snprintf(uri, size, "%s%s%s", e->subdir, e->subdir[0] ? "/" : "", e->stem);
    for (char *p = uri; *p; p++)
        if (isspace((unsigned char)*p)) *p = '_';
}

/* Writes lines of JSONL `text` in `format` to `f`. */
static void rm__write_as(FILE *f, unsigned format, const char *text,
                         const rm_batch_entry_t *e, int header) {
    if (format == RM_SEGMENTS_JSONL) {
        fputs(text, f);
        return;
    }
    if (format == RM_SEGMENTS_CSV && header)
        fputs("file,start,end,duration,score\n", f);
    char uri[PATH_MAX];
    rm__rttm_uri(e, uri, sizeof uri);
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        cJSON *o = cJSON_ParseWithLength(line, n);
        line += n + (end ? 1 : 0);
        const cJSON *start = cJSON_GetObjectItemCaseSensitive(o, "start");
        const cJSON *stop = cJSON_GetObjectItemCaseSensitive(o, "end");
        const cJSON *score = cJSON_GetObjectItemCaseSensitive(o, "score");
        const cJSON *file = cJSON_GetObjectItemCaseSensitive(o, "file");
        if (!cJSON_IsNumber(start) || !cJSON_IsNumber(stop) ||
            !cJSON_IsString(file)) {
            cJSON_Delete(o);
            continue;
        }
        double a = start->valuedouble, z = stop->valuedouble;
        if (format == RM_SEGMENTS_CSV) {
            rm__csv_field(f, file->valuestring);
            fprintf(f, ",%.3f,%.3f,%.3f,", a, z, z - a);
            if (cJSON_IsNumber(score)) fprintf(f, "%.3f", score->valuedouble);
            fputc('\n', f);
        } else if (format == RM_SEGMENTS_RTTM) {
            fprintf(f, "SPEAKER %s 1 %.3f %.3f <NA> <NA> speech <NA> <NA>\n",
                    uri, a, z - a);
        } else {
            fprintf(f, "%.6f\t%.6f\tspeech\n", a, z);
        }
        cJSON_Delete(o);
    }
}

static int rm__write_file(const char *path, unsigned format, const char *text,
                          const rm_batch_entry_t *e, char *why, size_t size) {
    rm_safe_output_t target;
    FILE *f = rm_safe_output_fopen(&target, path, why, size);
    if (!f) return -1;
    rm__write_as(f, format, text, e, 1);
    return rm_safe_output_fclose(&target, f, why, size);
}

char *rm_batch_segments_write(const rm_batch_t *b, const rm_batch_entry_t *e,
                              const rm_run_result_t *r, char **outputs) {
    size_t sink = 0, sinks = rm_run_result_sink_count(r);
    while (sink < sinks &&
           strcmp(rm_run_result_sink_id(r, sink), RM_BATCH_SEGMENTS_TAP) != 0)
        sink++;
    rm__scores_t scores = {NULL, 0, 0, 0};
    cJSON *final = NULL;
    for (size_t i = 0; sink < sinks && i < rm_run_result_item_count(r, sink);
         i++) {
        const rm_item_t *item = rm_run_result_item(r, sink, i);
        if (item->kind != RM_KIND_JSON || !item->size) continue;
        cJSON *o = cJSON_ParseWithLength(item->data, item->size);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "final"))) {
            cJSON_Delete(final);
            final = o;
            continue;
        }
        int kept = rm__keep_scores(&scores, o);
        cJSON_Delete(o);
        if (kept != 0) break;
    }
    char *text = rm__jsonl(e->input, cJSON_GetObjectItemCaseSensitive(final,
                                                                      "segments"),
                           &scores);
    cJSON_Delete(final);
    free(scores.at);
    char why[PATH_MAX + 256];
    char *error = NULL;
    size_t n = 0;
    for (size_t i = 0; text && !error && i < RM__FORMAT_COUNT; i++) {
        if (!(b->segment_formats & rm__formats[i].bit)) continue;
        if (rm__write_file(outputs[n++], rm__formats[i].bit, text, e, why,
                           sizeof why) != 0)
            error = strdup(why);
    }
    if (!text) error = strdup("out of memory writing the segments");
    free(text);
    return error;
}

int rm_batch_segments_combine(const rm_batch_t *b) {
    int status = RM_EXIT_OK;
    for (size_t i = 0; i < RM__FORMAT_COUNT; i++) {
        unsigned bit = rm__formats[i].bit;
        if (!(b->segment_formats & bit) || bit == RM_SEGMENTS_AUDACITY) continue;
        char why[PATH_MAX + 256];
        char *path = rm_batch_segments_combined_path(b, bit);
        rm_safe_output_t target;
        FILE *f = NULL;
        if (!path) snprintf(why, sizeof why, "the combined segments: out of memory");
        else f = rm_safe_output_fopen(&target, path, why, sizeof why);
        free(path);
        if (!f) {
            fprintf(stderr, "%s: batch: %s\n", b->cli->program, why);
            status = RM_EXIT_IO;
            continue;
        }
        if (bit == RM_SEGMENTS_CSV) fputs("file,start,end,duration,score\n", f);
        size_t jsonl = b->sink_count + (b->has_other_sinks ? 1 : 0);
        for (size_t k = 0; k < b->entry_count; k++) {
            const rm_batch_entry_t *e = &b->entries[k];
            if (e->status != RM_BATCH_OK && e->status != RM_BATCH_SKIPPED)
                continue;
            size_t len = 0;
            char *text = jsonl < e->output_count
                             ? rm_cli_read_file(e->outputs[jsonl], &len)
                             : NULL;
            if (text) rm__write_as(f, bit, text, e, 0);
            free(text);
        }
        if (rm_safe_output_fclose(&target, f, why, sizeof why) != 0) {
            fprintf(stderr, "%s: batch: %s\n", b->cli->program, why);
            status = RM_EXIT_IO;
        }
    }
    return status;
}
