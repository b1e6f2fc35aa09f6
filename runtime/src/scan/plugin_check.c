/* plugin_check.c — checking a plugin's declarations before trusting them. */
#include "scan/plugin_check.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Collects problems into a caller's buffer, "; "-separated. Truncation is
 * fine: the first problems are the ones a reader needs. */
typedef struct rm__why {
    char *buf;
    size_t size;
    int problems;
} rm__why_t;

static rm__why_t rm__why_init(char *buf, size_t size) {
    if (buf && size) buf[0] = '\0';
    rm__why_t why = {buf, size, 0};
    return why;
}

static void rm__why_add(rm__why_t *why, const char *fmt, ...)
    RM_PRINTF_LIKE(2, 3);
static void rm__why_add(rm__why_t *why, const char *fmt, ...) {
    why->problems++;
    if (!why->buf || why->size == 0) return;
    size_t used = strlen(why->buf);
    if (used && used + 2 < why->size) {
        memcpy(why->buf + used, "; ", 3);
        used += 2;
    }
    if (used + 1 >= why->size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why->buf + used, why->size - used, fmt, ap);
    va_end(ap);
}

static int rm__is_blank(const char *s) { return !s || !*s; }

const char *rm_param_type_name(uint32_t type) {
    switch (type) {
    case RM_PARAM_BOOL: return "bool";
    case RM_PARAM_INT: return "int";
    case RM_PARAM_FLOAT: return "float";
    case RM_PARAM_STRING: return "string";
    case RM_PARAM_ENUM: return "enum";
    case RM_PARAM_JSON: return "json";
    default: return "unknown";
    }
}

int rm__abi_check(unsigned plugin_major, unsigned plugin_minor, char *why,
                  size_t why_size) {
    if (plugin_major == RM_ABI_MAJOR && plugin_minor <= RM_ABI_MINOR)
        return RM_OK;
    rm__why_t w = rm__why_init(why, why_size);
    rm__why_add(&w,
                "plugin ABI %u.%u, this runtime supports %d.%d "
                "(plugins built for ABI %d.x with x <= %d); rebuild the "
                "plugin against this runtime's remotemedia/plugin.h",
                plugin_major, plugin_minor, RM_ABI_MAJOR, RM_ABI_MINOR,
                RM_ABI_MAJOR, RM_ABI_MINOR);
    return RM_EABI;
}

/* ---- parameter values --------------------------------------------------- */

static void rm__range_text(const rm_param_spec_t *spec, char *out,
                           size_t size) {
    int has_min = (spec->flags & RM_PARAM_HAS_MIN) != 0;
    int has_max = (spec->flags & RM_PARAM_HAS_MAX) != 0;
    if (has_min && has_max)
        snprintf(out, size, "in [%.17g, %.17g]", spec->min, spec->max);
    else if (has_min)
        snprintf(out, size, ">= %.17g", spec->min);
    else if (has_max)
        snprintf(out, size, "<= %.17g", spec->max);
    else
        snprintf(out, size, "any");
}

static int rm__number_check(const rm_param_spec_t *spec, const cJSON *value,
                            rm__why_t *w) {
    if (!cJSON_IsNumber(value)) {
        rm__why_add(w, "expected a%s number, got %s",
                    spec->type == RM_PARAM_INT ? "n integer" : "",
                    cJSON_IsString(value) ? "a string" : "another JSON type");
        return RM_EVALIDATE;
    }
    double number = value->valuedouble;
    if (spec->type == RM_PARAM_INT &&
        (number != floor(number) || number < -9223372036854775808.0 ||
         number >= 9223372036854775808.0)) {
        rm__why_add(w, "expected an integer (int64), got %.17g", number);
        return RM_EVALIDATE;
    }
    if (((spec->flags & RM_PARAM_HAS_MIN) && !(number >= spec->min)) ||
        ((spec->flags & RM_PARAM_HAS_MAX) && !(number <= spec->max))) {
        char range[96];
        rm__range_text(spec, range, sizeof(range));
        rm__why_add(w, "value %.17g is out of range; valid: %s", number,
                    range);
        return RM_EVALIDATE;
    }
    return RM_OK;
}

static int rm__enum_check(const rm_param_spec_t *spec, const cJSON *value,
                          rm__why_t *w) {
    if (!cJSON_IsString(value)) {
        rm__why_add(w, "expected one of the enum strings, got a non-string");
        return RM_EVALIDATE;
    }
    if (!spec->enum_values) {
        rm__why_add(w, "enum parameter has no enum_values");
        return RM_EVALIDATE;
    }
    for (const char *const *v = spec->enum_values; *v; v++)
        if (strcmp(*v, value->valuestring) == 0) return RM_OK;
    char valid[256] = "";
    size_t used = 0;
    for (const char *const *v = spec->enum_values; *v && used < sizeof(valid);
         v++) {
        int n = snprintf(valid + used, sizeof(valid) - used, "%s\"%s\"",
                         used ? ", " : "", *v);
        if (n < 0) break;
        used += (size_t)n;
    }
    rm__why_add(w, "\"%s\" is not one of the allowed values (%s)",
                value->valuestring, valid);
    return RM_EVALIDATE;
}

