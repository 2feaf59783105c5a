// The journal from the command line, through the binary: `omni run --journal DIR` journals a
// simulation, `omni journal inspect` prints every record as a JSON line and checks integrity
// (exit 1 on a corrupt middle, a warning for a torn tail), `omni journal recover --report` says
// what a restart would rebuild.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <iterator>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "durable_test_support.h"

namespace omni::testing {
namespace {

namespace fs = std::filesystem;

// What a run of the binary left: its exit status and its two outputs.
struct Outcome {
  int status = -1;
  std::string out, err;
};

std::string read_all(const fs::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `omni ARGS`, its output into files of the scratch directory.
Outcome omni(const std::string& args, const fs::path& scratch) {
  const fs::path out = scratch / "stdout.txt", err = scratch / "stderr.txt";
  const int raw = std::system((std::string(OMNI_BINARY) + " " + args + " >" + out.string() + " 2>" + err.string()).c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, read_all(out), read_all(err)};
}

std::vector<nlohmann::json> json_lines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

fs::path only_segment(const fs::path& dir) {
  std::vector<fs::path> segments;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".log") segments.push_back(e.path());
  EXPECT_EQ(segments.size(), 1u);
  return segments.empty() ? fs::path{} : segments[0];
}

class JournalCli : public ::testing::Test {
 protected:
  void SetUp() override {
    journal = scratch.path() / "journal";
    const Outcome run = omni("run --journal " + journal.string() + " --duration 30m --seed 7 -q --no-live", scratch.path());
    ASSERT_EQ(run.status, 0) << run.err;
  }
  ScratchDir scratch;
  fs::path journal;
};

TEST_F(JournalCli, ARunIsJournaledAndInspectedRecordByRecord) {
  const Outcome inspect = omni("journal inspect " + journal.string(), scratch.path());
  ASSERT_EQ(inspect.status, 0) << inspect.err;
  const auto lines = json_lines(inspect.out);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines.front()["type"], "config") << "the configuration is the first record";
  EXPECT_TRUE(lines.front()["config"].contains("agents"));
  size_t events = 0, submitted = 0;
  for (const auto& l : lines) {
    if (l.value("type", "") != "events") continue;
    events += l["count"].get<size_t>();
    for (const auto& e : l["events"]) submitted += e["type"] == "submitted";
  }
  EXPECT_GT(submitted, 10u);
  EXPECT_GT(events, submitted);
  const auto& last = lines.back();
  ASSERT_EQ(last["integrity"], "ok");
  const Outcome report = omni("journal recover " + journal.string() + " --report", scratch.path());
  ASSERT_EQ(report.status, 0) << report.err;
  EXPECT_NE(report.out.find("A restart would rebuild " + std::to_string(last["live_items"].get<size_t>()) + " items"),
            std::string::npos)
      << report.out;
  EXPECT_NE(report.out.find("queue"), std::string::npos) << report.out;
  // A second run into the same directory would mix two runs' items: refused.
  const Outcome again = omni("run --journal " + journal.string() + " --duration 1m -q --no-live", scratch.path());
  EXPECT_EQ(again.status, 2);
  EXPECT_NE(again.err.find("already holds a journal"), std::string::npos) << again.err;
}

TEST_F(JournalCli, ATornTailIsAWarningACorruptMiddleExitsOne) {
  const fs::path segment = only_segment(journal);
  const auto size = fs::file_size(segment);
  fs::copy(journal, scratch.path() / "middle", fs::copy_options::recursive);
  std::ofstream(segment, std::ios::app | std::ios::binary) << "half a record";
  const Outcome torn = omni("journal inspect --brief " + journal.string(), scratch.path());
  ASSERT_EQ(torn.status, 0) << torn.err;
  const auto lines = json_lines(torn.out);
  ASSERT_TRUE(lines.front().contains("warning")) << torn.out.substr(0, 300);
  EXPECT_EQ(lines.front()["warning"]["offset"].get<uint64_t>(), size);
  EXPECT_EQ(lines.back()["integrity"], "ok");

  const fs::path middle = scratch.path() / "middle" / segment.filename();
  {
    std::fstream f(middle, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(size / 2));
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  const Outcome bad = omni("journal inspect --brief " + (scratch.path() / "middle").string(), scratch.path());
  EXPECT_EQ(bad.status, 1);
  const auto bad_lines = json_lines(bad.out);
  ASSERT_FALSE(bad_lines.empty());
  EXPECT_EQ(bad_lines.back()["integrity"], "error");
  EXPECT_GT(bad_lines.back()["offset"].get<uint64_t>(), 0u);
  const Outcome report = omni("journal recover --report " + (scratch.path() / "middle").string(), scratch.path());
  EXPECT_EQ(report.status, 1) << report.out;

  const Outcome none = omni("journal inspect " + (scratch.path() / "nothing").string(), scratch.path());
  EXPECT_EQ(none.status, 2);
}

}  // namespace
}  // namespace omni::testing
