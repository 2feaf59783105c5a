/* Compiled by abi_check.sh: abidw records the layout of every ABI type from this library. */
#include "omnikernel/sdk/omni_plugin.h"
/* Every ABI type reachable from one exported function, so abidw records their layout. */
__attribute__((visibility("default"))) void omni_abi_layout(
    omni_error* a, omni_str* b, omni_session_info* c, omni_host_services* d,
    omni_inbound_message* e, omni_outbound_request* f, omni_outbound_verdict* g,
    omni_channel_adapter_vtable* h, omni_policy_request* i, omni_policy_verdict* j,
    omni_policy_vtable* k, omni_plugin_descriptor* l, omni_plugin_entry_fn m,
    omni_message_sink n, omni_message_rejection* o, omni_rejection_sink p) {
  (void)a; (void)b; (void)c; (void)d; (void)e; (void)f; (void)g; (void)h; (void)i; (void)j;
  (void)k; (void)l; (void)m; (void)n; (void)o; (void)p;
}
