/* "bad_adapter": a channel adapter in C that returns, on demand, everything the ABI forbids, so
 * the host's boundary checks can be tested one by one. The payload (for parse) or the request's
 * text (for gate_outbound) names the fault:
 *   parse:  ok, no_time, size0, size8, size4096, empty_customer, negative_time, wrong_channel,
 *           huge_text (2^40 bytes), null_text, long_customer, status77, malformed_no_text,
 *           ignore_stop (goes on emitting after the sink said stop), null_message
 *   gate:   ok, reason77, allowed_with_reason, refused_without_reason, text_length_huge,
 *           ask_huge (BUFFER_TOO_SMALL asking 2^40 bytes), status77, internal_no_text
 * create() logs one error line (level 3): "bad_adapter created with config <config>". */
#include "omnikernel/sdk/omni_plugin.h"

#include <stdlib.h>
#include <string.h>

static omni_str str(const char* text) {
  omni_str s;
  s.data = text;
  s.size = strlen(text);
  return s;
}

static int is(const char* data, size_t length, const char* word) {
  return length == strlen(word) && memcmp(data, word, length) == 0;
}

static omni_status create(const omni_host_services* host, const char* config, size_t length,
                          void** instance, omni_error* error) {
  static const char prefix[] = "bad_adapter created with config ";
  char line[256];
  size_t n = sizeof prefix - 1;
  (void)error;
  memcpy(line, prefix, n);
  if (length > sizeof line - n) length = sizeof line - n;
  if (length > 0) memcpy(line + n, config, length);
  if (host != NULL && host->log != NULL) host->log(host->host, OMNI_LOG_ERROR, line, n + length);
  *instance = calloc(1, 1);
  return *instance ? OMNI_OK : OMNI_ERR_OUT_OF_MEMORY;
}

static void destroy(void* instance) { free(instance); }

static omni_status parse(void* instance, const char* payload, size_t length, omni_message_sink sink,
                         void* sink_ctx, omni_error* error) {
  static char customer[2048];
  omni_inbound_message m;
  omni_status status;
  (void)instance;
  memset(&m, 0, sizeof m);
  m.struct_size = sizeof m;
  m.channel = str("bad_adapter");
  m.customer = str("+15550100");
  m.account = str("acct");
  m.conversation = str("+15550100");
  m.message_id = str("m1");
  m.kind = str("text");
  m.text = str("hello");
  m.timestamp_ms = 1700000000000;
  if (is(payload, length, "status77")) return 77;
  if (is(payload, length, "malformed_no_text")) return OMNI_ERR_MALFORMED_PAYLOAD;
  if (is(payload, length, "null_message")) return sink(sink_ctx, NULL);
  if (is(payload, length, "no_time")) m.timestamp_ms = OMNI_NO_TIMESTAMP;
  if (is(payload, length, "size0")) m.struct_size = 0;
  if (is(payload, length, "size8")) m.struct_size = 8;
  if (is(payload, length, "size4096")) m.struct_size = 4096;
  if (is(payload, length, "empty_customer")) m.customer = str("");
  if (is(payload, length, "negative_time")) m.timestamp_ms = -5;
  if (is(payload, length, "wrong_channel")) m.channel = str("whatsapp");
  if (is(payload, length, "huge_text")) m.text.size = (size_t)1 << 40;
  if (is(payload, length, "null_text")) { m.text.data = NULL; m.text.size = 3; }
  if (is(payload, length, "long_customer")) {
    memset(customer, '7', sizeof customer);
    m.customer.data = customer;
    m.customer.size = sizeof customer;
  }
  status = sink(sink_ctx, &m);
  if (is(payload, length, "ignore_stop")) {
    m.struct_size = 0;  /* the host said stop after the first; a second, broken one must not land */
    sink(sink_ctx, &m);
    return OMNI_OK;
  }
  if (status != OMNI_OK) omni_error_set(error, "the sink stopped the parse");
  return status;
}

static omni_status gate_outbound(void* instance, const omni_outbound_request* request,
                                 omni_outbound_verdict* verdict, omni_error* error) {
  const char* text = request->text.data;
  size_t length = request->text.size;
  (void)instance;
  verdict->allowed = 1;
  verdict->reason = OMNI_GATE_ALLOWED;
  verdict->text_length = 0;
  verdict->message_length = 0;
  if (is(text, length, "status77")) return 77;
  if (is(text, length, "internal_no_text")) return OMNI_ERR_INTERNAL;
  if (is(text, length, "reason77")) { verdict->allowed = 0; verdict->reason = 77; }
  if (is(text, length, "allowed_with_reason")) verdict->reason = OMNI_GATE_WINDOW_CLOSED;
  if (is(text, length, "refused_without_reason")) verdict->allowed = 0;
  if (is(text, length, "text_length_huge")) verdict->text_length = (size_t)1 << 40;
  if (is(text, length, "ask_huge")) {
    verdict->text_length = (size_t)1 << 40;
    omni_error_set(error, "need more room");
    return OMNI_ERR_BUFFER_TOO_SMALL;
  }
  if (is(text, length, "ok") && request->text_out_capacity >= 2) {
    memcpy(request->text_out, "ok", 2);
    verdict->text_length = 2;
  }
  return OMNI_OK;
}

static const omni_channel_adapter_vtable vtable = {sizeof(omni_channel_adapter_vtable), 0, create,
                                                   destroy, parse, gate_outbound};

OMNI_PLUGIN_EXPORT omni_status omni_plugin_entry(const omni_host_services* services,
                                                 uint32_t host_abi_version,
                                                 omni_plugin_descriptor* descriptor,
                                                 omni_error* error) {
  omni_plugin_descriptor mine;
  (void)services; (void)host_abi_version; (void)error;
  memset(&mine, 0, sizeof mine);
  mine.struct_size = sizeof mine;
  mine.abi_version = OMNI_ABI_VERSION;
  mine.kind = OMNI_PLUGIN_KIND_CHANNEL_ADAPTER;
  mine.name = "bad_adapter";
  mine.version = "0.0.1";
  mine.vtable = &vtable;
  omni_descriptor_handshake(descriptor, &mine);
  return OMNI_OK;
}
