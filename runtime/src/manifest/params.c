/*
 * params.c — a node's params checked against its node type's specs, with
 * defaults filled in, and the allocation-free accessors plugins read them
 * through (rm_host_t.param_*).
 *
 * Every value's JSON text is printed once here, at build time, so
 * rm__param_json never allocates and a built rm_params_t is immutable:
 * reading it from several threads at once is safe.
 */
#include "manifest/params.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Integers must stay exact through a double: JSON numbers are parsed as
 * doubles, so anything beyond 2^53 may already have been rounded. */
#define RM__MAX_EXACT_INT 9007199254740992.0

typedef struct rm_param_value {
    char *name;
    uint32_t type;        /* rm_param_type_t                                */
    int present;          /* 0: null (nullable) or optional without default */
    int bool_value;
    int64_t int_value;
    double float_value;
    char *string_value;   /* STRING and ENUM                                */
    uint32_t enum_index;  /* ENUM: the value's index in spec->enum_values   */
    char *json;           /* JSON text of the value                         */
} rm_param_value_t;

struct rm_params {
    rm_param_value_t *values;
    size_t count;
    char *json;           /* all present values as one JSON object          */
};

/* ---- accessors --------------------------------------------------------- */

static const rm_param_value_t *rm__param_find(const rm_params_t *params,
                                              const char *name) {
    if (!params || !name) return NULL;
    for (size_t i = 0; i < params->count; i++)
        if (strcmp(params->values[i].name, name) == 0)
            return &params->values[i];
    return NULL;
}

#define RM__PARAM_LOOKUP(value)                                               \
    if (!out) return RM_EINVAL;                                               \
    const rm_param_value_t *value = rm__param_find(params, name);             \
    if (!value || !value->present) return RM_ENOTFOUND

int rm__param_bool(const rm_params_t *params, const char *name, int *out) {
    RM__PARAM_LOOKUP(value);
    if (value->type != RM_PARAM_BOOL) return RM_EKIND;
    *out = value->bool_value;
    return RM_OK;
}

int rm__param_int(const rm_params_t *params, const char *name, int64_t *out) {
    RM__PARAM_LOOKUP(value);
    if (value->type != RM_PARAM_INT) return RM_EKIND;
    *out = value->int_value;
    return RM_OK;
}

int rm__param_float(const rm_params_t *params, const char *name,
                    double *out) {
    RM__PARAM_LOOKUP(value);
    if (value->type != RM_PARAM_FLOAT && value->type != RM_PARAM_INT)
        return RM_EKIND;
    *out = value->float_value;
    return RM_OK;
}

int rm__param_string(const rm_params_t *params, const char *name,
                     const char **out) {
    RM__PARAM_LOOKUP(value);
    if (value->type != RM_PARAM_STRING && value->type != RM_PARAM_ENUM)
        return RM_EKIND;
    *out = value->string_value;
    return RM_OK;
}

int rm__param_enum(const rm_params_t *params, const char *name,
                   uint32_t *out) {
    RM__PARAM_LOOKUP(value);
    if (value->type != RM_PARAM_ENUM) return RM_EKIND;
    *out = value->enum_index;
    return RM_OK;
}

int rm__param_json(const rm_params_t *params, const char *name,
                   const char **out) {
    RM__PARAM_LOOKUP(value);
    *out = value->json;
    return RM_OK;
}

const char *rm__params_to_json(const rm_params_t *params) {
    return params ? params->json : NULL;
}

void rm__params_free(rm_params_t *params) {
    if (!params) return;
    for (size_t i = 0; i < params->count; i++) {
        free(params->values[i].name);
        free(params->values[i].string_value);
        free(params->values[i].json);
    }
    free(params->values);
    free(params->json);
    free(params);
}

/* ---- checking ---------------------------------------------------------- */

typedef struct rm__param_ctx {
    rm_loader_t *loader;
    const rm_node_type_t *type; /* NULL: no spec known (untyped)          */
    const char *node_id;
    rm_strbuf_t *path;
    size_t problems_before;
} rm__param_ctx_t;

