/* "bad_adapter": a channel adapter in C that returns, on demand, everything the ABI forbids, so
 * the host's boundary checks can be tested one by one. The payload (for parse) or the request's
 * text (for gate_outbound) names the fault:
 *   parse:  ok, no_time, size0, size8, size4096, empty_customer, negative_time, wrong_channel,
 *           huge_text (2^40 bytes), null_text, long_customer, status77, malformed_no_text,
 *           ignore_stop (goes on emitting after the sink said stop), null_message
 *   gate:   ok, reason77, allowed_with_reason, refused_without_reason, text_length_huge,
 *           ask_huge (BUFFER_TOO_SMALL asking 2^40 bytes), status77, internal_no_text
 *   parse_partial (ABI 1.2): partial_ok (a message, a notice, then one rejection), event7,
 *           notice_from_parse (parse(), the ABI 1.0 call, hands over a notice), reject_code77,
 *           reject_no_detail, reject_size8, reject_null; any other payload as parse()
 * create() logs one error line (level 3): "bad_adapter created with config <config>".
 *
 * Built with OMNI_TEST_ADAPTER_ABI_1_1 it is "adapter_abi_1_1" instead: a well-behaved adapter
 * as one built against ABI 1.1 looks (no parse_partial, messages without `event`), which an
 * ABI 1.2 host must keep loading and reading. */
#include "omnikernel/sdk/omni_plugin.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifdef OMNI_TEST_ADAPTER_ABI_1_1
#define ADAPTER_NAME "adapter_abi_1_1"
#define MESSAGE_SIZE offsetof(omni_inbound_message, event)
#define VTABLE_SIZE offsetof(omni_channel_adapter_vtable, parse_partial)
#define ADAPTER_ABI OMNI_ABI_MAKE_VERSION(1, 1)
#else
#define ADAPTER_NAME "bad_adapter"
#define MESSAGE_SIZE sizeof(omni_inbound_message)
#define VTABLE_SIZE sizeof(omni_channel_adapter_vtable)
#define ADAPTER_ABI OMNI_ABI_VERSION
#endif

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
  static const char prefix[] = ADAPTER_NAME " created with config ";
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
  m.struct_size = (uint32_t)MESSAGE_SIZE;
  m.channel = str(ADAPTER_NAME);
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
#ifndef OMNI_TEST_ADAPTER_ABI_1_1
  if (is(payload, length, "notice_from_parse")) m.event = OMNI_EVENT_NOTICE;
  if (is(payload, length, "event7")) m.event = 7;
#endif
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

#ifndef OMNI_TEST_ADAPTER_ABI_1_1
static omni_status parse_partial(void* instance, const char* payload, size_t length,
                                 omni_message_sink sink, omni_rejection_sink reject,
                                 void* sink_ctx, omni_error* error) {
  omni_message_rejection r;
  memset(&r, 0, sizeof r);
  r.struct_size = sizeof r;
  r.code = OMNI_REJECT_MISSING_FIELD;
  r.path = str("messages[1].id");
  r.detail = str("missing");
  r.message_id = str("m2");
  if (is(payload, length, "partial_ok")) {
    omni_status status = parse(instance, "ok", 2, sink, sink_ctx, error);
    omni_inbound_message notice;
    if (status != OMNI_OK) return status;
    memset(&notice, 0, sizeof notice);
    notice.struct_size = sizeof notice;
    notice.channel = str("bad_adapter");
    notice.customer = str("+15550100");
    notice.message_id = str("n1");
    notice.kind = str("notice");
    notice.text = str("number changed");
    notice.timestamp_ms = 1700000000001;
    notice.event = OMNI_EVENT_NOTICE;
    status = sink(sink_ctx, &notice);
    return status != OMNI_OK ? status : reject(sink_ctx, &r);
  }
  if (is(payload, length, "reject_null")) return reject(sink_ctx, NULL);
  if (is(payload, length, "reject_code77")) r.code = 77;
  if (is(payload, length, "reject_no_detail")) r.detail = str("");
  if (is(payload, length, "reject_size8")) r.struct_size = 8;
  if (length > 7 && memcmp(payload, "reject_", 7) == 0) return reject(sink_ctx, &r);
  return parse(instance, payload, length, sink, sink_ctx, error);
}
#endif

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

#ifdef OMNI_TEST_ADAPTER_ABI_1_1
/* The ABI 1.1 vtable ends at gate_outbound: its struct_size says so, and the host reads no
 * further (the loader widens it with a NULL parse_partial). */
static const omni_channel_adapter_vtable vtable = {(uint32_t)VTABLE_SIZE, 0, create, destroy, parse,
                                                   gate_outbound, NULL};
#else
static const omni_channel_adapter_vtable vtable = {(uint32_t)VTABLE_SIZE, 0, create, destroy, parse,
                                                   gate_outbound, parse_partial};
#endif
OMNI_PLUGIN_EXPORT omni_status omni_plugin_entry(const omni_host_services* services,
                                                 uint32_t host_abi_version,
                                                 omni_plugin_descriptor* descriptor,
                                                 omni_error* error) {
  omni_plugin_descriptor mine;
  (void)services; (void)host_abi_version; (void)error;
  memset(&mine, 0, sizeof mine);
  mine.struct_size = sizeof mine;
  mine.abi_version = ADAPTER_ABI;
  mine.kind = OMNI_PLUGIN_KIND_CHANNEL_ADAPTER;
  mine.name = ADAPTER_NAME;
  mine.version = "0.0.1";
  mine.vtable = &vtable;
  omni_descriptor_handshake(descriptor, &mine);
  return OMNI_OK;
}
