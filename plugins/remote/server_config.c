/* server_config.c — see server.h: options of `rmrun serve` checked and
 * loaded (token, TLS files, allow-list). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_text.h"
#include "server.h"

/* The token file holds the token on its first line. */
static char *read_token(const char *path, char *err, size_t err_len) {
    char *text = rm_remote_read_file("token file", path, err, err_len);
    if (!text)
        return NULL;
    text[strcspn(text, "\r\n")] = '\0';
    if (strlen(text) < 16) {
        snprintf(err, err_len,
                 "token file '%s': the token is %zu characters, at least 16 "
                 "expected (e.g. `openssl rand -hex 32 > %s`)",
                 path, strlen(text), path);
        free(text);
        return NULL;
    }
    return text;
}

/* Whether the HOST of "HOST:PORT" is a loopback address: 127.0.0.0/8,
 * [::1] or "localhost" (numeric, so no name can resolve elsewhere). */
static int is_loopback(const char *listen) {
    if (strncmp(listen, "ipv4:", 5) == 0)
        listen += 5;
    else if (strncmp(listen, "ipv6:", 5) == 0)
        listen += 5;
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen)
        return 0;
    char host[64];
    size_t n = (size_t)(colon - listen);
    if (n >= sizeof host)
        return 0;
    memcpy(host, listen, n);
    host[n] = '\0';
    if (strcmp(host, "localhost") == 0)
        return 1;
    if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
        host[n - 1] = '\0';
        struct in6_addr a6;
        return inet_pton(AF_INET6, host + 1, &a6) == 1 &&
               IN6_IS_ADDR_LOOPBACK(&a6);
    }
    struct in_addr a4;
    return inet_pton(AF_INET, host, &a4) == 1 &&
           (ntohl(a4.s_addr) >> 24) == 127;
}

static char **split_allow(const char *list) {
    size_t n = 1;
    for (const char *c = list; *c; c++)
        n += *c == ',';
    char **out = calloc(n + 1, sizeof *out);
    if (!out)
        return NULL;
    size_t i = 0;
    const char *start = list;
    for (;;) {
        size_t len = strcspn(start, ",");
        while (len && start[0] == ' ') {
            start++;
            len--;
        }
        while (len && start[len - 1] == ' ')
            len--;
        if (len) {
            out[i] = strndup(start, len);
            if (!out[i]) {
                for (size_t j = 0; j < i; j++)
                    free(out[j]);
                free(out);
                return NULL;
            }
            i++;
        }
        start += strcspn(start, ",");
        if (!*start)
            break;
        start++;
    }
    return out;
}

int rm_ns_config_load(const rm_node_server_options_t *opt,
                      rm_ns_config_t *cfg, char *err, size_t err_len) {
    memset(cfg, 0, sizeof *cfg);
    cfg->registry = opt->registry;
    cfg->allow_python = !!(opt->flags & RM_NODE_SERVER_ALLOW_PYTHON);
    cfg->max_streams = opt->max_streams ? opt->max_streams : 64;
    cfg->max_message =
        (size_t)(opt->max_message_mb ? opt->max_message_mb : 64) << 20;
    cfg->idle_timeout_ms =
        opt->idle_timeout_ms ? (int)opt->idle_timeout_ms : 300000;
    cfg->grace_ms = opt->grace_ms;
    if (!opt->listen || !*opt->listen) {
        snprintf(err, err_len, "--listen HOST:PORT is required");
        return -1;
    }
    if (opt->flags & RM_NODE_SERVER_NO_AUTH) {
        if (opt->token_file) {
            snprintf(err, err_len, "--no-auth and --token-file exclude each other");
            return -1;
        }
        if (!is_loopback(opt->listen)) {
            snprintf(err, err_len,
                     "--no-auth is refused on '%s': without a token anyone "
                     "who reaches the port runs nodes; use a loopback "
                     "address (127.0.0.1:PORT) or --token-file",
                     opt->listen);
            return -1;
        }
    } else {
        if (!opt->token_file) {
            snprintf(err, err_len,
                     "--token-file FILE is required (or --no-auth on a "
                     "loopback address)");
            return -1;
        }
        if (!(cfg->token = read_token(opt->token_file, err, err_len)))
            goto fail;
    }
    if (!!opt->tls_cert_file != !!opt->tls_key_file) {
        snprintf(err, err_len, "--tls-cert and --tls-key go together");
        goto fail;
    }
    if (opt->client_ca_file && !opt->tls_cert_file) {
        snprintf(err, err_len, "--client-ca needs --tls-cert and --tls-key");
        goto fail;
    }
    if (opt->tls_cert_file &&
        (!(cfg->tls_cert = rm_remote_read_file("--tls-cert", opt->tls_cert_file, err,
                                     err_len)) ||
         !(cfg->tls_key = rm_remote_read_file("--tls-key", opt->tls_key_file, err,
                                    err_len))))
        goto fail;
    if (opt->client_ca_file &&
        !(cfg->client_ca = rm_remote_read_file("--client-ca", opt->client_ca_file, err,
                                     err_len)))
        goto fail;
    if (opt->allow && !(cfg->allow = split_allow(opt->allow))) {
        snprintf(err, err_len, "out of memory");
        goto fail;
    }
    return 0;
fail:
    rm_ns_config_free(cfg);
    return -1;
}

void rm_ns_config_free(rm_ns_config_t *cfg) {
    rm_remote_free_secret(cfg->token);
    free(cfg->tls_cert);
    rm_remote_free_secret(cfg->tls_key);
    free(cfg->client_ca);
    if (cfg->allow) {
        for (char **a = cfg->allow; *a; a++)
            free(*a);
        free(cfg->allow);
    }
    memset(cfg, 0, sizeof *cfg);
}

int rm_ns_config_allows(const rm_ns_config_t *cfg, const char *type) {
    if (!cfg->allow)
        return 1;
    for (char **a = cfg->allow; *a; a++)
        if (strcmp(*a, type) == 0)
            return 1;
    return 0;
}

int rm_ns_token_ok(const rm_ns_config_t *cfg, const char *authorization) {
    if (!cfg->token)
        return 1;
    if (!authorization || strncmp(authorization, "Bearer ", 7) != 0)
        return 0;
    const unsigned char *got = (const unsigned char *)authorization + 7;
    const unsigned char *want = (const unsigned char *)cfg->token;
    size_t got_len = strlen((const char *)got), want_len = strlen(cfg->token);
    /* Every byte of the expected token is compared whatever the input. */
    unsigned diff = got_len != want_len;
    for (size_t i = 0; i < want_len; i++)
        diff |= want[i] ^ (i < got_len ? got[i] : 0u);
    return diff == 0;
}