/* " (parameter "factor" of node "mul_0", MultiplyNode)" */
static void rm__sb_param_context(rm_strbuf_t *sb, const rm__param_ctx_t *ctx,
                                 const char *param) {
    rm__sb_add(sb, " (parameter ");
    rm__sb_quote(sb, param);
    rm__sb_add(sb, " of node ");
    rm__sb_quote(sb, ctx->node_id ? ctx->node_id : "?");
    if (ctx->type) rm__sb_addf(sb, ", type %s", ctx->type->name);
    rm__sb_add(sb, ")");
}

static void rm__sb_expected(rm_strbuf_t *sb, const rm_param_spec_t *spec) {
    switch (spec->type) {
    case RM_PARAM_BOOL: rm__sb_add(sb, "a boolean"); break;
    case RM_PARAM_INT: rm__sb_add(sb, "an integer"); break;
    case RM_PARAM_FLOAT: rm__sb_add(sb, "a number"); break;
    case RM_PARAM_STRING: rm__sb_add(sb, "a string"); break;
    case RM_PARAM_ENUM:
        rm__sb_one_of(sb, spec->enum_values);
        break;
    default: rm__sb_add(sb, "any JSON value"); break;
    }
    if (spec->flags & RM_PARAM_NULLABLE) rm__sb_add(sb, " or null");
}

static void rm__param_type_error(rm__param_ctx_t *ctx,
                                 const rm_param_spec_t *spec,
                                 const cJSON *value) {
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    rm__sb_add(&msg, "expected ");
    rm__sb_expected(&msg, spec);
    rm__sb_add(&msg, ", got ");
    rm__sb_describe(&msg, value);
    rm__sb_param_context(&msg, ctx, spec->name);
    rm__report(ctx->loader, RM_EVALIDATE, ctx->path->s, &msg);
}

/* Every number inside a JSON value must be finite (1e400 is not). */
static void rm__check_finite(rm__param_ctx_t *ctx, const cJSON *value) {
    if (cJSON_IsNumber(value) && !isfinite(value->valuedouble)) {
        rm_strbuf_t msg;
        rm__sb_init(&msg);
        rm__sb_add(&msg, "number is too large: it overflows a double "
                         "(largest is about 1.8e308)");
        rm__report(ctx->loader, RM_EVALIDATE, ctx->path->s, &msg);
        return;
    }
    size_t index = 0;
    for (const cJSON *c = value->child; c; c = c->next, index++) {
        size_t mark = cJSON_IsObject(value)
                          ? rm__path_key(ctx->path, c->string ? c->string : "")
                          : rm__path_index(ctx->path, index);
        rm__check_finite(ctx, c);
        rm__sb_truncate(ctx->path, mark);
    }
}

static void rm__range_error(rm__param_ctx_t *ctx, const rm_param_spec_t *spec,
                            double got) {
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    rm__sb_number(&msg, got);
    rm__sb_add(&msg, " is out of range: must be ");
    if ((spec->flags & RM_PARAM_HAS_MIN) && (spec->flags & RM_PARAM_HAS_MAX)) {
        rm__sb_add(&msg, "in [");
        rm__sb_number(&msg, spec->min);
        rm__sb_add(&msg, ", ");
        rm__sb_number(&msg, spec->max);
        rm__sb_add(&msg, "]");
    } else if (spec->flags & RM_PARAM_HAS_MIN) {
        rm__sb_add(&msg, ">= ");
        rm__sb_number(&msg, spec->min);
    } else {
        rm__sb_add(&msg, "<= ");
        rm__sb_number(&msg, spec->max);
    }
    rm__sb_param_context(&msg, ctx, spec->name);
    rm__report(ctx->loader, RM_EVALIDATE, ctx->path->s, &msg);
}

static int rm__in_range(const rm_param_spec_t *spec, double v) {
    if ((spec->flags & RM_PARAM_HAS_MIN) && v < spec->min) return 0;
    if ((spec->flags & RM_PARAM_HAS_MAX) && v > spec->max) return 0;
    return 1;
}

