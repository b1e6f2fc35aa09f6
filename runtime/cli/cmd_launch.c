/*
 * cmd_launch.c — `rmrun launch [RUN OR BATCH OPTIONS] 'PIPELINE'`: a
 * one-line pipeline, gst-launch style, built into a JSON manifest (cJSON)
 * and handed to run (or to batch with --batch):
 *
 *   TYPE key=value ...      a node of that type with those params (typed by
 *                           the type's param specs); name=ID sets its id
 *   A ! B                   connect A's output 0 to B's input 0
 *   ID.  ID.PORT            a node by id (and port, by index or name): as
 *                           a destination `... ! mix.right`, or starting a
 *                           branch `seg.1 ! AudioFileSink path=speech.wav`
 *
 * Elements not joined by `!` start a new chain. Unnamed nodes get the id
 * TYPE_N (N: the node's position). The rest (unknown types, params, ports,
 * ids, kinds) is the manifest validator's, with its messages.
 */
#include "cli.h"
#include "cli_options.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char rm__launch_help[] =
    "  PIPELINE              node types joined by '!', each followed by its\n"
    "                        key=value params; name=ID names a node; ID.PORT\n"
    "                        refers to a node's port (a branch: seg.1 ! ...)\n"
    "  run options (--input, --output, --set, ...) and batch options\n"
    "  (--batch DIR --out DIR ...) as for a manifest, e.g.\n"
    "    rmrun launch 'AudioFileSource path=in.flac ! FormatConverterNode\n"
    "      channels=1 ! AudioResampleNode target_sample_rate=16000 !\n"
    "      AudioFileSink path=out.wav'\n";

static const rm_cli_option_t rm__print_manifest = {
    "print-manifest", 0, NULL,
    "print the JSON manifest instead of running it"};
static const rm_cli_options_t rm__launch_table = {&rm__print_manifest, 1};

/* launch's options: --print-manifest, and those of batch when --batch is
 * among the arguments, else those of run; *table is malloc'ed. */
static int rm__launch_options(int argc, char **argv, rm_cli_options_t *out,
                              rm_cli_option_t **table) {
    const rm_cli_options_t *pass = rm_cli_run_options;
    for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (rm_cli_option_spelt(&rm_cli_batch_options->items[0], argv[i]))
            pass = rm_cli_batch_options;
    *table = calloc(pass->count + 1, sizeof(**table));
    if (!*table) return -1;
    (*table)[0] = rm__print_manifest;
    memcpy(*table + 1, pass->items, pass->count * sizeof(**table));
    out->items = *table;
    out->count = pass->count + 1;
    return 0;
}

typedef struct rm__launch_args {
    char **rest;          /* "launch", then the options for run/batch as
                             "--name" or "--name=VALUE" (malloc'ed) */
    int rest_count;
    int print_manifest;
} rm__launch_args_t;

static int rm__launch_option(void *ctx, const rm_cli_option_t *o,
                             const char *value) {
    rm__launch_args_t *a = ctx;
    if (o->name == rm__print_manifest.name) {
        a->print_manifest = 1;
        return RM_EXIT_OK;
    }
    size_t len = strlen(o->name) + 4 + (value ? strlen(value) : 0);
    char *word = malloc(len);
    if (!word) return RM_EXIT_FAILED;
    snprintf(word, len, "--%s%s%s", o->name, value ? "=" : "",
             value ? value : "");
    a->rest[a->rest_count++] = word;
    return RM_EXIT_OK;
}

/* ---- tokens: words split at unquoted blanks and '!' ----------------------- */

typedef struct rm__tokens {
    char **items;
    size_t count;
} rm__tokens_t;

static int rm__push(rm__tokens_t *t, const char *text, size_t len) {
    char **grown = realloc(t->items, (t->count + 1) * sizeof(*grown));
    if (!grown) return -1;
    t->items = grown;
    char *copy = malloc(len + 1);
    if (!copy) return -1;
    memcpy(copy, text, len);
    copy[len] = '\0';
    t->items[t->count++] = copy;
    return 0;
}

/* Splits `line`; quotes ('...' or "...") group, a backslash escapes.
 * Returns 0, or -1 (out of memory) / 1 (an unclosed quote). */
