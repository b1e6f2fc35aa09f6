/* Links, but needs a symbol nothing provides: dlopen with RTLD_NOW fails
 * ("undefined symbol"), as for a plugin whose dependency is missing. */
#include <remotemedia/plugin.h>

void rm_test_symbol_nobody_defines(void);

static void call_missing(void) { rm_test_symbol_nobody_defines(); }

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.test.undef",
    .name = "Test plugin (undefined symbol)",
    .version = "1.0.0",
    .get_extension = NULL,
};

RM_EXTERN_C RM_PLUGIN_EXPORT const rm_plugin_descriptor_t *
rm_plugin_entry(void);
RM_EXTERN_C RM_PLUGIN_EXPORT const rm_plugin_descriptor_t *
rm_plugin_entry(void) {
    call_missing();
    return &descriptor;
}
