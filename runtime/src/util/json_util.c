/* json_util.c — strings, paths and descriptions for manifest messages. */
#include "util/json_util.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rm__sb_init(rm_strbuf_t *sb) {
    sb->s = NULL;
    sb->len = sb->cap = 0;
    sb->failed = 0;
}

void rm__sb_free(rm_strbuf_t *sb) {
    free(sb->s);
    rm__sb_init(sb);
}

static int rm__sb_reserve(rm_strbuf_t *sb, size_t extra) {
    if (sb->failed) return 0;
    if (sb->len + extra + 1 <= sb->cap) return 1;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1) cap *= 2;
    char *grown = realloc(sb->s, cap);
    if (!grown) {
        sb->failed = 1;
        return 0;
    }
    sb->s = grown;
    sb->cap = cap;
    return 1;
}

static void rm__sb_addn(rm_strbuf_t *sb, const char *text, size_t n) {
    if (!rm__sb_reserve(sb, n)) return;
    memcpy(sb->s + sb->len, text, n);
    sb->len += n;
    sb->s[sb->len] = '\0';
}

void rm__sb_add(rm_strbuf_t *sb, const char *text) {
    rm__sb_addn(sb, text, strlen(text));
}

void rm__sb_addf(rm_strbuf_t *sb, const char *fmt, ...) {
    va_list ap, copy;
    va_start(ap, fmt);
    va_copy(copy, ap);
    int needed = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (needed >= 0 && rm__sb_reserve(sb, (size_t)needed)) {
        vsnprintf(sb->s + sb->len, (size_t)needed + 1, fmt, ap);
        sb->len += (size_t)needed;
    }
    va_end(ap);
}

void rm__sb_truncate(rm_strbuf_t *sb, size_t len) {
    if (sb->s && len < sb->len) {
        sb->len = len;
        sb->s[len] = '\0';
    }
}

void rm__sb_quote(rm_strbuf_t *sb, const char *text) {
    rm__sb_add(sb, "\"");
    size_t chars = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        if (chars == RM_ECHO_MAX) {
            rm__sb_add(sb, "\"...");
            return;
        }
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            char esc[3] = {'\\', (char)c, 0};
            rm__sb_add(sb, esc);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            if (c == '\n') rm__sb_add(sb, "\\n");
            else if (c == '\t') rm__sb_add(sb, "\\t");
            else if (c == '\r') rm__sb_add(sb, "\\r");
            else rm__sb_addf(sb, "\\u%04x", c);
            p++;
        } else {
            /* Copy one whole UTF-8 sequence so a cut never splits one. */
            size_t n = 1;
            while (p[n] && (p[n] & 0xC0) == 0x80 && n < 4) n++;
            rm__sb_addn(sb, (const char *)p, n);
            p += n;
        }
        chars++;
    }
    rm__sb_add(sb, "\"");
}

void rm__sb_one_of(rm_strbuf_t *sb, const char *const *values) {
    rm__sb_add(sb, "one of ");
    for (size_t i = 0; values && values[i]; i++) {
        if (i) rm__sb_add(sb, ", ");
        rm__sb_quote(sb, values[i]);
    }
}

char *rm__sb_take(rm_strbuf_t *sb) {
    if (sb->failed) {
        rm__sb_free(sb);
        return NULL;
    }
    if (!sb->s && !rm__sb_reserve(sb, 0)) return NULL;
    if (sb->len == 0) sb->s[0] = '\0';
    char *s = sb->s;
    rm__sb_init(sb);
    return s;
}