static int rm__value_check(const rm_param_spec_t *spec, const cJSON *value,
                           rm__why_t *w) {
    if (cJSON_IsNull(value)) {
        if (spec->flags & RM_PARAM_NULLABLE) return RM_OK;
        rm__why_add(w, "null is not allowed (the parameter is not "
                       "RM_PARAM_NULLABLE); give a %s",
                    rm_param_type_name(spec->type));
        return RM_EVALIDATE;
    }
    switch (spec->type) {
    case RM_PARAM_BOOL:
        if (cJSON_IsBool(value)) return RM_OK;
        rm__why_add(w, "expected true or false");
        return RM_EVALIDATE;
    case RM_PARAM_INT:
    case RM_PARAM_FLOAT:
        return rm__number_check(spec, value, w);
    case RM_PARAM_STRING:
        if (cJSON_IsString(value)) return RM_OK;
        rm__why_add(w, "expected a string");
        return RM_EVALIDATE;
    case RM_PARAM_ENUM:
        return rm__enum_check(spec, value, w);
    case RM_PARAM_JSON:
        return RM_OK;
    default:
        rm__why_add(w, "unknown parameter type %u", (unsigned)spec->type);
        return RM_EVALIDATE;
    }
}

int rm__param_value_check(const rm_param_spec_t *spec,
                          const struct cJSON *value, char *why,
                          size_t why_size) {
    rm__why_t w = rm__why_init(why, why_size);
    return rm__value_check(spec, value, &w);
}

/* ---- parameter specs ---------------------------------------------------- */

/* Appends the spec's problems to `w`, each prefixed with `prefix`. */
static void rm__param_spec_problems(const rm_param_spec_t *spec,
                                    const char *prefix, rm__why_t *w) {
    int numeric = spec->type == RM_PARAM_INT || spec->type == RM_PARAM_FLOAT;
    if (spec->type < RM_PARAM_BOOL || spec->type > RM_PARAM_JSON) {
        rm__why_add(w, "%stype %u is not a parameter type (valid: 1=bool "
                       "... 6=json, rm_param_type_t)",
                    prefix, (unsigned)spec->type);
        return; /* nothing below means anything for an unknown type */
    }
    if ((spec->flags & (RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX)) && !numeric)
        rm__why_add(w, "%sRM_PARAM_HAS_MIN/HAS_MAX on a %s parameter (only "
                       "int and float have a range)",
                    prefix, rm_param_type_name(spec->type));
    if ((spec->flags & RM_PARAM_HAS_MIN) && !isfinite(spec->min))
        rm__why_add(w, "%smin is not a finite number", prefix);
    if ((spec->flags & RM_PARAM_HAS_MAX) && !isfinite(spec->max))
        rm__why_add(w, "%smax is not a finite number", prefix);
    if ((spec->flags & RM_PARAM_HAS_MIN) && (spec->flags & RM_PARAM_HAS_MAX) &&
        spec->min > spec->max)
        rm__why_add(w, "%smin %.17g is greater than max %.17g", prefix,
                    spec->min, spec->max);
    if (spec->type == RM_PARAM_ENUM) {
        if (!spec->enum_values || !spec->enum_values[0]) {
            rm__why_add(w, "%senum parameter needs a NULL-terminated, "
                           "non-empty enum_values list",
                        prefix);
            return; /* a default cannot be checked against no values */
        } else {
            for (const char *const *v = spec->enum_values; *v; v++) {
                if (!**v)
                    rm__why_add(w, "%senum value %zu is an empty string",
                                prefix, (size_t)(v - spec->enum_values));
                for (const char *const *u = spec->enum_values; u < v; u++)
                    if (strcmp(*u, *v) == 0)
                        rm__why_add(w, "%senum value \"%s\" is listed twice",
                                    prefix, *v);
            }
        }
    }
    int required = (spec->flags & RM_PARAM_REQUIRED) != 0;
    if (required && spec->default_json) {
        rm__why_add(w, "%sis RM_PARAM_REQUIRED but has a default_json; a "
                       "required parameter has no default (set one or the "
                       "other)",
                    prefix);
        return;
    }
    if (!required && !spec->default_json) {
        if (!(spec->flags & RM_PARAM_NULLABLE))
            rm__why_add(w, "%shas no default_json; give a default, or flag "
                           "it RM_PARAM_REQUIRED or RM_PARAM_NULLABLE",
                        prefix);
        return;
    }
    if (!spec->default_json) return;

    const char *end = NULL;
    /* Length includes the NUL so require_null_terminated can see it; the
     * per-call end pointer replaces cJSON's global (racy) error position. */
    cJSON *value = cJSON_ParseWithLengthOpts(
        spec->default_json, strlen(spec->default_json) + 1, &end, 1);
    if (!value) {
        size_t at = end ? (size_t)(end - spec->default_json) : 0;
        rm__why_add(w, "%sdefault_json '%s' is not valid JSON (error at "
                       "byte %zu; strings need quotes: \"\\\"text\\\"\")",
                    prefix, spec->default_json, at);
        return;
    }
    char detail[384];
    rm__why_t inner = rm__why_init(detail, sizeof(detail));
    if (rm__value_check(spec, value, &inner) != RM_OK)
        rm__why_add(w, "%sdefault_json '%s' does not satisfy its own spec: %s",
                    prefix, spec->default_json, detail);
    cJSON_Delete(value);
}

