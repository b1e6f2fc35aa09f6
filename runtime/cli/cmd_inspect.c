/*
 * cmd_inspect.c — `rmrun inspect TYPE`: everything about one node type,
 * in the spirit of gst-inspect-1.0. Exit 0 when the type exists, 1 when it
 * does not (with what was searched and the closest name), so scripts can
 * use it as an existence test.
 */
#include "cli.h"
#include "util/json_util.h"
#include "json_number.h"

#include <cjson/cJSON.h>
#include <remotemedia/debug.h> /* rm_param_type_name */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *rm__text(const char *text) { return text ? text : ""; }

/* ---- did you mean ------------------------------------------------------- */

static const char *rm__closest(const rm_registry_t *registry,
                               const char *name) {
    rm_suggest_t suggest;
    rm__suggest_init(&suggest, name);
    for (size_t i = 0; i < rm_registry_count(registry); i++)
        rm__suggest_offer(&suggest, rm_registry_at(registry, i)->type->name);
    return suggest.best;
}

/* ---- text output -------------------------------------------------------- */

static void rm__print_number(double value, uint32_t type) {
    if (type == RM_PARAM_INT)
        printf("%lld", (long long)value);
    else
        printf("%g", value);
}

static void rm__print_ports(const char *title, const rm_port_spec_t *ports,
                            uint32_t count) {
    printf("\n%s (%u):\n", title, (unsigned)count);
    if (count == 0) printf("  none\n");
    for (uint32_t i = 0; i < count; i++) {
        printf("  %-16s ", ports[i].name);
        rm_cli_print_kinds(stdout, ports[i].kinds, ", ");
        if (ports[i].doc && ports[i].doc[0]) printf("  — %s", ports[i].doc);
        putchar('\n');
    }
}

static void rm__print_param(const rm_param_spec_t *spec) {
    printf("  %-16s %s", spec->name, rm_param_type_name(spec->type));
    if (spec->flags & RM_PARAM_REQUIRED)
        printf(", required");
    else if (spec->default_json)
        printf(", default %s", spec->default_json);
    else
        printf(", optional (no default)");
    if (spec->flags & RM_PARAM_NULLABLE) printf(", may be null");
    if (spec->flags & RM_PARAM_INPUT_PATH) printf(", the input path");
    if (spec->flags & RM_PARAM_OUTPUT_PATH) printf(", the output path");
    int has_min = (spec->flags & RM_PARAM_HAS_MIN) != 0;
    int has_max = (spec->flags & RM_PARAM_HAS_MAX) != 0;
    if (has_min && has_max) {
        printf(", range [");
        rm__print_number(spec->min, spec->type);
        printf(", ");
        rm__print_number(spec->max, spec->type);
        printf("]");
    } else if (has_min) {
        printf(", >= ");
        rm__print_number(spec->min, spec->type);
    } else if (has_max) {
        printf(", <= ");
        rm__print_number(spec->max, spec->type);
    }
    putchar('\n');
    if (spec->type == RM_PARAM_ENUM && spec->enum_values) {
        printf("  %-16s values:", "");
        for (const char *const *v = spec->enum_values; *v; v++)
            printf("%s \"%s\"", v == spec->enum_values ? "" : ",", *v);
        putchar('\n');
    }
    if (spec->doc && spec->doc[0]) printf("  %-16s %s\n", "", spec->doc);
}

