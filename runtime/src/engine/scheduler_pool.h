/*
 * scheduler_pool.h — the process-wide worker pool that runs node calls.
 *
 * Why our own pool rather than uv_queue_work: libuv's threadpool is also
 * process-global, but it is shared with libuv's file-system and DNS work
 * and sized only by UV_THREADPOOL_SIZE read once; a node that blocks
 * (a Python call, a sleep, a network request) would stall unrelated fs
 * requests. Ours is sized by REMOTEMEDIA_WORKERS (default max(4, CPUs),
 * capped at 256), started lazily, and shared by every run of every
 * pipeline: 10,000 ready node calls are 10,000 queued tasks (intrusive, no
 * allocation) served by a bounded number of threads.
 *
 * A task's function runs on a worker; the executor's function then hands
 * the task back to its run's event loop (uv_async_send). The pool's mutex
 * is a leaf lock: nothing else is locked while it is held, and no plugin
 * code runs under it. After fork() the child starts with a fresh, empty
 * pool (the parent's threads do not exist there).
 *
 * Abandoned calls. A call abandoned by its timeout (watchdog.c) keeps its
 * worker — a thread cannot be killed. So that one hung node does not
 * starve every later call of the process, the pool starts a replacement
 * worker for each abandoned call, while at most `cap` abandoned calls are
 * stuck at once: REMOTEMEDIA_MAX_ABANDONED, default
 * RM__MAX_ABANDONED_PER_WORKER x the pool's size (clamped to 256). When
 * an abandoned call finally returns, its worker leaves the pool if a
 * replacement was started for one: the pool shrinks back to its size.
 */
#ifndef RM_SCHEDULER_POOL_H
#define RM_SCHEDULER_POOL_H

typedef struct rm__pool_task rm__pool_task_t;
struct rm__pool_task {
    rm__pool_task_t *next;                 /* owned by the pool while queued */
    void (*fn)(rm__pool_task_t *task);     /* runs on a worker               */
};

/* Start the workers if needed. RM_OK, or RM_ENOMEM/RM_EINTERNAL when not
 * a single thread could be started. [thread-safe] */
int rm__pool_start(void);
/* Queue `task` (FIFO). The pool must be started. [thread-safe] */
void rm__pool_submit(rm__pool_task_t *task);
/* Number of worker threads (0 before start). */
unsigned rm__pool_size(void);

#define RM__MAX_ABANDONED_PER_WORKER 4u
typedef struct rm__pool_cap {
    unsigned cap;       /* most stuck calls that get a replacement      */
    unsigned stuck;     /* stuck calls now, this one included           */
    unsigned workers;   /* the pool's workers, replacements not counted */
} rm__pool_cap_t;
/* A call on a worker was abandoned: start a replacement worker. Returns 1
 * when one was started, 0 when the cap is reached (or no thread could be
 * started); *cap says why. [thread-safe] */
int rm__pool_call_abandoned(rm__pool_cap_t *cap);
/* An abandoned call returned (on its worker): that worker leaves the pool
 * after its task when a replacement had been started. [thread-safe] */
void rm__pool_abandoned_call_returned(void);
/* Take `task` back out of the queue: 1 when it was still queued (no worker
 * will run it), 0 when a worker has taken it. [thread-safe] */
int rm__pool_cancel(rm__pool_task_t *task);

#endif /* RM_SCHEDULER_POOL_H */
