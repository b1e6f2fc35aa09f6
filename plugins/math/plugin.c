/*
 * plugin.c — the math plugin: PassThroughNode, MultiplyNode, AddNode.
 *
 * Multiply/Add work element-wise on JSON items (a number or a list of
 * numbers, number_json.c), on float audio/tensor items (f32/f64) and on
 * integer tensors (into float64); the loops over memory are
 * tensor_math.c's. All three are stateless: the instance only holds the
 * operation and its operand.
 *
 * In place: `item` is borrowed from the host's queue reference. When
 * item_is_writable(item) says that reference is the only one, nobody else
 * can see the payload, so we modify it and emit a new reference to the same
 * item (zero copy); otherwise we write into a new item.
 */
#include <stdlib.h>
#include <remotemedia/plugin.h>

#include "node_error.h"
#include "number_json.h"
#include "tensor_math.h"

typedef struct math_node {
    const rm_host_t *host;
    const char *type_name;
    rm_math_op_t op;
    double operand;
} math_node_t;

/* ---- PassThroughNode ----------------------------------------------------- */

static int pass_create(const rm_host_t *host, const rm_params_t *params,
                       void **instance, rm_error_t *err) {
    (void)params;
    (void)err;
    *instance = (void *)host; /* nothing to keep but the host */
    return RM_OK;
}

static int pass_process(void *instance, uint32_t input_port, rm_item_t *item,
                        rm_emit_t *out, rm_error_t *err) {
    (void)input_port;
    (void)err;
    const rm_host_t *host = instance;
    return host->emit(out, 0, host->item_ref(item)); /* zero copy */
}

static void pass_destroy(void *instance) { (void)instance; }

/* ---- MultiplyNode / AddNode ---------------------------------------------- */

static int math_create(const rm_host_t *host, const rm_params_t *params,
                       void **instance, rm_error_t *err, const char *type_name,
                       const char *param, rm_math_op_t op) {
    double operand;
    host->param_float(params, param, &operand); /* validated by the host */
    math_node_t *node = host->alloc(host, sizeof(*node));
    if (!node)
        return rm_node_error(host, err, RM_ENOMEM, 0, type_name,
                             "out of memory");
    node->host = host;
    node->type_name = type_name;
    node->op = op;
    node->operand = operand;
    *instance = node;
    return RM_OK;
}

static int multiply_create(const rm_host_t *host, const rm_params_t *params,
                           void **instance, rm_error_t *err) {
    return math_create(host, params, instance, err, "MultiplyNode", "factor",
                       RM_MATH_MULTIPLY);
}

static int add_create(const rm_host_t *host, const rm_params_t *params,
                      void **instance, rm_error_t *err) {
    return math_create(host, params, instance, err, "AddNode", "addend",
                       RM_MATH_ADD);
}

static void math_destroy(void *instance) {
    math_node_t *node = instance;
    if (node) node->host->free(node->host, node);
}

static int math_json(math_node_t *node, const rm_item_t *item,
                     rm_emit_t *out, rm_error_t *err) {
    const rm_host_t *host = node->host;
    char *text = NULL;
    size_t len = 0;
    rm_math_problem_t problem;
    rm_math_status_t status = rm_math_apply(item->data, item->size, node->op,
                                            node->operand, &text, &len,
                                            &problem);
    switch (status) {
    case RM_MATH_OK: break;
    case RM_MATH_PARSE:
        return rm_node_error(host, err, RM_EPARSE, 0, node->type_name,
                             "input is not valid JSON");
    case RM_MATH_NOT_NUMBER:
        if (problem.index >= 0)
            return rm_node_error(host, err, RM_EKIND, 0, node->type_name,
                                 "element [%ld] of the input list is a %s; "
                                 "expected a number",
                                 problem.index, problem.type);
        return rm_node_error(host, err, RM_EKIND, 0, node->type_name,
                             "input is a %s; expected a number or a list of "
                             "numbers", problem.type);
    case RM_MATH_NOT_FINITE:
        return rm_node_error(host, err, RM_EINVAL, 0, node->type_name,
                             "result%s%ld%s is not a finite number",
                             problem.index >= 0 ? " [" : "",
                             problem.index >= 0 ? problem.index : 0L,
                             problem.index >= 0 ? "]" : "");
    case RM_MATH_NOMEM:
        return rm_node_error(host, err, RM_ENOMEM, 0, node->type_name,
                             "out of memory");
    }
    rm_item_t *result = host->item_new_json(host, text, len);
    free(text);
    if (!result)
        return rm_node_error(host, err, RM_ENOMEM, 0, node->type_name,
                             "out of memory");
    return host->emit(out, 0, result);
}

