/*
 * plugin_check.h — is a plugin's descriptor sound? (internal)
 *
 * The registry calls these after dlopen and before trusting a plugin, so a
 * plugin with a broken declaration is reported at load time (naming the node
 * type and parameter) instead of misbehaving in the middle of a run. The
 * manifest validator may reuse rm__param_value_check for manifest values.
 *
 * Every function writes what is wrong into `why` (a human sentence without
 * the file name, which the caller prefixes) and never touches global state,
 * so all of them are [thread-safe].
 */
#ifndef RM_PLUGIN_CHECK_H
#define RM_PLUGIN_CHECK_H

#include <stddef.h>
#include <remotemedia/debug.h>
#include <remotemedia/plugin.h>

struct cJSON;

/* Sizes of the structs as ABI 1.0 defined them: the smallest struct_size a
 * reader accepts. Fields appended in later minors are read only after an
 * RM_STRUCT_HAS check, so these never grow. */
#define RM__DESCRIPTOR_V1_0_SIZE \
    (offsetof(rm_plugin_descriptor_t, get_extension) + sizeof(void *))
#define RM__NODE_TYPE_V1_0_SIZE \
    (offsetof(rm_node_type_t, get_extension) + sizeof(void *))

/* The GStreamer rule: same major, plugin minor <= ours. RM_OK or RM_EABI
 * with "plugin ABI 2.0, this runtime supports 1.0" in `why`. */
int rm__abi_check(unsigned plugin_major, unsigned plugin_minor, char *why,
                  size_t why_size);

/* Checks everything after the ABI gate: the descriptor's own fields, every
 * node type, port and parameter spec, and that no type name repeats inside
 * the plugin. Lists every problem found, separated by "; ". Returns RM_OK or
 * RM_EVALIDATE. */
int rm__descriptor_check(const rm_plugin_descriptor_t *descriptor, char *why,
                         size_t why_size);

/* One node type; `why` names the type. RM_OK or RM_EVALIDATE. */
int rm__node_type_check(const rm_node_type_t *type, char *why,
                        size_t why_size);

/* One parameter spec, including that default_json parses and satisfies the
 * spec's own type, range and enum. RM_OK or RM_EVALIDATE. */
int rm__param_spec_check(const rm_param_spec_t *spec, char *why,
                         size_t why_size);

/* Does `value` satisfy `spec` (type, integrality, range, enum)? JSON null
 * passes only with RM_PARAM_NULLABLE. RM_OK or RM_EVALIDATE with what was
 * expected in `why`. */
int rm__param_value_check(const rm_param_spec_t *spec,
                          const struct cJSON *value, char *why,
                          size_t why_size);

/* A node resolver (RM_NODE_RESOLVER_ID): big enough, a non-empty
 * manifest_key, resolve and free_string set, no flag this ABI lacks. */
int rm__resolver_check(const rm_node_resolver_t *resolver, char *why,
                       size_t why_size);

/* rm_param_type_name: remotemedia/debug.h. */

#endif /* RM_PLUGIN_CHECK_H */
