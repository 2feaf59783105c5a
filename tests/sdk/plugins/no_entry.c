/* A perfectly valid shared library that is not a plugin: it exports no omni_plugin_entry. */
__attribute__((visibility("default"))) int omni_test_some_function(int x) { return x + 1; }
