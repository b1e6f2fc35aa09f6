/* The entry symbol exists but returns NULL: a broken plugin, reported as a
 * bad descriptor. */
#include <remotemedia/plugin.h>

RM_EXTERN_C RM_PLUGIN_EXPORT const rm_plugin_descriptor_t *
rm_plugin_entry(void);
RM_EXTERN_C RM_PLUGIN_EXPORT const rm_plugin_descriptor_t *
rm_plugin_entry(void) {
    return NULL;
}
