/*
 * transport_call.c — messages on one gRPC call (either end): batches
 * driven on the call's own pluck queue, sending segments (borrowed ones
 * without a copy), receiving into one contiguous buffer.
 */
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>

#include "transport_internal.h"

const char *rm_tp_code_name(int code) {
    static const char *const names[] = {
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
        "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
        "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE",
        "DATA_LOSS", "UNAUTHENTICATED"};
    if (code < 0 || code >= (int)(sizeof names / sizeof names[0]))
        return "UNKNOWN";
    return names[code];
}

int rm_tp_code_transient(int code) {
    return code == RM_TP_UNAVAILABLE || code == RM_TP_DEADLINE_EXCEEDED ||
           code == RM_TP_RESOURCE_EXHAUSTED || code == RM_TP_CANCELLED ||
           code == 10 /* ABORTED */;
}

static gpr_timespec deadline_after(int timeout_ms) {
    if (timeout_ms <= 0)
        return gpr_inf_future(GPR_CLOCK_MONOTONIC);
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                        gpr_time_from_millis(timeout_ms, GPR_TIMESPAN));
}

static grpc_event pluck(rm_tp_call_t *call, void *tag, int timeout_ms) {
    return grpc_completion_queue_pluck(call->cq, tag,
                                       deadline_after(timeout_ms), NULL);
}

int rm_tp__batch(rm_tp_call_t *call, const grpc_op *ops, size_t n,
                 int timeout_ms) {
    void *tag = RM_TP_TAG(call, RM_TP_TAG_OP);
    if (grpc_call_start_batch(call->call, ops, n, tag, NULL) != GRPC_CALL_OK)
        return 0;
    grpc_event ev = pluck(call, tag, timeout_ms);
    if (ev.type == GRPC_QUEUE_TIMEOUT) {
        grpc_call_cancel_with_status(call->call, GRPC_STATUS_DEADLINE_EXCEEDED,
                                     "remote: no progress within the timeout",
                                     NULL);
        ev = pluck(call, tag, 0);
        return -1;
    }
    return ev.type == GRPC_OP_COMPLETE && ev.success ? 1 : 0;
}

rm_tp_call_t *rm_tp__call_new(int is_server) {
    rm_tp_call_t *call = calloc(1, sizeof *call);
    if (!call)
        return NULL;
    call->is_server = is_server;
    call->cq = grpc_completion_queue_create_for_pluck(NULL);
    call->status_details = grpc_empty_slice();
    grpc_metadata_array_init(&call->trailing);
    grpc_metadata_array_init(&call->request_md);
    grpc_call_details_init(&call->details);
    return call;
}

static void release_slice(void *user) {
    rm_tp_segment_t *seg = user;
    seg->release(seg->user);
    free(seg);
}

int rm_tp_send(rm_tp_call_t *call, const rm_tp_segment_t *segments,
               size_t count, int timeout_ms) {
    grpc_slice stack[8];
    grpc_slice *slices = count <= 8 ? stack : malloc(count * sizeof *slices);
    if (!slices)
        return RM_TP_RESOURCE_EXHAUSTED;
    for (size_t i = 0; i < count; i++) {
        const rm_tp_segment_t *s = &segments[i];
        rm_tp_segment_t *keep = s->release ? malloc(sizeof *keep) : NULL;
        if (keep) {
            *keep = *s;
            slices[i] = grpc_slice_new_with_user_data(
                (void *)s->data, s->len, release_slice, keep);
        } else {
            slices[i] = grpc_slice_from_copied_buffer(s->data, s->len);
            if (s->release)  /* out of memory for the wrapper: copied */
                s->release(s->user);
        }
    }
    grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(slices, count);
    for (size_t i = 0; i < count; i++)
        grpc_slice_unref(slices[i]);
    if (slices != stack)
        free(slices);
    grpc_op ops[2];
    size_t n = 0;
    memset(ops, 0, sizeof ops);
    if (!call->sent_initial) {
        ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
        n++;
        call->sent_initial = 1;
    }
    ops[n].op = GRPC_OP_SEND_MESSAGE;
    ops[n].data.send_message.send_message = bb;
    n++;
    int r = rm_tp__batch(call, ops, n, timeout_ms);
    grpc_byte_buffer_destroy(bb);
    if (r == 1)
        return RM_TP_OK;
    return r < 0 ? RM_TP_DEADLINE_EXCEEDED : RM_TP_UNAVAILABLE;
}