/* Check one value against its spec and fill `out`; 0 when reported. */
static int rm__param_check(rm__param_ctx_t *ctx, const rm_param_spec_t *spec,
                           const cJSON *value, rm_param_value_t *out) {
    out->type = spec->type;
    if (cJSON_IsNull(value) && (spec->flags & RM_PARAM_NULLABLE)) {
        out->present = 0;
        return 1;
    }
    out->present = 1;
    switch (spec->type) {
    case RM_PARAM_BOOL:
        if (!cJSON_IsBool(value)) break;
        out->bool_value = cJSON_IsTrue(value);
        return 1;
    case RM_PARAM_INT:
    case RM_PARAM_FLOAT: {
        if (!cJSON_IsNumber(value)) break;
        double v = value->valuedouble;
        if (!isfinite(v)) {
            rm__check_finite(ctx, value);
            return 0;
        }
        if (spec->type == RM_PARAM_INT) {
            if (v != floor(v)) break;
            if (fabs(v) > RM__MAX_EXACT_INT) {
                rm_strbuf_t msg;
                rm__sb_init(&msg);
                rm__sb_add(&msg, "integer ");
                rm__sb_number(&msg, v);
                rm__sb_add(&msg, " is too large to be exact: integers must "
                                 "be within -2^53..2^53 "
                                 "(+-9007199254740992)");
                rm__sb_param_context(&msg, ctx, spec->name);
                rm__report(ctx->loader, RM_EVALIDATE, ctx->path->s, &msg);
                return 0;
            }
            out->int_value = (int64_t)v;
        }
        if (!rm__in_range(spec, v)) {
            rm__range_error(ctx, spec, v);
            return 0;
        }
        out->float_value = v + 0.0; /* -0 reads as 0 */
        return 1;
    }
    case RM_PARAM_STRING:
    case RM_PARAM_ENUM: {
        if (!cJSON_IsString(value) || !value->valuestring) break;
        if (spec->type == RM_PARAM_ENUM) {
            int known = 0;
            rm_suggest_t suggest;
            rm__suggest_init(&suggest, value->valuestring);
            for (size_t i = 0; spec->enum_values && spec->enum_values[i];
                 i++) {
                if (!known &&
                    strcmp(spec->enum_values[i], value->valuestring) == 0) {
                    known = 1;
                    out->enum_index = (uint32_t)i;
                }
                rm__suggest_offer(&suggest, spec->enum_values[i]);
            }
            if (!known) {
                rm_strbuf_t msg;
                rm__sb_init(&msg);
                rm__sb_add(&msg, "expected ");
                rm__sb_expected(&msg, spec);
                rm__sb_add(&msg, ", got ");
                rm__sb_quote(&msg, value->valuestring);
                if (suggest.best) {
                    rm__sb_add(&msg, " (did you mean ");
                    rm__sb_quote(&msg, suggest.best);
                    rm__sb_add(&msg, "?)");
                }
                rm__sb_param_context(&msg, ctx, spec->name);
                rm__report(ctx->loader, RM_EVALIDATE, ctx->path->s, &msg);
                return 0;
            }
        }
        out->string_value = strdup(value->valuestring);
        if (!out->string_value) rm__report_oom(ctx->loader);
        return out->string_value != NULL;
    }
    default: {
        size_t before = ctx->loader->problems;
        rm__check_finite(ctx, value);
        return ctx->loader->problems == before;
    }
    }
    rm__param_type_error(ctx, spec, value);
    return 0;
}

/* Without a spec (RM_RESOLVER_CHECK_PARAMS): type each value by its JSON
 * type. */
static int rm__param_infer(rm__param_ctx_t *ctx, const cJSON *value,
                           rm_param_value_t *out) {
    rm_param_spec_t spec = {0};
    spec.name = value->string;
    spec.flags = RM_PARAM_NULLABLE;
    if (cJSON_IsBool(value)) {
        spec.type = RM_PARAM_BOOL;
    } else if (cJSON_IsNumber(value)) {
        double v = value->valuedouble;
        spec.type = isfinite(v) && v == floor(v) && fabs(v) <= RM__MAX_EXACT_INT
                        ? RM_PARAM_INT
                        : RM_PARAM_FLOAT;
    } else if (cJSON_IsString(value)) {
        spec.type = RM_PARAM_STRING;
    } else {
        spec.type = RM_PARAM_JSON;
    }
    return rm__param_check(ctx, &spec, value, out);
}

