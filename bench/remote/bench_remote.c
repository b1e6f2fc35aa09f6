/*
 * bench_remote.c — remote nodes against a bare gRPC echo stream on the same
 * machine (issue #16's targets): the round trip of one 20 ms audio chunk
 * (16 kHz mono f32, 1280 bytes) through a RemoteNode running PassThroughNode
 * on a node server, vs the same bytes echoed over a bidirectional stream of
 * the plugin's own transport; and 8 MB items both ways. Plaintext, and TLS
 * with a self-signed certificate made with the openssl CLI (skipped
 * without it). Both servers run in this process on loopback, on threads.
 * Interleaved rounds, medians, ratios. Never run by ctest:
 *   build/bench/bench_remote [rounds]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <remotemedia/node_server.h>
#include <remotemedia/runtime.h>

#include "bench_util.h"
#include "file_text.h"
#include "transport.h"

extern const rm_node_server_t rm_remote_node_server;

#define CHUNK_FRAMES 320   /* 20 ms at 16 kHz */
#define CHUNK_ITERS 400
#define BIG_BYTES ((size_t)8 << 20)
#define BIG_ITERS 8

typedef struct tls_files {
    char cert[256], key[256];
    char *cert_pem, *key_pem;
} tls_files_t;

/* ---- the bare echo server ------------------------------------------------ */

typedef struct echo {
    rm_tp_server_t *server;
    int port;
    volatile int stop;
    pthread_t thread;
} echo_t;

static void *echo_call(void *arg) {
    rm_tp_call_t *call = arg;
    rm_tp_message_t m;
    while (rm_tp_recv(call, &m, 0) == 1) {
        rm_tp_segment_t seg = {m.data, m.len, NULL, NULL};
        int r = rm_tp_send(call, &seg, 1, 0);
        rm_tp_message_free(&m);
        if (r != RM_TP_OK)
            break;
    }
    rm_tp_call_finish(call, RM_TP_OK, "", 5000);
    rm_tp_call_free(call);
    return NULL;
}

static void *echo_loop(void *arg) {
    echo_t *e = arg;
    while (!e->stop) {
        rm_tp_call_t *call;
        int r = rm_tp_server_accept(e->server, 100, &call);
        if (r < 0)
            break;
        if (r == 1) {
            pthread_t t;
            pthread_create(&t, NULL, echo_call, call);
            pthread_detach(t);
        }
    }
    return NULL;
}

static void echo_start(echo_t *e, const tls_files_t *tls) {
    char why[256];
    rm_tp_tls_t t = {NULL, tls ? tls->cert_pem : NULL, tls ? tls->key_pem : NULL, NULL};
    if (rm_tp_server_open("127.0.0.1:0", tls ? &t : NULL, 64u << 20, &e->server,
                          &e->port, why, sizeof why) != 0) {
        fprintf(stderr, "echo server: %s\n", why);
        exit(1);
    }
    pthread_create(&e->thread, NULL, echo_loop, e);
}

/* ---- the node server ----------------------------------------------------- */

typedef struct node_server {
    rm_node_server_options_t o;
    volatile sig_atomic_t stop;
    volatile int port;
    pthread_t thread;
    char err[256];
} node_server_t;

static void on_listening(void *user, const char *address, int port) {
    (void)address;
    ((node_server_t *)user)->port = port;
}

static void *serve_thread(void *arg) {
    node_server_t *s = arg;
    if (rm_remote_node_server.serve(&s->o, s->err, sizeof s->err) != 0) {
        fprintf(stderr, "node server: %s\n", s->err);
        exit(1);
    }
    return NULL;
}

static void node_server_start(node_server_t *s, const rm_registry_t *registry,
                              const tls_files_t *tls) {
    memset(s, 0, sizeof *s);
    s->o.struct_size = sizeof s->o;
    s->o.flags = RM_NODE_SERVER_NO_AUTH;
    s->o.listen = "127.0.0.1:0";
    s->o.registry = (const struct rm_registry *)registry;
    s->o.stop = &s->stop;
    s->o.on_listening = on_listening;
    s->o.user = s;
    if (tls) {
        s->o.tls_cert_file = tls->cert;
        s->o.tls_key_file = tls->key;
    }
    pthread_create(&s->thread, NULL, serve_thread, s);
    while (!s->port)
        usleep(1000);
}

