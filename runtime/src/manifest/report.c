/*
 * report.c — how the manifest loader's steps report a problem: to the
 * loader's rm_diag_t, counted, and listed only up to
 * RM_MANIFEST_MAX_PROBLEMS; the checks every step shares (an object's keys:
 * repeated and unknown ones, with a did-you-mean) and the words of the
 * runtime_hint values. The lowest layer of manifest/: it calls nothing
 * else of the loader.
 */
#include "manifest/report.h"

#include <stdlib.h>
#include <string.h>

void rm__report(rm_loader_t *loader, int status, const char *where,
                rm_strbuf_t *message) {
    if (message->failed) loader->out_of_memory = 1;
    if (!rm__quiet(loader))
        rm_diag_add(loader->diag, status, where, "%s",
                    message->s ? message->s : "out of memory");
    loader->problems++;
    rm__sb_free(message);
}

void rm__report_type(rm_loader_t *loader, const char *path,
                     const char *expected, const cJSON *value) {
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    rm__sb_addf(&msg, "expected %s, got ", expected);
    rm__sb_describe(&msg, value);
    rm__report(loader, RM_EVALIDATE, path, &msg);
}

void rm__report_oom(rm_loader_t *loader) {
    if (loader->out_of_memory) return;
    loader->out_of_memory = 1;
    loader->problems++;
    rm_diag_add(loader->diag, RM_ENOMEM, NULL,
                "out of memory while loading the manifest");
}

typedef struct rm__dup_ctx {
    rm_loader_t *loader;
    rm_strbuf_t *path;
    const char *what;
} rm__dup_ctx_t;

static void rm__report_duplicate_key(const char *key, size_t first,
                                     size_t dup, void *user) {
    rm__dup_ctx_t *ctx = user;
    size_t mark = rm__path_key(ctx->path, key);
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    rm__sb_addf(&msg, "key ");
    rm__sb_quote(&msg, key);
    rm__sb_addf(&msg, " appears more than once in this %s (keys #%zu and "
                      "#%zu); give it once",
                ctx->what, first + 1, dup + 1);
    rm__report(ctx->loader, RM_EVALIDATE, ctx->path->s, &msg);
    rm__sb_truncate(ctx->path, mark);
}

void rm__check_keys(rm_loader_t *loader, const cJSON *object,
                    rm_strbuf_t *path, const char *what,
                    const char *const *allowed, size_t allowed_count,
                    int allow_unknown) {
    if (!object) return;
    rm__dup_ctx_t dup = {loader, path, what};
    if (rm__json_duplicate_keys(object, rm__report_duplicate_key, &dup) < 0)
        rm__report_oom(loader);
    if (allow_unknown) return;
    for (const cJSON *c = object->child; c; c = c->next) {
        int known = 0;
        for (size_t i = 0; i < allowed_count && !known; i++)
            known = strcmp(allowed[i], c->string) == 0;
        if (known) continue;
        rm_suggest_t suggest;
        rm__suggest_init(&suggest, c->string);
        for (size_t i = 0; i < allowed_count; i++)
            rm__suggest_offer(&suggest, allowed[i]);
        size_t mark = rm__path_key(path, c->string);
        rm_strbuf_t msg;
        rm__sb_init(&msg);
        rm__sb_addf(&msg, "unknown %s field ", what);
        rm__sb_quote(&msg, c->string);
        if (suggest.best) {
            rm__sb_add(&msg, " (did you mean ");
            rm__sb_quote(&msg, suggest.best);
            rm__sb_add(&msg, "?)");
        }
        rm__sb_add(&msg, "; valid fields: ");
        for (size_t i = 0; i < allowed_count; i++)
            rm__sb_addf(&msg, "%s%s", i ? ", " : "", allowed[i]);
        rm__report(loader, RM_EVALIDATE, path->s, &msg);
        rm__sb_truncate(path, mark);
    }
}

/* The runtime_hint values, by rm_runtime_hint_t. A hint other than auto
 * and native asks for the node resolver that declares it (resolve.c). */
const char *const rm__hint_names[] = {"auto", "native", "python",
                                             NULL};

const char *rm__hint_name(rm_runtime_hint_t hint) {
    return (size_t)hint < sizeof rm__hint_names / sizeof *rm__hint_names - 1
               ? rm__hint_names[hint]
               : "?";
}
