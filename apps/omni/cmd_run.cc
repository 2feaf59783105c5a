// `omni run [FILE]`: simulate a contact centre on the real kernel and plugins (docs/SIMULATOR.md).
// Without FILE, the default scenario compiled into the binary. Exit status 2 on a bad scenario,
// including a policy plugin that cannot be loaded (policies fail closed; see policies_fail_open),
// and on a bad --seed, --duration or --speed (the message names the option and why).
// Plugins' log lines at --plugin-log LEVEL or above (default: error) go to stderr.
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <csignal>
#include <cstdio>
#include <expected>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "command.h"
#include "journal_host.h"
#include "omnikernel/config/duration.h"
#include "omnikernel/sim/default_scenario.h"
#include "omnikernel/sim/live_view.h"
#include "omnikernel/sim/report.h"
#include "omnikernel/sim/scenario.h"
#include "omnikernel/sim/simulation.h"

namespace {

struct RunArgs {
  std::string file;
  std::optional<std::string> seed;      // checked by parse_seed
  std::optional<std::string> duration;  // checked by parse_duration_option
  std::optional<std::string> explain;   // checked by parse_explain
  bool realtime = false;
  double speed = 0;
  bool quiet = false;
  bool no_live = false;
  bool fast = false;
  std::string json;
  std::string csv;
  std::string plot;
  std::vector<std::string> plugins;
  std::string plugin_log = "error";
  std::string journal;  // --journal DIR: run through a DurableKernel
};

// --plugin-log: the OMNI_LOG_* threshold, or none for "off".
std::optional<int> plugin_log_level(const std::string& name) {
  if (name == "debug") return 0;
  if (name == "info") return 1;
  if (name == "warn") return 2;
  if (name == "error") return 3;
  return std::nullopt;
}

// --duration: seconds (3600, 0.5), as docs/SIMULATOR.md shows, or a duration with units as in
// configuration files (90m, 2h, 1h30m). The reason on failure, for "omni run: --duration: …".
std::expected<omni::Duration, std::string> parse_duration_option(const std::string& text) {
  const std::string invalid = "invalid duration \"" + text +
                              "\": use seconds (3600, 0.5) or a number with a unit (30s, 500ms, 90m, 2h, 1h30m, 1d)";
  const std::string not_positive = "must be > 0 (got \"" + text + "\")";
  if (text.starts_with('-')) return std::unexpected(not_positive);
  std::expected<omni::Duration, std::string> d;
  if (!text.empty() && text.find_first_not_of("0123456789.") == std::string::npos) {
    double seconds = 0;
    const char* last = text.data() + text.size();
    auto [end, ec] = std::from_chars(text.data(), last, seconds, std::chars_format::fixed);
    if (ec != std::errc{} || end != last) return std::unexpected(invalid);
    d = omni::config::duration_from_seconds(seconds);
  } else {
    d = omni::config::parse_duration(text);
  }
  if (!d) {
    if (d.error() == "duration is too large") return std::unexpected("\"" + text + "\" is too large");
    return std::unexpected(invalid);
  }
  if (*d <= omni::Duration::zero()) return std::unexpected(not_positive);
  return *d;
}

// --seed: a whole number the scenario's "seed" could hold too (0 … 2^63 − 1), never wrapped
// around ("-1" is not 2^64 − 1).
std::expected<uint64_t, std::string> parse_seed(const std::string& text) {
  constexpr uint64_t kMax = INT64_MAX;
  uint64_t seed = 0;
  const char* last = text.data() + text.size();
  auto [end, ec] = std::from_chars(text.data(), last, seed);  // no sign, no spaces
  if (text.empty() || ec != std::errc{} || end != last || seed > kMax) {
    return std::unexpected("must be an integer from 0 to " + std::to_string(kMax) + ", got \"" + text + "\"");
  }
  return seed;
}

// --explain N: the N-th arrival of the run, counted from 1 as the report's "offered" counts them
// (warm-up included).
std::expected<uint64_t, std::string> parse_explain(const std::string& text) {
  uint64_t n = 0;
  const char* last = text.data() + text.size();
  auto [end, ec] = std::from_chars(text.data(), last, n);
  if (text.empty() || ec != std::errc{} || end != last || n == 0 || n > static_cast<uint64_t>(INT64_MAX)) {
    return std::unexpected("must be the number of an arrival, 1 for the first, got \"" + text + "\"");
  }
  return n;
}

std::atomic<omni::sim::Simulation*> g_running{nullptr};

extern "C" void stop_on_signal(int) {
  // Only an atomic store: safe in a signal handler. The run ends and its report is printed.
  if (auto* sim = g_running.load()) sim->stop();
}

[[noreturn]] void exit_with(int status) { throw CLI::RuntimeError(status); }

// "omni run: FILE: field: reason", without naming FILE twice when the field already does
// (JSON syntax errors are "FILE:line:column").
[[noreturn]] void bad_scenario(const std::string& source, const omni::ConfigError& error) {
  const std::string message = error.message();
  if (message.starts_with(source)) {
    std::fprintf(stderr, "omni run: %s\n", message.c_str());
  } else {
    std::fprintf(stderr, "omni run: %s: %s\n", source.c_str(), message.c_str());
  }
  exit_with(2);
}

void run(const RunArgs& args) {
  // The options first: a mistake in them is reported before the scenario is read.
  omni::sim::RunOptions options;
  if (args.seed) {
    auto seed = parse_seed(*args.seed);
    if (!seed) {
      std::fprintf(stderr, "omni run: --seed: %s\n", seed.error().c_str());
      exit_with(2);
    }
    options.seed = *seed;
  }
  if (args.duration) {
    auto d = parse_duration_option(*args.duration);
    if (!d) {
      std::fprintf(stderr, "omni run: --duration: %s\n", d.error().c_str());
      exit_with(2);
    }
    options.duration = *d;
  }
  if (args.explain) {
    auto n = parse_explain(*args.explain);
    if (!n) {
      std::fprintf(stderr, "omni run: --explain: %s\n", n.error().c_str());
      exit_with(2);
    }
    options.explain_item = *n;
  }
  auto scenario = args.file.empty()
                      ? omni::sim::load_scenario_text(omni::sim::default_scenario_json(), "default scenario")
                      : omni::sim::load_scenario_file(args.file);
  const std::string source = args.file.empty() ? "default scenario" : args.file;
  if (!scenario) bad_scenario(source, scenario.error());
  if (args.speed < 0) {
    std::fprintf(stderr, "omni run: --speed: must be > 0\n");
    exit_with(2);
  }
  options.speed = args.speed > 0 ? args.speed : (args.realtime ? 1.0 : 0.0);
  options.plugin_directories = omni::cli::plugin_directories(args.plugins);
  if (args.plugin_log != "off") {
    options.plugin_log_level = *plugin_log_level(args.plugin_log);
    options.plugin_log = [](int level, std::string_view plugin, std::string_view message) {
      static constexpr const char* kLevels[] = {"debug", "info", "warning", "error"};
      std::fprintf(stderr, "omni run: plugin %.*s %s: %.*s\n", static_cast<int>(plugin.size()), plugin.data(),
                   kLevels[level < 0 || level > 3 ? 3 : level], static_cast<int>(message.size()), message.data());
    };
  }
  const bool live = !args.quiet && !args.no_live && isatty(fileno(stdout));
  if (live && options.speed == 0 && !args.fast) {
    // Unpaced, a run ends before the first frame: pace it to last about kLiveSeconds so the
    // supervisor view can be watched. --fast opts out.
    constexpr double kLiveSeconds = 6.0;
    const omni::Duration d = options.duration.value_or(scenario->duration);
    options.speed = std::chrono::duration<double>(d).count() / kLiveSeconds;
  }

  std::shared_ptr<omni::cli::JournalHost> journal;
  if (!args.journal.empty()) {
    journal = std::make_shared<omni::cli::JournalHost>(args.journal);
    options.kernel_host = journal;
  }
  auto simulation = omni::sim::Simulation::create(std::move(*scenario), options);
  if (!simulation) bad_scenario(source, simulation.error());
  omni::sim::Simulation& sim = **simulation;
  g_running.store(&sim);
  auto previous = std::signal(SIGINT, stop_on_signal);

  std::optional<omni::sim::LiveView> view;
  if (live) view.emplace(sim);
  const omni::sim::Report report = sim.run();
  if (view) view->stop();
  std::signal(SIGINT, previous);
  g_running.store(nullptr);

  omni::sim::print_report(report, std::cout);
  std::cout.flush();
  int status = 0;
  auto check = [&](const std::expected<void, std::string>& written, const char* what) {
    if (!written) {
      std::fprintf(stderr, "omni run: %s: %s\n", what, written.error().c_str());
      status = 1;
    }
  };
  if (!args.json.empty()) check(omni::sim::write_report_json(report, args.json), "--json");
  if (!args.csv.empty()) check(omni::sim::write_report_csv(report, args.csv), "--csv");
  if (!args.plot.empty()) check(omni::sim::write_report_svg(report, args.plot), "--plot");
  if (journal) {
    const std::string failure = journal->finish();
    if (!failure.empty()) {
      std::fprintf(stderr, "omni run: --journal %s: %s\n", args.journal.c_str(), failure.c_str());
      status = 1;
    } else if (!args.quiet) {
      std::fprintf(stderr, "omni run: journaled to %s (durable up to record %llu)\n", args.journal.c_str(),
                   static_cast<unsigned long long>(journal->durable()->durable_lsn()));
    }
  }
  if (status != 0) exit_with(status);
}

const omni::cli::CommandRegistrar reg{+[](CLI::App& root) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* c = root.add_subcommand(
      "run", "Simulate a contact centre on the real kernel and plugins; without FILE, the built-in default scenario");
  c->add_option("FILE", args->file, "scenario file (JSON, see docs/SIMULATOR.md)");
  c->add_option("--seed", args->seed,
                "random seed, 0 to 9223372036854775807 (overrides the scenario's); same seed, same run");
  c->add_option("--duration", args->duration,
                "simulated time: seconds (3600) or with a unit (90m, 2h, 1h30m); overrides the scenario's");
  c->add_option("--explain", args->explain,
                "explain the N-th arrival (1 = the first): every agent and why it was or was not offered the item, "
                "right after its submit; in the report and under \"explain\" in --json");
  c->add_flag("--realtime", args->realtime, "pace simulated time by the wall clock");
  c->add_option("--speed", args->speed, "pace at X simulated seconds per wall second (implies --realtime)");
  c->add_flag("-q,--quiet", args->quiet, "print nothing until the report");
  c->add_flag("--no-live", args->no_live, "no live supervisor view even on a terminal");
  c->add_flag("--fast", args->fast,
              "with the live view, run as fast as possible (by default it is paced to last ~6 s)");
  c->add_option("--json", args->json, "write the report as JSON to this file");
  c->add_option("--csv", args->csv, "write the report as CSV files into this directory");
  c->add_option("--plot", args->plot, "write queue depth and service level over time as SVG to this file");
  omni::cli::add_plugins_option(*c, args->plugins);
  c->add_option("--plugin-log", args->plugin_log,
                "show plugins' log lines at this level and above on stderr: debug, info, warn, error (default) or off")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));
  omni::cli::add_journal_option(*c, args->journal, "a new directory (a simulation does not continue another run)");
  c->callback([args] { run(*args); });
}};

}  // namespace