static void rm__inspect_text(const rm_registry_entry_t *entry) {
    const rm_node_type_t *type = entry->type;
    const rm_plugin_descriptor_t *plugin = entry->plugin;
    printf("Node type: %s\n", type->name);
    if (type->description && type->description[0])
        printf("  %s\n", type->description);
    printf("  %-16s %s\n", "version", type->version ? type->version : "-");

    printf("\nPlugin:\n");
    printf("  %-16s %s\n", "file", entry->plugin_path);
    printf("  %-16s %s\n", "id", rm__text(plugin->id));
    printf("  %-16s %s\n", "name", rm__text(plugin->name));
    printf("  %-16s %s\n", "version", plugin->version ? plugin->version : "-");
    if (plugin->description && plugin->description[0])
        printf("  %-16s %s\n", "description", plugin->description);
    printf("  %-16s %u.%u\n", "ABI", (unsigned)plugin->abi_major,
           (unsigned)plugin->abi_minor);

    printf("\nCapabilities:\n");
    int any = 0;
    for (size_t c = 0; c < rm_cli_capability_count; c++)
        if (type->capabilities & rm_cli_capabilities[c].bit) {
            printf("  %-16s %s\n", rm_cli_capabilities[c].name,
                   rm_cli_capabilities[c].words);
            any = 1;
        }
    if (!any) printf("  none (stateless, processes one item at a time)\n");

    rm__print_ports("Inputs", type->inputs, type->input_count);
    rm__print_ports("Outputs", type->outputs, type->output_count);

    printf("\nParameters (%u):\n", (unsigned)type->param_count);
    if (type->param_count == 0) printf("  none\n");
    for (uint32_t i = 0; i < type->param_count; i++)
        rm__print_param(&type->params[i]);
}

/* ---- JSON output -------------------------------------------------------- */

static cJSON *rm__json_ports(const rm_port_spec_t *ports, uint32_t count) {
    cJSON *list = cJSON_CreateArray();
    for (uint32_t i = 0; list && i < count; i++) {
        cJSON *port = cJSON_CreateObject();
        cJSON_AddItemToArray(list, port);
        rm_cli_json_add_text(port, "name", ports[i].name);
        cJSON *kinds = cJSON_AddArrayToObject(port, "kinds");
        for (unsigned kind = RM_KIND_AUDIO; kinds && kind <= RM_KIND_PYOBJECT;
             kind++)
            if (ports[i].kinds & RM_KIND_BIT(kind))
                cJSON_AddItemToArray(kinds,
                                     cJSON_CreateString(rm_cli_kind_name(kind)));
        rm_cli_json_add_text(port, "doc", ports[i].doc);
    }
    return list;
}

static cJSON *rm__json_param(const rm_param_spec_t *spec) {
    cJSON *p = cJSON_CreateObject();
    if (!p) return NULL;
    rm_cli_json_add_text(p, "name", spec->name);
    rm_cli_json_add_text(p, "type", rm_param_type_name(spec->type));
    cJSON_AddBoolToObject(p, "required", (spec->flags & RM_PARAM_REQUIRED) != 0);
    cJSON_AddBoolToObject(p, "nullable", (spec->flags & RM_PARAM_NULLABLE) != 0);
    /* default_json was checked to be valid JSON when the plugin loaded. */
    cJSON_AddItemToObject(p, "default",
                          spec->default_json ? cJSON_CreateRaw(spec->default_json)
                                             : cJSON_CreateNull());
    if (spec->flags & RM_PARAM_HAS_MIN) rm_json_add_number(p, "min", spec->min);
    if (spec->flags & RM_PARAM_HAS_MAX) rm_json_add_number(p, "max", spec->max);
    if (spec->type == RM_PARAM_ENUM && spec->enum_values) {
        cJSON *values = cJSON_AddArrayToObject(p, "enum");
        for (const char *const *v = spec->enum_values; values && *v; v++)
            cJSON_AddItemToArray(values, cJSON_CreateString(*v));
    }
    if (spec->type == RM_PARAM_STRING &&
        (spec->flags & (RM_PARAM_INPUT_PATH | RM_PARAM_OUTPUT_PATH)))
        cJSON_AddStringToObject(p, "role",
                                spec->flags & RM_PARAM_INPUT_PATH
                                    ? "input_path"
                                    : "output_path");
    rm_cli_json_add_text(p, "doc", spec->doc);
    return p;
}

