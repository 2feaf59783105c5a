#include "simultaneous_sessions_policy.h"

#include <array>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace omni::plugins {
namespace {

using omni::sdk::PolicyOp;
using omni::sdk::PolicyVerdict;
using omni::sdk::SessionInfo;

constexpr std::string_view kFlag = "allow_simultaneous_sessions";

bool parse_flag(std::string_view config) {
  if (config.find_first_not_of(" \t\r\n") == std::string_view::npos) return false;
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(config.begin(), config.end());
  } catch (const nlohmann::json::parse_error& e) {
    throw omni::sdk::ConfigError("config: not valid JSON (" + std::string(e.what()) + ")");
  }
  if (!json.is_object()) throw omni::sdk::ConfigError("config: expected a JSON object");
  bool flag = false;
  for (const auto& [key, value] : json.items()) {
    if (key != kFlag)
      throw omni::sdk::ConfigError("config." + key + ": unknown key (the only key is " +
                                   std::string(kFlag) + ")");
    if (!value.is_boolean())
      throw omni::sdk::ConfigError("config." + key + ": expected true or false, got " +
                                   value.dump());
    flag = value.get<bool>();
  }
  return flag;
}

bool is_transfer(PolicyOp op) {
  return op == PolicyOp::transfer || op == PolicyOp::transfer_by_tag ||
         op == PolicyOp::transfer_bulk;
}

}  // namespace

SimultaneousSessionsPolicy::SimultaneousSessionsPolicy(omni::sdk::Host host,
                                                       std::string_view config)
    : host_(host), allow_(parse_flag(config)) {
  host_.log(omni::sdk::LogLevel::debug, allow_ ? "simultaneous sessions allowed"
                                               : "one session per customer");
}

PolicyVerdict SimultaneousSessionsPolicy::check(const omni::sdk::PolicyRequest& request) {
  const bool outbound =
      request.op == PolicyOp::outbound_template || request.op == PolicyOp::outbound_broadcast;
  if (outbound && allow_) return PolicyVerdict::allowed();  // no session query needed

  // A customer rarely has more than a handful of sessions: the stack buffer is the usual case.
  std::array<SessionInfo, 32> local;  // not zeroed: the host fills what it reports
  std::vector<SessionInfo> large;
  std::span<SessionInfo> sessions = local;
  auto total = host_.sessions(request.customer, sessions);
  if (total && *total > sessions.size()) {
    large.resize(*total);
    sessions = large;
    total = host_.sessions(request.customer, sessions);
  }
  if (!total)
    return PolicyVerdict::refused(
        "the host cannot tell the customer's current sessions, so the simultaneous-sessions "
        "policy cannot allow this",
        kSessionsUnavailable);
  sessions = sessions.first(std::min(*total, sessions.size()));

  bool any_other = false, same_service = false, same_queue = false;
  for (const SessionInfo& s : sessions) {
    // A transfer moves one of these sessions: it is not a duplicate of itself.
    if (request.has_from && s.item == request.from_item) continue;
    any_other = true;
    if (s.service == request.to_service) same_service = true;
    if (request.to_queue != omni::sdk::kNoId && s.queue == request.to_queue) same_queue = true;
  }

  if (outbound) {  // flag off here
    if (same_service)
      return PolicyVerdict::refused(
          "the customer is already in a session at the destination service; templates (HSM) and "
          "broadcasts to them are blocked while simultaneous sessions are not allowed",
          kOutboundDuringSession);
    return PolicyVerdict::allowed();
  }
  if (request.op == PolicyOp::open && !allow_ && any_other)
    return PolicyVerdict::refused(
        "the customer already has an active session; simultaneous sessions of the same customer "
        "are not allowed",
        kAlreadyInSession);
  if (same_service)
    return PolicyVerdict::refused(
        is_transfer(request.op)
            ? "the customer already has an active session in the destination service"
            : "the customer already has an active session in this service",
        kDuplicateService);
  if (allow_ && same_queue)
    return PolicyVerdict::refused(
        is_transfer(request.op)
            ? "the customer already has an active session in the destination queue"
            : "the customer already has an active session in this queue",
        kDuplicateQueue);
  return PolicyVerdict::allowed();
}

}  // namespace omni::plugins