static int rm__is_identifier(const char *key) {
    if (!*key || isdigit((unsigned char)*key)) return 0;
    for (const char *p = key; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-') return 0;
    return strlen(key) <= RM_ECHO_MAX;
}

size_t rm__path_key(rm_strbuf_t *path, const char *key) {
    size_t before = path->len;
    if (rm__is_identifier(key)) {
        if (path->len) rm__sb_add(path, ".");
        rm__sb_add(path, key);
    } else {
        rm__sb_add(path, "[");
        rm__sb_quote(path, key);
        rm__sb_add(path, "]");
    }
    return before;
}

size_t rm__path_index(rm_strbuf_t *path, size_t index) {
    size_t before = path->len;
    rm__sb_addf(path, "[%zu]", index);
    return before;
}

const char *rm__json_type_name(const cJSON *value) {
    if (cJSON_IsString(value)) return "string";
    if (cJSON_IsNumber(value)) return "number";
    if (cJSON_IsBool(value)) return "boolean";
    if (cJSON_IsNull(value)) return "null";
    if (cJSON_IsObject(value)) return "object";
    if (cJSON_IsArray(value)) return "array";
    return "invalid value";
}

void rm__sb_number(rm_strbuf_t *sb, double value) {
    if (isinf(value)) {
        rm__sb_add(sb, value > 0 ? "1e400 (overflows a double)"
                                 : "-1e400 (overflows a double)");
        return;
    }
    char buf[40];
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(buf, sizeof buf, "%.*g", precision, value);
        if (strtod(buf, NULL) == value) break;
    }
    rm__sb_add(sb, buf);
}

void rm__sb_describe(rm_strbuf_t *sb, const cJSON *value) {
    if (cJSON_IsString(value)) {
        rm__sb_add(sb, "string ");
        rm__sb_quote(sb, value->valuestring ? value->valuestring : "");
    } else if (cJSON_IsNumber(value)) {
        rm__sb_add(sb, "number ");
        rm__sb_number(sb, value->valuedouble);
    } else if (cJSON_IsBool(value)) {
        rm__sb_add(sb, cJSON_IsTrue(value) ? "boolean true" : "boolean false");
    } else if (cJSON_IsNull(value)) {
        rm__sb_add(sb, "null");
    } else if (cJSON_IsObject(value)) {
        rm__sb_add(sb, "an object");
    } else if (cJSON_IsArray(value)) {
        rm__sb_add(sb, "an array");
    } else {
        rm__sb_add(sb, "an invalid value");
    }
}

size_t rm__utf8_invalid_at(const char *text, size_t len) {
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) n = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0) lo = 0xA0;      /* overlong */
            else if (c == 0xED) hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0) lo = 0x90;      /* overlong */
            else if (c == 0xF4) hi = 0x8F; /* above U+10FFFF */
        } else {
            return i;
        }
        if (i + n > len || s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80) return i;
        i += n;
    }
    return len;
}

void rm__line_col(const char *text, size_t len, size_t offset, size_t *line,
                  size_t *col) {
    size_t l = 1, c = 1;
    if (offset > len) offset = len;
    for (size_t i = 0; i < offset; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

#define RM__EDIT_MAX 128

size_t rm__edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > RM__EDIT_MAX || lb > RM__EDIT_MAX) return SIZE_MAX;
    size_t row[RM__EDIT_MAX + 1];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            int same = tolower((unsigned char)a[i - 1]) ==
                       tolower((unsigned char)b[j - 1]);
            size_t best = diagonal + (same ? 0 : 1);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diagonal = up;
        }
    }
    return row[lb];
}

void rm__suggest_init(rm_suggest_t *s, const char *query) {
    s->query = query;
    s->best = NULL;
    s->best_distance = SIZE_MAX;
}

void rm__suggest_offer(rm_suggest_t *s, const char *candidate) {
    if (!candidate || strcmp(candidate, s->query) == 0) return;
    size_t distance = rm__edit_distance(s->query, candidate);
    size_t len = strlen(s->query);
    /* Close enough: a third of the name may be wrong (at least 2 edits),
     * and a pure case difference always counts. */
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    if (distance <= limit && distance < s->best_distance) {
        s->best = candidate;
        s->best_distance = distance;
    }
}

typedef struct rm__keyed {
    const char *key;
    size_t index;
} rm__keyed_t;

static int rm__keyed_cmp(const void *a, const void *b) {
    const rm__keyed_t *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c) return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

int rm__json_duplicate_keys(const cJSON *object,
                            void (*found)(const char *key, size_t first,
                                          size_t dup, void *user),
                            void *user) {
    size_t count = 0;
    for (const cJSON *c = object ? object->child : NULL; c; c = c->next)
        count++;
    if (count < 2) return 0;
    rm__keyed_t *keys = malloc(count * sizeof(*keys));
    if (!keys) return -1;
    size_t i = 0;
    for (const cJSON *c = object->child; c; c = c->next, i++) {
        keys[i].key = c->string ? c->string : "";
        keys[i].index = i;
    }
    qsort(keys, count, sizeof(*keys), rm__keyed_cmp);
    size_t first = 0;
    for (i = 1; i < count; i++) {
        if (strcmp(keys[i].key, keys[first].key) == 0)
            found(keys[i].key, keys[first].index, keys[i].index, user);
        else
            first = i;
    }
    free(keys);
    return 0;
}

