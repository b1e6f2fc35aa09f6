/* cmd_list.c — `rmrun list`: every node type the plugins provide. */
#include "cli.h"

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

static void rm__list_json(const rm_registry_t *registry) {
    size_t count = rm_registry_count(registry);
    fputs("{\"node_types\": [", stdout);
    for (size_t i = 0; i < count; i++) {
        const rm_registry_entry_t *e = rm_registry_at(registry, i);
        fputs(i ? ",\n  {\"type\": " : "\n  {\"type\": ", stdout);
        rm_cli_json_string(stdout, e->type->name);
        fputs(", \"version\": ", stdout);
        rm_cli_json_string(stdout, e->type->version);
        fputs(", \"description\": ", stdout);
        rm_cli_json_string(stdout, e->type->description);
        fputs(", \"plugin_id\": ", stdout);
        rm_cli_json_string(stdout, e->plugin->id);
        fputs(", \"plugin_file\": ", stdout);
        rm_cli_json_string(stdout, e->plugin_path);
        fputs(", \"capabilities\": [", stdout);
        int first = 1;
        for (size_t c = 0; c < rm_cli_capability_count; c++)
            if (e->type->capabilities & rm_cli_capabilities[c].bit) {
                if (!first) fputs(", ", stdout);
                rm_cli_json_string(stdout, rm_cli_capabilities[c].name);
                first = 0;
            }
        fputs("]}", stdout);
    }
    printf("%s],\n \"load_failures\": %zu,\n \"searched\": [",
           count ? "\n" : "", rm_registry_failure_count(registry));
    for (size_t i = 0; i < rm_registry_dir_count(registry); i++) {
        if (i) fputs(", ", stdout);
        rm_cli_json_string(stdout, rm_registry_dir_at(registry, i));
    }
    fputs("]}\n", stdout);
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
    if (cli->json)
        rm__list_json(registry);
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
    return RM_EXIT_OK;
}

const rm_cli_command_t rm_cli_command_list = {
    "list", "--list", "", "list the node types of every loaded plugin",
    "  One row per node type: TYPE, VERSION, PLUGIN (file), DESCRIPTION,\n"
    "  sorted by type. With --json: {\"node_types\": [{\"type\", \"version\",\n"
    "  \"description\", \"plugin_id\", \"plugin_file\", \"capabilities\"}],\n"
    "  \"load_failures\": N, \"searched\": [dirs]}. Plugin files that failed\n"
    "  to load are summed up in one line on stderr.\n",
    0, rm__cmd_list, NULL};