static int rm__tokenize(const char *line, rm__tokens_t *t) {
    size_t cap = strlen(line) + 1, len = 0;
    char *word = malloc(cap);
    if (!word) return -1;
    int in_word = 0, status = 0;
    char quote = 0;
    for (const char *p = line;; p++) {
        char c = *p;
        if (quote) {
            if (c == '\0') {
                status = 1;
                break;
            }
            if (c == quote) quote = 0;
            else word[len++] = c;
            continue;
        }
        if (c == '\0' || isspace((unsigned char)c) || c == '!') {
            if (in_word && rm__push(t, word, len) != 0) status = -1;
            in_word = 0;
            len = 0;
            if (c == '!' && rm__push(t, "!", 1) != 0) status = -1;
            if (c == '\0' || status) break;
            continue;
        }
        in_word = 1;
        if (c == '\'' || c == '"') quote = c;
        else if (c == '\\' && p[1]) word[len++] = *++p;
        else word[len++] = c;
    }
    free(word);
    return status;
}

static void rm__tokens_free(rm__tokens_t *t) {
    for (size_t i = 0; i < t->count; i++) free(t->items[i]);
    free(t->items);
}

/* ---- the manifest ------------------------------------------------------------ */

/* An end of a connection: a node of this pipeline by position, or a node
 * named by a reference (ID.PORT), and the port (NULL: 0). */
typedef struct rm__end {
    long node;        /* index into nodes, or -1 for `name` */
    const char *name; /* a reference's id (points into a token) */
    const char *port;
} rm__end_t;

typedef struct rm__builder {
    const rm_cli_t *cli;
    const rm_registry_t *registry;
    cJSON *nodes, *connections;
    char **names;     /* per node: name= (owned by tokens) or NULL */
    size_t node_count;
} rm__builder_t;

static int rm__fail(const rm__builder_t *b, size_t at, const char *token,
                    const char *why) {
    fprintf(stderr, "%s launch: word %zu '%s': %s\n", b->cli->program, at + 1,
            token, why);
    return RM_EXIT_USAGE;
}

static cJSON *rm__port_value(const char *port) {
    if (!port || !*port) return NULL;
    char *end = NULL;
    long n = strtol(port, &end, 10);
    if (*end == '\0' && n >= 0) return cJSON_CreateNumber((double)n);
    return cJSON_CreateString(port);
}

/* Records from -> to; ids are resolved at the end (name= may follow). */
typedef struct rm__link {
    rm__end_t from, to;
} rm__link_t;

static int rm__add_param(rm__builder_t *b, cJSON *node, const char *token,
                         char *eq) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(node, "node_type");
    *eq = '\0';
    const char *key = token, *text = eq + 1;
    const rm_param_spec_t *spec = rm_cli_param_spec(b->registry, node, key);
    char origin[256];
    snprintf(origin, sizeof origin, "launch: %s %s=%s", type->valuestring,
             key, text);
    cJSON *value = rm_cli_param_value(b->cli, origin, spec, text);
    cJSON *params = value ? rm_cli_node_params(node) : NULL;
    if (params) rm_cli_set_param(params, key, value);
    else cJSON_Delete(value);
    *eq = '=';
    return !value ? RM_EXIT_USAGE : params ? RM_EXIT_OK : RM_EXIT_FAILED;
}

