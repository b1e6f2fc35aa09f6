/*
 * cmd_serve.c — `rmrun serve --listen HOST:PORT`: host the node types of
 * the registry for remote clients (RemoteNode, manifests with "host").
 * The server itself is the "remotemedia.node-server/1" extension of a
 * plugin (the remote plugin, over gRPC): rmrun holds no network code. It
 * parses the options, opens the registry (without Python node types unless
 * --allow-python), finds the extension and serves until SIGINT/SIGTERM.
 */
#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <remotemedia/node_server.h>

static const char rm__serve_help[] =
    "  --listen HOST:PORT      address to listen on (port 0: a free one; the\n"
    "                          bound address is printed on stderr)\n"
    "  --token-file FILE       bearer token clients must send (first line)\n"
    "  --no-auth               no token: refused unless HOST is loopback\n"
    "  --tls-cert FILE, --tls-key FILE   serve TLS with this certificate\n"
    "  --client-ca FILE        require client certificates signed by it\n"
    "  --allow TYPE,...        only these node types may be created\n"
    "  --allow-python          serve Python node types (a client's node\n"
    "                          that names a Python class runs that code)\n"
    "  --max-streams N         concurrent streams (default 64)\n"
    "  --max-message-mb N      largest item, MB (default 64)\n"
    "  --idle-timeout-ms N     end a stream silent this long (default 300000)\n"
    "  --grace-ms N            on SIGTERM, time streams get to finish\n"
    "                          (default 10000)\n"
    "  See docs/remote.md.\n";

static volatile sig_atomic_t rm__serve_stop;

static void rm__serve_on_signal(void *ctx, int count, int signo) {
    (void)ctx;
    (void)count;
    fprintf(stderr, "rmrun serve: %s: stopping (finishing streams in "
            "flight)\n", rm_cli_signal_name(signo));
    rm__serve_stop = 1;
}

static void rm__serve_listening(void *user, const char *address, int port) {
    (void)user;
    const char *colon = strrchr(address, ':');
    int host_len = colon ? (int)(colon - address) : (int)strlen(address);
    fprintf(stderr, "rmrun serve: listening on %.*s:%d\n", host_len, address,
            port);
}

static int rm__serve_number(const rm_cli_t *cli, const char *option,
                            const char *text, long min, long max,
                            uint32_t *out) {
    char *end = NULL;
    long n = strtol(text, &end, 10);
    if (!*text || *end || n < min || n > max) {
        fprintf(stderr, "%s serve: %s takes a number from %ld to %ld, got "
                "'%s'\n", cli->program, option, min, max, text);
        return RM_EXIT_USAGE;
    }
    *out = (uint32_t)n;
    return RM_EXIT_OK;
}

/* The first loaded plugin offering the node-server extension. */
static const rm_node_server_t *rm__serve_find(const rm_registry_t *registry) {
    for (size_t i = 0; i < rm_registry_plugin_count(registry); i++) {
        const rm_plugin_descriptor_t *d =
            rm_registry_plugin_at(registry, i, NULL);
        if (!d || !RM_STRUCT_HAS(d, rm_plugin_descriptor_t, get_extension) ||
            !d->get_extension)
            continue;
        const rm_node_server_t *s = d->get_extension(RM_NODE_SERVER_ID);
        if (s && s->struct_size >= sizeof(rm_node_server_t)) return s;
    }
    return NULL;
}

enum { OPT_LISTEN = 256, OPT_TOKEN, OPT_NO_AUTH, OPT_CERT, OPT_KEY, OPT_CA,
       OPT_ALLOW, OPT_PYTHON, OPT_STREAMS, OPT_MESSAGE, OPT_IDLE, OPT_GRACE };

static const struct option rm__serve_options[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"token-file", required_argument, NULL, OPT_TOKEN},
    {"no-auth", no_argument, NULL, OPT_NO_AUTH},
    {"tls-cert", required_argument, NULL, OPT_CERT},
    {"tls-key", required_argument, NULL, OPT_KEY},
    {"client-ca", required_argument, NULL, OPT_CA},
    {"allow", required_argument, NULL, OPT_ALLOW},
    {"allow-python", no_argument, NULL, OPT_PYTHON},
    {"max-streams", required_argument, NULL, OPT_STREAMS},
    {"max-message-mb", required_argument, NULL, OPT_MESSAGE},
    {"idle-timeout-ms", required_argument, NULL, OPT_IDLE},
    {"grace-ms", required_argument, NULL, OPT_GRACE},
    {NULL, 0, NULL, 0}};

