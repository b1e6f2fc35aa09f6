/*
 * served.h — a node server (the remote plugin's "remotemedia.node-server/1"
 * extension) on a thread of the test, listening on a free loopback port.
 */
#ifndef RM_TEST_SERVED_H
#define RM_TEST_SERVED_H

#include <pthread.h>
#include <signal.h>
#include <remotemedia/node_server.h>

typedef struct served {
    const rm_node_server_t *server;
    rm_node_server_options_t options;  /* fill before served_start         */
    volatile sig_atomic_t stop;
    int port;                          /* once listening                    */
    int result;                        /* serve()'s, after served_join      */
    char err[256];
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t ready;
} served_t;

/* The registry of the build tree's plugins only (fails the test if it
 * cannot be opened). */
struct rm_registry *served_registry(void);

/* Defaults: no auth, 127.0.0.1:0. */
void served_init(served_t *s, const rm_node_server_t *server,
                 const void *registry);
/* Start serving; returns once listening (fails the test if serve fails). */
void served_start(served_t *s);
/* Set the stop flag and wait for serve() to return. */
void served_join(served_t *s);

#endif /* RM_TEST_SERVED_H */
