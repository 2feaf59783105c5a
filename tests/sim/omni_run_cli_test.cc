// `omni run` end to end, through the binary: the embedded default scenario with the real plugins,
// the report files, replayed webhook payloads, and exit status 2 with a field path for bad input.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

fs::path temp_dir() {
  const fs::path dir = fs::temp_directory_path() / ("omni_run_cli_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Outcome omni_run(const std::string& args) {
  const fs::path err = temp_dir() / "stderr.txt";
  const std::string command = std::string(OMNI_BINARY) + " run " + args + " 2>" + err.string();
  Outcome o;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return o;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) o.out.append(buffer, n);
  const int raw = ::pclose(pipe);
  o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  o.err = slurp(err);
  return o;
}

fs::path write_file(const std::string& name, const std::string& text) {
  const fs::path file = temp_dir() / name;
  std::ofstream(file) << text;
  return file;
}

// The scratch directory goes when the tests are done.
class RemoveTempDir : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(temp_dir(), ignored);
  }
};
const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new RemoveTempDir);

TEST(OmniRun, DefaultScenarioWithPluginsAndReportFiles) {
  const fs::path dir = temp_dir();
  const Outcome o = omni_run("--quiet --json " + (dir / "r.json").string() + " --csv " + (dir / "csv").string() +
                             " --plot " + (dir / "r.svg").string());
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("Queues"), std::string::npos);
  EXPECT_NE(o.out.find("whatsapp_support"), std::string::npos);
  const auto report = nlohmann::json::parse(slurp(dir / "r.json"));
  for (const char* key : {"service_level", "asa", "abandoned", "occupancy"}) EXPECT_TRUE(report.contains(key)) << key;
  EXPECT_TRUE(report["latency"].contains("p99"));
  EXPECT_GT(report["total"]["answered"].get<int>(), 1000);
  // The adapters normalized the arrivals and the policy was enforced: nothing was left out.
  for (const auto& note : report["notes"]) {
    EXPECT_EQ(note.get<std::string>().find("unavailable"), std::string::npos) << note;
  }
  EXPECT_TRUE(report["latency"]["by_operation"].contains("adapter parse"));
  EXPECT_TRUE(fs::exists(dir / "csv" / "agents.csv"));
  EXPECT_EQ(slurp(dir / "r.svg").rfind("<svg", 0), 0u);
}

std::string plugin_scenario(const std::string& extra);

// The default scenario routes by language (seed 002): a required skill and an optional one that
// drops, reported per requirement set in the text, the JSON and the CSV files.
TEST(OmniRun, DefaultScenarioUsesSkills) {
  const fs::path dir = temp_dir();
  const Outcome o = omni_run("--quiet --json " + (dir / "skills.json").string() + " --csv " + (dir / "skills_csv").string());
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("Skills (per requirement set"), std::string::npos) << o.out;
  const auto report = nlohmann::json::parse(slurp(dir / "skills.json"));
  ASSERT_EQ(report["requirement_sets"].size(), 2u);
  const auto& spanish = report["requirement_sets"][0];
  EXPECT_EQ(spanish["label"], "Spanish>=5");
  EXPECT_GT(spanish["answered"].get<int>(), 50);
  const auto& portuguese = report["requirement_sets"][1];
  EXPECT_EQ(portuguese["queue"], "whatsapp_support");
  EXPECT_GT(portuguese["skills_dropped"].get<int>(), 0);  // the Portuguese speaker is not always free
  EXPECT_GE(portuguese["p90_wait"].get<double>(), 120);   // ... and then the item waited its 2 minutes
  EXPECT_NE(slurp(dir / "skills_csv" / "requirement_sets.csv").find("Portuguese>=6 (drop after 2m)"), std::string::npos);
}

TEST(OmniRun, BadRequirementExitsTwoNamingThePath) {
  const fs::path file = write_file("bad_requirement.json", plugin_scenario(
      R"("skills": ["English"], "arrivals": [{"queue": "q", "rate_per_hour": 60, "requirements": [{"skill": "English", "min_level": 12}]}])"));
  const Outcome o = omni_run(file.string() + " --quiet");
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("bad_requirement.json: arrivals[0].requirements[0].min_level: must be between 1 and 10"), std::string::npos)
      << o.err;
  EXPECT_TRUE(o.out.empty());
}

