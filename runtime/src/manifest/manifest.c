/*
 * manifest.c — loading a manifest: reject what is not JSON text (with
 * "file:line:col"), read the top level, hand nodes/connections to
 * validate.c and the graph to graph.c, and decide the outcome.
 *
 * Thread-safe: cJSON is driven only through cJSON_ParseWithLengthOpts with a
 * per-call return_parse_end (never cJSON_GetErrorPtr, which is global).
 */
#include "manifest/graph.h"
#include "manifest/report.h"
#include "manifest/validate.h"

#include <stdlib.h>
#include <string.h>

static const char *const rm__top_fields[] = {"version", "metadata", "nodes",
                                             "connections"};

/* ---- text that is not a JSON object ------------------------------------ */

/* JSON's whitespace (not strchr(" \t\r\n", c): that matches NUL too). */
static int rm__is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void rm__where_at(rm_strbuf_t *where, const char *source,
                         const char *text, size_t len, size_t offset) {
    size_t line, col;
    rm__line_col(text, len, offset, &line, &col);
    rm__sb_addf(where, "%s:%zu:%zu", source, line, col);
}

/* What the bytes up to the end say about why cJSON stopped: nesting too
 * deep, an unterminated string, unclosed brackets, or text after the end. */
typedef struct rm__scan {
    size_t too_deep_at;      /* SIZE_MAX: never deeper than the limit      */
    size_t string_open_at;   /* SIZE_MAX: not inside a string at the end   */
    size_t unclosed_at;      /* innermost unclosed bracket, or SIZE_MAX    */
    size_t root_end;         /* offset after a container root, or SIZE_MAX */
} rm__scan_t;

static void rm__scan_text(const char *text, size_t len, rm__scan_t *scan) {
    scan->too_deep_at = scan->string_open_at = SIZE_MAX;
    scan->unclosed_at = scan->root_end = SIZE_MAX;
    /* Only the innermost opener is needed at the end, but it is the
     * innermost *still open*: keep a stack (bounded by the nesting limit). */
    size_t stack[CJSON_NESTING_LIMIT + 1];
    size_t depth = 0;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\') i++;
            else if (c == '"') in_string = 0;
            continue;
        }
        if (c == '"') {
            in_string = 1;
            scan->string_open_at = i;
        } else if (c == '[' || c == '{') {
            if (depth == CJSON_NESTING_LIMIT) {
                scan->too_deep_at = i;
                return;
            }
            stack[depth++] = i;
        } else if ((c == ']' || c == '}') && depth > 0) {
            if (--depth == 0 && scan->root_end == SIZE_MAX)
                scan->root_end = i + 1;
        }
    }
    if (!in_string) scan->string_open_at = SIZE_MAX;
    if (depth) scan->unclosed_at = stack[depth - 1];
}

/* What people write that JSON does not take, at the failure `offset`:
 * the message, and in *offset where it is (the comma of a trailing
 * comma), or NULL. cJSON stops on the offending character or one past. */
static const char *rm__not_json_hint_at(const char *text, size_t len,
                                        size_t at, size_t *offset) {
    char c = text[at], next = at + 1 < len ? text[at + 1] : '\0';
    if ((c == '/' && (next == '/' || next == '*')) || c == '#') {
        *offset = at;
        return c == '#' ? "a '#' comment: JSON has no comments; remove it "
                          "(or move the note into the manifest's "
                          "\"metadata\")"
                        : "a comment (// or /* */): JSON has none; remove it "
                          "(or move the note into the manifest's "
                          "\"metadata\")";
    }
    if (c == ']' || c == '}') {
        size_t p = at;
        while (p > 0 && rm__is_space(text[p - 1])) p--;
        if (p > 0 && text[p - 1] == ',') {
            *offset = p - 1;
            return c == ']' ? "a trailing comma before ']': JSON allows none; "
                              "remove this ','"
                            : "a trailing comma before '}': JSON allows none; "
                              "remove this ','";
        }
    }
    if (c == '\'') {
        *offset = at;
        return "a single-quoted string: JSON strings take double quotes";
    }
    return NULL;
}

