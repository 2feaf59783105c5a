// Runs a kernel on a journal directory, submits one chat, waits until it is durable (the moment a
// host may acknowledge it), closes, and opens the directory again: the chat is recovered.
// Usage: durable_host DIR (DIR must not hold another configuration's journal).
#include <chrono>
#include <cstdio>
#include <string>

#include <omnikernel/durable/durable_kernel.h>

namespace {

omni::Config one_queue() {
  omni::Config config;
  config.channels = {{.name = "chat"}};
  config.routing_configs = {{.name = "chat_routing"}};
  config.queues = {{.name = "support", .channel = "chat", .routing = "chat_routing"}};
  config.presence_configs = {{.name = "agents", .capacity = 2}};
  config.statuses = {{.name = "offline", .kind = omni::PresenceKind::offline}};
  // Offline: the chat waits in its queue, a state recovery keeps exactly.
  config.agents = {{.name = "ana", .presence_config = "agents", .queues = {"support"}, .status = "offline"}};
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace std::chrono_literals;
  if (argc != 2) return std::fprintf(stderr, "usage: durable_host DIR\n"), 2;
  const omni::Config config = one_queue();
  omni::SteadyClock clock;
  omni::ItemId id{};
  {
    auto dk = omni::durable::DurableKernel::open(argv[1], config, clock);
    if (!dk) return std::fprintf(stderr, "open: %s\n", dk.error().message.c_str()), 1;
    omni::Kernel& k = (*dk)->kernel();
    auto submitted = k.submit({.queue = *k.find_queue("support"), .customer = omni::CustomerId{42}});
    if (!submitted) return std::fprintf(stderr, "submit: %s\n", std::string(omni::to_string(submitted.error())).c_str()), 1;
    id = *submitted;
    omni::Event events[16];
    // One drainer thread does this in a real host; here one drain journals the submit.
    if (auto r = (*dk)->drain(events); r.status != omni::durable::DrainStatus::ok)
      return std::fprintf(stderr, "drain: %s\n", std::string(omni::durable::to_string(r.status)).c_str()), 1;
    if (!(*dk)->wait_durable(id, 10s)) return std::fprintf(stderr, "not durable\n"), 1;
    std::printf("item %llu durable\n", static_cast<unsigned long long>(omni::index(id)));
    if ((*dk)->close() != omni::journal::JournalStatus::ok) return std::fprintf(stderr, "close failed\n"), 1;
  }
  auto again = omni::durable::DurableKernel::open(argv[1], config, clock);
  if (!again) return std::fprintf(stderr, "reopen: %s\n", again.error().message.c_str()), 1;
  auto item = (*again)->kernel().item(id);
  if (!(*again)->recovered() || !item) return std::fprintf(stderr, "item %llu not recovered\n", static_cast<unsigned long long>(omni::index(id))), 1;
  std::printf("recovered %zu item(s): %llu %s customer %llu\n", (*again)->recovered_items(),
              static_cast<unsigned long long>(omni::index(id)), std::string(omni::to_string(item->state)).c_str(),
              static_cast<unsigned long long>(omni::index(item->customer)));
  return 0;
}