TEST(OmniRun, BadPreferenceExitsTwoNamingThePath) {
  const fs::path file = write_file("bad_preference.json", plugin_scenario(
      R"("arrivals": [{"queue": "q", "rate_per_hour": 60, "prefer_last_agent": true, "preferred_wait": "2h"}])"));
  const Outcome o = omni_run(file.string() + " --quiet");
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("bad_preference.json: arrivals[0].preferred_wait: must be at most 1h"), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty());
}

TEST(OmniRun, SameSeedSameReport) {
  const Outcome a = omni_run("--quiet --duration 1h --seed 5");
  const Outcome b = omni_run("--quiet --duration 1h --seed 5");
  ASSERT_EQ(a.status, 0) << a.err;
  // Everything but the wall-clock lines (speed, latency) is identical.
  auto counted = [](const std::string& out) { return out.substr(out.find("Queues"), out.find("Kernel latency") - out.find("Queues")); };
  EXPECT_EQ(counted(a.out), counted(b.out));
}

TEST(OmniRun, EveryExampleScenarioRuns) {
  size_t examples = 0;
  for (const auto& entry : fs::directory_iterator(OMNI_SCENARIOS)) {
    if (entry.path().extension() != ".json") continue;
    ++examples;
    const Outcome o = omni_run(entry.path().string() + " --quiet --duration 3h");
    EXPECT_EQ(o.status, 0) << entry.path() << ": " << o.err;
    EXPECT_NE(o.out.find("Queues"), std::string::npos) << entry.path();
    EXPECT_EQ(o.out.find("unavailable"), std::string::npos) << entry.path() << ": a plugin is missing\n" << o.out;
  }
  EXPECT_GE(examples, 3u);
}

TEST(OmniRun, BadScenarioExitsTwoNamingTheField) {
  const fs::path file = write_file("bad.json", R"({"queues": [{"name": "q", "channel": "c", "routing": {"model": "fastest"}}]})");
  const Outcome o = omni_run(file.string());
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("queues[0].routing.model: unknown model \"fastest\""), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty());
}

TEST(OmniRun, SyntaxErrorAndMissingFileExitTwo) {
  const fs::path file = write_file("syntax.json", "{\n  \"name\": \"x\",\n}");
  Outcome o = omni_run(file.string());
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("syntax.json:3:1: invalid JSON"), std::string::npos) << o.err;
  o = omni_run("/nonexistent/scenario.json");
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("/nonexistent/scenario.json: no such file"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("invalid JSON"), std::string::npos) << o.err;
}

TEST(OmniRun, BadOptionsExitTwo) {
  Outcome o = omni_run("--duration soon");
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("--duration: invalid duration \"soon\""), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("3600"), std::string::npos) << "the accepted forms are named: " << o.err;
  EXPECT_NE(o.err.find("90m"), std::string::npos) << "the accepted forms are named: " << o.err;
  EXPECT_TRUE(o.out.empty());
  o = omni_run("--quiet --duration 1h --json /nonexistent/dir/r.json");
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("--json: /nonexistent/dir/r.json: cannot open for writing"), std::string::npos) << o.err;
}

// docs/SIMULATOR.md lists `--duration 3600`: plain seconds are accepted beside the unit forms.
TEST(OmniRun, DurationTakesSecondsOrUnits) {
  const fs::path json = temp_dir() / "duration_report.json";
  for (const char* d : {"3600", "3600s", "60m", "1h", "0.5h30m", "3600.0"}) {
    const Outcome o = omni_run("--quiet --duration " + std::string(d) + " --json " + json.string());
    ASSERT_EQ(o.status, 0) << d << ": " << o.err;
    EXPECT_DOUBLE_EQ(nlohmann::json::parse(slurp(json))["duration"].get<double>(), 3600) << d;
  }
}