static int tensor_is_contiguous(const rm_tensor_info_t *info, size_t elem) {
    int64_t stride = (int64_t)elem;
    for (int d = (int)info->ndim - 1; d >= 0; d--) {
        if (info->shape[d] > 1 && info->strides[d] != stride) return 0;
        stride *= info->shape[d];
    }
    return 1;
}

/* An integer tensor: a new float64 tensor of the same shape, as
 * numpy computes `array * 2.0` (the Python implementation). */
static int math_int_tensor(math_node_t *node, const rm_item_t *item,
                           rm_emit_t *out, rm_error_t *err) {
    const rm_host_t *host = node->host;
    if (item->tensor.dtype == RM_DTYPE_BOOL) /* as numpy's path refuses it */
        return rm_node_error(host, err, RM_EKIND, 0, node->type_name,
                             "expected a numeric tensor, got dtype bool");
    size_t elem = rm_dtype_size(item->tensor.dtype);
    if (!elem)
        return rm_node_error(host, err, RM_EKIND, 0, node->type_name,
                             "tensor dtype %u is not supported",
                             (unsigned)item->tensor.dtype);
    if (!tensor_is_contiguous(&item->tensor, elem))
        return rm_node_error(host, err, RM_EKIND, 0, node->type_name,
                             "tensor must be C-contiguous");
    rm_tensor_info_t info = item->tensor;
    info.dtype = RM_DTYPE_F64;
    rm_item_t *target = host->item_new_tensor(host, &info);
    if (!target)
        return rm_node_error(host, err, RM_ENOMEM, 0, node->type_name,
                             "out of memory");
    size_t count = target->size / 8;
    if (item->size / elem < count) count = item->size / elem;
    rm_math_to_f64(node->op, node->operand, item->tensor.dtype, item->data,
                   target->data, count);
    return host->emit(out, 0, target);
}

/* Float audio or tensor: f32 or f64 samples, element-wise. */
static int math_samples(math_node_t *node, rm_item_t *item, rm_emit_t *out,
                        rm_error_t *err) {
    const rm_host_t *host = node->host;
    int is_f64;
    if (item->kind == RM_KIND_AUDIO) {
        if (item->audio.sample_format != RM_SAMPLE_F32 &&
            item->audio.sample_format != RM_SAMPLE_F64)
            return rm_node_error(host, err, RM_EKIND, 0, node->type_name,
                                 "audio must be f32 or f64 samples (convert "
                                 "integer PCM first)");
        is_f64 = item->audio.sample_format == RM_SAMPLE_F64;
    } else {
        if (item->tensor.dtype != RM_DTYPE_F32 &&
            item->tensor.dtype != RM_DTYPE_F64)
            return math_int_tensor(node, item, out, err);
        is_f64 = item->tensor.dtype == RM_DTYPE_F64;
        if (!tensor_is_contiguous(&item->tensor, is_f64 ? 8 : 4))
            return rm_node_error(host, err, RM_EKIND, 0, node->type_name,
                                 "tensor must be C-contiguous");
    }
    rm_item_t *target;
    if (host->item_is_writable(item)) {
        target = host->item_ref(item);
    } else {
        target = item->kind == RM_KIND_AUDIO
                     ? host->item_new_audio(host, &item->audio)
                     : host->item_new_tensor(host, &item->tensor);
        if (!target)
            return rm_node_error(host, err, RM_ENOMEM, 0, node->type_name,
                                 "out of memory");
    }
    size_t count = item->size / (is_f64 ? 8 : 4);
    if (target->size < item->size) count = target->size / (is_f64 ? 8 : 4);
    if (is_f64)
        rm_math_to_f64(node->op, node->operand, RM_DTYPE_F64, item->data,
                       target->data, count);
    else
        rm_math_f32(node->op, (float)node->operand, item->data, target->data,
                    count);
    return host->emit(out, 0, target);
}

