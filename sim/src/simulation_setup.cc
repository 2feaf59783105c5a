// Building a Simulation: plugins, the kernel, the simulated queues and agents, the replays.
#include <algorithm>
#include <fstream>
#include <limits>

#include "arrival_process.h"
#include "simulation_impl.h"

namespace omni::sim {
namespace {

const PresenceConfigConfig* effective_presence(const Config& c, const AgentConfig& a) {
  std::string name = a.presence_config;  // user level wins over the profile's
  if (name.empty()) {
    for (const ProfileConfig& p : c.profiles) {
      if (p.name == a.profile) name = p.presence_config;
    }
  }
  for (const PresenceConfigConfig& p : c.presence_configs) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// Messages the channel sent without a time (OMNI_NO_TIMESTAMP, INT64_MIN) take the time of the
// message before them in the file, or of the first timed one when they lead.
void fill_missing_times(std::vector<internal::CustomerMessage>& messages) {
  constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();
  auto first = std::find_if(messages.begin(), messages.end(),
                            [](const auto& m) { return m.timestamp_ms != kNoTime; });
  int64_t last = first == messages.end() ? 0 : first->timestamp_ms;
  for (auto& m : messages) {
    if (m.timestamp_ms == kNoTime) m.timestamp_ms = last;
    last = m.timestamp_ms;
  }
}

}  // namespace

namespace internal {

std::expected<void, ConfigError> policy_unavailable(const Scenario& scenario, const std::string& name,
                                                    const std::string& why, std::vector<std::string>& notes) {
  if (!scenario.policies_fail_open.contains(name)) {
    return std::unexpected(ConfigError{"policies." + name, "policy plugin unavailable, and policies fail closed: " + why +
                                                               " (list it in policies_fail_open to run without it)"});
  }
  notes.push_back("policy \"" + name + "\" unavailable (" + why + "): not enforced (policies_fail_open)");
  return {};
}

}  // namespace internal

Simulation::Simulation(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Simulation::~Simulation() = default;

std::expected<std::unique_ptr<Simulation>, ConfigError> Simulation::create(Scenario scenario,
                                                                           const RunOptions& options) {
  if (options.seed) scenario.seed = *options.seed;
  if (options.duration) {
    if (*options.duration <= Duration::zero()) return std::unexpected(ConfigError{"duration", "must be > 0"});
    scenario.duration = *options.duration;
    if (scenario.warmup >= scenario.duration) scenario.warmup = Duration::zero();
  }
  auto impl = std::make_unique<Impl>();
  impl->scenario = std::move(scenario);
  impl->options = options;
  Impl& s = *impl;
  s.end = Time{s.scenario.duration};
  s.warmup = Time{s.scenario.warmup};
  s.timer_resolution = s.scenario.config.limits.timer_resolution;
  s.rng = Rng(s.scenario.seed);

  std::vector<std::filesystem::path> plugin_dirs = options.plugin_directories;
  if (plugin_dirs.empty() && !s.scenario.plugin_directory.empty()) {
    plugin_dirs.push_back(s.scenario.plugin_directory.is_absolute() ? s.scenario.plugin_directory
                                                                    : s.scenario.base_dir / s.scenario.plugin_directory);
  }
  internal::PluginLog plugin_log;
  if (options.plugin_log) {
    plugin_log = [log = options.plugin_log, threshold = options.plugin_log_level](
                     int level, std::string_view plugin, std::string_view message) {
      if (level >= threshold) log(level, plugin, message);
    };
  }
  Impl* self = impl.get();
  auto loaded = internal::load_plugins(s.scenario, plugin_dirs, s.clock,
                                       [self](CustomerId customer, std::span<SessionInfo> out) -> size_t {
                                         return self->kernel ? self->kernel->sessions_of(customer, out) : 0;
                                       },
                                       std::move(plugin_log));
  if (!loaded) return std::unexpected(loaded.error());
  s.plugins = std::move(loaded->plugins);
  s.notes = std::move(loaded->notes);

  if (s.options.kernel_host) {
    auto kernel = s.options.kernel_host->create(s.scenario.config, s.clock, s.plugins->policies());
    if (!kernel) return std::unexpected(kernel.error());
    s.kernel = *kernel;
  } else {
    auto kernel = Kernel::create(s.scenario.config, s.clock, s.plugins->policies());
    if (!kernel) return std::unexpected(kernel.error());
    s.owned_kernel = std::move(*kernel);
    s.kernel = s.owned_kernel.get();
  }

  if (auto built = s.build_models(); !built) return std::unexpected(built.error());
  if (auto prepared = s.prepare_requirements(); !prepared) return std::unexpected(prepared.error());
  if (auto replays = s.load_replays(); !replays) return std::unexpected(replays.error());
  s.schedule_start();
  return std::unique_ptr<Simulation>(new Simulation(std::move(impl)));
}

std::expected<void, ConfigError> Simulation::Impl::build_models() {
  const Config& c = scenario.config;
  for (size_t i = 0; i < c.statuses.size(); ++i) {
    if (auto id = kernel->find_status(c.statuses[i].name)) {
      const size_t index = omni::index(*id);
      if (status_kinds.size() <= index) status_kinds.resize(index + 1);
      status_kinds[index] = c.statuses[i].kind;
    }
  }
  for (const QueueConfig& qc : c.queues) {
    QueueModel q;
    q.name = qc.name;
    q.channel = qc.channel;
    q.id = *kernel->find_queue(qc.name);
    q.channel_id = *kernel->find_channel(qc.channel);
    for (const RoutingConfig& r : c.routing_configs) {
      if (r.name == qc.routing) q.push_timeout = r.push_timeout;
    }
    q.overflow_after = qc.overflow_after;
    q.max_wait = qc.max_wait;
    for (const ServiceChannelConfig& ch : c.channels) {
      if (ch.name == qc.channel) q.paused_values = ch.paused_values;
    }
    queues.push_back(std::move(q));
  }
  live = std::make_unique<LiveCounters[]>(queues.size());
  for (size_t i = 0; i < scenario.arrivals.size(); ++i) {
    const auto it = std::find_if(queues.begin(), queues.end(),
                                 [&](const QueueModel& q) { return q.name == scenario.arrivals[i].queue; });
    stream_queue.push_back(static_cast<uint32_t>(it - queues.begin()));
    stream_rngs.push_back(rng.fork(1000 + i));
    AgentId preferred = kNoAgent;
    if (const std::string& name = scenario.arrivals[i].preferred_agent; !name.empty()) {
      const auto id = kernel->find_agent(name);
      if (!id) {
        return std::unexpected(ConfigError{scenario.arrivals[i].path + ".preferred_agent",
                                           "the kernel does not know agent \"" + name + "\""});
      }
      preferred = *id;
    }
    stream_preferred.push_back(preferred);
  }

  agents.resize(c.agents.size());
  for (const AgentConfig& ac : c.agents) {
    const auto id = kernel->find_agent(ac.name);
    if (!id || omni::index(*id) >= agents.size()) {
      return std::unexpected(ConfigError{"agents", "the kernel does not know agent \"" + ac.name + "\""});
    }
    AgentModel& a = agents[omni::index(*id)];
    a.id = *id;
    a.name = ac.name;
    a.profile = ac.profile;
    a.behaviour = &scenario.behaviour_of(ac);
    a.presence = effective_presence(c, ac);
    a.rng = rng.fork(omni::index(*id));
    a.report.name = ac.name;
    a.report.profile = ac.profile;
    if (a.presence != nullptr) {
      for (const DeclineReasonWeight& w : a.behaviour->decline_reasons) {
        if (auto reason = kernel->find_decline_reason(a.id, w.reason)) {
          a.decline_choices.push_back({*reason, w.reason, w.weight});
        }
      }
    }
    if (auto snapshot = kernel->agent(a.id)) {
      observe(a, *snapshot);
      if (a.available) a.home = snapshot->status;
    }
  }
  return {};
}

// Each stream's skill requirements, prepared in the kernel once per distinct set and queue (the
// kernel gives the same set the same id, whatever the order it was written in).
std::expected<void, ConfigError> Simulation::Impl::prepare_requirements() {
  stream_requirements.assign(scenario.arrivals.size(), -1);
  for (size_t i = 0; i < scenario.arrivals.size(); ++i) {
    const ArrivalStream& stream = scenario.arrivals[i];
    if (stream.requirements.empty()) continue;
    std::vector<SkillRequirement> skills;
    for (size_t k = 0; k < stream.requirements.size(); ++k) {
      const SkillRequirementSpec& r = stream.requirements[k];
      const auto skill = kernel->find_skill(r.skill);
      if (!skill) {
        return std::unexpected(ConfigError{stream.path + ".requirements[" + std::to_string(k) + "].skill",
                                           "unknown skill \"" + r.skill + "\""});
      }
      skills.push_back({*skill, static_cast<uint8_t>(r.min_level), r.drop_after});
    }
    const uint32_t q = stream_queue[i];
    const Result<RequirementsId> id = options.kernel_host ? options.kernel_host->prepare_requirements(queues[q].id, skills)
                                                          : kernel->prepare_requirements(queues[q].id, skills);
    if (!id) {
      std::string reason = "the kernel refused the requirement set: " + std::string(to_string(id.error()));
      if (id.error() == Status::requirements_exhausted) {
        reason += " (more distinct requirement sets, or the broader sets their optional skills drop to, than "
                  "limits.max_requirement_sets = " + std::to_string(scenario.config.limits.max_requirement_sets) + ")";
      }
      return std::unexpected(ConfigError{stream.path + ".requirements", reason});
    }
    auto same = std::find_if(requirement_sets.begin(), requirement_sets.end(),
                             [&](const RequirementSetModel& m) { return m.id == *id; });
    if (same == requirement_sets.end()) {
      RequirementSetModel m;
      m.id = *id;
      m.queue = q;
      m.skills = stream.requirements;
      for (const SkillRequirementSpec& r : stream.requirements) {
        if (r.drop_after > Duration::zero()) m.drop_after.push_back(r.drop_after);
      }
      std::sort(m.drop_after.begin(), m.drop_after.end());
      same = requirement_sets.insert(requirement_sets.end(), std::move(m));
    }
    stream_requirements[i] = static_cast<int32_t>(same - requirement_sets.begin());
  }
  return {};
}

std::expected<void, ConfigError> Simulation::Impl::load_replays() {
  replays.resize(scenario.arrivals.size());
  for (size_t s = 0; s < scenario.arrivals.size(); ++s) {
    const ArrivalStream& stream = scenario.arrivals[s];
    if (stream.replay_file.empty()) continue;
    const std::filesystem::path file =
        stream.replay_file.is_absolute() ? stream.replay_file : scenario.base_dir / stream.replay_file;
    std::ifstream in(file);
    if (!in) return std::unexpected(ConfigError{stream.path + ".replay", "cannot open " + file.string()});
    std::vector<internal::CustomerMessage> messages;
    std::string line;
    for (size_t number = 1; std::getline(in, line); ++number) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto parsed = plugins->parse(stream.adapter, line);
      if (!parsed) {
        return std::unexpected(ConfigError{file.string() + ":" + std::to_string(number), parsed.error()});
      }
      messages.insert(messages.end(), parsed->begin(), parsed->end());
    }
    fill_missing_times(messages);
    std::stable_sort(messages.begin(), messages.end(),
                     [](const auto& a, const auto& b) { return a.timestamp_ms < b.timestamp_ms; });
    const int64_t first = messages.empty() ? 0 : messages.front().timestamp_ms;
    for (const auto& m : messages) {
      replays[s].push_back({std::chrono::milliseconds(m.timestamp_ms - first), m.customer,
                            internal::customer_hash(m.channel + "\n" + m.conversation)});
    }
    if (replays[s].empty()) {
      notes.push_back(stream.path + ": " + file.string() + " holds no customer message");
    }
  }
  return {};
}

void Simulation::Impl::schedule_start() {
  using internal::ActionKind;
  for (uint32_t s = 0; s < scenario.arrivals.size(); ++s) {
    if (!replays[s].empty()) {
      for (uint64_t k = 0; k < replays[s].size(); ++k) {
        calendar.schedule(Time{replays[s][k].offset}, ActionKind::replay, s, k);
      }
    } else if (auto first = internal::next_arrival(scenario.arrivals[s].rate, Time{}, end, stream_rngs[s])) {
      calendar.schedule(*first, ActionKind::arrival, s);
    }
  }
  for (AgentModel& a : agents) {
    if (!a.home) continue;
    for (uint64_t j = 0; j < a.behaviour->breaks.size(); ++j) {
      calendar.schedule(Time{a.behaviour->breaks[j].every.sample(a.rng)}, ActionKind::break_start,
                        omni::index(a.id), j);
    }
  }
  calendar.schedule(Time{scenario.tick_interval}, ActionKind::tick, 0, /*cadence=*/1);
  calendar.schedule(Time{}, ActionKind::sample);
}

// ---- observation ------------------------------------------------------------------------------

Report Simulation::run() { return impl_->run(); }
void Simulation::stop() noexcept { impl_->stop_requested.store(true, std::memory_order_relaxed); }
const Kernel& Simulation::kernel() const noexcept { return *impl_->kernel; }
const Scenario& Simulation::scenario() const noexcept { return impl_->scenario; }
Time Simulation::now() const noexcept { return impl_->clock.now(); }
Duration Simulation::duration() const noexcept { return impl_->scenario.duration; }
bool Simulation::finished() const noexcept { return impl_->finished.load(std::memory_order_acquire); }

QueueProgress Simulation::progress(size_t queue) const noexcept {
  QueueProgress p;
  if (queue >= impl_->queues.size()) return p;
  const LiveCounters& c = impl_->live[queue];
  p.offered = c.offered.load(std::memory_order_relaxed);
  p.answered = c.answered.load(std::memory_order_relaxed);
  p.answered_within_threshold = c.within.load(std::memory_order_relaxed);
  p.abandoned = c.abandoned.load(std::memory_order_relaxed);
  p.expired = c.expired.load(std::memory_order_relaxed);
  return p;
}

std::vector<AgentId> Simulation::agent_ids() const {
  std::vector<AgentId> out;
  for (const AgentModel& a : impl_->agents) out.push_back(a.id);
  return out;
}

std::vector<QueueId> Simulation::queue_ids() const {
  std::vector<QueueId> out;
  for (const QueueModel& q : impl_->queues) out.push_back(q.id);
  return out;
}

}  // namespace omni::sim
