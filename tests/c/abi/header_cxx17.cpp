// Compiles remotemedia/plugin.h alone as strict C++17 (-pedantic -Werror)
// and expands RM_PLUGIN_DEFINE: C++ plugins must get the same, unmangled
// entry symbol.
#include <remotemedia/plugin.h>

namespace {
const rm_node_type_t *const types[] = {nullptr};
const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER, "org.example.cxx17", "C++17", "1.0",
    "check", types, 0, 0, nullptr};

static_assert(RM_ABI_MAJOR == 1, "ABI major");
bool check() {
    rm_node_type_t type{};
    type.struct_size = sizeof(type);
    return RM_STRUCT_HAS(&type, rm_node_type_t, get_extension) &&
           rm_err_name(RM_EINVAL)[0] == 'E' &&
           rm_sample_size(RM_SAMPLE_I16) == 2;
}
}  // namespace

RM_PLUGIN_DEFINE(descriptor)

extern "C" int rm_abi_header_cxx17_check(void);
extern "C" int rm_abi_header_cxx17_check(void) { return check() ? 1 : 0; }
