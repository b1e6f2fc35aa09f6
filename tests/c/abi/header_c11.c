/* Compiles remotemedia/plugin.h alone as strict C11 (-pedantic -Werror):
 * a plugin author's compiler must accept it with every warning on. The
 * macros are expanded once so their text is checked too. */
#include <remotemedia/plugin.h>

static const rm_node_type_t *const header_c11_types[] = {NULL};
static const rm_plugin_descriptor_t header_c11_descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER, "org.example.c11", "C11", "1.0", "check",
    header_c11_types, 0, 0, NULL};

int rm_abi_header_c11_check(void);
int rm_abi_header_c11_check(void) {
    rm_node_type_t type = {0};
    uint32_t kinds = RM_KINDS_ANY;
    type.struct_size = sizeof(type);
    return RM_STRUCT_HAS(&type, rm_node_type_t, get_extension) &&
           rm_err_name(RM_EINVAL)[0] == 'E' && rm_strerror(RM_OK)[0] &&
           rm_sample_size(RM_SAMPLE_F32) == 4 &&
           (kinds & RM_KIND_BIT(RM_KIND_AUDIO)) != 0 &&
           header_c11_descriptor.abi_major == RM_ABI_MAJOR;
}
