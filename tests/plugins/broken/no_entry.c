/* A valid shared object that is not a RemoteMedia plugin: it exports a
 * function, but not rm_plugin_entry. */
int rm_plugin_entry_v0(void);
int rm_plugin_entry_v0(void) { return 0; }
