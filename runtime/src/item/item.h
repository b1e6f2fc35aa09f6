/*
 * item.h — reference-counted data items (internal).
 *
 * Every rm_item_t the runtime hands out is the first member of an
 * rm__item_t, so a plugin's rm_item_t* converts back to ours. The header
 * and an owned payload live in ONE allocation (one malloc, one free, one
 * cache line apart); wrapped payloads are foreign memory released through
 * the wrapper's callback exactly once, when the last reference goes.
 *
 * Threads: references may be taken and dropped on any thread (atomic
 * count). The payload is immutable while shared; only the holder of the
 * only reference to a non-READONLY item may write it (item_is_writable).
 *
 * Memory attribution: an item made through a node's host is charged to that
 * node's account (below) until it is freed, wherever that happens; the
 * item holds a reference on the account so the account outlives the node.
 */
#ifndef RM_ITEM_H
#define RM_ITEM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <remotemedia/debug.h> /* rm_live_item_count */
#include <remotemedia/plugin.h>

/* A memory account (account.c). */
typedef struct rm__account {
    atomic_size_t live;  /* bytes allocated and not yet freed             */
    atomic_size_t peak;  /* max of live since rm__account_reset_peak      */
    atomic_uint refs;
} rm__account_t;

rm__account_t *rm__account_new(void);
rm__account_t *rm__account_ref(rm__account_t *account);
void rm__account_unref(rm__account_t *account);
void rm__account_charge(rm__account_t *account, size_t bytes);
void rm__account_discharge(rm__account_t *account, size_t bytes);
/* Start a new peak window (at the start of a run). */
void rm__account_reset_peak(rm__account_t *account);

typedef struct rm__item {
    rm_item_t pub;              /* FIRST: plugins see only this            */
    atomic_uint refs;
    uint16_t wrapped;           /* payload is foreign: call release         */
    uint16_t tracked;           /* counted in rm_live_item_count           */
    rm_release_cb release;
    void *release_data;
    rm__account_t *account;     /* charged for `charged` bytes, or NULL     */
    size_t charged;
    size_t capacity;            /* the block's bytes (block_cache.h)       */
} rm__item_t;

/* Live-item counting for `rmrun check-plugin` (leaked references). Off by
 * default, so items cost no shared atomic; once on, every item created
 * from then on is counted until its last reference goes. [thread-safe] */
void rm__item_track_live(int on);

/* Payload alignment of owned items: enough for any sample/dtype and for
 * 16-byte SIMD loads. */
#define RM__ITEM_ALIGN 16

/* Constructors; `account` may be NULL (not attributed). NULL on failure. */
rm_item_t *rm__item_new_audio(rm__account_t *account,
                              const rm_audio_format_t *format);
rm_item_t *rm__item_new_tensor(rm__account_t *account,
                               const rm_tensor_info_t *info);
rm_item_t *rm__item_new_json(rm__account_t *account, const char *json,
                             size_t len);
rm_item_t *rm__item_new_bytes(rm__account_t *account, const void *bytes,
                              size_t size);
rm_item_t *rm__item_wrap(rm__account_t *account, uint32_t kind, void *data,
                         size_t size, uint32_t flags, rm_release_cb release,
                         void *user_data);
rm_item_t *rm__item_make_writable(rm__account_t *account, rm_item_t *item);

rm_item_t *rm__item_ref(rm_item_t *item);
void rm__item_unref(rm_item_t *item);
int rm__item_is_writable(const rm_item_t *item);

/* Validation, shared with the public API: RM_OK or RM_EINVAL/RM_EKIND. */
int rm__audio_format_check(const rm_audio_format_t *format, size_t *bytes);
int rm__tensor_info_check(const rm_tensor_info_t *info, size_t *bytes);

/* RM_OK when an audio/tensor item's format is valid and fits its payload
 * (other kinds: a known kind); else RM_EKIND and `why` says what is wrong. */
int rm__item_consistent(const rm_item_t *item, char *why, size_t why_len);

#endif /* RM_ITEM_H */