static int math_process(void *instance, uint32_t input_port, rm_item_t *item,
                        rm_emit_t *out, rm_error_t *err) {
    (void)input_port;
    math_node_t *node = instance;
    switch (item->kind) {
    case RM_KIND_JSON: return math_json(node, item, out, err);
    case RM_KIND_AUDIO:
    case RM_KIND_TENSOR: return math_samples(node, item, out, err);
    default:
        return rm_node_error(node->host, err, RM_EKIND, 0, node->type_name,
                             "cannot do arithmetic on a %s item; expected "
                             "JSON numbers, float audio or a float tensor",
                             item->kind == RM_KIND_BYTES ? "bytes"
                                                         : "Python object");
    }
}

/* ---- declarations -------------------------------------------------------- */

#define MATH_KINDS                                                            \
    (RM_KIND_BIT(RM_KIND_JSON) | RM_KIND_BIT(RM_KIND_AUDIO) |                \
     RM_KIND_BIT(RM_KIND_TENSOR))

static const rm_port_spec_t any_in[] = {{"in", RM_KINDS_ANY, "any item"}};
static const rm_port_spec_t any_out[] = {
    {"out", RM_KINDS_ANY, "the input item, same reference"}};
static const rm_port_spec_t math_in[] = {
    {"in", MATH_KINDS, "a number, a list of numbers, float audio/tensor"}};
static const rm_port_spec_t math_out[] = {
    {"out", MATH_KINDS, "same shape as the input"}};

static const rm_param_spec_t multiply_params[] = {
    {"factor", RM_PARAM_FLOAT, 0, "2.0", 0, 0, NULL,
     "multiply every number by this"}};
static const rm_param_spec_t add_params[] = {
    {"addend", RM_PARAM_FLOAT, 0, "0.0", 0, 0, NULL,
     "add this to every number"}};

static const rm_node_type_t pass_through_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "PassThroughNode",
    .description = "Emits its input unchanged (a new reference, no copy)",
    .version = "1.0.0",
    .capabilities = RM_CAP_CONCURRENT | RM_CAP_PASS_THROUGH,
    .input_count = 1, .inputs = any_in,
    .output_count = 1, .outputs = any_out,
    .create = pass_create,
    .process = pass_process,
    .destroy = pass_destroy,
};

static const rm_node_type_t multiply_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "MultiplyNode",
    .description = "Multiplies a number, each number of a list, or float "
                   "samples by a factor",
    .version = "1.0.0",
    .capabilities = RM_CAP_CONCURRENT | RM_CAP_IN_PLACE,
    .params = multiply_params, .param_count = 1,
    .input_count = 1, .inputs = math_in,
    .output_count = 1, .outputs = math_out,
    .create = multiply_create,
    .process = math_process,
    .destroy = math_destroy,
};

static const rm_node_type_t add_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "AddNode",
    .description = "Adds an addend to a number, each number of a list, or "
                   "float samples",
    .version = "1.0.0",
    .capabilities = RM_CAP_CONCURRENT | RM_CAP_IN_PLACE,
    .params = add_params, .param_count = 1,
    .input_count = 1, .inputs = math_in,
    .output_count = 1, .outputs = math_out,
    .create = add_create,
    .process = math_process,
    .destroy = math_destroy,
};

static const rm_node_type_t *const math_types[] = {
    &pass_through_type, &multiply_type, &add_type};

static const rm_plugin_descriptor_t math_plugin = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.math",
    .name = "Math",
    .version = "1.0.0",
    .description = "PassThroughNode, MultiplyNode, AddNode",
    .node_types = math_types,
    .node_type_count = 3,
};

RM_PLUGIN_DEFINE(math_plugin)