static const char *rm__not_json_hint(const char *text, size_t len,
                                     size_t *offset) {
    size_t at = *offset < len ? *offset : len - 1;
    const char *hint = rm__not_json_hint_at(text, len, at, offset);
    if (!hint && at > 0 && !rm__is_space(text[at - 1]))
        hint = rm__not_json_hint_at(text, len, at - 1, offset);
    return hint;
}

static void rm__report_parse_error(rm_diag_t *diag, const char *source,
                                   const char *text, size_t len,
                                   size_t offset) {
    rm__scan_t scan;
    rm__scan_text(text, len, &scan);
    size_t end = len;
    while (end > 0 && rm__is_space(text[end - 1])) end--;
    int at_end = offset + 1 >= end;
    rm_strbuf_t where, msg;
    rm__sb_init(&where);
    rm__sb_init(&msg);
    size_t line, col;
    const char *hint;
    if (scan.too_deep_at != SIZE_MAX) {
        offset = scan.too_deep_at;
        rm__sb_addf(&msg, "malformed JSON: nested deeper than %d levels",
                    CJSON_NESTING_LIMIT);
    } else if (scan.string_open_at != SIZE_MAX &&
               offset >= scan.string_open_at) {
        rm__line_col(text, len, scan.string_open_at, &line, &col);
        offset = len;
        rm__sb_addf(&msg, "malformed JSON: unexpected end of input inside "
                          "the string that starts at %zu:%zu",
                    line, col);
    } else if (at_end && scan.unclosed_at != SIZE_MAX) {
        rm__line_col(text, len, scan.unclosed_at, &line, &col);
        offset = len;
        rm__sb_addf(&msg, "malformed JSON: unexpected end of input; the '%c' "
                          "at %zu:%zu is never closed",
                    text[scan.unclosed_at], line, col);
    } else if ((hint = rm__not_json_hint(text, len, &offset)) != NULL) {
        rm__sb_addf(&msg, "malformed JSON: %s", hint);
    } else {
        char snippet[24];
        size_t n = 0; /* up to 20 bytes, within the line */
        while (n < 20 && offset + n < len && text[offset + n] != '\n' &&
               text[offset + n] != '\r')
            n++;
        memcpy(snippet, text + offset, n);
        snippet[n] = '\0';
        if (scan.root_end != SIZE_MAX && offset >= scan.root_end)
            rm__sb_add(&msg, "malformed JSON: extra text after the end of "
                             "the JSON value: ");
        else
            rm__sb_add(&msg, "malformed JSON: unexpected text ");
        rm__sb_quote(&msg, snippet);
    }
    rm__where_at(&where, source, text, len, offset);
    rm_diag_add(diag, RM_EPARSE, where.s ? where.s : source, "%s",
                msg.s ? msg.s : "malformed JSON");
    rm__sb_free(&where);
    rm__sb_free(&msg);
}

/* NUL bytes, emptiness, then cJSON. Returns the root or NULL (reported). */
static cJSON *rm__parse(rm_diag_t *diag, const char *source, const char *text,
                        size_t len) {
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        rm_strbuf_t where;
        rm__sb_init(&where);
        rm__where_at(&where, source, text, len, (size_t)(nul - text));
        rm_diag_add(diag, RM_EPARSE, where.s ? where.s : source,
                    "NUL byte at offset %zu: a manifest is UTF-8 JSON text "
                    "and must not contain NUL bytes",
                    (size_t)(nul - text));
        rm__sb_free(&where);
        return NULL;
    }
    size_t bad = rm__utf8_invalid_at(text, len);
    if (bad < len) {
        rm_strbuf_t where;
        rm__sb_init(&where);
        rm__where_at(&where, source, text, len, bad);
        rm_diag_add(diag, RM_EPARSE, where.s ? where.s : source,
                    "invalid UTF-8 (byte 0x%02x at offset %zu): a manifest "
                    "is UTF-8 JSON text",
                    (unsigned)(unsigned char)text[bad], bad);
        rm__sb_free(&where);
        return NULL;
    }
    size_t i = 0;
    while (i < len && rm__is_space(text[i])) i++;
    if (i == len) {
        rm_diag_add(diag, RM_EPARSE, source,
                    "empty manifest%s: expected a JSON object like "
                    "{\"version\": \"v1\", \"nodes\": [...], "
                    "\"connections\": [...]}",
                    len ? " (only whitespace)" : "");
        return NULL;
    }
    /* require_null_terminated is 0: cJSON 1.7 would then demand a NUL
     * inside `len`. Text after the value is checked here instead. */
    const char *parse_end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &parse_end, 0);
    size_t offset = parse_end && parse_end >= text && parse_end <= text + len
                        ? (size_t)(parse_end - text)
                        : 0;
    if (root) {
        while (offset < len && rm__is_space(text[offset])) offset++;
        if (offset == len) return root;
        cJSON_Delete(root);
        root = NULL;
    }
    rm__report_parse_error(diag, source, text, len, offset);
    return NULL;
}

