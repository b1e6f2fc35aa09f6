/*
 * remotemedia/plugin.h — the RemoteMedia plugin ABI, version 1.
 *
 * This is the one header a plugin author compiles against. It is plain C11,
 * also valid C++17, depends on nothing but the C standard library, and is the
 * stable contract between the RemoteMedia core ("the host") and every plugin
 * (a shared object loaded with dlopen).
 *
 * The shape, in one paragraph
 * ---------------------------
 * A plugin `.so` exports exactly one symbol, RM_PLUGIN_ENTRY_NAME, a function
 * returning a pointer to a constant rm_plugin_descriptor_t. The descriptor's
 * first fields are the ABI version the plugin was built against; the host
 * checks them before reading anything else. The descriptor lists one or more
 * node types (rm_node_type_t). A node type declares its name, parameters,
 * ports and capabilities (read by the host to validate a manifest before
 * anything runs and to print `rmrun inspect`), and a small vtable: create an
 * instance from validated params, process one input item into zero or more
 * output items, generate items (sources), flush at end of stream, destroy.
 * The host hands every instance an rm_host_t at create time: memory, logging,
 * clock, error reporting, parameter access and item (data) management all go
 * through it; a plugin never needs to link against the runtime library.
 *
 * Conventions used in the comments below
 * --------------------------------------
 * Thread tags (one on every function pointer):
 *   [load-thread]   called on the thread that loads the plugin, never
 *                   concurrently with any other call into the same plugin.
 *   [serial]        calls on one node instance never overlap and are ordered
 *                   (happens-before) but may come from different threads.
 *                   Different instances may be called concurrently.
 *   [thread-safe]   may be called from any thread at any time, concurrently.
 * Ownership tags (one on every pointer that crosses the ABI):
 *   borrowed        the callee may read it only during the call.
 *   owned-by-host / owned-by-plugin   lifetime stated next to it.
 *   transfers       one reference (or the allocation) passes to the callee.
 *
 * Versioning
 * ----------
 * RM_ABI_MAJOR changes only when an existing field or meaning changes; the
 * host refuses a plugin whose major differs. RM_ABI_MINOR grows when fields
 * are appended to the end of a struct; the host accepts a plugin whose minor
 * is <= its own. Every growable struct starts with `struct_size`: a reader
 * checks it (RM_STRUCT_HAS) before touching a field added later. Optional
 * capabilities are reached by string id through get_extension (e.g.
 * "remotemedia.node-resolver/1"); an unknown id returns NULL and is not an
 * error. See docs/plugin-abi.md for the ChangeLog.
 */
