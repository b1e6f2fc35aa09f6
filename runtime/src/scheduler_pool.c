/* scheduler_pool.c — a fixed set of worker threads and one FIFO of tasks. */
#include "scheduler_pool.h"

#include <pthread.h>
#include <stdlib.h>
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
} rm__pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL,
              NULL, 0, 0, 0};

static void *rm__pool_worker(void *arg) {
    (void)arg;
    pthread_mutex_lock(&rm__pool.lock);
    for (;;) {
        while (!rm__pool.head) {
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
    pthread_cond_init(&rm__pool.wake, NULL);
    rm__pool.head = rm__pool.tail = NULL;
    rm__pool.threads = 0;
    rm__pool.idle = 0;
}

int rm__pool_start(void) {
    pthread_mutex_lock(&rm__pool.lock);
    if (rm__pool.threads) {
        pthread_mutex_unlock(&rm__pool.lock);
        return RM_OK;
    }
    if (!rm__pool.atfork_installed) {
        pthread_atfork(rm__pool_prepare, rm__pool_parent, rm__pool_child);
        rm__pool.atfork_installed = 1;
    }
    unsigned wanted = rm__pool_wanted();
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (unsigned i = 0; i < wanted; i++) {
        pthread_t thread;
        if (pthread_create(&thread, &attr, rm__pool_worker, NULL) != 0) break;
        rm__pool.threads++;
    }
    pthread_attr_destroy(&attr);
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
