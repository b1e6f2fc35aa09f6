/* scheduler_pool.c — worker threads and one FIFO of tasks; a worker stuck
 * in an abandoned call is replaced, up to a cap. */
#include "engine/scheduler_pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <remotemedia/plugin.h>

#define RM__POOL_MAX 256u

/* The one piece of process-wide mutable state in the runtime: a worker
 * pool is a process resource by nature (like libuv's). */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    rm__pool_task_t *head, *tail;
    unsigned threads;
    unsigned idle;
    int atfork_installed;
    int stopping;                     /* the process is exiting           */
    unsigned stuck;                   /* workers inside an abandoned call */
    unsigned spare;                   /* replacements not yet retired     */
    /* Joined at exit (rm__pool_stop): the workers and the replacements
     * (at most RM__POOL_MAX of each, the cap being clamped to it). */
    pthread_t ids[2 * RM__POOL_MAX];
} rm__pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL,
              NULL, 0, 0, 0, 0, 0, 0, {0}};

/* Set on a worker whose abandoned call returned while a replacement for it
 * runs: it leaves the pool after that task instead of taking another. */
static _Thread_local int rm__pool_retire;
static _Thread_local int rm__pool_is_worker;

/* A retiring worker takes itself out of `ids` and detaches; at exit
 * (stopping) it stays listed, and rm__pool_stop joins it. Lock held. */
static void rm__pool_leave(void) {
    if (rm__pool.stopping) return;
    pthread_t self = pthread_self();
    for (unsigned i = 0; i < rm__pool.threads; i++)
        if (pthread_equal(rm__pool.ids[i], self)) {
            rm__pool.ids[i] = rm__pool.ids[--rm__pool.threads];
            pthread_detach(self);
            return;
        }
}

static void *rm__pool_worker(void *arg) {
    (void)arg;
    rm__pool_is_worker = 1;
    pthread_mutex_lock(&rm__pool.lock);
    for (;;) {
        while (!rm__pool.head) {
            if (rm__pool.stopping) {
                pthread_mutex_unlock(&rm__pool.lock);
                return NULL;
            }
            rm__pool.idle++;
            pthread_cond_wait(&rm__pool.wake, &rm__pool.lock);
            rm__pool.idle--;
        }
        rm__pool_task_t *task = rm__pool.head;
        rm__pool.head = task->next;
        if (!rm__pool.head) rm__pool.tail = NULL;
        pthread_mutex_unlock(&rm__pool.lock);
        task->next = NULL;
        task->fn(task); /* plugin code: no lock held */
        pthread_mutex_lock(&rm__pool.lock);
        if (rm__pool_retire) {
            rm__pool_leave();
            pthread_mutex_unlock(&rm__pool.lock);
            return NULL;
        }
    }
    return NULL;
}

