// The journal records of a durable kernel (the journal's `type` field) and their binary payloads.
// Every payload is a fixed little-endian encoding (byte_io.h), never JSON or a struct's memory:
// the files outlive the build that wrote them. Layouts: docs/OPERATIONS.md "Recovery".
#pragma once
#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <vector>

#include "omnikernel/event.h"
#include "omnikernel/kernel.h"

namespace omni::durable {

enum class RecordType : uint16_t {
  config = 1,        // the whole Config as config::write_config JSON (first record of a journal)
  requirements = 2,  // a prepared requirement set: queue, skills, the id the kernel returned
  events = 3,        // a batch of kernel Events, in the order poll_events gave them
  restart = 4,       // a kernel was restored here: the shift applied (a snapshot follows)
  host = 5,          // a batch of the host's own put/erase operations (host_table.h)
};

[[nodiscard]] std::string_view to_string(RecordType t) noexcept;

// Bytes per encoded Event (fixed: a batch is a u32 count + count × this).
inline constexpr size_t kEventBytes = 48;

// Appends the batch encoding of `events` to `out` (cleared first).
void encode_events(std::span<const Event> events, std::vector<std::byte>& out);
// Decodes a batch; an error says what is wrong (a bad length or an out-of-range event type).
[[nodiscard]] std::expected<std::vector<Event>, std::string> decode_events(std::span<const std::byte> payload);

struct RequirementsRecord {
  QueueId queue{};
  std::vector<SkillRequirement> skills;
  RequirementsId id{};
};
[[nodiscard]] std::vector<std::byte> encode_requirements(const RequirementsRecord& r);
[[nodiscard]] std::expected<RequirementsRecord, std::string> decode_requirements(std::span<const std::byte> payload);

[[nodiscard]] std::vector<std::byte> encode_config_text(std::string_view json);
[[nodiscard]] std::expected<std::string, std::string> decode_config_text(std::span<const std::byte> payload);

struct RestartRecord {
  Duration shift{};  // added to every time of the old run
  Time at{};         // the new clock's time at the restore
};
[[nodiscard]] std::vector<std::byte> encode_restart(const RestartRecord& r);
[[nodiscard]] std::expected<RestartRecord, std::string> decode_restart(std::span<const std::byte> payload);

}  // namespace omni::durable
