/*
 * cmd_serve.c — `rmrun serve --listen HOST:PORT`: host the node types of
 * the registry for remote clients (RemoteNode, manifests with "host").
 * The server itself is the "remotemedia.node-server/1" extension of a
 * plugin (the remote plugin, over gRPC): rmrun holds no network code. It
 * parses the options, opens the registry (without Python node types unless
 * --allow-python), finds the extension and serves until SIGINT/SIGTERM.
 */
#include "cli.h"
#include "cli_options.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <remotemedia/node_server.h>

static const rm_cli_option_t rm__serve_options[] = {
    {"listen", 0, "HOST:PORT", "address to listen on (port 0: a free one;\n"
                               "the bound address is printed on stderr;\n"
                               "[::1]:PORT for IPv6, unix:PATH a socket)"},
    {"token-file", 0, "FILE", "bearer token clients must send (first line)"},
    {"no-auth", 0, NULL, "no token: refused unless HOST is loopback"},
    {"tls-cert", 0, "FILE", "serve TLS with this certificate (and --tls-key)"},
    {"tls-key", 0, "FILE", "the certificate's private key"},
    {"client-ca", 0, "FILE", "require client certificates signed by it"},
    {"allow", 0, "TYPE,...", "only these node types may be created"},
    {"allow-python", 0, NULL, "serve Python node types (a client's node that\n"
                              "names a Python class runs that code)"},
    {"max-streams", 0, "N", "concurrent streams (default 64)"},
    {"max-message-mb", 0, "N", "largest item, MB (default 64)"},
    {"idle-timeout-ms", 0, "N", "end a stream silent this long (default 300000)"},
    {"grace-ms", 0, "N", "on SIGTERM, time streams get to finish\n"
                         "(default 10000)"},
};
enum { OPT_LISTEN, OPT_TOKEN, OPT_NO_AUTH, OPT_CERT, OPT_KEY, OPT_CA,
       OPT_ALLOW, OPT_PYTHON, OPT_STREAMS, OPT_MESSAGE, OPT_IDLE, OPT_GRACE };

static const rm_cli_options_t rm__serve_table =
    RM_CLI_OPTIONS(rm__serve_options);

static const char rm__serve_help[] = "  See docs/remote.md.\n";

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

typedef struct rm__serve_args {
    const rm_cli_t *cli;
    rm_node_server_options_t *o;
} rm__serve_args_t;

static int rm__serve_option(void *ctx, const rm_cli_option_t *option,
                            const char *value) {
    rm__serve_args_t *a = ctx;
    rm_node_server_options_t *o = a->o;
    char flag[40];
    snprintf(flag, sizeof flag, "--%s", option->name);
    switch (option - rm__serve_options) {
    case OPT_LISTEN: o->listen = value; break;
    case OPT_TOKEN: o->token_file = value; break;
    case OPT_NO_AUTH: o->flags |= RM_NODE_SERVER_NO_AUTH; break;
    case OPT_CERT: o->tls_cert_file = value; break;
    case OPT_KEY: o->tls_key_file = value; break;
    case OPT_CA: o->client_ca_file = value; break;
    case OPT_ALLOW: o->allow = value; break;
    case OPT_PYTHON: o->flags |= RM_NODE_SERVER_ALLOW_PYTHON; break;
    case OPT_STREAMS:
        return rm__serve_number(a->cli, flag, value, 1, 100000,
                                &o->max_streams);
    case OPT_MESSAGE:
        return rm__serve_number(a->cli, flag, value, 1, 2000,
                                &o->max_message_mb);
    case OPT_IDLE:
        return rm__serve_number(a->cli, flag, value, 1, 86400000,
                                &o->idle_timeout_ms);
    case OPT_GRACE:
        return rm__serve_number(a->cli, flag, value, 0, 3600000,
                                &o->grace_ms);
    }
    return RM_EXIT_OK;
}

/* The PORT of --listen HOST:PORT, checked here: gRPC reads 99999 as
 * 99999 % 65536 and listens there. unix: addresses have no port. */