// A bad --duration says why, naming the flag.
TEST(OmniRun, DurationMustBePositive) {
  for (const char* d : {"0", "0s", "0h0m", "0.0"}) {
    const Outcome o = omni_run("--quiet --duration " + std::string(d));
    EXPECT_EQ(o.status, 2) << d;
    EXPECT_NE(o.err.find("omni run: --duration: must be > 0"), std::string::npos) << d << ": " << o.err;
    EXPECT_EQ(o.err.find("invalid duration"), std::string::npos) << d << ": " << o.err;
  }
  Outcome o = omni_run("--quiet --duration -5");
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("omni run: --duration: must be > 0"), std::string::npos) << o.err;
  for (const char* d : {"1e3", "1h-5m", "5x", "30sec", "\"\""}) {
    o = omni_run("--quiet --duration " + std::string(d));
    EXPECT_EQ(o.status, 2) << d;
    EXPECT_NE(o.err.find("omni run: --duration: invalid duration"), std::string::npos) << d << ": " << o.err;
  }
}

// --seed is a whole number the scenario's "seed" could also hold: no silent wrap-around.
TEST(OmniRun, SeedMustBeANonNegativeInteger) {
  for (const char* seed : {"-1", "-0x1", "9223372036854775808", "18446744073709551615", "99999999999999999999",
                           "abc", "1.5", "7x", "\"\""}) {
    const Outcome o = omni_run("--quiet --duration 10m --seed " + std::string(seed));
    EXPECT_EQ(o.status, 2) << seed << ": " << o.out;
    EXPECT_NE(o.err.find("omni run: --seed: "), std::string::npos) << seed << ": " << o.err;
    EXPECT_NE(o.err.find("an integer from 0 to 9223372036854775807"), std::string::npos) << seed << ": " << o.err;
    EXPECT_TRUE(o.out.empty()) << seed;
  }
  const fs::path json = temp_dir() / "seed_report.json";
  for (const char* seed : {"0", "9223372036854775807"}) {
    const Outcome o = omni_run("--quiet --duration 10m --seed " + std::string(seed) + " --json " + json.string());
    ASSERT_EQ(o.status, 0) << seed << ": " << o.err;
    EXPECT_EQ(nlohmann::json::parse(slurp(json))["seed"].get<uint64_t>(), std::stoull(seed));
  }
}

// A directory (or a file that cannot be read) is not "invalid JSON".
TEST(OmniRun, DirectoryOrUnreadableScenarioSaysSo) {
  Outcome o = omni_run(temp_dir().string());
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find(temp_dir().string() + ": is a directory, not a scenario file"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("invalid JSON"), std::string::npos) << o.err;
  if (::geteuid() != 0) {  // root reads anything
    const fs::path locked = write_file("locked.json", "{}");
    fs::permissions(locked, fs::perms::none);
    o = omni_run(locked.string());
    EXPECT_EQ(o.status, 2);
    EXPECT_NE(o.err.find("locked.json: cannot open the file: Permission denied"), std::string::npos) << o.err;
  }
}

std::string whatsapp_payload(const std::string& wa_id, const std::string& id, long seconds) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{)"
         R"("messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000000","phone_number_id":"2"},)"
         R"("contacts":[{"profile":{"name":"C"},"wa_id":")" + wa_id + R"("}],"messages":[{"from":")" + wa_id +
         R"(","id":")" + id + R"(","timestamp":")" + std::to_string(seconds) +
         R"(","type":"text","text":{"body":"hi"}}]}}]}]})";
}

std::string replay_scenario(const fs::path& replay) {
  return R"({"name": "replay", "duration": "1h", "customers": 100,
    "channels": [{"name": "whatsapp"}], "routing_configs": [{"name": "r"}],
    "queues": [{"name": "wa", "channel": "whatsapp", "routing": "r"}],
    "presence_configs": [{"name": "pc", "capacity": 1, "auto_accept": true}],
    "statuses": [{"name": "On", "kind": "online", "channels": ["whatsapp"]}],
    "profiles": [{"name": "p", "presence_config": "pc"}],
    "agents": [{"name": "a", "profile": "p", "queues": ["wa"], "status": "On"}],
    "arrivals": [{"queue": "wa", "adapter": "whatsapp", "replay": ")" + replay.string() + R"("}],
    "agent_behaviour": {"answer_delay": 0, "handle_time": "10m"}})";
}

