/*
 * util.h — the bottom layer's small services (internal): the monotonic
 * clock, the error a plugin call fills and growing arrays. util/ uses nothing of the
 * runtime; every other folder may use it (docs/architecture.md). The JSON
 * helpers are in json_util.h, the ABI contract counters in contract.h.
 */
#ifndef RM_UTIL_H
#define RM_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <remotemedia/plugin.h>

/* Monotonic clock in nanoseconds (CLOCK_MONOTONIC). */
uint64_t rm__now_ns(void);
/* Wall clock (CLOCK_REALTIME) in µs since the epoch. */
int64_t rm__wall_now_us(void);

/* The error a node call reports through host->error_set. */
struct rm_error {
    int status;
    int transient;
    int is_set;
    char *message; /* heap; NULL when unset or out of memory */
};
void rm__error_clear(rm_error_t *err);
/* Replace `err` with a failure (host->error_set is this): the message is
 * formatted (NULL when out of memory). Returns `status`. */
int rm__error_set(rm_error_t *err, int status, int transient,
                  const char *fmt, ...) RM_PRINTF_LIKE(4, 5);

/* A formatted copy on the heap (NULL when out of memory). */
char *rm__strdupf(const char *fmt, ...) RM_PRINTF_LIKE(1, 2);
char *rm__vstrdupf(const char *fmt, va_list ap);

/* Room for one more element in a growing array: when `count` reached
 * `*capacity`, `*array` is reallocated to twice the capacity (8 at first)
 * of `element_size` bytes each. 1 on success; 0 when out of memory (the
 * array and capacity unchanged). */
int rm__reserve(void **array, size_t *capacity, size_t count,
                size_t element_size);

#endif /* RM_UTIL_H */
