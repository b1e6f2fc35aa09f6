/*
 * channel_pool.c — see channel_pool.h. A small list under a mutex; a
 * channel is matched on every field of its key (target, max_message and
 * the TLS material itself, compared byte for byte), so a pooled channel is
 * only ever reused with the credentials it was made with.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "channel_pool.h"
#include "file_text.h"

typedef struct pool_key {
    char *target, *ca_pem, *cert_pem, *key_pem, *server_name;
    int tls;
    size_t max_message;
} pool_key_t;

typedef struct pool_entry {
    rm_tp_channel_t *channel;
    pool_key_t key;
    int idle;
    struct pool_entry *next;
} pool_entry_t;

/* Every channel the pool handed out or keeps (few: one per target). */
static pool_entry_t *entries;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;

static int same(const char *a, const char *b) {
    return a == b || (a && b && strcmp(a, b) == 0);
}

static int key_matches(const pool_key_t *k, const char *target,
                       const rm_tp_tls_t *tls, size_t max_message) {
    if (!same(k->target, target) || k->max_message != max_message ||
        k->tls != (tls != NULL))
        return 0;
    return !tls ||
           (same(k->ca_pem, tls->ca_pem) && same(k->cert_pem, tls->cert_pem) &&
            same(k->key_pem, tls->key_pem) &&
            same(k->server_name, tls->server_name));
}

static char *dup_opt(const char *s, int *failed) {
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        *failed = 1;
    return d;
}

static void key_free(pool_key_t *k) {
    free(k->target);
    free(k->ca_pem);
    free(k->cert_pem);
    rm_remote_free_secret(k->key_pem);
    free(k->server_name);
}

static int key_set(pool_key_t *k, const char *target, const rm_tp_tls_t *tls,
                   size_t max_message) {
    int failed = 0;
    memset(k, 0, sizeof *k);
    k->target = dup_opt(target, &failed);
    k->max_message = max_message;
    k->tls = tls != NULL;
    if (tls) {
        k->ca_pem = dup_opt(tls->ca_pem, &failed);
        k->cert_pem = dup_opt(tls->cert_pem, &failed);
        k->key_pem = dup_opt(tls->key_pem, &failed);
        k->server_name = dup_opt(tls->server_name, &failed);
    }
    if (failed)
        key_free(k);
    return failed ? -1 : 0;
}

static void entry_free(pool_entry_t *e) {
    rm_tp_channel_close(e->channel);
    key_free(&e->key);
    free(e);
}

/* Close the oldest idle channels beyond RM_CHANNEL_POOL_MAX (the list is
 * newest first); returns them unlinked for closing outside the lock. */
static pool_entry_t *unlink_excess(void) {
    size_t idle = 0;
    pool_entry_t *dropped = NULL;
    for (pool_entry_t **p = &entries; *p;) {
        pool_entry_t *e = *p;
        if (e->idle && ++idle > RM_CHANNEL_POOL_MAX) {
            *p = e->next;
            e->next = dropped;
            dropped = e;
            continue;
        }
        p = &e->next;
    }
    return dropped;
}

/* REMOTEMEDIA_REMOTE_CHANNEL_POOL=0: a channel per instance, as before
 * the pool (for comparing the two; read once, at the first take). */
static pthread_once_t pool_switch_once = PTHREAD_ONCE_INIT;
static int pool_on;

static void read_pool_switch(void) {
    const char *v = getenv("REMOTEMEDIA_REMOTE_CHANNEL_POOL");
    pool_on = !(v && strcmp(v, "0") == 0);
}

static int pool_enabled(void) {
    pthread_once(&pool_switch_once, read_pool_switch);
    return pool_on;
}

int rm_channel_pool_take(const char *target, const rm_tp_tls_t *tls,
                         size_t max_message, rm_tp_channel_t **out, char *why,
                         size_t why_len) {
    *out = NULL;
    if (!pool_enabled())
        return rm_tp_channel_open(target, tls, max_message, out, why, why_len);
    for (;;) {
        pthread_mutex_lock(&pool_lock);
        for (pool_entry_t *e = entries; e; e = e->next) {
            if (e->idle && key_matches(&e->key, target, tls, max_message)) {
                e->idle = 0;
                *out = e->channel;
                break;
            }
        }
        pthread_mutex_unlock(&pool_lock);
        if (!*out)
            break;
        if (rm_tp_channel_usable(*out))
            return 0;
        /* Its server went away while it sat idle: a fresh channel
         * connects at once instead of waiting out gRPC's back-off. */
        rm_channel_pool_discard(*out);
        *out = NULL;
    }
    pool_entry_t *e = calloc(1, sizeof *e);
    if (!e || key_set(&e->key, target, tls, max_message) != 0) {
        free(e);
        /* Not poolable (out of memory): a plain channel is still one. */
        return rm_tp_channel_open(target, tls, max_message, out, why, why_len);
    }
    if (rm_tp_channel_open(target, tls, max_message, &e->channel, why,
                           why_len) != 0) {
        key_free(&e->key);
        free(e);
        return -1;
    }
    pthread_mutex_lock(&pool_lock);
    e->next = entries;
    entries = e;
    pthread_mutex_unlock(&pool_lock);
    *out = e->channel;
    return 0;
}

/* The entry of `channel`, unlinked (NULL: not from the pool). Locked. */
static pool_entry_t *unlink_channel(rm_tp_channel_t *channel) {
    for (pool_entry_t **p = &entries; *p; p = &(*p)->next) {
        if ((*p)->channel == channel) {
            pool_entry_t *found = *p;
            *p = found->next;
            return found;
        }
    }
    return NULL;
}

void rm_channel_pool_give_back(rm_tp_channel_t *channel) {
    if (!channel)
        return;
    pthread_mutex_lock(&pool_lock);
    pool_entry_t *found = unlink_channel(channel), *dropped = NULL;
    if (found) { /* to the front: newest first */
        found->idle = 1;
        found->next = entries;
        entries = found;
        dropped = unlink_excess();
    }
    pthread_mutex_unlock(&pool_lock);
    if (!found)
        rm_tp_channel_close(channel); /* made outside the pool */
    while (dropped) {
        pool_entry_t *next = dropped->next;
        entry_free(dropped);
        dropped = next;
    }
}

void rm_channel_pool_discard(rm_tp_channel_t *channel) {
    if (!channel)
        return;
    pthread_mutex_lock(&pool_lock);
    pool_entry_t *found = unlink_channel(channel);
    pthread_mutex_unlock(&pool_lock);
    if (found)
        entry_free(found);
    else
        rm_tp_channel_close(channel);
}

size_t rm_channel_pool_idle(void) {
    size_t n = 0;
    pthread_mutex_lock(&pool_lock);
    for (pool_entry_t *e = entries; e; e = e->next)
        n += e->idle != 0;
    pthread_mutex_unlock(&pool_lock);
    return n;
}