/* ---- what cJSON would change silently ------------------------------------ */

typedef struct rm__flaw_scan {
    const char *text;
    size_t len, i;
    unsigned checks;
    unsigned depth;
    rm_strbuf_t path;         /* where the scan is */
    rm_strbuf_t *where, *message;
    int found;
} rm__flaw_scan_t;

static void rm__fs_space(rm__flaw_scan_t *s) {
    while (s->i < s->len && (s->text[s->i] == ' ' || s->text[s->i] == '\t' ||
                             s->text[s->i] == '\r' || s->text[s->i] == '\n'))
        s->i++;
}

static void rm__fs_flaw(rm__flaw_scan_t *s, size_t offset, const char *what) {
    size_t line, col;
    rm__line_col(s->text, s->len, offset, &line, &col);
    rm__sb_add(s->where, s->path.len ? s->path.s : "$");
    rm__sb_addf(s->message, "%s (line %zu, column %zu)", what, line, col);
    s->found = 1;
}

static int rm__fs_hex4(const rm__flaw_scan_t *s, size_t at, unsigned *out) {
    if (at + 4 > s->len) return -1;
    unsigned v = 0;
    for (size_t k = 0; k < 4; k++) {
        char c = s->text[at + k];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static void rm__fs_utf8(rm_strbuf_t *out, unsigned cp) {
    char b[5] = {0};
    if (cp < 0x80) {
        b[0] = (char)cp;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
    }
    rm__sb_add(out, b);
}

/* At a '"': skips the string, decoding it into `out` when not NULL (an
 * escaped NUL is left out). *nul_at: offset of the first "\u0000", or
 * SIZE_MAX. -1 when malformed. */
static int rm__fs_string(rm__flaw_scan_t *s, rm_strbuf_t *out,
                         size_t *nul_at) {
    *nul_at = SIZE_MAX;
    s->i++;
    while (s->i < s->len) {
        char c = s->text[s->i];
        if (c == '"') {
            s->i++;
            return 0;
        }
        if (c != '\\') {
            if (out) {
                char one[2] = {c, 0};
                rm__sb_add(out, one);
            }
            s->i++;
            continue;
        }
        if (s->i + 1 >= s->len) return -1;
        char e = s->text[s->i + 1];
        if (e != 'u') {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *hit = strchr(from, e);
            if (!hit || !*hit) return -1;
            if (out) {
                char one[2] = {to[hit - from], 0};
                rm__sb_add(out, one);
            }
            s->i += 2;
            continue;
        }
        unsigned cp;
        if (rm__fs_hex4(s, s->i + 2, &cp) != 0) return -1;
        if (cp == 0 && *nul_at == SIZE_MAX) *nul_at = s->i;
        s->i += 6;
        unsigned low;
        if (cp >= 0xD800 && cp < 0xDC00 && s->i + 1 < s->len &&
            s->text[s->i] == '\\' && s->text[s->i + 1] == 'u' &&
            rm__fs_hex4(s, s->i + 2, &low) == 0 && low >= 0xDC00 &&
            low < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            s->i += 6;
        }
        if (out && cp) rm__fs_utf8(out, cp);
    }
    return -1;
}

static int rm__fs_value(rm__flaw_scan_t *s);

static int rm__fs_container(rm__flaw_scan_t *s, int object) {
    if (++s->depth > CJSON_NESTING_LIMIT) return -1;
    char close = object ? '}' : ']';
    s->i++;
    rm__fs_space(s);
    if (s->i < s->len && s->text[s->i] == close) {
        s->i++;
        s->depth--;
        return 0;
    }
    for (size_t index = 0;; index++) {
        rm__fs_space(s);
        size_t mark;
        if (object) {
            if (s->i >= s->len || s->text[s->i] != '"') return -1;
            rm_strbuf_t key;
            rm__sb_init(&key);
            rm__sb_add(&key, "");
            size_t key_at = s->i, nul_at;
            int bad = rm__fs_string(s, &key, &nul_at);
            if (!bad && nul_at != SIZE_MAX &&
                (s->checks & RM_JSON_FLAW_NUL)) {
                rm_strbuf_t what;
                rm__sb_init(&what);
                rm__sb_add(&what, "the key ");
                rm__sb_quote(&what, key.s ? key.s : "");
                rm__sb_add(&what, " holds an escaped NUL (\\u0000): a key "
                                  "or string must not contain NUL, it would "
                                  "be cut there");
                rm__fs_flaw(s, key_at, what.s ? what.s : "NUL in a key");
                rm__sb_free(&what);
            }
            rm__fs_space(s);
            if (bad || s->found || s->i >= s->len || s->text[s->i] != ':') {
                rm__sb_free(&key);
                return -1;
            }
            s->i++;
            mark = rm__path_key(&s->path, key.s ? key.s : "");
            rm__sb_free(&key);
        } else {
            mark = rm__path_index(&s->path, index);
        }
        if (rm__fs_value(s) != 0) return -1;
        rm__sb_truncate(&s->path, mark);
        rm__fs_space(s);
        if (s->i >= s->len) return -1;
        char c = s->text[s->i++];
        if (c == close) break;
        if (c != ',') return -1;
    }
    s->depth--;
    return 0;
}

static int rm__fs_value(rm__flaw_scan_t *s) {
    rm__fs_space(s);
    if (s->i >= s->len) return -1;
    char c = s->text[s->i];
    if (c == '{' || c == '[') return rm__fs_container(s, c == '{');
    if (c == '"') {
        size_t nul_at;
        if (rm__fs_string(s, NULL, &nul_at) != 0) return -1;
        if (nul_at != SIZE_MAX && (s->checks & RM_JSON_FLAW_NUL)) {
            rm__fs_flaw(s, nul_at,
                        "the string holds an escaped NUL (\\u0000): a string "
                        "must not contain NUL, it would be cut there");
            return -1;
        }
        return 0;
    }
    size_t start = s->i;
    while (s->i < s->len && (isalnum((unsigned char)s->text[s->i]) ||
                             s->text[s->i] == '-' || s->text[s->i] == '+' ||
                             s->text[s->i] == '.'))
        s->i++;
    if (s->i == start) return -1;
    if ((s->checks & RM_JSON_FLAW_OVERFLOW) &&
        (s->text[start] == '-' || isdigit((unsigned char)s->text[start]))) {
        size_t n = s->i - start;
        char *number = malloc(n + 1);
        if (!number) return -1;
        memcpy(number, s->text + start, n);
        number[n] = '\0';
        double v = strtod(number, NULL);
        if (isinf(v)) {
            rm_strbuf_t what;
            rm__sb_init(&what);
            rm__sb_add(&what, "number ");
            if (n > 32) rm__sb_addf(&what, "%.32s...", number);
            else rm__sb_add(&what, number);
            rm__sb_add(&what, " is too large: it overflows a double (the "
                              "largest is about 1.8e308)");
            rm__fs_flaw(s, start, what.s ? what.s : "number overflows");
            rm__sb_free(&what);
        }
        free(number);
        if (s->found) return -1;
    }
    return 0;
}

int rm__json_find_flaw(const char *text, size_t len, unsigned checks,
                       rm_strbuf_t *where, rm_strbuf_t *message) {
    rm__flaw_scan_t s;
    memset(&s, 0, sizeof s);
    s.text = text;
    s.len = len;
    s.checks = checks;
    s.where = where;
    s.message = message;
    rm__sb_init(&s.path);
    if (text) rm__fs_value(&s);
    rm__sb_free(&s.path);
    return s.found;
}

int rm__json_find_nonfinite(const cJSON *value, rm_strbuf_t *path) {
    if (cJSON_IsNumber(value)) return !isfinite(value->valuedouble);
    size_t index = 0;
    const cJSON *child;
    cJSON_ArrayForEach(child, value) {
        size_t mark = cJSON_IsObject(value) && child->string
                          ? rm__path_key(path, child->string)
                          : rm__path_index(path, index);
        if (rm__json_find_nonfinite(child, path)) return 1;
        rm__sb_truncate(path, mark);
        index++;
    }
    return 0;
}
