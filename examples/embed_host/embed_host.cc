// Embeds the kernel, loads a policy plugin, routes one chat to one agent, and shows the policy
// refusing the same customer's second session. Usage: embed_host <policy plugin file> [config]
#include <cstdio>
#include <string>

#include <omnikernel/kernel.h>
#include <omnikernel/runtime/plugin_loader.h>

int main(int argc, char** argv) {
  if (argc < 2) return std::fprintf(stderr, "usage: embed_host PLUGIN [CONFIG]\n"), 2;
  omni::runtime::PluginLoader loader;
  auto plugin = loader.load_file(argv[1]);
  if (!plugin) return std::fprintf(stderr, "%s\n", plugin.error().message().c_str()), 1;
  auto policy = loader.create_policy((*plugin)->name(), argc > 2 ? argv[2] : "");
  if (!policy) return std::fprintf(stderr, "%s\n", policy.error().text().c_str()), 1;

  omni::Config config;
  config.channels = {{.name = "chat"}};
  config.routing_configs = {{.name = "chat_routing"}};
  config.queues = {{.name = "support", .channel = "chat", .routing = "chat_routing"}};
  config.presence_configs = {{.name = "agents", .capacity = 2}};
  config.statuses = {{.name = "online", .kind = omni::PresenceKind::online, .channels = {"chat"}}};
  config.agents = {{.name = "ana", .presence_config = "agents", .queues = {"support"}, .status = "online"}};
  omni::ManualClock clock;
  omni::PolicyHook* hooks[] = {policy->get()};
  auto kernel = omni::Kernel::create(config, clock, hooks);
  if (!kernel) return std::fprintf(stderr, "config: %s\n", kernel.error().message().c_str()), 1;

  omni::SubmitRequest chat{.queue = *(*kernel)->find_queue("support"), .customer = omni::CustomerId{42}};
  auto first = (*kernel)->submit(chat);
  if (!first) {  // e.g. a policy refusing every open: an answer, not a crash
    std::printf("first chat: %s (%s)\n", std::string(omni::to_string(first.error())).c_str(),
                std::string(omni::Kernel::last_policy_reason()).c_str());
    return 0;
  }
  auto item = (*kernel)->item(*first);
  std::printf("first chat: %s to agent %u\n", std::string(omni::to_string(item->state)).c_str(),
              omni::index(item->agent));
  auto second = (*kernel)->submit(chat);
  std::printf("second chat of the same customer: %s (%s)\n",
              second ? "accepted" : std::string(omni::to_string(second.error())).c_str(),
              std::string(omni::Kernel::last_policy_reason()).c_str());
  return 0;
}