static int rm__value_set_json(rm__param_ctx_t *ctx, rm_param_value_t *out,
                              const char *name, const cJSON *value) {
    out->name = strdup(name);
    out->json = out->present ? cJSON_PrintUnformatted(value) : NULL;
    if (!out->name || (out->present && !out->json)) {
        rm__report_oom(ctx->loader);
        return 0;
    }
    return 1;
}

static void rm__report_unknown_param(rm__param_ctx_t *ctx, const char *key) {
    const rm_node_type_t *type = ctx->type;
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    if (rm__quiet(ctx->loader)) {
        rm__report(ctx->loader, RM_EVALIDATE, ctx->path->s, &msg);
        return;
    }
    rm__sb_add(&msg, "unknown parameter ");
    rm__sb_quote(&msg, key);
    rm__sb_addf(&msg, " for %s", type->name);
    if (type->param_count == 0) {
        rm__sb_add(&msg, ": it takes no parameters");
    } else {
        rm_suggest_t suggest;
        rm__suggest_init(&suggest, key);
        for (uint32_t i = 0; i < type->param_count; i++)
            rm__suggest_offer(&suggest, type->params[i].name);
        if (suggest.best) {
            rm__sb_add(&msg, " (did you mean ");
            rm__sb_quote(&msg, suggest.best);
            rm__sb_add(&msg, "?)");
        }
        rm__sb_add(&msg, "; valid parameters: ");
        for (uint32_t i = 0; i < type->param_count; i++)
            rm__sb_addf(&msg, "%s%s", i ? ", " : "", type->params[i].name);
    }
    rm__sb_add(&msg, " (node ");
    rm__sb_quote(&msg, ctx->node_id ? ctx->node_id : "?");
    rm__sb_add(&msg, ")");
    rm__report(ctx->loader, RM_EVALIDATE, ctx->path->s, &msg);
}

/* A missing parameter: its default, absent, or a "required" problem. */
static int rm__param_default(rm__param_ctx_t *ctx, const rm_param_spec_t *spec,
                             rm_param_value_t *out) {
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    if (!spec->default_json) {
        out->type = spec->type;
        out->present = 0;
        out->name = strdup(spec->name);
        if (!out->name) rm__report_oom(ctx->loader);
        if (!(spec->flags & RM_PARAM_REQUIRED)) return out->name != NULL;
        rm__sb_add(&msg, "missing required parameter ");
        rm__sb_quote(&msg, spec->name);
        rm__sb_add(&msg, " (");
        rm__sb_expected(&msg, spec);
        rm__sb_addf(&msg, ") of node ");
        rm__sb_quote(&msg, ctx->node_id ? ctx->node_id : "?");
        rm__sb_addf(&msg, ", type %s", ctx->type->name);
        rm__report(ctx->loader, RM_EVALIDATE, ctx->path->s, &msg);
        return 0;
    }
    cJSON *value = cJSON_ParseWithLength(spec->default_json,
                                         strlen(spec->default_json));
    size_t mark = rm__path_key(ctx->path, spec->name);
    int ok = 0;
    if (!value) {
        rm__sb_addf(&msg, "node type %s declares a default for ",
                    ctx->type->name);
        rm__sb_quote(&msg, spec->name);
        rm__sb_add(&msg, " that is not JSON: ");
        rm__sb_quote(&msg, spec->default_json);
        rm__report(ctx->loader, RM_EVALIDATE, ctx->path->s, &msg);
    } else {
        rm__sb_free(&msg);
        ok = rm__param_check(ctx, spec, value, out) &&
             rm__value_set_json(ctx, out, spec->name, value);
    }
    rm__sb_truncate(ctx->path, mark);
    cJSON_Delete(value);
    return ok;
}

