/*
 * cmd_failures.c — `rmrun failures`: every plugin file that did not load,
 * and why. GStreamer users' worst experience is a plugin silently
 * blacklisted; here the cause is always one command away.
 */
#include "cli.h"
#include "json_number.h"

#include <cjson/cJSON.h>

#include <stdio.h>

static int rm__failures_json(const rm_registry_t *registry) {
    cJSON *root = cJSON_CreateObject();
    cJSON *failures = cJSON_AddArrayToObject(root, "failures");
    for (size_t i = 0; failures && i < rm_registry_failure_count(registry);
         i++) {
        const rm_load_failure_t *failure = rm_registry_failure_at(registry, i);
        cJSON *f = cJSON_CreateObject();
        cJSON_AddItemToArray(failures, f);
        rm_cli_json_add_text(f, "file", failure->path);
        rm_cli_json_add_text(f, "kind", rm_cli_failure_kind_name(failure->kind));
        rm_cli_json_add_text(f, "reason", failure->reason);
    }
    return rm_cli_print_json(stdout, root);
}

static void rm__failures_text(const rm_registry_t *registry) {
    size_t count = rm_registry_failure_count(registry);
    for (size_t i = 0; i < count; i++) {
        const rm_load_failure_t *failure = rm_registry_failure_at(registry, i);
        printf("%s\n  %s: %s\n", failure->path,
               rm_cli_failure_kind_name(failure->kind), failure->reason);
    }
    if (count == 0) {
        printf("every plugin file loaded; ");
        rm_cli_print_searched(stdout, registry);
        putchar('\n');
    }
}

static int rm__cmd_failures(const rm_cli_t *cli, int argc, char **argv) {
    int status = rm_cli_positionals(cli, "failures", &argc, argv);
    if (status != RM_EXIT_OK) return status;
    if (argc > 0) {
        fprintf(stderr, "%s failures: takes no arguments, got '%s'\n",
                cli->program, argv[0]);
        return RM_EXIT_USAGE;
    }
    rm_registry_t *registry = NULL;
    status = rm_cli_open_registry(cli, &registry);
    if (status != RM_EXIT_OK) return status;
    int printed = RM_EXIT_OK;
    if (cli->json)
        printed = rm__failures_json(registry);
    else
        rm__failures_text(registry);
    status = printed != RM_EXIT_OK ? printed
             : rm_registry_failure_count(registry) ? RM_EXIT_PLUGINS
                                                   : RM_EXIT_OK;
    rm_registry_close(registry);
    return status;
}

const rm_cli_command_t rm_cli_command_failures = {
    "failures", "--list-failures", "",
    "show every plugin file that failed to load, and why",
    "  One entry per file, in scan order: the path, the kind of failure\n"
    "  (not a plugin, no entry symbol, unsupported ABI, bad descriptor,\n"
    "  duplicate node type) and the full reason. --json prints\n"
    "  {\"failures\": [{\"file\", \"kind\", \"reason\"}]}. Exits 0 when every\n"
    "  file loaded, 4 when any failed (usable as a check in CI).\n",
    0, rm__cmd_failures, NULL};