/* ---- clients --------------------------------------------------------------- */

static rm_tp_call_t *echo_client(int port, const tls_files_t *tls,
                                 rm_tp_channel_t **ch) {
    char target[64], why[256];
    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    rm_tp_tls_t t = {tls ? tls->cert_pem : NULL, NULL, NULL, NULL};
    if (rm_tp_channel_open(target, tls ? &t : NULL, 64u << 20, ch, why, sizeof why))
        exit(1);
    rm_tp_call_t *call;
    if (rm_tp_call_start(*ch, "/bench.Echo/Stream", NULL, &call) != RM_TP_OK)
        exit(1);
    return call;
}

static void release_nothing(void *user) { (void)user; }

/* One echo round trip of `len` bytes (sent by reference, like RemoteNode). */
static double echo_once(rm_tp_call_t *call, const void *data, size_t len) {
    double t0 = bench_now_us();
    rm_tp_segment_t seg = {data, len, len >= 16384 ? release_nothing : NULL, NULL};
    rm_tp_message_t m;
    if (rm_tp_send(call, &seg, 1, 0) != RM_TP_OK || rm_tp_recv(call, &m, 0) != 1) {
        fprintf(stderr, "echo failed\n");
        exit(1);
    }
    rm_tp_message_free(&m);
    return bench_now_us() - t0;
}

static rm_session_t *remote_session(const rm_registry_t *registry, int port,
                                    const tls_files_t *tls, rm_pipeline_t **p) {
    bench_text_t t = {0};
    bench_add(&t, "{\"version\":\"v1\",\"nodes\":[{\"id\":\"r\",\"node_type\":"
                  "\"RemoteNode\",\"params\":{\"host\":\"127.0.0.1:%d\","
                  "\"node_type\":\"PassThroughNode\"", port);
    if (tls)
        bench_add(&t, ",\"ca_file\":\"%s\"", tls->cert);
    bench_add(&t, "}}]}");
    rm_diag_t *diag = rm_diag_new();
    if (rm_pipeline_compile(registry, t.s, t.len, "<bench>", diag, p) != RM_OK) {
        fprintf(stderr, "%s\n", rm_diag_text(diag));
        exit(1);
    }
    rm_diag_free(diag);
    free(t.s);
    rm_run_options_t o = {sizeof o, 0, RM_EXEC_INLINE, 0, 0, 0};
    rm_session_t *s;
    if (rm_session_open(*p, &o, &s) != RM_OK)
        exit(1);
    return s;
}

static double remote_once(rm_session_t *s, rm_item_t *item) {
    double t0 = bench_now_us();
    if (rm_session_push(s, RM_SESSION_ALL_ENTRIES, 0, item, 0) != RM_OK) {
        fprintf(stderr, "push failed\n");
        exit(1);
    }
    rm_session_poll(s, RM_POLL_WAIT);
    rm_session_output_t out;
    int got = 0;
    while (rm_session_next(s, &out)) {
        rm_item_unref(out.item);
        got++;
    }
    if (got != 1) {
        fprintf(stderr, "expected 1 output, got %d\n", got);
        exit(1);
    }
    return bench_now_us() - t0;
}

static int make_tls(tls_files_t *tls) {
    char dir[] = "/tmp/rm-bench-remote-XXXXXX";
    if (!mkdtemp(dir))
        return -1;
    snprintf(tls->cert, sizeof tls->cert, "%s/cert.pem", dir);
    snprintf(tls->key, sizeof tls->key, "%s/key.pem", dir);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -keyout %s "
             "-out %s -subj /CN=bench -addext "
             "subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
             tls->key, tls->cert);
    if (system(cmd) != 0)
        return -1;
    char why[256];
    tls->cert_pem = rm_remote_read_file("cert", tls->cert, why, sizeof why);
    tls->key_pem = rm_remote_read_file("key", tls->key, why, sizeof why);
    return tls->cert_pem && tls->key_pem ? 0 : -1;
}