static char *rm__params_object_json(rm__param_ctx_t *ctx,
                                    const rm_params_t *params) {
    cJSON *object = cJSON_CreateObject();
    for (size_t i = 0; object && i < params->count; i++) {
        const rm_param_value_t *v = &params->values[i];
        if (!v->present) continue;
        cJSON *item = cJSON_Parse(v->json);
        if (!item || !cJSON_AddItemToObject(object, v->name, item)) {
            cJSON_Delete(item);
            cJSON_Delete(object);
            object = NULL;
        }
    }
    char *json = object ? cJSON_PrintUnformatted(object) : NULL;
    cJSON_Delete(object);
    if (!json) rm__report_oom(ctx->loader);
    return json;
}

static void rm__mark_repeat(const char *key, size_t first, size_t dup,
                            void *user) {
    (void)key;
    (void)first;
    ((unsigned char *)user)[dup] = 1;
}

void rm__params_build(rm_loader_t *loader, const rm_node_type_t *type,
                      const cJSON *given, rm_strbuf_t *path,
                      const char *node_id, rm_params_t **out) {
    *out = NULL;
    rm__param_ctx_t ctx = {loader, type, node_id, path, loader->problems};
    if (given && !cJSON_IsObject(given)) {
        rm__report_type(loader, path->s, "an object of parameters", given);
        return;
    }
    rm__check_keys(loader, given, path, "params", NULL, 0, 1);

    size_t given_count = 0;
    for (const cJSON *c = given ? given->child : NULL; c; c = c->next)
        given_count++;
    size_t capacity = type ? type->param_count : given_count;
    rm_params_t *params = calloc(1, sizeof(*params));
    if (params && capacity)
        params->values = calloc(capacity, sizeof(*params->values));
    if (!params || (capacity && !params->values)) {
        free(params);
        rm__report_oom(loader);
        return;
    }

    if (type) {
        for (const cJSON *c = given ? given->child : NULL; c; c = c->next) {
            int declared = 0;
            for (uint32_t i = 0; i < type->param_count && !declared; i++)
                declared = strcmp(type->params[i].name, c->string) == 0;
            if (declared) continue;
            size_t mark = rm__path_key(path, c->string);
            rm__report_unknown_param(&ctx, c->string);
            rm__sb_truncate(path, mark);
        }
        for (uint32_t i = 0; i < type->param_count; i++) {
            const rm_param_spec_t *spec = &type->params[i];
            rm_param_value_t *value = &params->values[params->count++];
            const cJSON *item =
                given ? cJSON_GetObjectItemCaseSensitive(given, spec->name)
                      : NULL;
            if (!item) {
                rm__param_default(&ctx, spec, value);
                continue;
            }
            size_t mark = rm__path_key(path, spec->name);
            if (rm__param_check(&ctx, spec, item, value))
                rm__value_set_json(&ctx, value, spec->name, item);
            rm__sb_truncate(path, mark);
        }
    } else {
        /* Repeated keys were reported above; keep only the first of each
         * (as cJSON_GetObjectItem would), found in O(n log n). */
        unsigned char *repeat = calloc(given_count ? given_count : 1, 1);
        if (!repeat || rm__json_duplicate_keys(given, rm__mark_repeat,
                                               repeat) < 0) {
            free(repeat);
            rm__params_free(params);
            rm__report_oom(loader);
            return;
        }
        size_t index = 0;
        for (const cJSON *c = given ? given->child : NULL; c;
             c = c->next, index++) {
            if (repeat[index]) continue;
            rm_param_value_t *value = &params->values[params->count++];
            size_t mark = rm__path_key(path, c->string);
            if (rm__param_infer(&ctx, c, value))
                rm__value_set_json(&ctx, value, c->string, c);
            rm__sb_truncate(path, mark);
        }
        free(repeat);
    }

    if (loader->problems == ctx.problems_before)
        params->json = rm__params_object_json(&ctx, params);
    if (loader->problems != ctx.problems_before) {
        rm__params_free(params);
        return;
    }
    *out = params;
}
