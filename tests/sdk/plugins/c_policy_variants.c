/* Policy plugins written in plain C, one per variant, each built by tests/sdk/CMakeLists.txt:
 *   (none)                 a good plugin, "c_allow_all": allows everything but customer 13;
 *                          refuses a config that mentions "bad" (a policy config error); for
 *                          customer 77 check returns the undefined status 77, for customer 78
 *                          OMNI_ERR_INTERNAL without a message (the host must refuse, naming it)
 *   OMNI_TEST_ABI_1_0      a good plugin built as for ABI 1.0, "c_abi_1_0" (must keep loading)
 *   OMNI_TEST_NULL_CHECK   a vtable whose check function is NULL
 *   OMNI_TEST_ABI_MAJOR_99 says it speaks ABI 99.0
 *   OMNI_TEST_NEWER_DESCRIPTOR  a descriptor 16 bytes larger than this ABI's (an imagined minor)
 *   OMNI_TEST_NEWER_VTABLE      a policy vtable 16 bytes larger than this ABI's
 *   OMNI_TEST_INIT_FAILS        the entry function fails
 *   OMNI_TEST_BAD_NAME          an invalid plugin name
 */
#include "omnikernel/sdk/omni_plugin.h"

#include <stdlib.h>
#include <string.h>

typedef struct { int unused; } instance_t;

static omni_status create(const omni_host_services* host, const char* config, size_t length,
                          void** instance, omni_error* error) {
  size_t i;
  (void)host;
  for (i = 0; i + 3 <= length; ++i) {
    if (memcmp(config + i, "bad", 3) == 0) {
      omni_error_set(error, "config: key \"bad\" is not known");
      return OMNI_ERR_CONFIG;
    }
  }
  *instance = calloc(1, sizeof(instance_t));
  return *instance ? OMNI_OK : OMNI_ERR_OUT_OF_MEMORY;
}

static void destroy(void* instance) { free(instance); }

static omni_status check(void* instance, const omni_policy_request* request,
                         omni_policy_verdict* verdict, omni_error* error) {
  (void)instance; (void)error;
  if (request->customer == 77) return 77;
  if (request->customer == 78) return OMNI_ERR_INTERNAL;
  verdict->allow = request->customer != 13;
  if (!verdict->allow)
    omni_write_message(verdict->reason, verdict->reason_capacity, &verdict->reason_length,
                       "customer 13 is unlucky");
  return OMNI_OK;
}

#if defined(OMNI_TEST_NEWER_VTABLE)
typedef struct { omni_policy_vtable v1_0; void* added_in_1_1[2]; } vtable_t;
static const vtable_t vtable = {{sizeof(vtable_t), 0, create, destroy, check}, {0, 0}};
#elif defined(OMNI_TEST_NULL_CHECK)
static const omni_policy_vtable vtable = {sizeof(omni_policy_vtable), 0, create, destroy, NULL};
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
  mine.abi_version = OMNI_ABI_MAKE_VERSION(OMNI_ABI_VERSION_MAJOR, OMNI_ABI_VERSION_MINOR + 1);
  mine.name = "c_newer_descriptor";
#elif defined(OMNI_TEST_NEWER_VTABLE)
  mine.abi_version = OMNI_ABI_MAKE_VERSION(OMNI_ABI_VERSION_MAJOR, OMNI_ABI_VERSION_MINOR + 1);
  mine.name = "c_newer_vtable";
#elif defined(OMNI_TEST_ABI_1_0)
  mine.abi_version = OMNI_ABI_MAKE_VERSION(1, 0);
  mine.name = "c_abi_1_0";
#elif defined(OMNI_TEST_NULL_CHECK)
  (void)check;
  mine.name = "c_null_check";
#elif defined(OMNI_TEST_BAD_NAME)
  mine.name = "Bad Name!";
#endif
  /* The handshake: write what the host's descriptor holds, report our size. */
  omni_descriptor_handshake(descriptor, &mine);
  return OMNI_OK;
#endif
}
