/* Policy plugins written in plain C, one per variant, each built by tests/sdk/CMakeLists.txt:
 *   (none)                 a good plugin, "c_allow_all": allows everything but customer 13
 *   OMNI_TEST_ABI_MAJOR_99 says it speaks ABI 99.0
 *   OMNI_TEST_NEWER_DESCRIPTOR  a descriptor 16 bytes larger than ABI 1.0's (an imagined 1.1)
 *   OMNI_TEST_NEWER_VTABLE      a policy vtable 16 bytes larger than ABI 1.0's
 *   OMNI_TEST_INIT_FAILS        the entry function fails
 *   OMNI_TEST_BAD_NAME          an invalid plugin name
 */
#include "omnikernel/sdk/omni_plugin.h"

#include <stdlib.h>

typedef struct { int unused; } instance_t;

static omni_status create(const omni_host_services* host, const char* config, size_t length,
                          void** instance, omni_error* error) {
  (void)host; (void)config; (void)length; (void)error;
  *instance = calloc(1, sizeof(instance_t));
  return *instance ? OMNI_OK : OMNI_ERR_OUT_OF_MEMORY;
}

static void destroy(void* instance) { free(instance); }

static omni_status check(void* instance, const omni_policy_request* request,
                         omni_policy_verdict* verdict, omni_error* error) {
  (void)instance; (void)error;
  verdict->allow = request->customer != 13;
  if (!verdict->allow)
    omni_write_message(verdict->reason, verdict->reason_capacity, &verdict->reason_length,
                       "customer 13 is unlucky");
  return OMNI_OK;
}

#if defined(OMNI_TEST_NEWER_VTABLE)
typedef struct { omni_policy_vtable v1_0; void* added_in_1_1[2]; } vtable_t;
static const vtable_t vtable = {{sizeof(vtable_t), 0, create, destroy, check}, {0, 0}};
#else
static const omni_policy_vtable vtable = {sizeof(omni_policy_vtable), 0, create, destroy, check};
#endif

typedef struct { omni_plugin_descriptor v1_0; uint64_t added_in_1_1[2]; } newer_descriptor_t;

OMNI_PLUGIN_EXPORT omni_status omni_plugin_entry(const omni_host_services* services,
                                                 uint32_t host_abi_version,
                                                 omni_plugin_descriptor* descriptor,
                                                 omni_error* error) {
  (void)services; (void)host_abi_version;
#if defined(OMNI_TEST_INIT_FAILS)
  (void)descriptor;
  (void)vtable;
  omni_error_set(error, "license file /etc/omni/license.key is missing");
  return OMNI_ERR_CONFIG;
#else
  (void)error;
  omni_plugin_descriptor mine = {0};
  mine.struct_size = sizeof mine;
  mine.abi_version = OMNI_ABI_VERSION;
  mine.kind = OMNI_PLUGIN_KIND_POLICY;
  mine.name = "c_allow_all";
  mine.version = "0.1.0";
  mine.vtable = &vtable;
#if defined(OMNI_TEST_ABI_MAJOR_99)
  mine.abi_version = OMNI_ABI_MAKE_VERSION(99, 0);
  mine.name = "c_abi_99";
#elif defined(OMNI_TEST_NEWER_DESCRIPTOR)
  mine.struct_size = sizeof(newer_descriptor_t);
  mine.abi_version = OMNI_ABI_MAKE_VERSION(1, 1);
  mine.name = "c_newer_descriptor";
#elif defined(OMNI_TEST_NEWER_VTABLE)
  mine.abi_version = OMNI_ABI_MAKE_VERSION(1, 1);
  mine.name = "c_newer_vtable";
#elif defined(OMNI_TEST_BAD_NAME)
  mine.name = "Bad Name!";
#endif
  /* The handshake: write what the host's descriptor holds, report our size. */
  {
    size_t n = descriptor->struct_size < sizeof mine ? descriptor->struct_size : sizeof mine;
    const unsigned char* from = (const unsigned char*)&mine;
    unsigned char* to = (unsigned char*)descriptor;
    for (size_t i = 0; i < n; ++i) to[i] = from[i];
    descriptor->struct_size = mine.struct_size;
  }
  return OMNI_OK;
#endif
}
