/* max_sessions — a policy plugin in C: refuses to open a session for a customer who already has
 * N or more (config text: the number N, default 2). Shows the whole C ABI a plugin needs: the
 * entry symbol, the descriptor handshake, a vtable, and a host service (the session count). */
#include <omnikernel/sdk/omni_plugin.h>

#include <stdlib.h>

typedef struct {
  const omni_host_services* host;
  size_t limit;
} max_sessions;

static omni_status create(const omni_host_services* host, const char* config, size_t length,
                          void** instance, omni_error* error) {
  size_t limit = 0, i;
  for (i = 0; i < length; ++i) {
    if (config[i] < '0' || config[i] > '9') {
      omni_error_set(error, "config: expected a whole number of sessions");
      return OMNI_ERR_CONFIG;
    }
    limit = limit * 10 + (size_t)(config[i] - '0');
  }
  max_sessions* self = malloc(sizeof *self);
  if (self == NULL) return OMNI_ERR_OUT_OF_MEMORY;
  self->host = host;
  self->limit = length == 0 ? 2 : limit;
  *instance = self;
  return OMNI_OK;
}

static void destroy(void* instance) { free(instance); }

static omni_status check(void* instance, const omni_policy_request* request,
                         omni_policy_verdict* verdict, omni_error* error) {
  const max_sessions* self = instance;
  size_t count = 0;
  verdict->allow = 1;
  if (request->op != OMNI_POLICY_OPEN) return OMNI_OK;
  if (self->host->customer_session_count(self->host->host, request->customer, &count) != OMNI_OK) {
    omni_error_set(error, "the host cannot count the customer's sessions");
    return OMNI_ERR_UNSUPPORTED;
  }
  if (count >= self->limit) {
    verdict->allow = 0;
    verdict->reason_code = 1;
    omni_write_message(verdict->reason, verdict->reason_capacity, &verdict->reason_length,
                       "the customer has reached the maximum number of sessions");
  }
  return OMNI_OK;
}

static const omni_policy_vtable vtable = {sizeof(omni_policy_vtable), 0, create, destroy, check};

OMNI_PLUGIN_EXPORT omni_status omni_plugin_entry(const omni_host_services* services,
                                                 uint32_t host_abi_version,
                                                 omni_plugin_descriptor* descriptor,
                                                 omni_error* error) {
  omni_plugin_descriptor mine = {0};
  (void)services;
  if (OMNI_ABI_VERSION_MAJOR_OF(host_abi_version) != OMNI_ABI_VERSION_MAJOR) {
    omni_error_set(error, "max_sessions speaks ABI 1.x only");
    return OMNI_ERR_ABI_MISMATCH;
  }
  mine.struct_size = sizeof mine;
  mine.abi_version = OMNI_ABI_VERSION;
  mine.kind = OMNI_PLUGIN_KIND_POLICY;
  mine.name = "example_max_sessions";
  mine.version = "1.0.0";
  mine.vtable = &vtable;
  /* Write only what the host's descriptor holds, then report our own size. */
  omni_descriptor_handshake(descriptor, &mine);
  return OMNI_OK;
}