/* ---- the top level ----------------------------------------------------- */

static void rm__read_metadata(rm_loader_t *loader, const cJSON *root,
                              rm_strbuf_t *path) {
    const cJSON *metadata = cJSON_GetObjectItemCaseSensitive(root, "metadata");
    const char *name = NULL;
    if (metadata) {
        size_t mark = rm__path_key(path, "metadata");
        if (!cJSON_IsObject(metadata)) {
            rm__report_type(loader, path->s,
                            "a metadata object {\"name\", \"created_at\", "
                            "\"description\", ...}",
                            metadata);
        } else {
            /* Any extra keys are allowed here; the known ones are typed. */
            rm__check_keys(loader, metadata, path, "metadata", NULL, 0, 1);
            static const char *const known[] = {"name", "created_at",
                                                "description"};
            for (size_t i = 0; i < 3; i++) {
                const cJSON *v =
                    cJSON_GetObjectItemCaseSensitive(metadata, known[i]);
                if (!v || cJSON_IsString(v)) continue;
                size_t m = rm__path_key(path, known[i]);
                rm__report_type(loader, path->s, "a string", v);
                rm__sb_truncate(path, m);
            }
            /* Free-form, but 1e400 would silently become null. */
            size_t m = path->len;
            if (rm__json_find_nonfinite(metadata, path)) {
                rm_strbuf_t msg;
                rm__sb_init(&msg);
                rm__sb_add(&msg, "number is too large: it overflows a double "
                                 "(largest is about 1.8e308)");
                rm__report(loader, RM_EVALIDATE, path->s, &msg);
            }
            rm__sb_truncate(path, m);
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(metadata, "name");
            if (cJSON_IsString(v) && v->valuestring[0]) name = v->valuestring;
        }
        rm__sb_truncate(path, mark);
    }
    loader->manifest->name = strdup(name ? name : "pipeline");
    if (!loader->manifest->name) rm__report_oom(loader);
}

static void rm__read_top(rm_loader_t *loader, const cJSON *root) {
    rm_strbuf_t path;
    rm__sb_init(&path);
    if (!cJSON_IsObject(root)) {
        rm__report_type(loader, "$",
                        "a manifest object {\"version\": \"v1\", "
                        "\"nodes\": [...]}",
                        root);
        return;
    }
    rm__check_keys(loader, root, &path, "manifest", rm__top_fields,
                   sizeof rm__top_fields / sizeof *rm__top_fields, 0);

    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (!version) {
        rm_strbuf_t msg;
        rm__sb_init(&msg);
        rm__sb_add(&msg, "missing required field \"version\" (expected "
                         "\"v1\")");
        rm__report(loader, RM_EVALIDATE, "$", &msg);
    } else if (!cJSON_IsString(version) ||
               strcmp(version->valuestring, "v1") != 0) {
        rm__report_type(loader, "version",
                        "\"v1\" (the only manifest version this runtime "
                        "reads)",
                        version);
    }
    rm__read_metadata(loader, root, &path);

    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(root, "nodes");
    const cJSON *connections =
        cJSON_GetObjectItemCaseSensitive(root, "connections");
    if (!nodes) {
        rm_strbuf_t msg;
        rm__sb_init(&msg);
        rm__sb_add(&msg, "missing required field \"nodes\" (an array of "
                         "node objects)");
        rm__report(loader, RM_EVALIDATE, "$", &msg);
    } else if (!cJSON_IsArray(nodes)) {
        rm__report_type(loader, "nodes", "an array of node objects", nodes);
    } else if (!nodes->child) {
        rm_strbuf_t msg;
        rm__sb_init(&msg);
        rm__sb_add(&msg, "expected at least one node, got an empty array");
        rm__report(loader, RM_EVALIDATE, "nodes", &msg);
    } else {
        rm__read_nodes(loader, nodes);
        if (connections && !cJSON_IsArray(connections))
            rm__report_type(loader, "connections",
                            "an array of connection objects {\"from\": id, "
                            "\"to\": id}",
                            connections);
        else
            rm__read_connections(loader, connections);
    }
    rm__sb_free(&path);
}