#ifndef REMOTEMEDIA_PLUGIN_H
#define REMOTEMEDIA_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define RM_EXTERN_C extern "C"
extern "C" {
#else
#define RM_EXTERN_C
#endif

/* ------------------------------------------------------------------------ */
/* Versions                                                                 */
/* ------------------------------------------------------------------------ */

#define RM_ABI_MAJOR 1
#define RM_ABI_MINOR 2

/* The name of the single symbol every plugin exports. */
#define RM_PLUGIN_ENTRY_NAME "rm_plugin_entry"

/* True when a struct of the reader's view `s` (with its struct_size field)
 * is large enough to contain `field`. Use before reading fields added in a
 * later minor version. */
#define RM_STRUCT_HAS(s, type, field) \
    ((s)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

#if defined(_WIN32)
#define RM_PLUGIN_EXPORT __declspec(dllexport)
#else
#define RM_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RM_PRINTF_LIKE(fmt_index, args_index) \
    __attribute__((format(printf, fmt_index, args_index)))
#else
#define RM_PRINTF_LIKE(fmt_index, args_index)
#endif

/* ------------------------------------------------------------------------ */
/* Status codes                                                             */
/* ------------------------------------------------------------------------ */

/* One list, expanded into the enum and both lookups below (libuv's
 * UV_ERRNO_MAP). Codes are negative; RM_OK is zero. Append only. */
#define RM_STATUS_MAP(XX)                                                    \
    XX(OK, 0, "success")                                                     \
    XX(EINVAL, -1, "invalid argument")                                       \
    XX(ENOMEM, -2, "out of memory")                                          \
    XX(EKIND, -3, "unsupported data kind or format")                         \
    XX(EIO, -4, "input/output error")                                        \
    XX(ETIMEDOUT, -5, "timed out")                                           \
    XX(EAGAIN, -6, "temporary failure, try again")                           \
    XX(ENOTSUP, -7, "operation not supported")                               \
    XX(ENOTFOUND, -8, "not found")                                           \
    XX(EABI, -9, "incompatible plugin ABI")                                  \
    XX(EPARSE, -10, "malformed input")                                       \
    XX(EVALIDATE, -11, "validation failed")                                  \
    XX(ECYCLE, -12, "graph contains a cycle")                                \
    XX(ECANCELED, -13, "canceled")                                           \
    XX(EBREAKER, -14, "circuit breaker open")                                \
    XX(EPYTHON, -15, "Python exception")                                     \
    XX(EINTERNAL, -16, "internal error")                                     \
    XX(EEXIST, -17, "already exists")                                        \
    XX(EBUDGET, -18, "run budget exceeded")

typedef enum rm_status {
#define RM__STATUS_ENUM(name, code, text) RM_##name = (code),
    RM_STATUS_MAP(RM__STATUS_ENUM)
#undef RM__STATUS_ENUM
    RM__STATUS_MIN = -18
} rm_status_t;

/* "EINVAL", or "UNKNOWN" for a code not in the list. [thread-safe] */
static inline const char *rm_err_name(int status) {
    switch (status) {
#define RM__STATUS_NAME(name, code, text) case (code): return #name;
        RM_STATUS_MAP(RM__STATUS_NAME)
#undef RM__STATUS_NAME
    default: return "UNKNOWN";
    }
}

/* "invalid argument", or "unknown status" for a code not in the list. */
static inline const char *rm_strerror(int status) {
    switch (status) {
#define RM__STATUS_TEXT(name, code, text) case (code): return text;
        RM_STATUS_MAP(RM__STATUS_TEXT)
#undef RM__STATUS_TEXT
    default: return "unknown status";
    }
}

/* ------------------------------------------------------------------------ */
/* Data items                                                               */
/* ------------------------------------------------------------------------ */

typedef enum rm_item_kind {
    RM_KIND_AUDIO = 1,    /* samples + rm_audio_format_t                    */
    RM_KIND_TENSOR = 2,   /* n-d array + rm_tensor_info_t (numpy-shaped)    */
    RM_KIND_JSON = 3,     /* UTF-8 JSON text, NUL-terminated, size = strlen */
    RM_KIND_BYTES = 4,    /* opaque bytes                                   */
    RM_KIND_PYOBJECT = 5  /* data is a PyObject*; only Python nodes read it */
} rm_item_kind_t;

/* Bit for a kind, for port declarations: RM_KIND_BIT(RM_KIND_AUDIO). */
#define RM_KIND_BIT(kind) (1u << (unsigned)(kind))
#define RM_KINDS_ANY                                                          \
    (RM_KIND_BIT(RM_KIND_AUDIO) | RM_KIND_BIT(RM_KIND_TENSOR) |              \
     RM_KIND_BIT(RM_KIND_JSON) | RM_KIND_BIT(RM_KIND_BYTES) |                \
     RM_KIND_BIT(RM_KIND_PYOBJECT))

typedef enum rm_sample_format {
    RM_SAMPLE_F32 = 1, /* float in [-1, 1] nominal                          */
    RM_SAMPLE_I16 = 2, /* full scale 32768                                  */
    RM_SAMPLE_I32 = 3, /* full scale 2^31                                   */
    RM_SAMPLE_F64 = 4
} rm_sample_format_t;

typedef enum rm_audio_layout {
    RM_LAYOUT_INTERLEAVED = 0, /* frame-major: L R L R ...                  */
    RM_LAYOUT_PLANAR = 1       /* channel-major: L L L ... R R R ...
                                  (numpy's C-ordered (channels, frames))    */
} rm_audio_layout_t;

#define RM_MAX_CHANNELS 64
#define RM_MAX_SAMPLE_RATE 768000

typedef struct rm_audio_format {
    uint32_t sample_rate;   /* Hz, 1..RM_MAX_SAMPLE_RATE                     */
    uint16_t channels;      /* 1..RM_MAX_CHANNELS                            */
    uint8_t sample_format;  /* rm_sample_format_t                            */
    uint8_t layout;         /* rm_audio_layout_t                             */
    uint64_t frames;        /* samples per channel                           */
} rm_audio_format_t;

typedef enum rm_dtype {
    RM_DTYPE_F32 = 1, RM_DTYPE_F64 = 2,
    RM_DTYPE_I8 = 3, RM_DTYPE_I16 = 4, RM_DTYPE_I32 = 5, RM_DTYPE_I64 = 6,
    RM_DTYPE_U8 = 7, RM_DTYPE_U16 = 8, RM_DTYPE_U32 = 9, RM_DTYPE_U64 = 10,
    RM_DTYPE_BOOL = 11
} rm_dtype_t;

#define RM_TENSOR_MAX_DIMS 8

typedef struct rm_tensor_info {
    uint8_t dtype;                        /* rm_dtype_t                      */
    uint8_t ndim;                         /* 0..RM_TENSOR_MAX_DIMS           */
    uint16_t reserved;
    int64_t shape[RM_TENSOR_MAX_DIMS];    /* elements per dimension          */
    int64_t strides[RM_TENSOR_MAX_DIMS];  /* in bytes, numpy convention      */
} rm_tensor_info_t;

/* Item flags. */
#define RM_ITEM_READONLY 0x1u /* the payload must not be written, even when
                                 the item is unique (foreign read-only
                                 memory); item_make_writable copies it.      */

/*
 * A reference-counted, immutable-by-default unit of data.
 *
 * Items are created only by the host (rm_host_t.item_*); a plugin never
 * allocates or frees an rm_item_t itself, and never changes its fields
 * except the payload bytes of an item it holds the only reference to
 * (see item_make_writable). The reference count is private to the host.
 * Fan-out shares one item between consumers by reference.
 */
typedef struct rm_item {
    uint32_t struct_size;      /* sizeof(rm_item_t) of the host              */
    uint32_t kind;             /* rm_item_kind_t                             */
    uint32_t flags;            /* RM_ITEM_*                                  */
    uint32_t reserved;
    void *data;                /* payload; owned by the item                 */
    size_t size;               /* payload size in bytes                      */
    rm_audio_format_t audio;   /* valid when kind == RM_KIND_AUDIO           */
    rm_tensor_info_t tensor;   /* valid when kind == RM_KIND_TENSOR          */
} rm_item_t;

/* Bytes per sample of a sample format, 0 if unknown. [thread-safe] */
static inline size_t rm_sample_size(uint32_t sample_format) {
    switch (sample_format) {
    case RM_SAMPLE_I16: return 2;
    case RM_SAMPLE_F32: case RM_SAMPLE_I32: return 4;
    case RM_SAMPLE_F64: return 8;
    default: return 0;
    }
}

/* Bytes per element of a tensor dtype, 0 if unknown. [thread-safe]
 * (Header-only, added in 1.0 without an ABI change.) */
static inline size_t rm_dtype_size(uint32_t dtype) {
    switch (dtype) {
    case RM_DTYPE_I8: case RM_DTYPE_U8: case RM_DTYPE_BOOL: return 1;
    case RM_DTYPE_I16: case RM_DTYPE_U16: return 2;
    case RM_DTYPE_F32: case RM_DTYPE_I32: case RM_DTYPE_U32: return 4;
    case RM_DTYPE_F64: case RM_DTYPE_I64: case RM_DTYPE_U64: return 8;
    default: return 0;
    }
}

/* ------------------------------------------------------------------------ */
/* Parameters                                                               */
/* ------------------------------------------------------------------------ */

typedef enum rm_param_type {
    RM_PARAM_BOOL = 1,
    RM_PARAM_INT = 2,    /* int64                                            */
    RM_PARAM_FLOAT = 3,  /* double; an integer JSON number is accepted       */
    RM_PARAM_STRING = 4,
    RM_PARAM_ENUM = 5,   /* a string from enum_values                        */
    RM_PARAM_JSON = 6    /* any JSON value, handed over as JSON text         */
} rm_param_type_t;

#define RM_PARAM_REQUIRED 0x1u /* no default: the manifest must give it   */
#define RM_PARAM_HAS_MIN 0x2u  /* INT/FLOAT: value >= min                  */
#define RM_PARAM_HAS_MAX 0x4u  /* INT/FLOAT: value <= max                  */
#define RM_PARAM_NULLABLE 0x8u /* JSON null is accepted (read as absent)   */
/* Roles (ABI 1.1), on a STRING parameter only: what the path it holds is,
 * so tools can fill it in without knowing the node type. `rmrun --batch`
 * sets every INPUT_PATH parameter to each input file, and every
 * OUTPUT_PATH parameter to that file's output under --out; `rmrun -n` and
 * Ctrl-C treat OUTPUT_PATH values as the run's output files. A host older
 * than 1.1 ignores them. */
#define RM_PARAM_INPUT_PATH 0x10u  /* the file the node reads             */
#define RM_PARAM_OUTPUT_PATH 0x20u /* the file the node writes            */

/* Declares one parameter. All strings: owned-by-plugin, static, valid while
 * the plugin is loaded. */
typedef struct rm_param_spec {
    const char *name;                 /* manifest key, e.g. "factor"        */
    uint32_t type;                    /* rm_param_type_t                    */
    uint32_t flags;                   /* RM_PARAM_*                         */
    const char *default_json;         /* default as JSON text ("2.0",
                                         "\"high\""); NULL when REQUIRED   */
    double min;                       /* with RM_PARAM_HAS_MIN              */
    double max;                       /* with RM_PARAM_HAS_MAX              */
    const char *const *enum_values;   /* ENUM: NULL-terminated list         */
    const char *doc;                  /* one line for `rmrun inspect`       */
} rm_param_spec_t;

/* The validated parameters of one node instance: every declared parameter
 * is present (given or defaulted), of its declared type and within range.
 * Opaque; read through the rm_host_t param_* functions. */
typedef struct rm_params rm_params_t;

/* ------------------------------------------------------------------------ */
/* Ports and node types                                                     */
/* ------------------------------------------------------------------------ */

/* One input or output port. Strings: owned-by-plugin, static. */
typedef struct rm_port_spec {
    const char *name;   /* "in", "out", "segments" ...                     */
    uint32_t kinds;     /* accepted/produced kinds: RM_KIND_BIT(...) mask   */
    const char *doc;
} rm_port_spec_t;

/* Capability flags of a node type. */
#define RM_CAP_STATEFUL (1ull << 0)     /* keeps state between items       */
#define RM_CAP_STREAMING (1ull << 1)    /* carries state across chunks and
                                           may emit a tail at flush         */
#define RM_CAP_SOURCE (1ull << 2)       /* produces items via generate()   */
#define RM_CAP_NEEDS_PYTHON (1ull << 3) /* runs Python code (takes the GIL) */
#define RM_CAP_CONCURRENT (1ull << 4)   /* process() of ONE instance may run
                                           concurrently (no mutable state)  */
#define RM_CAP_IN_PLACE (1ull << 5)     /* may modify a unique input item   */
/* Roles of a node type (ABI 1.1), so tools find it without its name: */
#define RM_CAP_SPEECH_SEGMENTS (1ull << 6) /* output port 0 carries speech
                                           segments (JSON: per chunk
                                           {scores, first_frame, frame_s},
                                           at flush {segments, final})    */
#define RM_CAP_PASS_THROUGH (1ull << 7) /* emits each input item unchanged
                                           on output port 0               */

typedef struct rm_host rm_host_t;
typedef struct rm_error rm_error_t; /* opaque; filled via host->error_set  */
typedef struct rm_emit rm_emit_t;   /* opaque; items leave via host->emit  */

/*
 * A node type: declaration + vtable. Owned-by-plugin, static, valid while
 * the plugin is loaded. Every function returns RM_OK or a negative status;
 * on failure it first calls host->error_set(err, ...) to say why and whether
 * the failure is transient. Items emitted before a failure are kept.
 */
typedef struct rm_node_type {
    uint32_t struct_size;            /* sizeof(rm_node_type_t)             */
    const char *name;                /* unique type name, "AudioResampleNode" */
    const char *description;         /* one line                           */
    const char *version;             /* node type version, "1.0.0"         */
    uint64_t capabilities;           /* RM_CAP_*                           */
    const rm_param_spec_t *params;   /* param_count entries                */
    uint32_t param_count;
    uint32_t input_count;            /* 0 for a source                     */
    const rm_port_spec_t *inputs;
    const rm_port_spec_t *outputs;
    uint32_t output_count;
    uint32_t reserved;

    /* Create an instance. `host` is owned-by-host and valid until destroy
     * returns: keep the pointer. `params` is borrowed (copy what you keep).
     * `*instance` receives the plugin's instance pointer (owned-by-plugin,
     * freed in destroy). [thread-safe] (different instances may be created
     * concurrently) */
    int (*create)(const rm_host_t *host, const rm_params_t *params,
                  void **instance, rm_error_t *err);

    /* Process one input item arriving on `input_port`. `item` is borrowed:
     * to keep it or emit it unchanged, take a reference (host->item_ref).
     * Emit zero or more items with host->emit(out, port, item).
     * [serial], or [thread-safe] with RM_CAP_CONCURRENT. NULL for sources. */
    int (*process)(void *instance, uint32_t input_port, rm_item_t *item,
                   rm_emit_t *out, rm_error_t *err);

    /* Sources only (RM_CAP_SOURCE): produce the next item(s). Set
     * *finished = 1 when the stream is over (it may emit in the same call).
     * The host calls it again only when downstream has room (back-pressure),
     * so emit a bounded amount per call (one chunk). [serial] */
    int (*generate)(void *instance, rm_emit_t *out, int *finished,
                    rm_error_t *err);

    /* End of stream: emit whatever state holds (a resampler's tail). Called
     * once, after the last process/generate. May be NULL. [serial] */
    int (*flush)(void *instance, rm_emit_t *out, rm_error_t *err);

    /* Free the instance and everything it allocated. Never fails. Called
     * once, also after a failed run. [serial] */
    void (*destroy)(void *instance);

    /* Optional node-type extensions by id; NULL when absent. May be NULL.
     * [thread-safe] */
    const void *(*get_extension)(const char *id);
} rm_node_type_t;

/* ------------------------------------------------------------------------ */
/* Host services                                                            */
/* ------------------------------------------------------------------------ */

typedef enum rm_log_level {
    RM_LOG_ERROR = 0, RM_LOG_WARN = 1, RM_LOG_INFO = 2, RM_LOG_DEBUG = 3
} rm_log_level_t;

typedef void (*rm_release_cb)(void *user_data, void *data);

/*
 * Handed to each node instance at create. Owned-by-host; valid until the
 * instance's destroy returns. All functions are [thread-safe] unless noted.
 * Memory from alloc/item_new_* is attributed to the node in the metrics.
 */
struct rm_host {
    uint32_t struct_size;        /* sizeof(rm_host_t) of the host           */
    uint16_t abi_major;          /* the host's RM_ABI_MAJOR                 */
    uint16_t abi_minor;          /* the host's RM_ABI_MINOR                 */
    const char *node_id;         /* instance id from the manifest; owned-by-host */
    void *host_data;             /* private to the host                     */

    /* Memory: like malloc/realloc/free, attributed to this node. alloc
     * returns NULL on failure; free(NULL) is a no-op. The block transfers to
     * the caller, who frees it with free (of this host). */
    void *(*alloc)(const rm_host_t *host, size_t size);
    void *(*realloc)(const rm_host_t *host, void *ptr, size_t size);
    void (*free)(const rm_host_t *host, void *ptr);

    /* Logging, prefixed by the host with the node id. */
    void (*log)(const rm_host_t *host, rm_log_level_t level, const char *fmt,
                ...) RM_PRINTF_LIKE(3, 4);

    /* Monotonic clock, nanoseconds. */
    uint64_t (*now_ns)(const rm_host_t *host);

    /* Describe a failure. `status` is the code the call will return;
     * `transient` = 1 when retrying the same call may succeed (timeout,
     * connection loss, rate limit), 0 for permanent failures (bad input,
     * bad params, bugs). The message is copied. Returns `status`, so
     * `return host->error_set(err, RM_EINVAL, 0, "...")` reads well. */
    int (*error_set)(rm_error_t *err, int status, int transient,
                     const char *fmt, ...) RM_PRINTF_LIKE(4, 5);

    /* Parameters (create only; `params` is borrowed). Each returns RM_OK and
     * writes *out, RM_ENOTFOUND for an undeclared or absent (nullable)
     * name, RM_EKIND for a type mismatch. Strings (string/enum/json text)
     * are borrowed: valid until create returns. FLOAT reads INT params too.
     * An ENUM param reads as its string here, or as its index through
     * param_enum (ABI 1.2, at the end of this struct). */
    int (*param_bool)(const rm_params_t *params, const char *name, int *out);
    int (*param_int)(const rm_params_t *params, const char *name,
                     int64_t *out);
    int (*param_float)(const rm_params_t *params, const char *name,
                       double *out);
    int (*param_string)(const rm_params_t *params, const char *name,
                        const char **out);
    int (*param_json)(const rm_params_t *params, const char *name,
                      const char **out);

    /* Items. Each new item is returned with one reference, which transfers
     * to the caller (give it to emit, or item_unref it). NULL on failure
     * (out of memory, or an invalid format: check rm_audio_format_t). */
    rm_item_t *(*item_new_audio)(const rm_host_t *host,
                                 const rm_audio_format_t *format);
    rm_item_t *(*item_new_tensor)(const rm_host_t *host,
                                  const rm_tensor_info_t *info);
    /* JSON text is copied; `len` excludes any NUL. */
    rm_item_t *(*item_new_json)(const rm_host_t *host, const char *json,
                                size_t len);
    rm_item_t *(*item_new_bytes)(const rm_host_t *host, const void *bytes,
                                 size_t size);
    /* Wrap memory the item does not own (zero-copy). When the last
     * reference goes, release(user_data, data) is called, on any thread.
     * Fill kind-specific fields (audio/tensor) on the returned item before
     * emitting it. `flags` takes RM_ITEM_READONLY. */
    rm_item_t *(*item_wrap)(const rm_host_t *host, uint32_t kind, void *data,
                            size_t size, uint32_t flags,
                            rm_release_cb release, void *user_data);
    /* Add a reference; returns `item`. */
    rm_item_t *(*item_ref)(rm_item_t *item);
    /* Drop a reference; the last one frees the item. NULL is a no-op. */
    void (*item_unref)(rm_item_t *item);
    /* 1 when the caller holds the only reference and the payload is
     * writable, so it may modify it in place. */
    int (*item_is_writable)(const rm_item_t *item);
    /* Copy-on-write: consumes the caller's reference to `item` and returns a
     * writable item with the same content: `item` itself when it was
     * writable, else a copy. NULL on allocation failure (the reference is
     * still consumed). */
    rm_item_t *(*item_make_writable)(const rm_host_t *host, rm_item_t *item);

    /* Send `item` to output `port`; one reference transfers to the host.
     * Only inside process/generate/flush, with the `out` of that call.
     * [serial] */
    int (*emit)(rm_emit_t *out, uint32_t port, rm_item_t *item);

    /* Optional host extensions by id; NULL when absent. */
    const void *(*get_extension)(const rm_host_t *host, const char *id);

    /* ABI 1.2. An ENUM parameter as the index of its value in the spec's
     * enum_values (create only, like the other param_* readers): RM_OK and
     * *index, RM_ENOTFOUND for an undeclared or absent (nullable) name,
     * RM_EKIND when the parameter is not RM_PARAM_ENUM. A plugin built
     * with RM_PLUGIN_DESCRIPTOR_HEADER declares ABI 1.2 and is refused by
     * older hosts; one that declares an older minor checks
     * RM_STRUCT_HAS(host, rm_host_t, param_enum) first. */
    int (*param_enum)(const rm_params_t *params, const char *name,
                      uint32_t *index);
};

/*
 * Host extension "remotemedia.output-use/1" (RM_OUTPUT_USE_ID), returned by
 * rm_host_t.get_extension: whether anything takes what a node emits on an
 * output port. Items emitted on a port that nothing takes (no connection
 * leaves it and the node is not one of the pipeline's ends, whose every
 * port is a result) are dropped by the host, so a node may skip making
 * them, e.g. a per-chunk JSON side output nobody reads. The answer is
 * fixed for the life of the instance: ask in create. Added without an ABI
 * change; absent (NULL) from older hosts, where every port counts as used.
 * owned-by-host, static. [thread-safe]
 */
#define RM_OUTPUT_USE_ID "remotemedia.output-use/1"

typedef struct rm_output_use {
    uint32_t struct_size;        /* sizeof(rm_output_use_t); FIRST         */
    uint32_t reserved;           /* 0                                      */
    /* 0 when items emitted on `port` are dropped, 1 otherwise (also for a
     * port the node type does not declare: emit reports that one). */
    int (*port_used)(const rm_host_t *host, uint32_t port);
} rm_output_use_t;

/* 1 unless the host says nothing takes `port` (see above). For create. */
static inline int rm_output_port_used(const rm_host_t *host, uint32_t port) {
    const rm_output_use_t *use =
        host->get_extension
            ? (const rm_output_use_t *)host->get_extension(host,
                                                           RM_OUTPUT_USE_ID)
            : NULL;
    if (!use || !RM_STRUCT_HAS(use, rm_output_use_t, port_used) ||
        !use->port_used)
        return 1;
    return use->port_used(host, port) != 0;
}

/*
 * Host extension "remotemedia.retry/1" (RM_RETRY_ID), returned by
 * rm_host_t.get_extension: the node's retry policy (the manifest node's
 * "retry" object) for work the engine does not retry itself — a create
 * that reaches something which may come back, e.g. RemoteNode opening its
 * stream to a server that is restarting. The host waits out the policy's
 * back-off with the engine's own arithmetic (initial_delay_ms, multiplier,
 * max_delay_ms, jitter), so a node retries exactly as the engine retries
 * its calls, and the wait ends early when the run creating the instance is
 * cancelled. Added without an ABI change; absent (NULL) from older hosts,
 * where a node tries once. owned-by-host, static.
 */
#define RM_RETRY_ID "remotemedia.retry/1"

typedef struct rm_retry {
    uint32_t struct_size;        /* sizeof(rm_retry_t); FIRST              */
    uint32_t reserved;           /* 0                                      */
    /* The node's max_retries: a failed attempt is tried again at most this
     * many times (max_retries + 1 attempts in all). [thread-safe] */
    uint32_t (*max_retries)(const rm_host_t *host);
    /* The back-off before retry `retry` (1 = the first retry) in ms, as
     * the node's policy says (its jitter drawn now). [serial] */
    uint64_t (*delay_ms)(const rm_host_t *host, uint32_t retry);
    /* Wait `ms` milliseconds: RM_OK after the whole wait; RM_ECANCELED,
     * before or during it (checked at least every 10 ms), when the run
     * whose start creates the instance is cancelled (rm_cancel_request on
     * its token; a pipeline's compile has none). Inside create only.
     * [serial] */
    int (*wait_ms)(const rm_host_t *host, uint64_t ms);
} rm_retry_t;

/* The host's retry extension, or NULL (an older host: try once). */
static inline const rm_retry_t *rm_host_retry(const rm_host_t *host) {
    const rm_retry_t *retry =
        host->get_extension
            ? (const rm_retry_t *)host->get_extension(host, RM_RETRY_ID)
            : NULL;
    if (!retry || !RM_STRUCT_HAS(retry, rm_retry_t, wait_ms) ||
        !retry->max_retries || !retry->delay_ms || !retry->wait_ms)
        return NULL;
    return retry;
}

/* ------------------------------------------------------------------------ */
/* The plugin descriptor and entry point                                    */
/* ------------------------------------------------------------------------ */

/*
 * Extension "remotemedia.node-resolver/1" (RM_NODE_RESOLVER_ID), returned by
 * a plugin descriptor's get_extension: the plugin claims manifest nodes that
 * carry one key of the node object (manifest_key, e.g. "python" for the
 * CPython adapter, "host" for remote nodes) and turns each into one of its
 * own node types with params. The host asks the resolver while it validates
 * the manifest, before it checks the node's type and params; when a node has
 * keys claimed by several resolvers, the highest precedence wins (remote
 * before python: a Python node can run on another machine). [thread-safe]
 *
 * ABI 1.2 appends what lets a plugin carry all of its manifest rules, so the
 * host knows no plugin by name: when to claim (RM_RESOLVER_FALLBACK, the
 * runtime_hint that asks for it), what the claimed types need
 * (capabilities: a registry that refuses Python refuses the resolver too),
 * checks of the key's value with JSON paths (check), the words for the
 * host's messages (implementation, usage) and a display label of a node
 * (node_label, e.g. the Python class) for metrics. A 1.1 resolver's
 * struct_size ends before `flags`: the host reads none of them.
 */
#define RM_NODE_RESOLVER_ID "remotemedia.node-resolver/1"

/* rm_node_resolver_t.flags (ABI 1.2) */
/* Claim a node carrying the key only when no plugin provides its node_type,
 * or when its runtime_hint is this resolver's runtime_hint; never when the
 * hint is "native". Without it the resolver claims every node carrying the
 * key. */
#define RM_RESOLVER_FALLBACK (1u << 0)
/* Before resolve, the host checks the node's "params" as values of no known
 * spec (duplicate keys, numbers out of range; problems reported at
 * nodes[i].params...) and hands them to resolve normalised (nulls dropped,
 * {} when absent) as node_json's "params". */
#define RM_RESOLVER_CHECK_PARAMS (1u << 1)

/* How a resolver's check reports problems with the claimed key's value
 * (ABI 1.2). owned-by-host, borrowed for the duration of the check. `path`
 * is relative to the key: "" is the key's value itself, "module" its member
 * "module" (members joined by '.'); the host prefixes nodes[i].<key>. */
typedef struct rm_resolver_report rm_resolver_report_t;
struct rm_resolver_report {
    uint32_t struct_size;        /* sizeof(rm_resolver_report_t); FIRST     */
    /* One problem, `message` a line of its own. [serial] */
    void (*problem)(const rm_resolver_report_t *report, const char *path,
                    const char *message);
    /* "expected <expected>, got <a description of the value at path>"
     * (e.g. "got number 1"). [serial] */
    void (*expected)(const rm_resolver_report_t *report, const char *path,
                     const char *expected);
};

typedef struct rm_node_resolver {
    uint32_t struct_size;        /* sizeof(rm_node_resolver_t); FIRST       */
    int32_t precedence;          /* higher wins when several keys claim     */
    const char *manifest_key;    /* the node-object key this resolver claims */
    /* node_json: the whole manifest node object as compact JSON (borrowed).
     * On success return 0, set *node_type to the name of a node type this
     * plugin declares (static, owned-by-plugin) and *params_json to the
     * params to create it with (a JSON object, malloc'd; transfers: the host
     * releases it with free_string). On failure return non-zero and write a
     * one-line message into err (err_len bytes, NUL-terminated) naming what
     * is wrong; the host prefixes the node id and JSON path. */
    int (*resolve)(const char *node_json, const char **node_type,
                   char **params_json, char *err, size_t err_len);
    void (*free_string)(char *s);  /* releases *params_json, node_label's   */
    /* ---- ABI 1.2 (read only when struct_size covers them) ---- */
    uint32_t flags;              /* RM_RESOLVER_*                           */
    uint32_t reserved;           /* 0                                       */
    /* RM_CAP_* every node type it resolves to has that matter before a node
     * is resolved: with RM_CAP_NEEDS_PYTHON, a registry that refuses node
     * types running Python (--no-python) refuses every node it would claim,
     * naming the node. */
    uint64_t capabilities;
    /* The runtime_hint value that asks for this resolver ("python"), or
     * NULL. With RM_RESOLVER_FALLBACK it claims a node of a native type
     * under this hint; a node with this hint that does not carry the key is
     * an error naming the key (see usage). */
    const char *runtime_hint;
    /* Words for the host's messages, or NULL: what it runs ("Python": "to
     * run a Python implementation add ...", "the node gives no Python
     * location") and how to write the key, as JSON text: "python":
     * {"module": ..., "class": ...}. */
    const char *implementation;
    const char *usage;
    /* Check the key's value (value_json: compact JSON, borrowed) on every
     * node that carries the key, claimed or not, reporting each problem
     * through `report`; a node whose claiming resolver reported is not
     * resolved. May be NULL. */
    void (*check)(const char *value_json, const rm_resolver_report_t *report);
    /* A short label of a node of one of this plugin's node types (whether
     * claimed or named directly) for metrics and summaries, e.g. the
     * Python class "my_pkg.nodes.Gain": malloc'd, released with
     * free_string; NULL for none. params_json: the node's validated params
     * with defaults. May be NULL. */
    char *(*node_label)(const char *node_type, const char *params_json);
} rm_node_resolver_t;

/*
 * What rm_plugin_entry returns. Owned-by-plugin, static, valid while the
 * plugin is loaded; the host never writes to it.
 */
typedef struct rm_plugin_descriptor {
    uint16_t abi_major;                /* RM_ABI_MAJOR at build time; FIRST */
    uint16_t abi_minor;                /* RM_ABI_MINOR at build time        */
    uint32_t struct_size;              /* sizeof(rm_plugin_descriptor_t)    */
    const char *id;                    /* reverse-DNS, "org.remotemedia.math" */
    const char *name;                  /* human name                        */
    const char *version;               /* plugin version, "1.2.0"           */
    const char *description;           /* one line                          */
    const rm_node_type_t *const *node_types; /* node_type_count entries     */
    uint32_t node_type_count;
    uint32_t reserved;
    /* Optional plugin-level extensions by id; NULL when absent. May be NULL.
     * Known ids: RM_NODE_RESOLVER_ID (rm_node_resolver_t: manifest nodes
     * claimed by a key, used by the Python adapter and remote nodes).
     * [thread-safe] */
    const void *(*get_extension)(const char *id);
} rm_plugin_descriptor_t;

/* The entry point's type. Called once per load, [load-thread]; must not
 * fail, allocate per call or run heavy code: return a pointer to static
 * data. */
typedef const rm_plugin_descriptor_t *(*rm_plugin_entry_fn)(void);

/* Fill the abi/size fields of a descriptor initializer. */
#define RM_PLUGIN_DESCRIPTOR_HEADER \
    RM_ABI_MAJOR, RM_ABI_MINOR, (uint32_t)sizeof(rm_plugin_descriptor_t)

/* Define the entry point returning `descriptor` (an rm_plugin_descriptor_t
 * object with static storage). Use exactly once per plugin. */
#define RM_PLUGIN_DEFINE(descriptor)                                          \
    RM_EXTERN_C RM_PLUGIN_EXPORT const rm_plugin_descriptor_t                 \
        *rm_plugin_entry(void);                                               \
    RM_EXTERN_C RM_PLUGIN_EXPORT const rm_plugin_descriptor_t                 \
        *rm_plugin_entry(void) { return &(descriptor); }

#ifdef __cplusplus
}
#endif

#endif /* REMOTEMEDIA_PLUGIN_H */