/* The whole message in one malloc'd buffer, `place`'s offset aligned. */
static int copy_placed(grpc_byte_buffer *bb, rm_tp_message_t *msg,
                       rm_tp_place_fn place) {
    size_t total = grpc_byte_buffer_length(bb);
    grpc_byte_buffer_reader reader;
    if (!grpc_byte_buffer_reader_init(&reader, bb))
        return 0;
    uint8_t *buf = malloc(total + 64);
    if (!buf) {
        grpc_byte_buffer_reader_destroy(&reader);
        return -1;
    }
    grpc_slice slice;
    size_t at = 0, shift = 0;
    int first = 1;
    while (grpc_byte_buffer_reader_next(&reader, &slice)) {
        size_t n = GRPC_SLICE_LENGTH(slice);
        if (first) {
            size_t off = place(GRPC_SLICE_START_PTR(slice), n, total);
            shift = (64 - ((uintptr_t)buf + off) % 64) % 64;
            first = 0;
        }
        if (at + n > total)
            n = total - at;
        memcpy(buf + shift + at, GRPC_SLICE_START_PTR(slice), n);
        at += n;
        grpc_slice_unref(slice);
    }
    grpc_byte_buffer_reader_destroy(&reader);
    msg->data = buf + shift;
    msg->len = at;
    msg->impl = buf;
    msg->placed = 1;
    return 1;
}

/* The whole message as one slice (a reference when it is one piece). */
static int copy_whole(grpc_byte_buffer *bb, rm_tp_message_t *msg) {
    grpc_byte_buffer_reader reader;
    if (!grpc_byte_buffer_reader_init(&reader, bb))
        return 0;
    grpc_slice *whole = malloc(sizeof *whole);
    if (!whole) {
        grpc_byte_buffer_reader_destroy(&reader);
        return -1;
    }
    *whole = grpc_byte_buffer_reader_readall(&reader);
    grpc_byte_buffer_reader_destroy(&reader);
    msg->data = GRPC_SLICE_START_PTR(*whole);
    msg->len = GRPC_SLICE_LENGTH(*whole);
    msg->impl = whole;
    return 1;
}

int rm_tp_recv_placed(rm_tp_call_t *call, rm_tp_message_t *msg,
                      int timeout_ms, rm_tp_place_fn place) {
    memset(msg, 0, sizeof *msg);
    if (call->ended)
        return 0;
    grpc_byte_buffer *bb = NULL;
    grpc_op ops[2];
    size_t n = 0;
    memset(ops, 0, sizeof ops);
    if (!call->is_server && !call->sent_initial) {
        ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
        n++;
        call->sent_initial = 1;
    }
    ops[n].op = GRPC_OP_RECV_MESSAGE;
    ops[n].data.recv_message.recv_message = &bb;
    n++;
    int r = rm_tp__batch(call, ops, n, timeout_ms);
    if (r < 0) {
        if (bb)
            grpc_byte_buffer_destroy(bb);
        call->ended = 1;
        return -1;
    }
    if (!bb) {
        call->ended = 1;
        return 0;
    }
    int got = place ? copy_placed(bb, msg, place) : copy_whole(bb, msg);
    grpc_byte_buffer_destroy(bb);
    if (got != 1)
        call->ended = 1;
    return got;
}

int rm_tp_recv(rm_tp_call_t *call, rm_tp_message_t *msg, int timeout_ms) {
    return rm_tp_recv_placed(call, msg, timeout_ms, NULL);
}

void rm_tp_message_free(rm_tp_message_t *msg) {
    if (!msg || !msg->impl)
        return;
    if (msg->placed) {
        free(msg->impl);
    } else {
        grpc_slice *whole = msg->impl;
        grpc_slice_unref(*whole);
        free(whole);
    }
    memset(msg, 0, sizeof *msg);
}

void rm_tp_call_free(rm_tp_call_t *call) {
    if (!call)
        return;
    if (call->call) {
        grpc_call_cancel(call->call, NULL);
        if (call->status_pending && !call->status_taken)
            pluck(call, RM_TP_TAG(call, RM_TP_TAG_STATUS), 0);
        if (call->close_pending)
            pluck(call, RM_TP_TAG(call, RM_TP_TAG_CLOSE), 0);
        grpc_call_unref(call->call);
    }
    grpc_completion_queue_shutdown(call->cq);
    while (grpc_completion_queue_pluck(call->cq, NULL,
                                       gpr_inf_future(GPR_CLOCK_MONOTONIC),
                                       NULL).type != GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(call->cq);
    grpc_slice_unref(call->status_details);
    grpc_metadata_array_destroy(&call->trailing);
    grpc_metadata_array_destroy(&call->request_md);
    grpc_call_details_destroy(&call->details);
    if (call->peer)
        gpr_free(call->peer);
    free(call);
}