int rm__param_spec_check(const rm_param_spec_t *spec, char *why,
                         size_t why_size) {
    rm__why_t w = rm__why_init(why, why_size);
    char prefix[160];
    snprintf(prefix, sizeof(prefix), "param '%s': ",
             spec->name ? spec->name : "(null)");
    if (rm__is_blank(spec->name))
        rm__why_add(&w, "a parameter has no name");
    rm__param_spec_problems(spec, prefix, &w);
    return w.problems ? RM_EVALIDATE : RM_OK;
}

/* ---- node types --------------------------------------------------------- */

static void rm__ports_problems(const char *type_name, const char *direction,
                               const rm_port_spec_t *ports, uint32_t count,
                               rm__why_t *w) {
    if (count && !ports) {
        rm__why_add(w, "node type '%s': %s_count is %u but %ss is NULL",
                    type_name, direction, (unsigned)count, direction);
        return;
    }
    for (uint32_t i = 0; i < count; i++) {
        if (rm__is_blank(ports[i].name))
            rm__why_add(w, "node type '%s': %s port %u has no name",
                        type_name, direction, (unsigned)i);
        else if (ports[i].kinds == 0 || (ports[i].kinds & ~RM_KINDS_ANY))
            rm__why_add(w, "node type '%s': %s port '%s' has kinds 0x%x; "
                           "use a non-empty mask of RM_KIND_BIT(RM_KIND_*)",
                        type_name, direction, ports[i].name,
                        (unsigned)ports[i].kinds);
        for (uint32_t j = 0; j < i; j++)
            if (ports[i].name && ports[j].name &&
                strcmp(ports[i].name, ports[j].name) == 0)
                rm__why_add(w, "node type '%s': %s port '%s' is declared "
                               "twice",
                            type_name, direction, ports[i].name);
    }
}

static void rm__node_type_problems(const rm_node_type_t *type, size_t index,
                                   rm__why_t *w) {
    if (!type) {
        rm__why_add(w, "node_types[%zu] is NULL", index);
        return;
    }
    if (type->struct_size < RM__NODE_TYPE_V1_0_SIZE) {
        rm__why_add(w, "node_types[%zu]: struct_size %u is smaller than the "
                       "ABI 1.0 rm_node_type_t (%zu bytes); initialise it "
                       "with sizeof(rm_node_type_t)",
                    index, (unsigned)type->struct_size,
                    (size_t)RM__NODE_TYPE_V1_0_SIZE);
        return; /* the fields below may not exist */
    }
    if (rm__is_blank(type->name)) {
        rm__why_add(w, "node_types[%zu] has no name", index);
        return;
    }
    const char *name = type->name;
    for (const char *c = name; *c; c++)
        if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '/') {
            rm__why_add(w, "node type '%s': a type name may not contain "
                           "whitespace or '/'",
                        name);
            break;
        }
    if (!type->create)
        rm__why_add(w, "node type '%s': create is NULL", name);
    if (!type->destroy)
        rm__why_add(w, "node type '%s': destroy is NULL", name);
    if (type->capabilities & RM_CAP_SOURCE) {
        if (!type->generate)
            rm__why_add(w, "node type '%s': RM_CAP_SOURCE is set but "
                           "generate is NULL",
                        name);
    } else if (!type->process) {
        rm__why_add(w, "node type '%s': process is NULL (only a source, "
                       "with RM_CAP_SOURCE and generate, may omit it)",
                    name);
    }
    rm__ports_problems(name, "input", type->inputs, type->input_count, w);
    rm__ports_problems(name, "output", type->outputs, type->output_count, w);
    if (type->param_count && !type->params) {
        rm__why_add(w, "node type '%s': param_count is %u but params is NULL",
                    name, (unsigned)type->param_count);
        return;
    }
    for (uint32_t i = 0; i < type->param_count; i++) {
        const rm_param_spec_t *spec = &type->params[i];
        char prefix[256];
        if (rm__is_blank(spec->name)) {
            rm__why_add(w, "node type '%s': params[%u] has no name", name,
                        (unsigned)i);
            snprintf(prefix, sizeof(prefix), "node type '%s': params[%u]: ",
                     name, (unsigned)i);
        } else {
            snprintf(prefix, sizeof(prefix), "node type '%s': param '%s': ",
                     name, spec->name);
            for (uint32_t j = 0; j < i; j++)
                if (type->params[j].name &&
                    strcmp(type->params[j].name, spec->name) == 0)
                    rm__why_add(w, "%sdeclared twice", prefix);
        }
        rm__param_spec_problems(spec, prefix, w);
    }
}

