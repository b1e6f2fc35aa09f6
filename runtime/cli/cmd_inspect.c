/*
 * cmd_inspect.c — `rmrun inspect TYPE`: everything about one node type,
 * in the spirit of gst-inspect-1.0. Exit 0 when the type exists, 1 when it
 * does not (with what was searched and the closest name), so scripts can
 * use it as an existence test.
 */
#include "cli.h"
#include <remotemedia/debug.h> /* rm_param_type_name */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *rm__text(const char *text) { return text ? text : ""; }

/* ---- did you mean ------------------------------------------------------- */

/* Case-insensitive edit distance, capped: type names are short. */
static size_t rm__distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return (size_t)-1;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            int same = tolower((unsigned char)a[i - 1]) ==
                       tolower((unsigned char)b[j - 1]);
            size_t best = diagonal + (same ? 0 : 1);
            if (above + 1 < best) best = above + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

static const char *rm__closest(const rm_registry_t *registry,
                               const char *name) {
    const char *best = NULL;
    size_t best_distance = (size_t)-1;
    size_t limit = strlen(name) / 3;
    if (limit < 2) limit = 2;
    for (size_t i = 0; i < rm_registry_count(registry); i++) {
        const char *candidate = rm_registry_at(registry, i)->type->name;
        size_t distance = rm__distance(name, candidate);
        if (distance < best_distance) {
            best_distance = distance;
            best = candidate;
        }
    }
    return best_distance <= limit ? best : NULL;
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

static void rm__json_key(const char *key, const char *value, int comma) {
    if (comma) fputs(", ", stdout);
    rm_cli_json_string(stdout, key);
    fputs(": ", stdout);
    rm_cli_json_string(stdout, value);
}

static void rm__json_ports(const char *key, const rm_port_spec_t *ports,
                           uint32_t count) {
    printf(",\n \"%s\": [", key);
    for (uint32_t i = 0; i < count; i++) {
        fputs(i ? ", {" : "{", stdout);
        rm__json_key("name", ports[i].name, 0);
        fputs(", \"kinds\": [\"", stdout);
        rm_cli_print_kinds(stdout, ports[i].kinds, "\", \"");
        fputs("\"]", stdout);
        rm__json_key("doc", ports[i].doc, 1);
        fputs("}", stdout);
    }
    fputs("]", stdout);
}

/* A JSON number as the shortest text that reads back as the same double
 * (0.1, not 0.10000000000000001). */
static void rm__print_json_number(double value) {
    char buffer[32];
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buffer, sizeof buffer, "%.*g", digits, value);
        if (strtod(buffer, NULL) == value) break;
    }
    fputs(buffer, stdout);
}

static void rm__json_param(const rm_param_spec_t *spec, int comma) {
    fputs(comma ? ",\n  {" : "\n  {", stdout);
    rm__json_key("name", spec->name, 0);
    rm__json_key("type", rm_param_type_name(spec->type), 1);
    printf(", \"required\": %s, \"nullable\": %s",
           spec->flags & RM_PARAM_REQUIRED ? "true" : "false",
           spec->flags & RM_PARAM_NULLABLE ? "true" : "false");
    /* default_json was checked to be valid JSON when the plugin loaded. */
    printf(", \"default\": %s", spec->default_json ? spec->default_json
                                                   : "null");
    if (spec->flags & RM_PARAM_HAS_MIN) {
        fputs(", \"min\": ", stdout);
        rm__print_json_number(spec->min);
    }
    if (spec->flags & RM_PARAM_HAS_MAX) {
        fputs(", \"max\": ", stdout);
        rm__print_json_number(spec->max);
    }
    if (spec->type == RM_PARAM_ENUM && spec->enum_values) {
        fputs(", \"enum\": [", stdout);
        for (const char *const *v = spec->enum_values; *v; v++) {
            if (v != spec->enum_values) fputs(", ", stdout);
            rm_cli_json_string(stdout, *v);
        }
        fputs("]", stdout);
    }
    rm__json_key("doc", spec->doc, 1);
    fputs("}", stdout);
}

static void rm__inspect_json(const rm_registry_entry_t *entry) {
    const rm_node_type_t *type = entry->type;
    const rm_plugin_descriptor_t *plugin = entry->plugin;
    fputs("{", stdout);
    rm__json_key("type", type->name, 0);
    rm__json_key("version", type->version, 1);
    rm__json_key("description", type->description, 1);
    fputs(",\n \"plugin\": {", stdout);
    rm__json_key("file", entry->plugin_path, 0);
    rm__json_key("id", plugin->id, 1);
    rm__json_key("name", plugin->name, 1);
    rm__json_key("version", plugin->version, 1);
    rm__json_key("description", plugin->description, 1);
    printf(", \"abi\": \"%u.%u\"}", (unsigned)plugin->abi_major,
           (unsigned)plugin->abi_minor);
    fputs(",\n \"capabilities\": [", stdout);
    int first = 1;
    for (size_t c = 0; c < rm_cli_capability_count; c++)
        if (type->capabilities & rm_cli_capabilities[c].bit) {
            if (!first) fputs(", ", stdout);
            rm_cli_json_string(stdout, rm_cli_capabilities[c].name);
            first = 0;
        }
    fputs("]", stdout);
    rm__json_ports("inputs", type->inputs, type->input_count);
    rm__json_ports("outputs", type->outputs, type->output_count);
    fputs(",\n \"params\": [", stdout);
    for (uint32_t i = 0; i < type->param_count; i++)
        rm__json_param(&type->params[i], i > 0);
    fputs("]}\n", stdout);
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
        if (cli->json)
            rm__inspect_json(entry);
        else
            rm__inspect_text(entry);
        status = RM_EXIT_OK;
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
    0, rm__cmd_inspect};
