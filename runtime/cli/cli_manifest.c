/*
 * cli_manifest.c — editing a parsed manifest from the command line (see
 * cli.h): `--set NODE_ID.PARAM=VALUE`, and the paths its nodes read and
 * write by the roles their parameter specs declare (RM_PARAM_INPUT_PATH,
 * RM_PARAM_OUTPUT_PATH): batch fills them in, -n checks the outputs and
 * Ctrl-C removes their temporaries.
 */
#include "cli.h"
#include "util/json_util.h"
#include "safe_output.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <remotemedia/plugin.h>

static const char *rm__param_type_name(uint32_t type) {
    switch (type) {
    case RM_PARAM_BOOL: return "a bool (true or false)";
    case RM_PARAM_INT: return "an int";
    case RM_PARAM_FLOAT: return "a float";
    case RM_PARAM_STRING: return "a string";
    case RM_PARAM_ENUM: return "an enum";
    default: return "JSON";
    }
}

/* `text` as a message shows it: whole up to 80 bytes, else its first 60
 * (not cutting a UTF-8 character) and its length, so a value pasted by
 * mistake (a whole file into --set) is not echoed back in full. */
static const char *rm__shown(const char *text, char *buf, size_t size) {
    size_t len = strlen(text);
    if (len <= 80) return text;
    size_t keep = 60;
    while (keep > 0 && ((unsigned char)text[keep] & 0xC0) == 0x80) keep--;
    snprintf(buf, size, "%.*s... (%zu bytes)", (int)keep, text, len);
    return buf;
}

static cJSON *rm__node_with_id(const cJSON *manifest, const char *id,
                               rm_suggest_t *suggest) {
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(manifest, "nodes");
    cJSON *node;
    cJSON_ArrayForEach(node, nodes) {
        const cJSON *nid = cJSON_GetObjectItemCaseSensitive(node, "id");
        if (!cJSON_IsString(nid)) continue;
        if (strcmp(nid->valuestring, id) == 0) return node;
        rm__suggest_offer(suggest, nid->valuestring);
    }
    return NULL;
}

const rm_registry_entry_t *rm_cli_node_entry(const rm_registry_t *registry,
                                             const cJSON *node) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(node, "node_type");
    return registry && cJSON_IsString(type)
               ? rm_registry_find(registry, type->valuestring)
               : NULL;
}

const rm_param_spec_t *rm_cli_param_spec(const rm_registry_t *registry,
                                         const cJSON *node,
                                         const char *param) {
    const rm_registry_entry_t *entry = rm_cli_node_entry(registry, node);
    for (uint32_t i = 0; entry && i < entry->type->param_count; i++)
        if (strcmp(entry->type->params[i].name, param) == 0)
            return &entry->type->params[i];
    return NULL;
}

cJSON *rm_cli_param_value(const rm_cli_t *cli, const char *origin,
                          const rm_param_spec_t *spec, const char *text) {
    cJSON *value = NULL;
    if (spec && (spec->flags & RM_PARAM_NULLABLE) && strcmp(text, "null") == 0)
        return cJSON_CreateNull();
    switch (spec ? spec->type : RM_PARAM_JSON) {
    case RM_PARAM_BOOL:
        if (!strcasecmp(text, "true") || !strcmp(text, "1") ||
            !strcasecmp(text, "yes") || !strcasecmp(text, "on"))
            return cJSON_CreateTrue();
        if (!strcasecmp(text, "false") || !strcmp(text, "0") ||
            !strcasecmp(text, "no") || !strcasecmp(text, "off"))
            return cJSON_CreateFalse();
        break;
    case RM_PARAM_INT:
    case RM_PARAM_FLOAT:
        value = cJSON_Parse(text);
        if (cJSON_IsNumber(value) &&
            !rm_cli_json_flawed(cli, origin, text, strlen(text), 1))
            return value; /* the range: the compiler's */
        if (cJSON_IsNumber(value)) {
            cJSON_Delete(value);
            return NULL; /* 1e400: said, once */
        }
        cJSON_Delete(value);
        break;
    case RM_PARAM_STRING:
    case RM_PARAM_ENUM:
        return cJSON_CreateString(text); /* the enum values: the compiler */
    default: /* JSON, or no spec (the compiler names the parameter) */
        value = cJSON_Parse(text);
        if (value && !rm_cli_json_flawed(cli, origin, text, strlen(text), 1))
            return value;
        cJSON_Delete(value);
        return cJSON_CreateString(text);
    }
    char shown[128];
    fprintf(stderr, "%s: %s: parameter '%s' is %s, got '%s'\n", cli->program,
            origin, spec->name, rm__param_type_name(spec->type),
            rm__shown(text, shown, sizeof shown));
    return NULL;
}