static unsigned rm__pool_wanted(void) {
    const char *env = getenv("REMOTEMEDIA_WORKERS");
    if (env && *env) {
        long n = strtol(env, NULL, 10);
        if (n >= 1) return n > (long)RM__POOL_MAX ? RM__POOL_MAX : (unsigned)n;
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = cpus > 4 ? (unsigned)cpus : 4u;
    return n > RM__POOL_MAX ? RM__POOL_MAX : n;
}

/* fork(): hold the lock across it so the child's copy is consistent, then
 * give the child an empty pool; its runs will start new workers. */
static void rm__pool_prepare(void) { pthread_mutex_lock(&rm__pool.lock); }
static void rm__pool_parent(void) { pthread_mutex_unlock(&rm__pool.lock); }
static void rm__pool_child(void) {
    pthread_mutex_init(&rm__pool.lock, NULL);
    rm__pool.stopping = 0;
    pthread_cond_init(&rm__pool.wake, NULL);
    rm__pool.head = rm__pool.tail = NULL;
    rm__pool.threads = 0;
    rm__pool.idle = 0;
    rm__pool.stuck = 0;
    rm__pool.spare = 0;
}

/* At exit: wake the idle workers and join them, so a leak checker sees no
 * thread (valgrind counted each unjoined worker's stack as "possibly
 * lost"). A worker still inside a call — a timed-out call that never
 * returns, or a Python node waiting for a GIL the exiting thread holds —
 * must not hold up the exit: joins share a 1 s deadline, and a worker not
 * done by then is left to the process's end. */
static void rm__pool_stop(void) {
    pthread_mutex_lock(&rm__pool.lock);
    rm__pool.stopping = 1;
    unsigned count = rm__pool.threads;
    pthread_t ids[2 * RM__POOL_MAX];
    for (unsigned i = 0; i < count; i++) ids[i] = rm__pool.ids[i];
    pthread_mutex_unlock(&rm__pool.lock);
    pthread_cond_broadcast(&rm__pool.wake);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 1;
    for (unsigned i = 0; i < count; i++)
        if (pthread_timedjoin_np(ids[i], NULL, &deadline) != 0)
            pthread_detach(ids[i]);
}

int rm__pool_start(void) {
    pthread_mutex_lock(&rm__pool.lock);
    if (rm__pool.threads) {
        pthread_mutex_unlock(&rm__pool.lock);
        return RM_OK;
    }
    if (!rm__pool.atfork_installed) {
        pthread_atfork(rm__pool_prepare, rm__pool_parent, rm__pool_child);
        atexit(rm__pool_stop);
        rm__pool.atfork_installed = 1;
    }
    if (rm__pool.stopping) { /* a run started by another atexit handler */
        pthread_mutex_unlock(&rm__pool.lock);
        return RM_EINTERNAL;
    }
    unsigned wanted = rm__pool_wanted();
    for (unsigned i = 0; i < wanted; i++) {
        if (pthread_create(&rm__pool.ids[rm__pool.threads], NULL,
                           rm__pool_worker, NULL) != 0)
            break;
        rm__pool.threads++;
    }
    int status = rm__pool.threads ? RM_OK : RM_EINTERNAL;
    pthread_mutex_unlock(&rm__pool.lock);
    return status;
}

void rm__pool_submit(rm__pool_task_t *task) {
    task->next = NULL;
    pthread_mutex_lock(&rm__pool.lock);
    if (rm__pool.tail) rm__pool.tail->next = task;
    else rm__pool.head = task;
    rm__pool.tail = task;
    /* Wake one sleeper only when there is one: a busy pool picks the task
     * up on its next loop without a futex call. */
    int wake = rm__pool.idle > 0;
    pthread_mutex_unlock(&rm__pool.lock);
    if (wake) pthread_cond_signal(&rm__pool.wake);
}

unsigned rm__pool_size(void) {
    pthread_mutex_lock(&rm__pool.lock);
    unsigned n = rm__pool.threads;
    pthread_mutex_unlock(&rm__pool.lock);
    return n;
}

/* The cap on stuck calls that get a replacement (read at each abandoned
 * call: rare). `workers`: the pool's own size. Lock held. */
static unsigned rm__pool_cap_now(unsigned workers) {
    const char *env = getenv("REMOTEMEDIA_MAX_ABANDONED");
    if (env && *env) {
        char *end = NULL;
        long n = strtol(env, &end, 10);
        if (end && !*end && n >= 0)
            return n > (long)RM__POOL_MAX ? RM__POOL_MAX : (unsigned)n;
    }
    unsigned n = RM__MAX_ABANDONED_PER_WORKER * workers;
    return n > RM__POOL_MAX ? RM__POOL_MAX : n;
}

int rm__pool_call_abandoned(rm__pool_cap_t *cap) {
    pthread_mutex_lock(&rm__pool.lock);
    rm__pool.stuck++;
    cap->workers = rm__pool.threads - rm__pool.spare;
    cap->cap = rm__pool_cap_now(cap->workers);
    cap->stuck = rm__pool.stuck;
    int replaced = 0;
    if (rm__pool.stuck <= cap->cap && !rm__pool.stopping &&
        rm__pool.threads < 2 * RM__POOL_MAX &&
        pthread_create(&rm__pool.ids[rm__pool.threads], NULL,
                       rm__pool_worker, NULL) == 0) {
        rm__pool.threads++;
        rm__pool.spare++;
        replaced = 1;
    }
    pthread_mutex_unlock(&rm__pool.lock);
    return replaced;
}

void rm__pool_abandoned_call_returned(void) {
    pthread_mutex_lock(&rm__pool.lock);
    if (rm__pool.stuck) rm__pool.stuck--;
    if (rm__pool.spare && rm__pool_is_worker) {
        rm__pool.spare--;
        rm__pool_retire = 1;
    }
    pthread_mutex_unlock(&rm__pool.lock);
}

int rm__pool_cancel(rm__pool_task_t *task) {
    pthread_mutex_lock(&rm__pool.lock);
    int found = 0;
    rm__pool_task_t *prev = NULL;
    for (rm__pool_task_t *t = rm__pool.head; t; prev = t, t = t->next) {
        if (t != task) continue;
        if (prev) prev->next = t->next;
        else rm__pool.head = t->next;
        if (rm__pool.tail == t) rm__pool.tail = prev;
        t->next = NULL;
        found = 1;
        break;
    }
    pthread_mutex_unlock(&rm__pool.lock);
    return found;
}