static int rm__inspect_json(const rm_registry_entry_t *entry) {
    const rm_node_type_t *type = entry->type;
    const rm_plugin_descriptor_t *plugin = entry->plugin;
    cJSON *root = cJSON_CreateObject();
    if (!root) return RM_EXIT_FAILED;
    rm_cli_json_add_text(root, "type", type->name);
    rm_cli_json_add_text(root, "version", type->version);
    rm_cli_json_add_text(root, "description", type->description);
    cJSON *p = cJSON_AddObjectToObject(root, "plugin");
    if (p) {
        char abi[16];
        snprintf(abi, sizeof abi, "%u.%u", (unsigned)plugin->abi_major,
                 (unsigned)plugin->abi_minor);
        rm_cli_json_add_text(p, "file", entry->plugin_path);
        rm_cli_json_add_text(p, "id", plugin->id);
        rm_cli_json_add_text(p, "name", plugin->name);
        rm_cli_json_add_text(p, "version", plugin->version);
        rm_cli_json_add_text(p, "description", plugin->description);
        cJSON_AddStringToObject(p, "abi", abi);
    }
    cJSON *caps = cJSON_AddArrayToObject(root, "capabilities");
    for (size_t c = 0; caps && c < rm_cli_capability_count; c++)
        if (type->capabilities & rm_cli_capabilities[c].bit)
            cJSON_AddItemToArray(caps,
                                 cJSON_CreateString(rm_cli_capabilities[c].name));
    cJSON_AddItemToObject(root, "inputs",
                          rm__json_ports(type->inputs, type->input_count));
    cJSON_AddItemToObject(root, "outputs",
                          rm__json_ports(type->outputs, type->output_count));
    cJSON *params = cJSON_AddArrayToObject(root, "params");
    for (uint32_t i = 0; params && i < type->param_count; i++)
        cJSON_AddItemToArray(params, rm__json_param(&type->params[i]));
    return rm_cli_print_json(stdout, root);
}

/* ---- the command -------------------------------------------------------- */

static int rm__cmd_inspect(const rm_cli_t *cli, int argc, char **argv) {
    int status = rm_cli_positionals(cli, "inspect", &argc, argv);
    if (status != RM_EXIT_OK) return status;
    if (argc != 1) {
        fprintf(stderr, "%s inspect: expects exactly one node type name, got "
                "%d arguments (list them with: %s list)\n",
                cli->program, argc, cli->program);
        return RM_EXIT_USAGE;
    }
    rm_registry_t *registry = NULL;
    status = rm_cli_open_registry(cli, &registry);
    if (status != RM_EXIT_OK) return status;
    const rm_registry_entry_t *entry = rm_registry_find(registry, argv[0]);
    if (entry) {
        status = RM_EXIT_OK;
        if (cli->json)
            status = rm__inspect_json(entry);
        else
            rm__inspect_text(entry);
    } else {
        fprintf(stderr, "%s: no node type named '%s'; ", cli->program,
                argv[0]);
        rm_cli_print_searched(stderr, registry);
        fputc('\n', stderr);
        const char *closest = rm__closest(registry, argv[0]);
        if (closest) fprintf(stderr, "  did you mean '%s'?\n", closest);
        size_t failures = rm_registry_failure_count(registry);
        if (failures)
            fprintf(stderr, "  %zu plugin file%s failed to load and may "
                    "provide it; see `%s failures`\n",
                    failures, failures == 1 ? "" : "s", cli->program);
        status = RM_EXIT_FAILED;
    }
    rm_registry_close(registry);
    return status;
}

const rm_cli_command_t rm_cli_command_inspect = {
    "inspect", NULL, "TYPE",
    "show one node type: plugin, ports, params, capabilities",
    "  Prints the node type's plugin (file, id, version, ABI), its\n"
    "  capabilities in words, its input and output ports with their data\n"
    "  kinds, and every parameter with type, default, range or allowed\n"
    "  values, whether it is required, and its doc line. --json prints the\n"
    "  same as one JSON object. Exits 0 when TYPE exists, 1 when it does not\n"
    "  (stderr then lists the searched directories and the closest name).\n",
    0, rm__cmd_inspect, NULL};
