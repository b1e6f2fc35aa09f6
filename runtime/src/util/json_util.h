/*
 * json_util.h — small helpers the manifest loader uses to talk about JSON
 * (internal): a growable string, JSON paths, quoting untrusted text into
 * messages, describing a value ("string \"abc\""), line:col of an offset,
 * and "did you mean" by edit distance.
 *
 * None of these keep global state; all are [thread-safe] on distinct data.
 */
#ifndef RM_JSON_UTIL_H
#define RM_JSON_UTIL_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include <remotemedia/plugin.h>

/* How many characters of an untrusted string are echoed into a message
 * before it is cut with "...". */
#define RM_ECHO_MAX 64

/* A growable NUL-terminated string. `failed` is set (and further appends
 * are dropped) when memory runs out; `s` is always a valid C string. */
typedef struct rm_strbuf {
    char *s;
    size_t len, cap;
    int failed;
} rm_strbuf_t;

void rm__sb_init(rm_strbuf_t *sb);
void rm__sb_free(rm_strbuf_t *sb);
void rm__sb_add(rm_strbuf_t *sb, const char *text);
void rm__sb_addf(rm_strbuf_t *sb, const char *fmt, ...) RM_PRINTF_LIKE(2, 3);
void rm__sb_truncate(rm_strbuf_t *sb, size_t len);
/* Append `text` quoted: "abc", with control characters and quotes escaped
 * and cut after RM_ECHO_MAX characters (on a UTF-8 boundary) with "...". */
void rm__sb_quote(rm_strbuf_t *sb, const char *text);
/* Append "one of "a", "b"" for the NULL-terminated `values` (quoted as
 * rm__sb_quote does; a NULL list appends "one of "). */
void rm__sb_one_of(rm_strbuf_t *sb, const char *const *values);
/* Take the string out (caller frees); NULL if memory ran out. */
char *rm__sb_take(rm_strbuf_t *sb);

/* JSON paths: "nodes[2].params.factor". push returns the length to pop
 * back to. Keys that are not identifiers are written as ["a key"]. */
size_t rm__path_key(rm_strbuf_t *path, const char *key);
size_t rm__path_index(rm_strbuf_t *path, size_t index);

/* "string", "number", "boolean", "null", "object", "array". */
const char *rm__json_type_name(const cJSON *value);
/* "string \"abc\"", "number 2.5", "boolean true", "null", "an object",
 * "an array" — the "got ..." half of a type error. */
void rm__sb_describe(rm_strbuf_t *sb, const cJSON *value);
/* A number in its shortest round-trip form ("2.5", "1e+300", "-0"). */
void rm__sb_number(rm_strbuf_t *sb, double value);

/* Offset of the first byte that is not part of well-formed UTF-8 (no
 * overlongs, surrogates or code points above U+10FFFF), or `len`. */
size_t rm__utf8_invalid_at(const char *text, size_t len);

/* 1-based line and column (in characters, not bytes) of byte `offset`. */
void rm__line_col(const char *text, size_t len, size_t offset, size_t *line,
                  size_t *col);

/* Case-insensitive Levenshtein distance; strings longer than 128 bytes are
 * never close (returns SIZE_MAX) so hostile names stay cheap. */
size_t rm__edit_distance(const char *a, const char *b);

/* "Did you mean" search: offer candidates one by one, then read `best`
 * (NULL when nothing is close enough to `query`). */
typedef struct rm_suggest {
    const char *query;
    const char *best;
    size_t best_distance;
} rm_suggest_t;
void rm__suggest_init(rm_suggest_t *s, const char *query);
void rm__suggest_offer(rm_suggest_t *s, const char *candidate);

/* Keys that occur more than once in a JSON object: calls found(key,
 * first_index, dup_index, user) for each repeat (child positions, 0-based).
 * O(n log n). Returns 0, or -1 when out of memory. */
int rm__json_duplicate_keys(const cJSON *object,
                            void (*found)(const char *key, size_t first,
                                          size_t dup, void *user),
                            void *user);

/* What cJSON changes silently in text it accepts: a string or key holding
 * an escaped NUL (\u0000 — cJSON's C string ends there, so "a\u0000b"
 * becomes "a"), and a number beyond a double's range (1e400 becomes inf,
 * printed back as null). `checks` is a mask of RM_JSON_FLAW_*. For the
 * first flaw in `text` (JSON that cJSON parsed) sets `where` to its JSON
 * path ("nodes[0].params.path"; "$" for the root) and `message` to what
 * it is and its line:column, and returns 1; else returns 0. Bounded by
 * cJSON's nesting limit; never reads past `len`. [thread-safe] */
#define RM_JSON_FLAW_NUL 1u
#define RM_JSON_FLAW_OVERFLOW 2u
int rm__json_find_flaw(const char *text, size_t len, unsigned checks,
                       rm_strbuf_t *where, rm_strbuf_t *message);

/* The first number in `value` (a tree) that is not finite: returns 1 and
 * appends its path below `value` to `path`, else 0. */
int rm__json_find_nonfinite(const cJSON *value, rm_strbuf_t *path);

#endif /* RM_JSON_UTIL_H */