static void bench_mode(const rm_registry_t *registry, const tls_files_t *tls,
                       int rounds) {
    const char *mode = tls ? "TLS" : "plaintext";
    echo_t echo = {0};
    echo_start(&echo, tls);
    node_server_t ns;
    node_server_start(&ns, registry, tls);
    rm_tp_channel_t *ch;
    rm_tp_call_t *call = echo_client(echo.port, tls, &ch);
    rm_pipeline_t *p;
    rm_session_t *s = remote_session(registry, ns.port, tls, &p);

    rm_audio_format_t fmt = {16000, 1, RM_SAMPLE_F32, RM_LAYOUT_INTERLEAVED, CHUNK_FRAMES};
    rm_item_t *chunk = rm_item_new_audio(&fmt);
    memset(chunk->data, 0, chunk->size);
    void *big_data = calloc(1, BIG_BYTES);
    rm_item_t *big = rm_item_new_bytes(big_data, BIG_BYTES);

    size_t n_small = (size_t)rounds * CHUNK_ITERS, n_big = (size_t)rounds * BIG_ITERS;
    double *es = calloc(n_small, sizeof *es), *rs = calloc(n_small, sizeof *rs);
    double *eb = calloc(n_big, sizeof *eb), *rb = calloc(n_big, sizeof *rb);
    for (int i = 0; i < 50; i++) { /* warm up both */
        echo_once(call, chunk->data, chunk->size);
        remote_once(s, chunk);
    }
    for (int r = 0; r < rounds; r++) { /* interleaved rounds */
        for (int i = 0; i < CHUNK_ITERS; i++)
            es[r * CHUNK_ITERS + i] = echo_once(call, chunk->data, chunk->size);
        for (int i = 0; i < CHUNK_ITERS; i++)
            rs[r * CHUNK_ITERS + i] = remote_once(s, chunk);
        for (int i = 0; i < BIG_ITERS; i++)
            eb[r * BIG_ITERS + i] = echo_once(call, big->data, big->size);
        for (int i = 0; i < BIG_ITERS; i++)
            rb[r * BIG_ITERS + i] = remote_once(s, big);
    }
    double me = bench_median(es, n_small), mr = bench_median(rs, n_small);
    double mbe = bench_median(eb, n_big), mbr = bench_median(rb, n_big);
    /* GB/s of item payload, one way, per round trip (the item goes out and
     * comes back: both directions carry it). */
    double gbe = BIG_BYTES / (mbe * 1e3), gbr = BIG_BYTES / (mbr * 1e3);
    printf("| %s | 20 ms chunk round trip | %.1f µs | %.1f µs | %.2f× |\n",
           mode, mr, me, mr / me);
    printf("| %s | 8 MB item round trip | %.2f ms (%.2f GB/s) | %.2f ms (%.2f GB/s) | %.2f× |\n",
           mode, mbr / 1e3, gbr, mbe / 1e3, gbe, mbr / mbe);
    fflush(stdout);

    rm_item_unref(chunk);
    rm_item_unref(big);
    free(big_data);
    free(es); free(rs); free(eb); free(rb);
    rm_session_close(s, NULL);
    rm_pipeline_free(p);
    rm_tp_close_send(call, 5000);
    rm_tp_call_status(call, NULL, 0, 5000);
    rm_tp_call_free(call);
    rm_tp_channel_close(ch);
    ns.stop = 1;
    pthread_join(ns.thread, NULL);
    echo.stop = 1;
    pthread_join(echo.thread, NULL);
    rm_tp_server_shutdown(echo.server);
    rm_tp_server_close(echo.server);
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 5;
    if (rounds < 1)
        rounds = 5;
    const char *dirs[] = {RM_BENCH_PLUGIN_DIR};
    rm_registry_options_t ro = {sizeof ro, dirs, 1, 0, 0, NULL, 0};
    rm_registry_t *registry;
    if (rm_registry_open(&ro, &registry) != RM_OK)
        return 1;
    printf("remote PassThroughNode (RemoteNode -> rmrun serve, in-process "
           "threads, loopback) vs a bare gRPC echo stream; medians of %d "
           "interleaved rounds (%d chunks, %d big items per round)\n\n",
           rounds, CHUNK_ITERS, BIG_ITERS);
    printf("| mode | what | remote node | bare echo | ratio |\n");
    printf("|---|---|---|---|---|\n");
    bench_mode(registry, NULL, rounds);
    tls_files_t tls = {0};
    if (make_tls(&tls) == 0)
        bench_mode(registry, &tls, rounds);
    else
        printf("| TLS | (skipped: no openssl CLI) | | | |\n");
    rm_registry_close(registry);
    return 0;
}
