// A small but complete configuration used by the loader tests.
#pragma once

namespace omni::config::testing {

inline constexpr const char* kSampleConfig = R"({
  "$comment": "two channels, two queues, one profile",
  "skills": ["English", "Spanish", "Billing"],
  "channels": [
    {"name": "chat", "paused_values": ["Waiting for customer"]},
    {"name": "whatsapp", "paused_values": ["Paused"], "interruptible": false}
  ],
  "routing_configs": [
    {"name": "standard", "priority": 2, "model": "least_active", "push_timeout": "30s", "size": 1,
     "skills_based": true}
  ],
  "queues": [
    {"name": "chat_sales", "channel": "chat", "routing": "standard", "service": "sales"},
    {"name": "wa_support", "channel": "whatsapp", "max_waiting": 4096,
     "routing": {"priority": 1, "model": "most_available", "size": "50%"}}
  ],
  "presence_configs": [
    {"name": "chat_pc", "capacity": 3, "allow_decline": true, "status_on_decline": "Away",
     "decline_reasons": ["busy", "wrong skill"], "status_on_push_timeout": "Away",
     "missed_delay": 10, "wrap_up": "45s", "resume_rule": "refuse",
     "transfer_destinations": {"queues": ["wa_support"], "flows": ["bot"]}}
  ],
  "statuses": [
    {"name": "Offline", "kind": "offline"},
    {"name": "Available", "kind": "online", "channels": ["chat", "whatsapp"]},
    {"name": "Away", "kind": "away"},
    {"name": "Lunch", "kind": "pause", "pause_cause": "lunch"}
  ],
  "profiles": [{"name": "agent", "presence_config": "chat_pc",
                "skills": [{"skill": "English", "level": 8}, {"skill": "Billing", "level": 4}]}],
  "agents": [
    {"name": "alice", "profile": "agent", "queues": ["chat_sales"], "status": "Available",
     "skills": [{"skill": "Spanish", "level": 6}, {"skill": "Billing", "level": 9}]},
    {"profile": "agent", "count": 3, "queues": ["chat_sales", "wa_support"], "status": "Available",
     "skills": [{"skill": "English", "level": 3}]}
  ],
  "limits": {"max_items": 1000, "timer_resolution": "5ms", "max_requirement_sets": 16}
})";

}  // namespace omni::config::testing