TEST(OmniRun, ReplaysRecordedWebhooksThroughTheAdapter) {
  // Two customers; the second message of the first one is a follow-up in its open conversation,
  // not a new work item. Statuses-only payloads carry no customer message.
  const fs::path replay = write_file(
      "replay.jsonl", whatsapp_payload("111", "wamid.1", 1700000000) + "\n" +
                          whatsapp_payload("111", "wamid.2", 1700000030) + "\n\n" +
                          whatsapp_payload("222", "wamid.3", 1700000060) + "\n");
  const fs::path scenario = write_file("replay.json", replay_scenario(replay));
  const fs::path json = temp_dir() / "replay_report.json";
  const Outcome o = omni_run(scenario.string() + " --quiet --json " + json.string());
  ASSERT_EQ(o.status, 0) << o.err;
  const auto report = nlohmann::json::parse(slurp(json));
  EXPECT_EQ(report["total"]["offered"].get<int>(), 2);
  EXPECT_EQ(report["total"]["answered"].get<int>(), 2);
  // One agent of capacity 1 and a 10-minute conversation: the second customer waited 9 minutes.
  EXPECT_NEAR(report["asa"].get<double>(), 270, 1);
}

TEST(OmniRun, BadReplayLineExitsTwoNamingTheLine) {
  const fs::path replay = write_file("bad_replay.jsonl", whatsapp_payload("111", "wamid.1", 1700000000) +
                                                             "\n{\"object\": \"whatsapp_business_account\"}\n");
  const fs::path scenario = write_file("bad_replay.json", replay_scenario(replay));
  const Outcome o = omni_run(scenario.string() + " --quiet");
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("bad_replay.jsonl:2: "), std::string::npos) << o.err;
}


// A small scenario with one policy (and what else `extra` adds), for the plugin tests below.
std::string plugin_scenario(const std::string& extra) {
  return R"({"duration": "10m", "customers": 50,
    "channels": [{"name": "chat"}], "routing_configs": [{"name": "r"}],
    "queues": [{"name": "q", "channel": "chat", "routing": "r"}],
    "presence_configs": [{"name": "p", "capacity": 2}],
    "statuses": [{"name": "Online", "kind": "online", "channels": ["chat"]}],
    "agents": [{"name": "a", "presence_config": "p", "queues": ["q"], "status": "Online"}],
    )" + extra + "}";
}

TEST(OmniRunPolicies, APolicyThatCannotLoadStopsTheRun) {
  const fs::path file = write_file("missing_policy.json",
      plugin_scenario(R"("policies": {"vip": {"blocked": [3]}}, "arrivals": [{"queue": "q", "rate_per_hour": 60}])"));
  const Outcome o = omni_run(file.string() + " --quiet");
  EXPECT_EQ(o.status, 2) << o.out;
  EXPECT_NE(o.err.find("policies.vip: policy plugin unavailable, and policies fail closed: vip: "), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("policies_fail_open"), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty()) << "no report: nobody was admitted unchecked";
}

TEST(OmniRunPolicies, APolicyConfigErrorStopsTheRun) {
  const fs::path file = write_file("policy_typo.json",
      plugin_scenario(R"("policies": {"simultaneous_sessions": {"allow_simultanous_sessions": true}}, "arrivals": [{"queue": "q", "rate_per_hour": 60}])"));
  const Outcome o = omni_run(file.string() + " --quiet");
  EXPECT_EQ(o.status, 2) << o.out;
  EXPECT_NE(o.err.find("policies.simultaneous_sessions: policy plugin unavailable, and policies fail closed: "
                       "simultaneous_sessions: invalid config:"), std::string::npos) << o.err;
}