/* ---- load and free ----------------------------------------------------- */

/* The outcome of the problems this load reported (entries from `first`). */
static int rm__outcome(const rm_diag_t *diag, size_t first) {
    int cycle_only = 1;
    for (size_t i = first; i < rm_diag_count(diag); i++) {
        int status = rm_diag_at(diag, i)->status;
        if (status == RM_EPARSE || status == RM_ENOMEM) return status;
        if (status != RM_ECYCLE) cycle_only = 0;
    }
    return cycle_only ? RM_ECYCLE : RM_EVALIDATE;
}

int rm__manifest_load(const rm_registry_t *registry, const char *text,
                      size_t len, const char *source, rm_diag_t *diag,
                      rm_manifest_t **out) {
    if (!out || !diag || (!text && len)) return RM_EINVAL;
    *out = NULL;
    if (!source) source = "<string>";
    if (!text) text = "";
    size_t first = rm_diag_count(diag);
    cJSON *root = rm__parse(diag, source, text, len);
    if (!root) return rm_diag_count(diag) > first ? RM_EPARSE : RM_ENOMEM;
    /* An escaped NUL anywhere (a sink path, a param name or value, a node
     * id, metadata): cJSON would cut the string there. */
    rm_strbuf_t flaw_where, flaw;
    rm__sb_init(&flaw_where);
    rm__sb_init(&flaw);
    if (rm__json_find_flaw(text, len, RM_JSON_FLAW_NUL, &flaw_where, &flaw)) {
        rm_diag_add(diag, RM_EVALIDATE, flaw_where.s ? flaw_where.s : "$",
                    "%s", flaw.s ? flaw.s : "escaped NUL in a string");
        rm__sb_free(&flaw_where);
        rm__sb_free(&flaw);
        cJSON_Delete(root);
        return RM_EVALIDATE;
    }

    rm_manifest_t *manifest = calloc(1, sizeof(*manifest));
    if (manifest) manifest->json = malloc(len + 1);
    if (!manifest || !manifest->json) {
        free(manifest);
        cJSON_Delete(root);
        rm_diag_add(diag, RM_ENOMEM, source, "out of memory");
        return RM_ENOMEM;
    }
    memcpy(manifest->json, text, len);
    manifest->json[len] = '\0';

    rm_loader_t loader = {0};
    loader.registry = registry;
    loader.diag = diag;
    loader.manifest = manifest;
    rm__read_top(&loader, root);
    cJSON_Delete(root);
    free(loader.ids_sorted);
    if (!loader.out_of_memory && manifest->nodes)
        rm__graph_build(manifest, diag);

    if (loader.problems > RM_MANIFEST_MAX_PROBLEMS)
        rm_diag_add(diag, RM_EVALIDATE, "$",
                    "... and %zu more problems not listed (only the first %d "
                    "are)",
                    loader.problems - RM_MANIFEST_MAX_PROBLEMS,
                    RM_MANIFEST_MAX_PROBLEMS);
    if (rm_diag_count(diag) > first || loader.problems) {
        rm__manifest_free(manifest);
        return rm__outcome(diag, first);
    }
    *out = manifest;
    return RM_OK;
}

void rm__manifest_free(rm_manifest_t *manifest) {
    if (!manifest) return;
    for (size_t i = 0; i < manifest->node_count; i++) {
        rm_manifest_node_t *node = &manifest->nodes[i];
        free(node->id);
        free(node->type_name);
        rm__params_free(node->params);
        free(node->label);
        free(node->inputs);
        free(node->outputs);
    }
    free(manifest->nodes);
    free(manifest->edges);
    free(manifest->order);
    free(manifest->name);
    free(manifest->json);
    free(manifest);
}
