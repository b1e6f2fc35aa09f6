/* host.c — the services a node instance receives (rm_host_t). */
#include "host/host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <threads.h>
#include <time.h>

#include "util/contract.h"
#include "item/item.h"
#include "manifest/manifest.h"
#include "policy/policy.h"


void rm__account_reset_peak(rm__account_t *account) {
    atomic_store_explicit(
        &account->peak,
        atomic_load_explicit(&account->live, memory_order_relaxed),
        memory_order_relaxed);
}

/* ---- memory ------------------------------------------------------------ */

/* Each block carries its size in a 16-byte header (keeps malloc's 16-byte
 * alignment) so free and realloc can discharge the right amount. */
typedef union rm__block {
    struct {
        size_t size;
        size_t tracked; /* counted in rm_live_host_blocks               */
    };
    max_align_t align;
} rm__block_t;

/* Blocks from host->alloc not yet freed, counted only when tracking is on
 * (rmrun check-plugin: memory a node never frees). */
static atomic_int rm__track_blocks;
static atomic_size_t rm__live_blocks;

void rm__host_track_live(int on) {
    atomic_store_explicit(&rm__track_blocks, on ? 1 : 0, memory_order_relaxed);
}

void rm_track_live(int on) {
    rm__item_track_live(on);
    rm__host_track_live(on);
}

size_t rm_live_host_blocks(void) {
    return atomic_load_explicit(&rm__live_blocks, memory_order_relaxed);
}

static void *rm__host_alloc(const rm_host_t *host, size_t size) {
    if (size > SIZE_MAX - sizeof(rm__block_t)) return NULL;
    rm__block_t *block = malloc(sizeof(*block) + size);
    if (!block) return NULL;
    block->size = size;
    block->tracked = 0;
    if (atomic_load_explicit(&rm__track_blocks, memory_order_relaxed)) {
        block->tracked = 1;
        atomic_fetch_add_explicit(&rm__live_blocks, 1u, memory_order_relaxed);
    }
    rm__account_charge(rm__host_account(host), size);
    return block + 1;
}

static void rm__host_free(const rm_host_t *host, void *ptr) {
    if (!ptr) return;
    rm__block_t *block = (rm__block_t *)ptr - 1;
    rm__account_discharge(rm__host_account(host), block->size);
    if (block->tracked)
        atomic_fetch_sub_explicit(&rm__live_blocks, 1u, memory_order_relaxed);
    free(block);
}

static void *rm__host_realloc(const rm_host_t *host, void *ptr, size_t size) {
    if (!ptr) return rm__host_alloc(host, size);
    if (size > SIZE_MAX - sizeof(rm__block_t)) return NULL;
    rm__block_t *block = (rm__block_t *)ptr - 1;
    size_t old = block->size;
    rm__block_t *grown = realloc(block, sizeof(*grown) + size);
    if (!grown) return NULL;
    grown->size = size;
    rm__account_t *account = rm__host_account(host);
    if (size > old) rm__account_charge(account, size - old);
    else rm__account_discharge(account, old - size);
    return grown + 1;
}

/* ---- log, clock, errors ------------------------------------------------ */

static int rm__log_level_value = RM_LOG_WARN;
static once_flag rm__log_once = ONCE_FLAG_INIT;

static void rm__log_read_env(void) {
    static const char *const names[] = {"error", "warn", "info", "debug"};
    const char *env = getenv("REMOTEMEDIA_LOG_LEVEL");
    if (!env || !*env) return;
    for (int i = 0; i < 4; i++)
        if (strcasecmp(env, names[i]) == 0) rm__log_level_value = i;
    if (env[0] >= '0' && env[0] <= '3' && env[1] == '\0')
        rm__log_level_value = env[0] - '0';
}

int rm__log_threshold(void) {
    call_once(&rm__log_once, rm__log_read_env);
    return rm__log_level_value;
}

static void rm__host_log(const rm_host_t *host, rm_log_level_t level,
                         const char *fmt, ...) {
    if ((int)level > rm__log_threshold()) return;
    static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    char line[1024];
    int head = snprintf(line, sizeof(line), "[remotemedia] %s %s: ",
                        names[(unsigned)level & 3u],
                        host && host->node_id ? host->node_id : "?");
    if (head < 0) return;
    if ((size_t)head >= sizeof(line)) head = (int)sizeof(line) - 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + head, sizeof(line) - (size_t)head, fmt, ap);
    va_end(ap);
    /* One fputs per line so lines from concurrent nodes do not interleave. */
    size_t len = strlen(line);
    if (len + 1 < sizeof(line)) {
        line[len] = '\n';
        line[len + 1] = '\0';
    } else {
        line[sizeof(line) - 2] = '\n';
    }
    fputs(line, stderr);
}