TEST(OmniRunPolicies, FailOpenIsAnExplicitOptIn) {
  const fs::path file = write_file("fail_open.json",
      plugin_scenario(R"("policies": {"vip": {}}, "policies_fail_open": ["vip"], "arrivals": [{"queue": "q", "rate_per_hour": 60}])"));
  const Outcome o = omni_run(file.string() + " --quiet");
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("policy \"vip\" unavailable"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("not enforced (policies_fail_open)"), std::string::npos) << o.out;

  const fs::path typo = write_file("fail_open_typo.json",
      plugin_scenario(R"("policies": {"vip": {}}, "policies_fail_open": ["vpi"], "arrivals": [{"queue": "q", "rate_per_hour": 60}])"));
  const Outcome bad = omni_run(typo.string() + " --quiet");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("policies_fail_open[0]: \"vpi\" is not one of the scenario's policies"), std::string::npos) << bad.err;
}

// bad_adapter (tests/sdk/plugins) logs an error line with its configuration when created.
TEST(OmniRunPlugins, AnAdaptersConfigurationAndErrorLogLinesReachIt) {
  const fs::path file = write_file("adapter_config.json",
      plugin_scenario(R"("adapters": {"bad_adapter": {"account": "my_bot"}},
                         "arrivals": [{"queue": "q", "rate_per_hour": 60, "adapter": "bad_adapter", "payload_template": "ok"}])"));
  const std::string plugins = std::string(" --plugins ") + OMNI_TEST_PLUGIN_DIR;
  Outcome o = omni_run(file.string() + " --quiet" + plugins);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.err.find(R"(omni run: plugin bad_adapter error: bad_adapter created with config {"account":"my_bot"})"),
            std::string::npos) << o.err;
  EXPECT_EQ(o.out.find("unavailable"), std::string::npos) << o.out;
  o = omni_run(file.string() + " --quiet --plugin-log off" + plugins);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.err.find("bad_adapter created"), std::string::npos) << o.err;
  // Several directories, like OMNI_PLUGIN_PATH: the test plugins and the real ones.
  o = omni_run(file.string() + " --quiet --plugin-log off --plugins /nonexistent:" + OMNI_TEST_PLUGIN_DIR);
  EXPECT_EQ(o.status, 0) << o.err;

  const fs::path unused = write_file("adapter_unused.json",
      plugin_scenario(R"("adapters": {"bad_adaptr": {}},
                         "arrivals": [{"queue": "q", "rate_per_hour": 60, "adapter": "bad_adapter", "payload_template": "ok"}])"));
  o = omni_run(unused.string() + " --quiet" + plugins);
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("adapters.bad_adaptr: no arrival stream uses the adapter \"bad_adaptr\" (did you mean \"bad_adapter\"?)"),
            std::string::npos) << o.err;
}

// Duplicate keys are refused, not silently resolved to the last one.
TEST(OmniRun, DuplicateKeyExitsTwoNamingThePath) {
  const fs::path file = write_file("duplicate.json", plugin_scenario(R"("arrivals": [{"queue": "q", "rate_per_hour": 60, "rate_per_hour": 6}])"));
  const Outcome o = omni_run(file.string() + " --quiet");
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("duplicate.json: arrivals[0].rate_per_hour: duplicate key"), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty());
}

// --explain N: Kernel::explain of the N-th arrival, right after its submit, as a table and under
// "explain" in --json. ann serves q and takes an hour per item; bob serves another queue; cid
// serves q but is offline. The 1st arrival is offered to ann; the 2nd waits: ann has no room.
const char* kExplainScenario = R"({
  "name": "explain", "seed": 3, "duration": "30m",
  "channels": [{"name": "chat"}],
  "routing_configs": [{"name": "r"}],
  "queues": [{"name": "q", "channel": "chat", "routing": "r"}, {"name": "other", "channel": "chat", "routing": "r"}],
  "presence_configs": [{"name": "pc", "capacity": 1}],
  "statuses": [{"name": "Off", "kind": "offline"}, {"name": "On", "kind": "online", "channels": ["chat"]}],
  "profiles": [{"name": "p", "presence_config": "pc"}],
  "agents": [{"name": "ann", "profile": "p", "queues": ["q"], "status": "On"},
             {"name": "bob", "profile": "p", "queues": ["other"], "status": "On"},
             {"name": "cid", "profile": "p", "queues": ["q"], "status": "Off"}],
  "arrivals": [{"queue": "q", "rate_per_hour": 60}],
  "agent_behaviour": {"answer_delay": "5s", "handle_time": "1h"}
})";