int rm__node_type_check(const rm_node_type_t *type, char *why,
                        size_t why_size) {
    rm__why_t w = rm__why_init(why, why_size);
    rm__node_type_problems(type, 0, &w);
    return w.problems ? RM_EVALIDATE : RM_OK;
}

/* ---- descriptors -------------------------------------------------------- */

int rm__descriptor_check(const rm_plugin_descriptor_t *descriptor, char *why,
                         size_t why_size) {
    rm__why_t w = rm__why_init(why, why_size);
    if (descriptor->struct_size < RM__DESCRIPTOR_V1_0_SIZE) {
        rm__why_add(&w, "descriptor struct_size %u is smaller than the ABI "
                        "1.0 rm_plugin_descriptor_t (%zu bytes); use "
                        "RM_PLUGIN_DESCRIPTOR_HEADER",
                    (unsigned)descriptor->struct_size,
                    (size_t)RM__DESCRIPTOR_V1_0_SIZE);
        return RM_EVALIDATE;
    }
    if (rm__is_blank(descriptor->id))
        rm__why_add(&w, "descriptor has no id (a reverse-DNS string such as "
                        "\"org.example.gain\")");
    if (rm__is_blank(descriptor->name))
        rm__why_add(&w, "descriptor has no name");
    if (descriptor->node_type_count && !descriptor->node_types) {
        rm__why_add(&w, "node_type_count is %u but node_types is NULL",
                    (unsigned)descriptor->node_type_count);
        return RM_EVALIDATE;
    }
    for (uint32_t i = 0; i < descriptor->node_type_count; i++) {
        const rm_node_type_t *type = descriptor->node_types[i];
        int before = w.problems;
        rm__node_type_problems(type, i, &w);
        if (w.problems != before || !type) continue;
        for (uint32_t j = 0; j < i; j++) {
            const rm_node_type_t *other = descriptor->node_types[j];
            if (other && other->struct_size >= RM__NODE_TYPE_V1_0_SIZE &&
                other->name && strcmp(other->name, type->name) == 0) {
                rm__why_add(&w, "node type '%s' is declared twice in this "
                                "plugin",
                            type->name);
                break;
            }
        }
    }
    return w.problems ? RM_EVALIDATE : RM_OK;
}

int rm__resolver_check(const rm_node_resolver_t *resolver, char *why,
                       size_t why_size) {
    const char *problem = NULL;
    if (!RM_STRUCT_HAS(resolver, rm_node_resolver_t, free_string))
        problem = "its struct_size is smaller than rm_node_resolver_t";
    else if (!resolver->manifest_key || !resolver->manifest_key[0])
        problem = "it has no manifest_key";
    else if (!resolver->resolve || !resolver->free_string)
        problem = "resolve or free_string is NULL";
    uint32_t unknown =
        RM_STRUCT_HAS(resolver, rm_node_resolver_t, flags)
            ? resolver->flags &
                  ~(uint32_t)(RM_RESOLVER_FALLBACK | RM_RESOLVER_CHECK_PARAMS)
            : 0;
    if (!problem && !unknown) return RM_OK;
    if (problem)
        snprintf(why, why_size, "node resolver (%s) refused: %s",
                 RM_NODE_RESOLVER_ID, problem);
    else
        snprintf(why, why_size,
                 "node resolver (%s) refused: unknown flags 0x%x (ABI %d.%d "
                 "knows RM_RESOLVER_FALLBACK and RM_RESOLVER_CHECK_PARAMS)",
                 RM_NODE_RESOLVER_ID, unknown, RM_ABI_MAJOR, RM_ABI_MINOR);
    return RM_EVALIDATE;
}