static uint64_t rm__host_now_ns(const rm_host_t *host) {
    (void)host;
    return rm__now_ns();
}


/* ---- items through the host (attributed to the node) ------------------- */

static rm_item_t *rm__host_item_new_audio(const rm_host_t *host,
                                          const rm_audio_format_t *format) {
    return rm__item_new_audio(rm__host_account(host), format);
}
static rm_item_t *rm__host_item_new_tensor(const rm_host_t *host,
                                           const rm_tensor_info_t *info) {
    return rm__item_new_tensor(rm__host_account(host), info);
}
static rm_item_t *rm__host_item_new_json(const rm_host_t *host,
                                         const char *json, size_t len) {
    return rm__item_new_json(rm__host_account(host), json, len);
}
static rm_item_t *rm__host_item_new_bytes(const rm_host_t *host,
                                          const void *bytes, size_t size) {
    return rm__item_new_bytes(rm__host_account(host), bytes, size);
}
static rm_item_t *rm__host_item_wrap(const rm_host_t *host, uint32_t kind,
                                     void *data, size_t size, uint32_t flags,
                                     rm_release_cb release, void *user_data) {
    return rm__item_wrap(rm__host_account(host), kind, data, size, flags,
                         release, user_data);
}
static rm_item_t *rm__host_item_make_writable(const rm_host_t *host,
                                              rm_item_t *item) {
    return rm__item_make_writable(rm__host_account(host), item);
}

static int rm__host_port_used(const rm_host_t *host, uint32_t port) {
    const rm__host_t *h = host ? host->host_data : NULL;
    return !h || port >= 64 || !((h->unused_ports >> port) & 1u);
}

static const rm_output_use_t rm__output_use = {
    .struct_size = sizeof(rm_output_use_t),
    .port_used = rm__host_port_used,
};

static const void *rm__host_get_extension(const rm_host_t *host,
                                          const char *id) {
    (void)host;
    if (id && strcmp(id, RM_OUTPUT_USE_ID) == 0) return &rm__output_use;
    if (id && strcmp(id, RM_RETRY_ID) == 0) return &rm__host_retry;
    return NULL;
}

int rm__host_init(rm__host_t *host, const char *node_id,
                  const char *node_type, uint64_t unused_ports,
                  const rm_retry_policy_t *retry) {
    memset(host, 0, sizeof(*host));
    host->unused_ports = unused_ports;
    if (retry) host->retry = *retry;
    host->rng = rm__retry_seed(host);
    host->account = rm__account_new();
    /* Own copies: a timed-out call may outlive the manifest (host.h). */
    host->owned_id = strdup(node_id ? node_id : "?");
    host->owned_type = strdup(node_type ? node_type : "?");
    if (!host->account || !host->owned_id || !host->owned_type) {
        rm__host_destroy(host);
        return RM_ENOMEM;
    }
    host->node_type = host->owned_type;
    node_id = host->owned_id;
    rm_host_t *h = &host->pub;
    h->struct_size = (uint32_t)sizeof(rm_host_t);
    h->abi_major = RM_ABI_MAJOR;
    h->abi_minor = RM_ABI_MINOR;
    h->node_id = node_id;
    h->host_data = host;
    h->alloc = rm__host_alloc;
    h->realloc = rm__host_realloc;
    h->free = rm__host_free;
    h->log = rm__host_log;
    h->now_ns = rm__host_now_ns;
    h->error_set = rm__error_set;
    h->param_bool = rm__param_bool;
    h->param_int = rm__param_int;
    h->param_float = rm__param_float;
    h->param_string = rm__param_string;
    h->param_json = rm__param_json;
    h->param_enum = rm__param_enum;
    h->item_new_audio = rm__host_item_new_audio;
    h->item_new_tensor = rm__host_item_new_tensor;
    h->item_new_json = rm__host_item_new_json;
    h->item_new_bytes = rm__host_item_new_bytes;
    h->item_wrap = rm__host_item_wrap;
    h->item_ref = rm__item_ref;
    h->item_unref = rm__item_unref;
    h->item_is_writable = rm__item_is_writable;
    h->item_make_writable = rm__host_item_make_writable;
    h->emit = rm__emit;
    h->get_extension = rm__host_get_extension;
    return RM_OK;
}

void rm__host_destroy(rm__host_t *host) {
    if (!host) return;
    rm__account_unref(host->account);
    host->account = NULL;
    free(host->owned_id);
    free(host->owned_type);
    host->owned_id = host->owned_type = NULL;
}