static int rm__serve_check_listen(const rm_cli_t *cli, const char *listen) {
    if (strncmp(listen, "unix:", 5) == 0 ||
        strncmp(listen, "unix-abstract:", 14) == 0)
        return RM_EXIT_OK;
    /* [IPv6]:PORT: the port's colon comes after the ']'; an IPv6 host
     * without brackets ("::1:50051") cannot be told from its port. */
    const char *close = listen[0] == '[' ? strchr(listen, ']') : NULL;
    const char *colon = strrchr(listen, ':');
    if (!colon || (listen[0] == '[' && (!close || colon < close)) ||
        (listen[0] != '[' && memchr(listen, ':', (size_t)(colon - listen)))) {
        fprintf(stderr, "%s serve: --listen %s: no ':PORT'; expected "
                "HOST:PORT, e.g. 127.0.0.1:50051 or [::1]:50051 (port 0: a free "
                "one)\n",
                cli->program, listen);
        return RM_EXIT_USAGE;
    }
    const char *port = colon + 1;
    size_t digits = strspn(port, "0123456789");
    if (!*port || port[digits] || digits > 5 || atol(port) > 65535) {
        fprintf(stderr, "%s serve: --listen %s: the port must be a whole "
                "number from 0 to 65535 (0: a free one), got '%s'\n",
                cli->program, listen, port);
        return RM_EXIT_USAGE;
    }
    return RM_EXIT_OK;
}

static int rm__serve_parse(const rm_cli_t *cli, int argc, char **argv,
                           rm_node_server_options_t *o) {
    rm__serve_args_t a = {cli, o};
    int status = rm_cli_parse_options(cli, "serve", &rm__serve_table, &argc,
                                      argv, rm__serve_option, &a);
    if (status == RM_EXIT_OK && argc > 0) {
        fprintf(stderr, "%s serve: takes no arguments, got '%s'\n",
                cli->program, argv[0]);
        status = RM_EXIT_USAGE;
    }
    if (status == RM_EXIT_OK && !o->listen) {
        fprintf(stderr, "%s serve: --listen HOST:PORT is required\n",
                cli->program);
        status = RM_EXIT_USAGE;
    }
    if (status == RM_EXIT_OK) status = rm__serve_check_listen(cli, o->listen);
    return status;
}

static int rm__cmd_serve(const rm_cli_t *cli, int argc, char **argv) {
    rm_node_server_options_t o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.grace_ms = 10000;
    int status = rm__serve_parse(cli, argc, argv, &o);
    if (status != RM_EXIT_OK) return status;
    /* Python node types stay in the registry so that the server can name
     * them when it refuses them (without --allow-python: before anything
     * is created, see docs/remote.md). */
    rm_registry_t *registry = NULL;
    status = rm_cli_open_registry(cli, &registry);
    if (status != RM_EXIT_OK) return status;
    rm_cli_warn_failures(cli, registry);
    const rm_node_server_t *server = rm__serve_find(registry);
    if (!server) {
        fprintf(stderr, "%s serve: no loaded plugin provides a node server "
                "(the remote plugin, built with libgrpc-dev); ",
                cli->program);
        rm_cli_print_searched(stderr, registry);
        fputc('\n', stderr);
        rm_registry_close(registry);
        return RM_EXIT_PLUGINS;
    }
    o.registry = (const struct rm_registry *)registry;
    o.stop = &rm__serve_stop;
    o.on_listening = rm__serve_listening;
    rm__serve_stop = 0;
    rm_cli_interrupts_start(rm__serve_on_signal, NULL);
    char err[1024] = "";
    int r = server->serve(&o, err, sizeof err);
    int signals = rm_cli_interrupts_stop();
    if (r != 0) {
        fprintf(stderr, "%s serve: %s\n", cli->program, err);
        status = RM_EXIT_USAGE;
    } else {
        fprintf(stderr, "%s serve: stopped\n", cli->program);
    }
    (void)signals;
    rm_registry_close(registry);
    return status;
}

const rm_cli_command_t rm_cli_command_serve = {
    "serve", NULL, "--listen HOST:PORT [options]",
    "host this machine's node types for remote clients (gRPC)",
    rm__serve_help, 0, rm__cmd_serve, &rm__serve_table};
