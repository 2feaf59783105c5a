/*
 * omni_plugin.h — the omnikernel plugin ABI. One pure C header: the only contract between a host
 * (the kernel's runtime, the `omni` CLI, a vendor's service) and a plugin (a channel adapter or a
 * policy). Plugins never link against the host; the host reaches a plugin through ONE exported
 * symbol, `omni_plugin_entry`, and the plugin reaches the host through the services table it is
 * handed. Nothing but the types below crosses: no C++ type, no exception, no allocation whose
 * ownership moves to the other side.
 *
 * Versioning (docs/ABI.md has the full compatibility policy):
 *   - The ABI version (major.minor) is independent of the product version.
 *   - A new MINOR only appends: new fields at the END of a struct, new functions at the END of a
 *     table, new enumerator values. Nothing is removed, reordered or re-typed.
 *   - Every extensible struct begins with `uint32_t struct_size`, set by whoever allocates the
 *     struct to the sizeof() it was compiled with. A reader touches only the fields that lie
 *     inside struct_size (see OMNI_STRUCT_HAS) and treats the rest as absent (NULL / zero).
 *   - The host refuses a plugin of another MAJOR, and a plugin whose structs are LARGER than the
 *     host knows (built against a newer minor). It accepts a plugin of an older minor.
 *   One frozen value type, omni_str (pointer + length), never grows and so carries no
 *   struct_size.
 *
 * Threading: unless a function says otherwise, the host may call a plugin instance's functions
 * concurrently from several threads; `create` and `destroy` are never concurrent with any other
 * call on the same instance. Host services may be called from any thread.
 *
 * Strings: omni_str is a (pointer, length) view, NOT NUL-terminated, UTF-8, valid only for the
 * duration of the call that passes it unless stated otherwise.
 *
 * Language: C99 or later (it uses <stdint.h>, <stddef.h> and `static inline` functions), or
 * C++11 or later. C89/C90 compilers are not supported.
 */
#ifndef OMNIKERNEL_SDK_OMNI_PLUGIN_H
#define OMNIKERNEL_SDK_OMNI_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- versions ------------------------------------------------------------------------------ */

/** ABI major: bumped only by an incompatible change. Since ABI 1.0. */
#define OMNI_ABI_VERSION_MAJOR 1
/** ABI minor: bumped by every append-only change. Since ABI 1.0. */
#define OMNI_ABI_VERSION_MINOR 3
/** Packs a major.minor pair in one uint32_t: major in the high 16 bits. Since ABI 1.0. */
#define OMNI_ABI_MAKE_VERSION(major, minor) ((uint32_t)(((uint32_t)(major) << 16) | ((uint32_t)(minor) & 0xFFFFu)))
/** Major of a packed version. Since ABI 1.0. */
#define OMNI_ABI_VERSION_MAJOR_OF(version) ((uint32_t)(version) >> 16)
/** Minor of a packed version. Since ABI 1.0. */
#define OMNI_ABI_VERSION_MINOR_OF(version) ((uint32_t)(version) & 0xFFFFu)
/** The version this header describes. Since ABI 1.0. */
#define OMNI_ABI_VERSION OMNI_ABI_MAKE_VERSION(OMNI_ABI_VERSION_MAJOR, OMNI_ABI_VERSION_MINOR)

/** Name of the one symbol every plugin exports. Since ABI 1.0. */
#define OMNI_PLUGIN_ENTRY_SYMBOL "omni_plugin_entry"

/** True when `ptr` (a pointer to an extensible struct of type `type`) was allocated by a side that
 *  knows `field`, i.e. the field lies inside ptr->struct_size. Since ABI 1.0. */