static int rm__serve_parse(const rm_cli_t *cli, int argc, char **args,
                           rm_node_server_options_t *o) {
    int status = RM_EXIT_OK, opt;
    opterr = 0;
    optind = 0; /* GNU: start afresh */
    while (status == RM_EXIT_OK &&
           (opt = getopt_long(argc, args, ":", rm__serve_options, NULL)) !=
               -1) {
        switch (opt) {
        case OPT_LISTEN: o->listen = optarg; break;
        case OPT_TOKEN: o->token_file = optarg; break;
        case OPT_NO_AUTH: o->flags |= RM_NODE_SERVER_NO_AUTH; break;
        case OPT_CERT: o->tls_cert_file = optarg; break;
        case OPT_KEY: o->tls_key_file = optarg; break;
        case OPT_CA: o->client_ca_file = optarg; break;
        case OPT_ALLOW: o->allow = optarg; break;
        case OPT_PYTHON: o->flags |= RM_NODE_SERVER_ALLOW_PYTHON; break;
        case OPT_STREAMS:
            status = rm__serve_number(cli, "--max-streams", optarg, 1, 100000,
                                      &o->max_streams);
            break;
        case OPT_MESSAGE:
            status = rm__serve_number(cli, "--max-message-mb", optarg, 1,
                                      2000, &o->max_message_mb);
            break;
        case OPT_IDLE:
            status = rm__serve_number(cli, "--idle-timeout-ms", optarg, 1,
                                      86400000, &o->idle_timeout_ms);
            break;
        case OPT_GRACE:
            status = rm__serve_number(cli, "--grace-ms", optarg, 0, 3600000,
                                      &o->grace_ms);
            break;
        case ':':
            fprintf(stderr, "%s serve: %s needs a value\n", cli->program,
                    args[optind - 1]);
            status = RM_EXIT_USAGE;
            break;
        default:
            fprintf(stderr, "%s serve: unknown option '%s' (see `%s help "
                    "serve`)\n", cli->program, args[optind - 1],
                    cli->program);
            status = RM_EXIT_USAGE;
        }
    }
    if (status == RM_EXIT_OK && optind < argc) {
        fprintf(stderr, "%s serve: takes no arguments, got '%s'\n",
                cli->program, args[optind]);
        status = RM_EXIT_USAGE;
    }
    if (status == RM_EXIT_OK && !o->listen) {
        fprintf(stderr, "%s serve: --listen HOST:PORT is required\n",
                cli->program);
        status = RM_EXIT_USAGE;
    }
    return status;
}

static int rm__cmd_serve(const rm_cli_t *cli, int argc, char **argv) {
    /* getopt_long wants the program name first. */
    char **args = calloc((size_t)argc + 2, sizeof(*args));
    if (!args) return RM_EXIT_FAILED;
    args[0] = (char *)cli->program;
    memcpy(args + 1, argv, (size_t)argc * sizeof(*argv));
    rm_node_server_options_t o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.grace_ms = 10000;
    int status = rm__serve_parse(cli, argc + 1, args, &o);
    if (status != RM_EXIT_OK) {
        free(args);
        return status;
    }
    /* Python node types stay in the registry so that the server can name
     * them when it refuses them (without --allow-python: before anything
     * is created, see docs/remote.md). */
    rm_registry_t *registry = NULL;
    status = rm_cli_open_registry(cli, &registry);
    if (status != RM_EXIT_OK) {
        free(args);
        return status;
    }
    rm_cli_warn_failures(cli, registry);
    const rm_node_server_t *server = rm__serve_find(registry);
    if (!server) {
        fprintf(stderr, "%s serve: no loaded plugin provides a node server "
                "(the remote plugin, built with libgrpc-dev); ",
                cli->program);
        rm_cli_print_searched(stderr, registry);
        fputc('\n', stderr);
        rm_registry_close(registry);
        free(args);
        return RM_EXIT_PLUGINS;
    }
    o.registry = (const struct rm_registry *)registry;
    o.stop = &rm__serve_stop;
    o.on_listening = rm__serve_listening;
    rm__serve_stop = 0;
    /* Before gRPC starts its threads, so they inherit the blocked mask. */
    rm_cli_interrupts_start(rm__serve_on_signal, NULL);
    char err[1024] = "";
    int r = server->serve(&o, err, sizeof err);
    int signals = rm_cli_interrupts_stop();
    if (r != 0) {
        fprintf(stderr, "%s serve: %s\n", cli->program, err);
        status = RM_EXIT_USAGE;
    } else {
        fprintf(stderr, "rmrun serve: stopped\n");
        (void)signals;
    }
    rm_registry_close(registry);
    free(args);
    return status;
}

const rm_cli_command_t rm_cli_command_serve = {
    "serve", NULL, "--listen HOST:PORT [options]",
    "host this machine's node types for remote clients (gRPC)",
    rm__serve_help, 0, rm__cmd_serve};
