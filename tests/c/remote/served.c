/* served.c — see served.h. */
#include "served.h"

#include <remotemedia/registry.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The test case runs in a forked child: failing is exiting non-zero. */
static void fail(const char *what, const char *why) {
    fprintf(stderr, "served: %s: %s\n", what, why);
    exit(1);
}

static void on_listening(void *user, const char *address, int port) {
    (void)address;
    served_t *s = user;
    pthread_mutex_lock(&s->lock);
    s->port = port;
    pthread_cond_signal(&s->ready);
    pthread_mutex_unlock(&s->lock);
}

static void *serve_thread(void *arg) {
    served_t *s = arg;
    s->result = s->server->serve(&s->options, s->err, sizeof s->err);
    pthread_mutex_lock(&s->lock);
    if (s->port == 0)
        s->port = -1; /* never listened: wake the starter */
    pthread_cond_signal(&s->ready);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

void served_init(served_t *s, const rm_node_server_t *server,
                 const void *registry) {
    memset(s, 0, sizeof *s);
    s->server = server;
    s->options.struct_size = sizeof s->options;
    s->options.flags = RM_NODE_SERVER_NO_AUTH;
    s->options.listen = "127.0.0.1:0";
    s->options.registry = registry;
    s->options.stop = &s->stop;
    s->options.on_listening = on_listening;
    s->options.user = s;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->ready, NULL);
}

void served_start(served_t *s) {
    if (pthread_create(&s->thread, NULL, serve_thread, s) != 0)
        fail("pthread_create", "failed");
    pthread_mutex_lock(&s->lock);
    while (s->port == 0)
        pthread_cond_wait(&s->ready, &s->lock);
    pthread_mutex_unlock(&s->lock);
    if (s->port < 0)
        fail("serve failed", s->err);
}

void served_join(served_t *s) {
    s->stop = 1;
    if (pthread_join(s->thread, NULL) != 0)
        fail("pthread_join", "failed");
    pthread_cond_destroy(&s->ready);
    pthread_mutex_destroy(&s->lock);
}

struct rm_registry *served_registry(void) {
    const char *dirs[] = {RM_TEST_PLUGIN_DIR};
    rm_registry_options_t options = {sizeof options, dirs, 1, 0, 0, NULL, 0};
    rm_registry_t *registry = NULL;
    if (rm_registry_open(&options, &registry) != RM_OK)
        fail("rm_registry_open", RM_TEST_PLUGIN_DIR);
    return registry;
}
