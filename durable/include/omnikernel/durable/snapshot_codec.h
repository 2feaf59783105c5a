// The state a durable kernel's snapshots hold: its configuration (JSON, so that the journal
// holds it even after the segment with the config record is deleted) and its JournalModel.
// Binary, little-endian, versioned: a snapshot of an unknown version is refused with a clear
// error rather than misread. Version 2 adds the host table (host_table.h) at the end; version 1
// snapshots (no host table) are still read, as an empty table.
#pragma once
#include <cstddef>
#include <expected>
#include <span>
#include <string>
#include <vector>

#include "omnikernel/durable/host_table.h"
#include "omnikernel/durable/journal_model.h"

namespace omni::durable {

inline constexpr uint16_t kSnapshotVersion = 2;

struct SnapshotState {
  std::string config_json;  // config::write_config
  ModelData model;
  HostTable host;
};

[[nodiscard]] std::vector<std::byte> encode_snapshot(std::string_view config_json, const ModelData& model,
                                                    const HostTable& host = {});
[[nodiscard]] std::expected<SnapshotState, std::string> decode_snapshot(std::span<const std::byte> state);

}  // namespace omni::durable