TEST(OmniRun, ExplainShowsEveryAgentsVerdictForTheNthArrival) {
  const fs::path dir = temp_dir();
  const fs::path file = write_file("explain.json", kExplainScenario);
  Outcome o = omni_run(file.string() + " --quiet --explain 2 --json " + (dir / "explain2.json").string());
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("Explain item 2"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("no_room"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("not_a_member"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("not_routable"), std::string::npos) << o.out;
  auto report = nlohmann::json::parse(slurp(dir / "explain2.json"));
  ASSERT_TRUE(report.contains("explain"));
  auto x = report["explain"];
  EXPECT_EQ(x["item"], 2);
  EXPECT_EQ(x["found"], true);
  EXPECT_EQ(x["state"], "queued");
  EXPECT_EQ(x["queue"], "q");
  EXPECT_TRUE(x["holder"].is_null());
  ASSERT_EQ(x["candidates"].size(), 3u);
  EXPECT_EQ(x["candidates"][0]["agent"], "ann");
  EXPECT_EQ(x["candidates"][0]["verdict"], "no_room");
  EXPECT_DOUBLE_EQ(x["candidates"][0]["used"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(x["candidates"][0]["capacity"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(x["candidates"][0]["needed"].get<double>(), 1.0);
  EXPECT_EQ(x["candidates"][1]["agent"], "bob");
  EXPECT_EQ(x["candidates"][1]["verdict"], "not_a_member");
  EXPECT_EQ(x["candidates"][2]["agent"], "cid");
  EXPECT_EQ(x["candidates"][2]["verdict"], "not_routable");

  // The first arrival: offered to ann at once.
  o = omni_run(file.string() + " --quiet --explain 1 --json " + (dir / "explain1.json").string());
  ASSERT_EQ(o.status, 0) << o.err;
  x = nlohmann::json::parse(slurp(dir / "explain1.json"))["explain"];
  EXPECT_EQ(x["state"], "offered");
  EXPECT_EQ(x["holder"], "ann");
  EXPECT_EQ(x["candidates"][0]["verdict"], "offered");
  EXPECT_NE(o.out.find("offered to ann"), std::string::npos) << o.out;

  // Same run, same explanation: it is taken at a point of the run, not of the wall clock.
  const Outcome again = omni_run(file.string() + " --quiet --explain 1");
  auto explained = [](const std::string& out) { return out.substr(out.find("Explain item"), out.find("Kernel latency") - out.find("Explain item")); };
  EXPECT_EQ(explained(again.out), explained(o.out));

  // Past the last arrival: said so, not an error.
  o = omni_run(file.string() + " --quiet --explain 100000 --json " + (dir / "explain_none.json").string());
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("the run had only"), std::string::npos) << o.out;
  x = nlohmann::json::parse(slurp(dir / "explain_none.json"))["explain"];
  EXPECT_EQ(x["found"], false);
  EXPECT_TRUE(x["candidates"].empty());
}

TEST(OmniRun, BadExplainExitsTwoSayingWhy) {
  for (const char* bad : {"0", "-1", "two", "1.5"}) {
    const Outcome o = omni_run(std::string("--quiet --explain ") + bad);
    EXPECT_EQ(o.status, 2) << bad;
    EXPECT_NE(o.err.find("omni run: --explain: must be the number of an arrival, 1 for the first, got \"" +
                         std::string(bad) + "\""), std::string::npos) << o.err;
    EXPECT_TRUE(o.out.empty()) << bad;
  }
}

}  // namespace