int rm_cli_apply_set(const rm_cli_t *cli, const rm_registry_t *registry,
                     cJSON *manifest, const char *manifest_path,
                     const char *assignment) {
    char origin[160], shown[128];
    snprintf(origin, sizeof origin, "--set %s",
             rm__shown(assignment, shown, sizeof shown));
    const char *eq = strchr(assignment, '=');
    size_t left = eq ? (size_t)(eq - assignment) : 0;
    char *target = eq ? malloc(left + 1) : NULL;
    if (target) {
        memcpy(target, assignment, left);
        target[left] = '\0';
    }
    char *dot = target ? strrchr(target, '.') : NULL;
    if (!dot || dot == target || !dot[1]) {
        fprintf(stderr, "%s: --set takes NODE_ID.PARAM=VALUE, got '%s'\n",
                cli->program, rm__shown(assignment, shown, sizeof shown));
        free(target);
        return RM_EXIT_USAGE;
    }
    *dot = '\0';
    const char *param = dot + 1;
    rm_suggest_t suggest;
    rm__suggest_init(&suggest, target);
    cJSON *node = rm__node_with_id(manifest, target, &suggest);
    if (!node) {
        fprintf(stderr, "%s: %s: %s has no node with id '%s'", cli->program,
                origin, manifest_path, rm__shown(target, shown, sizeof shown));
        if (suggest.best) fprintf(stderr, " (did you mean '%s'?)", suggest.best);
        fputc('\n', stderr);
        free(target);
        return RM_EXIT_USAGE;
    }
    cJSON *value = rm_cli_param_value(cli, origin,
                                      rm_cli_param_spec(registry, node, param),
                                      eq + 1);
    cJSON *params = rm_cli_node_params(node);
    int status = RM_EXIT_OK;
    if (!value) {
        status = RM_EXIT_USAGE;
    } else if (!params) {
        cJSON_Delete(value);
        status = RM_EXIT_MANIFEST; /* the compiler would say so too */
        fprintf(stderr, "%s: %s: node '%s' has params that are not an "
                "object\n", cli->program, origin, target);
    } else {
        rm_cli_set_param(params, param, value);
    }
    free(target);
    return status;
}

const char *rm_cli_role_param(const rm_registry_t *registry,
                              const cJSON *node, uint32_t role) {
    const rm_registry_entry_t *entry = rm_cli_node_entry(registry, node);
    for (uint32_t i = 0; entry && i < entry->type->param_count; i++) {
        const rm_param_spec_t *spec = &entry->type->params[i];
        if (spec->type == RM_PARAM_STRING && (spec->flags & role))
            return spec->name;
    }
    return NULL;
}

size_t rm_cli_output_paths(const rm_registry_t *registry,
                           const cJSON *manifest, const char **paths,
                           size_t max) {
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(manifest, "nodes");
    const cJSON *node;
    size_t n = 0;
    cJSON_ArrayForEach(node, nodes) {
        const char *key =
            rm_cli_role_param(registry, node, RM_PARAM_OUTPUT_PATH);
        const cJSON *params = cJSON_GetObjectItemCaseSensitive(node, "params");
        const cJSON *path =
            key ? cJSON_GetObjectItemCaseSensitive(params, key) : NULL;
        if (n < max && cJSON_IsString(path)) paths[n++] = path->valuestring;
    }
    return n;
}

cJSON *rm_cli_node_params(cJSON *node) {
    cJSON *params = cJSON_GetObjectItemCaseSensitive(node, "params");
    if (!params) {
        params = cJSON_CreateObject();
        if (!params || !cJSON_AddItemToObject(node, "params", params)) {
            cJSON_Delete(params);
            return NULL;
        }
    }
    return cJSON_IsObject(params) ? params : NULL;
}

void rm_cli_set_param(cJSON *params, const char *key, cJSON *value) {
    if (cJSON_GetObjectItemCaseSensitive(params, key))
        cJSON_ReplaceItemInObjectCaseSensitive(params, key, value);
    else
        cJSON_AddItemToObject(params, key, value);
}