#define OMNI_STRUCT_HAS(ptr, type, field) \
  ((size_t)(ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/** Marks the entry symbol as exported even when the plugin builds with -fvisibility=hidden. */
#if defined(_WIN32)
#define OMNI_PLUGIN_EXPORT __declspec(dllexport)
#else
#define OMNI_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/** An id the host uses for "none" in 32-bit id fields (queue, service, channel). Since ABI 1.0. */
#define OMNI_NO_ID 0xFFFFFFFFu

/* ---- status and errors --------------------------------------------------------------------- */

/** Every ABI function returns an omni_status. Values are fixed forever; new ones are appended.
 *  Since ABI 1.0. */
typedef int32_t omni_status;

enum {
  OMNI_OK = 0,                     /**< success */
  OMNI_ERR_INVALID_ARGUMENT = 1,   /**< a NULL or out-of-range argument */
  OMNI_ERR_CONFIG = 2,             /**< the config text given to create() is invalid */
  OMNI_ERR_MALFORMED_PAYLOAD = 3,  /**< parse(): the payload is not what the channel sends */
  OMNI_ERR_BUFFER_TOO_SMALL = 4,   /**< an output buffer is too small; the needed size is reported */
  OMNI_ERR_ABI_MISMATCH = 5,       /**< the other side speaks an incompatible ABI */
  OMNI_ERR_UNSUPPORTED = 6,        /**< the call is not available in this context */
  OMNI_ERR_OUT_OF_MEMORY = 7,      /**< an allocation failed inside the plugin */
  OMNI_ERR_ABORTED = 8,            /**< a callback asked to stop (e.g. a message sink) */
  OMNI_ERR_INTERNAL = 9            /**< anything else, e.g. a C++ exception caught at the boundary */
};

/** A caller-provided buffer that receives a human-readable message when a call fails.
 *  OWNERSHIP: the caller owns `message` (capacity bytes). The callee writes at most capacity-1
 *  bytes plus a NUL terminator, truncating if needed, and sets `length` to the bytes written
 *  (without the NUL). A callee never keeps the pointer after it returns.
 *  A caller may pass NULL for the omni_error* when it does not want the message; a NULL
 *  `message` or a zero `capacity` means the same. Since ABI 1.0. */
typedef struct omni_error {
  uint32_t struct_size;  /**< sizeof(omni_error) as the caller knows it */
  uint32_t reserved0;    /**< zero */
  char* message;         /**< caller-owned buffer, may be NULL */
  size_t capacity;       /**< bytes available at `message` */
  size_t length;         /**< out: bytes written, excluding the NUL */
} omni_error;

/** A UTF-8 string view: `size` bytes at `data`, not NUL-terminated. Frozen (never grows).
 *  OWNERSHIP: borrowed; valid only during the call (or callback) that passes it. Since ABI 1.0. */
typedef struct omni_str {
  const char* data;
  size_t size;
} omni_str;

/** Copies the NUL-terminated `text` into a caller-owned buffer as this ABI's message buffers
 *  expect (truncated to capacity-1 bytes, always NUL-terminated when capacity > 0) and stores the
 *  bytes written in *length (when length is not NULL). A convenience for plugins written in C.
 *  Since ABI 1.0. */
static inline void omni_write_message(char* buffer, size_t capacity, size_t* length,
                                      const char* text) {
  size_t n = 0;
  if (buffer != NULL && capacity > 0) {
    while (text != NULL && text[n] != '\0' && n + 1 < capacity) {
      buffer[n] = text[n];
      ++n;
    }
    buffer[n] = '\0';
  }
  if (length != NULL) *length = n;
}

/** Writes `text` into `error` (which may be NULL) with omni_write_message. Since ABI 1.0. */
static inline void omni_error_set(omni_error* error, const char* text) {
  if (error != NULL) omni_write_message(error->message, error->capacity, &error->length, text);
}

/* ---- host services ------------------------------------------------------------------------- */

/** Log levels for omni_host_services.log. Since ABI 1.0. */
enum {
  OMNI_LOG_DEBUG = 0,
  OMNI_LOG_INFO = 1,
  OMNI_LOG_WARN = 2,
  OMNI_LOG_ERROR = 3
};

/** One of a customer's sessions as the host knows it: a work item queued, offered, active or
 *  paused. Written by the host into a plugin-provided array (see customer_sessions).
 *  Since ABI 1.0. */
typedef struct omni_session_info {
  uint32_t struct_size;  /**< out: the bytes of this element the host filled */
  uint32_t queue;        /**< the host's dense queue id */
  uint64_t item;         /**< the host's work-item id */
  uint32_t service;      /**< the service (seed 004) the queue belongs to */
  uint32_t channel;      /**< the service channel of the queue */
} omni_session_info;

/** What the host offers a plugin: a table of function pointers plus an opaque `host` pointer
 *  that the plugin passes back on every call.
 *  OWNERSHIP: the host owns the table; it stays valid and unchanged from the entry call until the
 *  last instance created with it is destroyed. Plugins may keep the pointer.
 *  THREADING: every function may be called from any thread, concurrently.
 *  A function pointer may be NULL (or outside struct_size): the service is then absent.
 *  Since ABI 1.0. */
typedef struct omni_host_services {
  uint32_t struct_size;  /**< sizeof(omni_host_services) as the host knows it */
  uint32_t abi_version;  /**< OMNI_ABI_VERSION the host was built with */
  void* host;            /**< opaque; pass back as the first argument of each service */

  /** Writes one log line. `message` is `length` bytes, need not be NUL-terminated, and is copied
   *  before return. Never fails, never blocks for long. Since ABI 1.0. */
  void (*log)(void* host, int32_t level, const char* message, size_t length);

  /** The host's injected clock, in nanoseconds since the host's epoch (NOT the Unix epoch: the
   *  simulator's epoch is the start of a run). Cheap; use it instead of reading a wall clock so
   *  tests and simulations stay deterministic. Since ABI 1.0. */
  int64_t (*now_ns)(void* host);

  /** Counts the sessions the host knows for `customer`, into *count.
   *  Returns OMNI_OK; OMNI_ERR_UNSUPPORTED when the host has no session view in this context
   *  (e.g. outside a policy check); OMNI_ERR_INVALID_ARGUMENT when count is NULL.
   *  Since ABI 1.0. */
  omni_status (*customer_session_count)(void* host, uint64_t customer, size_t* count);

  /** Copies up to `capacity` of the customer's sessions into `out`, an array whose elements are
   *  `element_size` bytes apart (pass sizeof(omni_session_info)); the host fills the fields that
   *  both sides know and sets each element's struct_size to the bytes it filled,
   *  min(element_size, the host's sizeof(omni_session_info)). Sets *total to the
   *  number of sessions (which may exceed capacity: call again with more room).
   *  OWNERSHIP: `out` belongs to the plugin. Returns as customer_session_count.
   *  Since ABI 1.0. */
  omni_status (*customer_sessions)(void* host, uint64_t customer, omni_session_info* out,
                                   size_t capacity, size_t element_size, size_t* total);

  /** Maps a customer's external id (the `customer` string an adapter puts in an
   *  omni_inbound_message: a wa_id, an Instagram-scoped id, a visitor id, a phone number) to the
   *  host's customer id, the uint64_t that omni_policy_request.customer and the session queries
   *  use, into *customer. `external_id` is `length` bytes, need not be NUL-terminated, and is not
   *  kept. The mapping is deterministic for the life of the host and never yields 0 (0 means "no
   *  customer"). omnikernel's own hosts (omni::runtime by default, and the simulator behind
   *  `omni run`) use FNV-1a-64 of the bytes, with 0 replaced by 1; other hosts may differ, which
   *  is why a plugin asks instead of hashing itself (docs/ABI.md, "Customer identity").
   *  Returns OMNI_OK; OMNI_ERR_INVALID_ARGUMENT when customer is NULL or the id is empty.
   *  Since ABI 1.1: absent (outside struct_size) in an ABI 1.0 host. */
  omni_status (*customer_id)(void* host, const char* external_id, size_t length,
                             uint64_t* customer);
} omni_host_services;

/* ---- channel adapters ---------------------------------------------------------------------- */

/** What an inbound event means for routing (omni_inbound_message.event). A host that called the
 *  ABI 1.0 parse() receives OMNI_EVENT_MESSAGE only: an adapter must not hand it the others,
 *  because such a host takes every message for a customer message. Since ABI 1.2. */
enum {
  OMNI_EVENT_MESSAGE = 0,  /**< a customer message: opens or extends the customer-service window
                                and may create work (the only event before ABI 1.2) */
  OMNI_EVENT_NOTICE = 1,   /**< the channel's notice about the customer (WhatsApp `system`: the
                                number or the user id changed): not written by the customer, so
                                it neither opens nor extends the window and creates no work; a
                                host logs or records it */
  OMNI_EVENT_EDIT = 2      /**< the customer edited an earlier message: `message_id` is the edited
                                message's id, `text` its new text. Updates that message; creates
                                no work and does not extend the window */
};

/** One normalized inbound event, as an adapter hands it to the host's sink: a customer message
 *  (before ABI 1.2 the only kind), or since ABI 1.2 a notice or an edit (see `event`).
 *  OWNERSHIP: every omni_str points into the payload or the adapter's memory and is valid only
 *  during the sink call; the host copies what it keeps. Absent text fields have size 0.
 *  VALIDATED: the host refuses a message (the sink returns non-OK and parse() fails with an error
 *  naming the field) whose struct_size is neither ABI 1.0's size nor a larger one the host knows,
 *  whose channel is not the adapter's name, whose customer is empty, whose timestamp_ms is
 *  negative (other than OMNI_NO_TIMESTAMP), whose event is not an OMNI_EVENT_* (or not
 *  OMNI_EVENT_MESSAGE for a host that called the ABI 1.0 parse()), or whose omni_str is NULL with
 *  a size or longer than the host accepts (omnikernel's runtime: 1 KiB per id field, 1 MiB of
 *  text, 64 bytes of language). A message of ABI 1.0's size is a customer message (OMNI_EVENT_MESSAGE). Since ABI 1.0. */
typedef struct omni_inbound_message {
  uint32_t struct_size;   /**< sizeof(omni_inbound_message) as the ADAPTER knows it */
  uint32_t reserved0;     /**< zero */
  omni_str channel;       /**< the adapter's plugin name, e.g. "whatsapp" (the host checks it) */
  omni_str customer;      /**< wa_id, Instagram-scoped id, visitor id; never empty */
  omni_str account;       /**< the business account that received the message */
  omni_str conversation;  /**< a key grouping the customer's messages on this account */
  omni_str message_id;    /**< the channel's message id */
  omni_str kind;          /**< text, image, audio, video, document, location, interactive, ... */
  omni_str text;          /**< body, caption or a short textual rendering; may be empty */
  int64_t timestamp_ms;   /**< when the customer sent it, ms since the Unix epoch (>= 0), or
                               OMNI_NO_TIMESTAMP when the channel gives the event no time */
  /* ---- ABI 1.2 ---- */
  int32_t event;          /**< OMNI_EVENT_*; absent (a 1.0/1.1 adapter) = OMNI_EVENT_MESSAGE.
                               Since ABI 1.2. */
  uint32_t reserved1;     /**< zero. Since ABI 1.2. */
  /* ---- ABI 1.3 ---- */
  omni_str language;      /**< the customer's language as the channel gives it, a BCP 47 tag
                               ("es", "pt-BR"); size 0 when the channel gives none (WhatsApp and
                               Instagram webhooks carry none; web chat sends the browser's).
                               Routing rules with a language condition match on it. The C++ SDK
                               writes it only to a host of ABI 1.3 or later, and sizes the struct
                               as ABI 1.2's for an older host, which would refuse a larger one.
                               Since ABI 1.3. */
} omni_inbound_message;

/** The host's callback that receives each normalized message of a payload, in payload order.
 *  Return OMNI_OK to go on; any other status makes the adapter stop and return that status from
 *  parse(). THREADING: called on the thread that called parse(). Since ABI 1.0. */
typedef omni_status (*omni_message_sink)(void* sink_ctx, const omni_inbound_message* message);

/** Why a part of a payload was refused (omni_message_rejection.code). Since ABI 1.2. */
enum {
  OMNI_REJECT_INVALID_JSON = 1,   /**< not JSON (the whole payload) */
  OMNI_REJECT_TOO_LARGE = 2,      /**< larger than the adapter's payload limit (the whole payload) */
  OMNI_REJECT_WRONG_OBJECT = 3,   /**< valid JSON, but not this channel's webhook (the whole payload) */
  OMNI_REJECT_MISSING_FIELD = 4,  /**< a required field is absent */
  OMNI_REJECT_WRONG_TYPE = 5,     /**< a field has the wrong JSON type */
  OMNI_REJECT_BAD_VALUE = 6,      /**< right type, unusable value (an empty id, a timestamp out of range) */
  OMNI_REJECT_OTHER = 7           /**< anything else; `detail` says what */
};

/** A part of a payload the adapter could not turn into a message: one message of a batch, or a
 *  whole entry or change that no message of can be read from, or (with an error status from
 *  parse_partial) the whole payload. Nothing is dropped silently: every part of a payload is
 *  either delivered to the message sink or reported here.
 *  OWNERSHIP: the omni_str are valid only during the sink call; the host copies what it keeps.
 *  VALIDATED: the host refuses a rejection whose struct_size is smaller than ABI 1.2's or larger
 *  than it knows, whose code is not an OMNI_REJECT_*, whose detail is empty, or whose omni_str is
 *  NULL with a size or longer than the host accepts (omnikernel's runtime: 1 KiB for path and
 *  message_id, 4 KiB of detail). Since ABI 1.2. */
typedef struct omni_message_rejection {
  uint32_t struct_size;  /**< sizeof(omni_message_rejection) as the ADAPTER knows it */
  int32_t code;          /**< OMNI_REJECT_* */
  omni_str path;         /**< where: the JSON path of the offending value, e.g.
                              "entry[0].changes[0].value.messages[3].type"; empty = the payload */
  omni_str detail;       /**< what is wrong there, e.g. "missing", "expected string, got number" */
  omni_str message_id;   /**< the refused message's id when it could be read, else empty */
} omni_message_rejection;

/** The host's callback that receives each rejected part of a payload (parse_partial). Return
 *  OMNI_OK to go on; any other status makes the adapter stop and return that status.
 *  THREADING: called on the thread that called parse_partial(). Since ABI 1.2. */
typedef omni_status (*omni_rejection_sink)(void* sink_ctx, const omni_message_rejection* rejection);

/** Kinds of outbound messages. Since ABI 1.0. */
enum {
  OMNI_OUTBOUND_FREE_FORM = 0,  /**< an agent's reply; only inside the customer-service window */
  OMNI_OUTBOUND_TEMPLATE = 1    /**< a pre-approved template (HSM); allowed outside the window */
};

/** Why an outbound message was refused (omni_outbound_verdict.reason). Since ABI 1.0. */
enum {
  OMNI_GATE_ALLOWED = 0,           /**< not refused */
  OMNI_GATE_WINDOW_CLOSED = 1,     /**< free-form outside the customer-service window */
  OMNI_GATE_NO_INBOUND = 2,        /**< free-form to a customer who never wrote */
  OMNI_GATE_EMPTY_TEXT = 3,        /**< nothing to send */
  OMNI_GATE_TEXT_TOO_LONG = 4,     /**< longer than the channel accepts */
  OMNI_GATE_UNSUPPORTED_KIND = 5,  /**< the channel has no such outbound kind */
  OMNI_GATE_OTHER = 6              /**< see the verdict's message */
};

/** No time known: value for omni_outbound_request.last_inbound_ms (no inbound message) and for
 *  omni_inbound_message.timestamp_ms (an event the channel sends without a time). Since ABI 1.0. */
#define OMNI_NO_TIMESTAMP INT64_MIN

/** An outbound message the host wants to send, for the adapter to gate.
 *  OWNERSHIP: strings are borrowed for the call; `text_out` is a caller-owned buffer of
 *  `text_out_capacity` bytes that receives the text as it must be sent (agent alias applied).
 *  Since ABI 1.0. */
typedef struct omni_outbound_request {
  uint32_t struct_size;     /**< sizeof(omni_outbound_request) as the HOST knows it */
  int32_t kind;             /**< OMNI_OUTBOUND_FREE_FORM or OMNI_OUTBOUND_TEMPLATE */
  omni_str customer;        /**< the recipient, as in omni_inbound_message.customer */
  int64_t last_inbound_ms;  /**< the customer's last inbound message (Unix ms) or OMNI_NO_TIMESTAMP */
  int64_t now_ms;           /**< the host's "now" (Unix ms) */
  uint32_t human_agent_tag; /**< non-zero: Instagram's HUMAN_AGENT tag (window of 7 days) */
  uint32_t reserved0;       /**< zero */
  omni_str text;            /**< the body the agent wrote, or the template's rendered text */
  omni_str agent_alias;     /**< the agent's alias (seed 001); empty = none */
  char* text_out;           /**< caller-owned output buffer */
  size_t text_out_capacity; /**< bytes available at text_out */
} omni_outbound_request;

/** The adapter's answer to gate_outbound.
 *  OWNERSHIP: `message` is a caller-owned buffer (NUL-terminated, truncated like omni_error).
 *  Since ABI 1.0. */
typedef struct omni_outbound_verdict {
  uint32_t struct_size;       /**< sizeof(omni_outbound_verdict) as the HOST knows it */
  uint32_t allowed;           /**< out: non-zero = send it */
  int32_t reason;             /**< out: OMNI_GATE_* (OMNI_GATE_ALLOWED when allowed) */
  uint32_t reserved0;         /**< zero */
  size_t text_length;         /**< out: bytes written to request->text_out (or needed, see below) */
  char* message;              /**< caller-owned buffer for a refusal explanation, may be NULL */
  size_t message_capacity;    /**< bytes available at message */
  size_t message_length;      /**< out: bytes written, excluding the NUL */
} omni_outbound_verdict;

/** The function table of a channel adapter. Static storage in the plugin, valid while the library
 *  is loaded. Since ABI 1.0. */
typedef struct omni_channel_adapter_vtable {
  uint32_t struct_size;  /**< sizeof(omni_channel_adapter_vtable) as the PLUGIN knows it */
  uint32_t reserved0;    /**< zero */

  /** Creates an instance from `config` (`config_length` bytes, e.g. JSON; may be empty).
   *  `host` stays valid until destroy(); the instance may keep it.
   *  OWNERSHIP: *instance belongs to the plugin; the host gives it back to destroy() exactly once.
   *  Returns OMNI_OK, OMNI_ERR_CONFIG (message in `error`), OMNI_ERR_OUT_OF_MEMORY, ...
   *  THREADING: any thread. Since ABI 1.0. */
  omni_status (*create)(const omni_host_services* host, const char* config, size_t config_length,
                        void** instance, omni_error* error);

  /** Destroys an instance created by create(). No other call on it may be running or follow.
   *  Since ABI 1.0. */
  void (*destroy)(void* instance);

  /** Parses one inbound webhook payload (`length` bytes) and calls `sink(sink_ctx, message)`
   *  once per customer message it holds (zero times for e.g. delivery statuses or echoes).
   *  Every message it delivers is an OMNI_EVENT_MESSAGE (notices and edits are ABI 1.2 events,
   *  which only parse_partial delivers).
   *  Returns OMNI_OK, OMNI_ERR_MALFORMED_PAYLOAD (message in `error`; messages already passed to
   *  the sink stay valid), or the sink's non-OK status.
   *  OWNERSHIP: the payload is borrowed for the call. THREADING: concurrent calls on one
   *  instance are allowed. Since ABI 1.0. */
  omni_status (*parse)(void* instance, const char* payload, size_t length, omni_message_sink sink,
                       void* sink_ctx, omni_error* error);

  /** Decides whether `request` may be sent now (the 24-hour customer-service window; templates
   *  outside it; 7 days with Instagram's human-agent tag) and writes the text to send, with the
   *  agent alias applied, into request->text_out. Fills `verdict`.
   *  Returns OMNI_OK whether allowed or refused (a refusal is an answer, not an error);
   *  OMNI_ERR_BUFFER_TOO_SMALL when text_out is too small (verdict->text_length = bytes needed);
   *  OMNI_ERR_INVALID_ARGUMENT for an unknown kind or NULL pointers.
   *  THREADING: concurrent calls on one instance are allowed. Since ABI 1.0. */
  omni_status (*gate_outbound)(void* instance, const omni_outbound_request* request,
                               omni_outbound_verdict* verdict, omni_error* error);

  /* ---- ABI 1.2 ---- */

  /** Parses one inbound webhook payload like parse(), but one bad part does not take the others
   *  down: each message that reads is passed to `sink` (customer messages, notices and edits:
   *  omni_inbound_message.event), and each part that does not — a message, or an entry or change
   *  whose messages cannot be read — is passed to `reject` with its JSON path and a typed code,
   *  and parsing goes on with the next part. Both sinks get `sink_ctx`.
   *  Returns OMNI_OK when the payload was read (whether or not parts of it were rejected: a host
   *  counts the `reject` calls); OMNI_ERR_MALFORMED_PAYLOAD when nothing of it can be read (not
   *  JSON, too large, not this channel's webhook, its envelope broken), after passing that one
   *  rejection (empty or top-level path) to `reject` and its text to `error`; or a sink's non-OK
   *  status.
   *  OWNERSHIP and THREADING: as parse(). NULL (or outside struct_size: a 1.0/1.1 adapter) when
   *  the adapter offers only parse(). Since ABI 1.2. */
  omni_status (*parse_partial)(void* instance, const char* payload, size_t length,
                               omni_message_sink sink, omni_rejection_sink reject, void* sink_ctx,
                               omni_error* error);
} omni_channel_adapter_vtable;

/* ---- policies ------------------------------------------------------------------------------ */

/** Decision points where the host consults policies. Mirrors omni::PolicyOp. Since ABI 1.0. */
enum {
  OMNI_POLICY_OPEN = 0,               /**< a new work item for a customer */
  OMNI_POLICY_TRANSFER = 1,           /**< an agent's transfer to a queue or an agent */
  OMNI_POLICY_TRANSFER_BY_TAG = 2,    /**< a host-driven transfer by tag */
  OMNI_POLICY_TRANSFER_BULK = 3,      /**< a supervisor's bulk management */
  OMNI_POLICY_OUTBOUND_TEMPLATE = 4,  /**< a template / HSM message to the customer */
  OMNI_POLICY_OUTBOUND_BROADCAST = 5  /**< a broadcast to the customer */
};

/** What the host asks a policy. Ids are the host's dense ids; OMNI_NO_ID when not applicable
 *  (e.g. to_queue of an outbound message). The customer's current sessions are available through
 *  omni_host_services.customer_sessions during the check() call.
 *  Since ABI 1.0. */
typedef struct omni_policy_request {
  uint32_t struct_size;  /**< sizeof(omni_policy_request) as the HOST knows it */
  int32_t op;            /**< OMNI_POLICY_* */
  uint64_t customer;     /**< the host's customer id; 0 = anonymous (no identity, never tracked).
                              See omni_host_services.customer_id for how it is derived. */
  uint32_t is_bot;       /**< non-zero: the session is (or would be) handled by a bot */
  uint32_t has_from;     /**< non-zero: transfers, from_item/from_queue are set */
  uint64_t from_item;    /**< the item being transferred */
  uint32_t from_queue;   /**< its current queue */
  uint32_t to_queue;     /**< destination queue, or OMNI_NO_ID */
  uint32_t to_service;   /**< destination service */
  uint32_t to_channel;   /**< destination service channel, or OMNI_NO_ID */
} omni_policy_request;

/** A policy's answer.
 *  OWNERSHIP: `reason` is a caller-owned buffer (NUL-terminated, truncated like omni_error).
 *  Since ABI 1.0. */
typedef struct omni_policy_verdict {
  uint32_t struct_size;    /**< sizeof(omni_policy_verdict) as the HOST knows it */
  uint32_t allow;          /**< out: non-zero = allowed */
  int32_t reason_code;     /**< out: policy-defined code of a refusal, 0 = none */
  uint32_t reserved0;      /**< zero */
  char* reason;            /**< caller-owned buffer for the refusal's reason text, may be NULL */
  size_t reason_capacity;  /**< bytes available at reason */
  size_t reason_length;    /**< out: bytes written, excluding the NUL */
} omni_policy_verdict;

/** The function table of a policy. Static storage in the plugin. Since ABI 1.0. */
typedef struct omni_policy_vtable {
  uint32_t struct_size;  /**< sizeof(omni_policy_vtable) as the PLUGIN knows it */
  uint32_t reserved0;    /**< zero */

  /** As omni_channel_adapter_vtable.create. Since ABI 1.0. */
  omni_status (*create)(const omni_host_services* host, const char* config, size_t config_length,
                        void** instance, omni_error* error);

  /** As omni_channel_adapter_vtable.destroy. Since ABI 1.0. */
  void (*destroy)(void* instance);

  /** Decides `request`. Must not block and should not allocate: the host calls it on its hot
   *  path. Returns OMNI_OK with the verdict filled (allowed or refused); any other status is an
   *  error the host treats as a refusal, with the message in `error`.
   *  THREADING: concurrent calls on one instance are allowed. Since ABI 1.0. */
  omni_status (*check)(void* instance, const omni_policy_request* request,
                       omni_policy_verdict* verdict, omni_error* error);
} omni_policy_vtable;

/* ---- the plugin descriptor and the entry symbol -------------------------------------------- */

/** Kinds of plugins. Since ABI 1.0. */
enum {
  OMNI_PLUGIN_KIND_CHANNEL_ADAPTER = 1,  /**< vtable is an omni_channel_adapter_vtable */
  OMNI_PLUGIN_KIND_POLICY = 2            /**< vtable is an omni_policy_vtable */
};

/** What a plugin tells the host about itself.
 *  Handshake: the host sets struct_size to the size it knows; the plugin writes only the bytes
 *  that fit in both, then sets struct_size to ITS OWN sizeof(omni_plugin_descriptor), so the host
 *  can refuse a plugin from a newer minor whose descriptor it cannot fully read.
 *  OWNERSHIP: name, version and vtable are static storage in the plugin, valid while the library
 *  stays loaded.
 *  FROZEN ACROSS MAJORS: struct_size and abi_version stay the first two fields in every ABI
 *  version, and the entry signature never changes, so any host can tell any plugin's version.
 *  Since ABI 1.0. */
typedef struct omni_plugin_descriptor {
  uint32_t struct_size;  /**< in: host's sizeof; out: plugin's sizeof */
  uint32_t abi_version;  /**< out: OMNI_ABI_VERSION the plugin was built with */
  int32_t kind;          /**< out: OMNI_PLUGIN_KIND_* */
  uint32_t reserved0;    /**< zero */
  const char* name;      /**< out: unique plugin name, NUL-terminated, [a-z0-9_.-]+ */
  const char* version;   /**< out: the plugin's own version, e.g. "1.2.3", NUL-terminated */
  const void* vtable;    /**< out: the kind's vtable, starts with its own uint32_t struct_size */
} omni_plugin_descriptor;

/** The handshake for plugins written in C: copies the bytes of `mine` that fit in the host's
 *  descriptor (min(descriptor->struct_size, sizeof *mine)), then sets descriptor->struct_size to
 *  mine->struct_size so the host knows how large the plugin's descriptor is. Since ABI 1.1
 *  (a static inline function: it works with any host). */
static inline void omni_descriptor_handshake(omni_plugin_descriptor* descriptor,
                                             const omni_plugin_descriptor* mine) {
  size_t n = descriptor->struct_size < sizeof *mine ? descriptor->struct_size : sizeof *mine;
  size_t i;
  for (i = 0; i < n; ++i) ((unsigned char*)descriptor)[i] = ((const unsigned char*)mine)[i];
  descriptor->struct_size = mine->struct_size;
}

/** The signature of the entry symbol. The host calls it once after loading the library, from one
 *  thread, before anything else. `host_abi_version` is the host's OMNI_ABI_VERSION; the plugin
 *  returns OMNI_ERR_ABI_MISMATCH when the majors differ. `services` stays valid until the host
 *  destroys the last instance it creates from this plugin.
 *  Returns OMNI_OK with `descriptor` filled, or an error status with a message in `error`
 *  (an initialization failure makes the host refuse the plugin). Since ABI 1.0. */
typedef omni_status (*omni_plugin_entry_fn)(const omni_host_services* services,
                                            uint32_t host_abi_version,
                                            omni_plugin_descriptor* descriptor,
                                            omni_error* error);

/** Every plugin defines exactly this function, exported with C linkage. The C++ SDK's
 *  OMNI_PLUGIN() macro defines it for you. Since ABI 1.0. */
OMNI_PLUGIN_EXPORT omni_status omni_plugin_entry(const omni_host_services* services,
                                                 uint32_t host_abi_version,
                                                 omni_plugin_descriptor* descriptor,
                                                 omni_error* error);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* OMNIKERNEL_SDK_OMNI_PLUGIN_H */