/* Builds the manifest of `t` into *out. Returns RM_EXIT_*. */
static int rm__build(rm__builder_t *b, const rm__tokens_t *t, cJSON **out) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "version", "v1");
    b->nodes = cJSON_AddArrayToObject(root, "nodes");
    b->connections = cJSON_AddArrayToObject(root, "connections");
    rm__link_t *links = calloc(t->count + 1, sizeof(*links));
    b->names = calloc(t->count + 1, sizeof(*b->names));
    size_t link_count = 0;
    int status = links && b->names && b->connections ? RM_EXIT_OK
                                                      : RM_EXIT_FAILED;
    rm__end_t last = {-1, NULL, NULL};
    int have_last = 0, linking = 0;
    cJSON *current = NULL; /* the element params go to */
    for (size_t i = 0; status == RM_EXIT_OK && i < t->count; i++) {
        char *token = t->items[i];
        char *eq = strchr(token, '=');
        if (strcmp(token, "!") == 0) {
            if (!have_last)
                status = rm__fail(b, i, token, "'!' links from a node, but "
                                  "none comes before it");
            else if (linking)
                status = rm__fail(b, i, token, "two '!' in a row: a node "
                                  "type or a reference goes between them");
            linking = 1;
            continue;
        }
        if (eq) {
            if (!current || linking)
                status = rm__fail(b, i, token, "a key=value parameter "
                                  "follows a node type (TYPE key=value ! ...)");
            else if (eq == token)
                status = rm__fail(b, i, token, "a parameter needs a name "
                                  "before '='");
            else if (strncmp(token, "name=", 5) == 0)
                b->names[b->node_count - 1] = token + 5;
            else
                status = rm__add_param(b, current, token, eq);
            continue;
        }
        rm__end_t here = {-1, NULL, NULL};
        char *dot = strchr(token, '.');
        if (dot) { /* ID. or ID.PORT */
            if (dot == token) {
                status = rm__fail(b, i, token, "a reference is ID.PORT (or "
                                  "ID. for port 0), with the node's id first");
                continue;
            }
            *dot = '\0';
            here.name = token;
            here.port = dot[1] ? dot + 1 : NULL;
            current = NULL;
        } else if (current && !linking &&
                   rm_cli_param_spec(b->registry, current, token) &&
                   !rm_registry_find(b->registry, token)) {
            /* "AudioFileSource path in.wav": not two new nodes. */
            const cJSON *type =
                cJSON_GetObjectItemCaseSensitive(current, "node_type");
            char why[512];
            snprintf(why, sizeof why, "a parameter of %s: give it a value, "
                     "%s=VALUE (a new node after it would be joined with "
                     "'!')", type->valuestring, token);
            status = rm__fail(b, i, token, why);
            continue;
        } else {
            cJSON *node = cJSON_CreateObject();
            cJSON_AddItemToArray(b->nodes, node);
            cJSON_AddStringToObject(node, "node_type", token);
            cJSON_AddObjectToObject(node, "params");
            here.node = (long)b->node_count++;
            current = node;
        }
        if (linking) {
            links[link_count].from = last;
            links[link_count].to = here;
            link_count++;
            linking = 0;
            /* a reference as a destination ends the chain there; what
             * follows it sends from that node's first output */
            if (here.name) here.port = NULL;
        }
        last = here;
        have_last = 1;
    }
    if (status == RM_EXIT_OK && linking)
        status = rm__fail(b, t->count - 1, "!", "the pipeline ends with '!': "
                          "it links to nothing");
    if (status == RM_EXIT_OK && b->node_count == 0) {
        fprintf(stderr, "%s launch: no node types in the pipeline (e.g. "
                "'AudioFileSource path=in.wav ! AudioFileSink path=out.wav')\n",
                b->cli->program);
        status = RM_EXIT_USAGE;
    }
    /* ids: name= or TYPE_N */
    size_t k = 0;
    cJSON *node;
    cJSON_ArrayForEach(node, b->nodes) {
        if (status != RM_EXIT_OK) break;
        char id[256];
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(node, "node_type");
        if (b->names[k]) snprintf(id, sizeof id, "%s", b->names[k]);
        else snprintf(id, sizeof id, "%s_%zu", type->valuestring, k);
        cJSON *item = cJSON_CreateString(id);
        cJSON_AddItemToObject(node, "id", item);
        /* "id" first, as people write it */
        cJSON_DetachItemViaPointer(node, item);
        cJSON_InsertItemInArray(node, 0, item);
        k++;
    }
    for (size_t l = 0; status == RM_EXIT_OK && l < link_count; l++) {
        cJSON *edge = cJSON_CreateObject();
        cJSON_AddItemToArray(b->connections, edge);
        const rm__end_t *ends[2] = {&links[l].from, &links[l].to};
        static const char *const keys[2][2] = {{"from", "from_port"},
                                               {"to", "to_port"}};
        for (int e = 0; e < 2; e++) {
            const rm__end_t *end = ends[e];
            const char *id = end->name;
            if (!id) {
                const cJSON *n = cJSON_GetArrayItem(b->nodes, (int)end->node);
                id = cJSON_GetObjectItemCaseSensitive(n, "id")->valuestring;
            }
            cJSON_AddStringToObject(edge, keys[e][0], id);
            cJSON *port = rm__port_value(end->port);
            if (port) cJSON_AddItemToObject(edge, keys[e][1], port);
        }
    }
    free(links);
    free(b->names);
    b->names = NULL;
    if (status != RM_EXIT_OK) {
        cJSON_Delete(root);
        return status;
    }
    *out = root;
    return RM_EXIT_OK;
}

