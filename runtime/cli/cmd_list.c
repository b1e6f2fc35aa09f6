/* cmd_list.c — `rmrun list`: every node type the plugins provide. */
#include "cli.h"
#include "json_number.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <string.h>

static const char *rm__or_dash(const char *text) {
    return text && *text ? text : "-";
}

/* Length of the first line: a description is shown on one row. */
static int rm__line_length(const char *text) {
    size_t len = strcspn(text, "\r\n");
    return len > 200 ? 200 : (int)len;
}

static void rm__list_table(const rm_registry_t *registry) {
    size_t count = rm_registry_count(registry);
    int type_width = 4, version_width = 7, file_width = 6;
    for (size_t i = 0; i < count; i++) {
        const rm_registry_entry_t *e = rm_registry_at(registry, i);
        int n = (int)strlen(e->type->name);
        if (n > type_width) type_width = n;
        n = (int)strlen(rm__or_dash(e->type->version));
        if (n > version_width) version_width = n;
        n = (int)strlen(rm_cli_basename(e->plugin_path));
        if (n > file_width) file_width = n;
    }
    printf("%-*s  %-*s  %-*s  %s\n", type_width, "TYPE", version_width,
           "VERSION", file_width, "PLUGIN", "DESCRIPTION");
    for (size_t i = 0; i < count; i++) {
        const rm_registry_entry_t *e = rm_registry_at(registry, i);
        const char *description = rm__or_dash(e->type->description);
        printf("%-*s  %-*s  %-*s  %.*s\n", type_width, e->type->name,
               version_width, rm__or_dash(e->type->version), file_width,
               rm_cli_basename(e->plugin_path), rm__line_length(description),
               description);
    }
}

static int rm__list_json(const rm_registry_t *registry) {
    cJSON *root = cJSON_CreateObject();
    cJSON *types = cJSON_AddArrayToObject(root, "node_types");
    for (size_t i = 0; types && i < rm_registry_count(registry); i++) {
        const rm_registry_entry_t *e = rm_registry_at(registry, i);
        cJSON *t = cJSON_CreateObject();
        cJSON_AddItemToArray(types, t);
        rm_cli_json_add_text(t, "type", e->type->name);
        rm_cli_json_add_text(t, "version", e->type->version);
        rm_cli_json_add_text(t, "description", e->type->description);
        rm_cli_json_add_text(t, "plugin_id", e->plugin->id);
        rm_cli_json_add_text(t, "plugin_file", e->plugin_path);
        cJSON *caps = cJSON_AddArrayToObject(t, "capabilities");
        for (size_t c = 0; caps && c < rm_cli_capability_count; c++)
            if (e->type->capabilities & rm_cli_capabilities[c].bit)
                cJSON_AddItemToArray(
                    caps, cJSON_CreateString(rm_cli_capabilities[c].name));
    }
    rm_json_add_number(root, "load_failures",
                       (double)rm_registry_failure_count(registry));
    cJSON *searched = cJSON_AddArrayToObject(root, "searched");
    for (size_t i = 0; searched && i < rm_registry_dir_count(registry); i++)
        cJSON_AddItemToArray(searched,
                             cJSON_CreateString(rm_registry_dir_at(registry, i)));
    return rm_cli_print_json(stdout, root);
}

static int rm__cmd_list(const rm_cli_t *cli, int argc, char **argv) {
    int status = rm_cli_positionals(cli, "list", &argc, argv);
    if (status != RM_EXIT_OK) return status;
    if (argc > 0) {
        fprintf(stderr, "%s list: takes no arguments, got '%s' (to show one "
                "node type: %s inspect %s)\n",
                cli->program, argv[0], cli->program, argv[0]);
        return RM_EXIT_USAGE;
    }
    rm_registry_t *registry = NULL;
    status = rm_cli_open_registry(cli, &registry);
    if (status != RM_EXIT_OK) return status;
    int printed = RM_EXIT_OK;
    if (cli->json)
        printed = rm__list_json(registry);
    else
        rm__list_table(registry);
    if (rm_registry_count(registry) == 0 && cli->verbosity >= 0) {
        fprintf(stderr, "%s: no node types found; ", cli->program);
        rm_cli_print_searched(stderr, registry);
        fputc('\n', stderr);
    }
    rm_cli_warn_failures(cli, registry);
    rm_registry_close(registry);
    /* Listing worked even if some files failed: the failures are reported
     * above and through `rmrun failures`, whose exit code says so. */
    return printed;
}

const rm_cli_command_t rm_cli_command_list = {
    "list", "--list", "", "list the node types of every loaded plugin",
    "  One row per node type: TYPE, VERSION, PLUGIN (file), DESCRIPTION,\n"
    "  sorted by type. With --json: {\"node_types\": [{\"type\", \"version\",\n"
    "  \"description\", \"plugin_id\", \"plugin_file\", \"capabilities\"}],\n"
    "  \"load_failures\": N, \"searched\": [dirs]}. Plugin files that failed\n"
    "  to load are summed up in one line on stderr.\n",
    0, rm__cmd_list, NULL};
