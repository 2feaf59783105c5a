// `omni ingest --channel NAME [FILE|-] [--plugins DIR...] [--config JSON]`: feeds webhook payloads
// to a channel adapter plugin (loaded by name through the runtime loader) and prints the
// normalized customer messages as JSON lines with the keys channel, customer, account,
// conversation, message_id, kind, text, timestamp (null when the channel gave the event no time).
// Every message is validated at the plugin boundary; an adapter that returns an invalid one gets
// an error naming the field, like a malformed payload.
//
// Input: one JSON document (pretty-printed or not), or JSON lines (one payload per line). A
// malformed payload is reported on stderr with its line number and the adapter's message; the
// other payloads are still processed. A payload with some bad messages (ABI 1.2 adapters) prints
// its good messages and reports each bad part on stderr the same way, with the rejection's code
// and message id. Exit status: 0 all accepted, 1 some payload or part of one refused, 2 nothing
// could run (unknown channel, unreadable input, no plugins).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.h"
#include "omnikernel/runtime/plugin_loader.h"
#include "omnikernel/runtime/plugin_path.h"

namespace {

namespace fs = std::filesystem;
using omni::runtime::PluginKind;
using omni::runtime::PluginLoader;

struct IngestArgs {
  std::string channel;
  std::string input = "-";
  std::vector<std::string> plugins;
  std::string config;
};

constexpr int kMalformed = 1;
constexpr int kCannotRun = 2;

// One payload and the line it starts on (1-based).
struct Payload {
  std::string_view text;
  size_t line;
};

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// A whole input that is one JSON document is one payload; anything else is JSON lines.
std::vector<Payload> split_payloads(std::string_view input) {
  std::vector<Payload> payloads;
  if (is_blank(input)) return payloads;
  if (nlohmann::json::accept(input)) {
    const size_t first = input.find_first_not_of(" \t\r\n");
    const size_t line = 1 + static_cast<size_t>(std::count(input.begin(), input.begin() + first, '\n'));
    payloads.push_back({input, line});
    return payloads;
  }
  size_t line = 1;
  size_t start = 0;
  while (start <= input.size()) {
    size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    std::string_view text = input.substr(start, end - start);
    if (!is_blank(text)) payloads.push_back({text, line});
    ++line;
    start = end + 1;
  }
  return payloads;
}

std::optional<std::string> read_input(const std::string& name) {
  if (name == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream in(name, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Loads the plugins of --plugins DIR..., or of the default search path; refusals are returned so
// that an unknown channel can be explained.
std::vector<std::string> load_plugins(PluginLoader& loader, const std::vector<std::string>& values) {
  std::vector<std::string> refusals;
  const std::vector<fs::path> explicit_dirs = omni::cli::plugin_directories(values);
  for (const fs::path& dir : omni::runtime::plugin_search_path(explicit_dirs)) {
    auto report = loader.load_directory(dir);
    if (!report) {
      if (!explicit_dirs.empty()) refusals.push_back(report.error().message());
      continue;
    }
    for (const auto& refused : report->refused) refusals.push_back(refused.message());
  }
  return refusals;
}

std::string available_channels(const PluginLoader& loader) {
  std::string names;
  for (const auto& plugin : loader.plugins()) {
    if (plugin->kind() != PluginKind::channel_adapter) continue;
    if (!names.empty()) names += ", ";
    names += plugin->name();
  }
  return names.empty() ? "none" : names;
}

void print_message(const omni::runtime::InboundMessage& m) {
  nlohmann::ordered_json line;
  line["channel"] = std::string(m.channel);
  line["customer"] = std::string(m.customer);
  line["account"] = std::string(m.account);
  line["conversation"] = std::string(m.conversation);
  line["message_id"] = std::string(m.message_id);
  line["kind"] = std::string(m.kind);
  line["text"] = std::string(m.text);
  if (m.timestamp_ms == OMNI_NO_TIMESTAMP) {
    line["timestamp"] = nullptr;
  } else {
    line["timestamp"] = m.timestamp_ms;
  }
  std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

std::string_view code_name(omni::runtime::RejectCode code) {
  using omni::runtime::RejectCode;
  switch (code) {
    case RejectCode::invalid_json: return "invalid_json";
    case RejectCode::too_large: return "too_large";
    case RejectCode::wrong_object: return "wrong_object";
    case RejectCode::missing_field: return "missing_field";
    case RejectCode::wrong_type: return "wrong_type";
    case RejectCode::bad_value: return "bad_value";
    case RejectCode::other: return "other";
  }
  return "other";
}

// "<path>: <detail> (<code>[, message <id>])", the path "payload" when the whole one is refused.
std::string rejection_text(const omni::runtime::Rejection& r) {
  std::string text = r.path.empty() ? std::string("payload") : std::string(r.path);
  text += ": ";
  text += r.detail;
  text += " (";
  text += code_name(r.code);
  if (!r.message_id.empty()) {
    text += ", message ";
    text += r.message_id;
  }
  text += ')';
  return text;
}

int run_ingest(const IngestArgs& args) {
  PluginLoader loader;
  const auto refusals = load_plugins(loader, args.plugins);
  auto plugin = loader.find(args.channel);
  if (!plugin || plugin->kind() != PluginKind::channel_adapter) {
    std::cerr << "omni ingest: unknown channel '" << args.channel
              << "'; available channels: " << available_channels(loader) << '\n';
    for (const auto& refusal : refusals) std::cerr << "  refused plugin: " << refusal << '\n';
    return kCannotRun;
  }
  auto adapter = loader.create_adapter(args.channel, args.config);
  if (!adapter) {
    std::cerr << "omni ingest: " << adapter.error().text() << '\n';
    return kCannotRun;
  }
  const auto input = read_input(args.input);
  if (!input) {
    std::cerr << "omni ingest: cannot read " << args.input << '\n';
    return kCannotRun;
  }
  const std::string source = args.input == "-" ? "<stdin>" : args.input;
  size_t malformed = 0;
  const std::string& channel = adapter->info().name;
  for (const Payload& payload : split_payloads(*input)) {
    std::vector<std::string> problems;  // printed after the payload's good messages
    auto parsed = adapter->parse(
        payload.text,
        [](const omni::runtime::InboundMessage& message) {
          print_message(message);
          return true;
        },
        [&](const omni::runtime::Rejection& rejection) {
          problems.push_back(channel + ": " + rejection_text(rejection));
          return true;
        });
    if (!parsed) {
      const auto& error = parsed.error();
      if (error.kind != omni::runtime::PluginErrorKind::failed) {
        problems.push_back(error.text());  // the host refused what the plugin returned
      } else if (problems.empty()) {
        problems.push_back(channel + ": " + error.message);  // an adapter older than ABI 1.2
      }  // else: the adapter's rejection of the whole payload is already there, typed
    }
    if (problems.empty()) continue;
    ++malformed;
    std::cout.flush();  // keep stdout and stderr in payload order on a terminal
    for (const std::string& problem : problems)
      std::cerr << "omni ingest: " << source << ':' << payload.line << ": " << problem << '\n';
  }
  std::cout.flush();
  return malformed == 0 ? 0 : kMalformed;
}

omni::cli::CommandRegistrar reg{+[](CLI::App& root) {
  auto args = std::make_shared<IngestArgs>();
  auto* command = root.add_subcommand(
      "ingest", "Parse channel webhook payloads with an adapter plugin; print normalized messages "
                "as JSON lines");
  command->add_option("--channel", args->channel,
                      "Channel adapter plugin name, as `omni plugins` lists it (the channel "
                      "adapters found are listed below)")
      ->required();
  command->add_option("input", args->input, "A JSON document or JSON lines; '-' = stdin")
      ->default_str("-");
  omni::cli::add_plugins_option(*command, args->plugins);
  command->add_option("--config", args->config, "Adapter config, a JSON object");
  // The channels are whatever adapter plugins are installed: found when the help is shown.
  command->footer([args] {
    omni::runtime::HostOptions quiet;
    quiet.log = [](auto...) {};
    PluginLoader loader(quiet);
    (void)load_plugins(loader, args->plugins);
    return "Channel adapters found: " + available_channels(loader);
  });
  command->callback([args] {
    const int status = run_ingest(*args);
    if (status != 0) throw CLI::RuntimeError(status);
  });
}};

}  // namespace