/* ---- the command --------------------------------------------------------------- */

static int rm__cmd_launch(const rm_cli_t *cli, int argc, char **argv) {
    /* Options go on to run/batch; the other words are the pipeline. */
    rm__launch_args_t args = {calloc((size_t)argc + 2, sizeof(char *)), 1, 0};
    size_t line_len = 1;
    for (int i = 0; i < argc; i++) line_len += strlen(argv[i]) + 1;
    char *line = calloc(line_len, 1);
    rm_cli_options_t options;
    rm_cli_option_t *table = NULL;
    if (!args.rest || !line ||
        rm__launch_options(argc, argv, &options, &table) != 0) {
        free(args.rest);
        free(line);
        return RM_EXIT_FAILED;
    }
    int status = rm_cli_parse_options(cli, "launch", &options, &argc, argv,
                                      rm__launch_option, &args);
    free(table);
    char **rest = args.rest;
    int rest_count = args.rest_count, print_manifest = args.print_manifest;
    for (int i = 0; i < argc; i++) {
        if (*line) strcat(line, " ");
        strcat(line, argv[i]);
    }
    if (status != RM_EXIT_OK) {
        for (int i = 1; i < rest_count; i++) free(rest[i]);
        free(rest);
        free(line);
        return status;
    }
    rm__tokens_t tokens = {NULL, 0};
    int split = rm__tokenize(line, &tokens);
    status = split == 0 ? RM_EXIT_OK : RM_EXIT_USAGE;
    if (split > 0)
        fprintf(stderr, "%s launch: an unclosed quote in '%s'\n",
                cli->program, line);
    else if (split < 0)
        status = RM_EXIT_FAILED;
    if (status == RM_EXIT_OK && tokens.count == 0) {
        fprintf(stderr, "%s launch: which pipeline? e.g. %s launch "
                "'AudioFileSource path=in.wav ! AudioFileSink path=out.wav'\n",
                cli->program, cli->program);
        status = RM_EXIT_USAGE;
    }
    rm_registry_t *registry = NULL;
    if (status == RM_EXIT_OK) status = rm_cli_open_registry(cli, &registry);
    cJSON *manifest = NULL;
    if (status == RM_EXIT_OK) {
        rm__builder_t b = {cli, registry, NULL, NULL, NULL, 0};
        status = rm__build(&b, &tokens, &manifest);
    }
    if (status == RM_EXIT_OK && print_manifest) {
        char *text = cJSON_Print(manifest);
        if (text) puts(text);
        else status = RM_EXIT_FAILED;
        free(text);
    } else if (status == RM_EXIT_OK) {
        char *text = cJSON_PrintUnformatted(manifest);
        rm_cli_t launched = *cli;
        launched.manifest_text = text;
        launched.registry = registry; /* run uses it: no second scan */
        /* run reorders the words it is given: hand it a copy. */
        char **words = calloc((size_t)rest_count + 1, sizeof(*words));
        if (words) {
            memcpy(words, rest, (size_t)rest_count * sizeof(*words));
            words[0] = "launch"; /* the manifest's name in messages */
        }
        status = text && words
                     ? rm_cli_command_run.run(&launched, rest_count, words)
                     : RM_EXIT_FAILED;
        free(words);
        free(text);
    }
    if (status == RM_EXIT_FAILED && !manifest)
        fprintf(stderr, "%s launch: out of memory\n", cli->program);
    rm_registry_close(registry);
    cJSON_Delete(manifest);
    rm__tokens_free(&tokens);
    free(line);
    for (int i = 1; i < rest_count; i++) free(rest[i]);
    free(rest);
    return status;
}

const rm_cli_command_t rm_cli_command_launch = {
    "launch", NULL, "[RUN OPTIONS] 'TYPE key=value ! TYPE ...'",
    "run a one-line pipeline (gst-launch style; --print-manifest shows it)",
    rm__launch_help, 0, rm__cmd_launch, &rm__launch_table};
