// `omni serve CONFIG --journal DIR` as a process: a webhook answered 200 survives a SIGKILL right
// after it and a SIGTERM drain; each restart on the same DIR continues the customer's
// conversation on the same item (no new item) and still treats Meta's retries as duplicates;
// /metrics shows the journal's lag; a directory held by another process, or one that cannot be
// created, stops the start with exit status 2 and a message naming it.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "child_process.h"
#include "raw_client.h"
#include "service_fixture.h"

namespace omni::service::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::vector<std::pair<std::string, std::string>> kEnv{
    {"OMNI_WHATSAPP_APP_SECRET", kWhatsAppSecret}, {"OMNI_INSTAGRAM_APP_SECRET", kInstagramSecret},
    {"OMNI_VERIFY_TOKEN", kVerifyToken},          {"OMNI_AGENT_TOKEN_SECRET", kAgentSecret},
    {"OMNI_SUPERVISOR_TOKEN", kSupervisorToken},  {"OMNI_GRAPH_ACCESS_TOKEN", kGraphToken},
    {"OMNI_TEST_SITE_KEY", kSiteKey}};

class ServeJournalCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("omni-serve-journal-cli-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "serve.json") << test_config();
  }
  void TearDown() override {
    for (Child& c : children_) {
      if (c.pid > 0 && waitpid(c.pid, nullptr, WNOHANG) == 0) {
        kill(c.pid, SIGKILL);
        waitpid(c.pid, nullptr, 0);
      }
      close(c.out);
      close(c.err);
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Spawns `omni serve` on the journal (the last child).
  Child& spawn_serve(const fs::path& journal) {
    children_.push_back(spawn({OMNI_CLI, "serve", (dir_ / "serve.json").string(), "--listen", "127.0.0.1:0",
                               "--journal", journal.string(), "--plugins", OMNI_TEST_PLUGIN_DIR},
                              kEnv));
    return children_.back();
  }
  // Starts `omni serve` on the journal; returns its port once it listens (0 when it did not).
  uint16_t start(const fs::path& journal, std::string* out_text = nullptr) {
    spawn_serve(journal);
    const std::string out = read_until(children_.back().out, std::regex("journal .*: (new|recovered)[^\n]*\n"), 20s);
    if (out_text) *out_text = out;
    std::smatch m;
    if (!std::regex_search(out, m, std::regex("listening on http://127\\.0\\.0\\.1:([0-9]+)"))) return 0;
    return static_cast<uint16_t>(std::stoi(m[1]));
  }
  Child& last() { return children_.back(); }
  // Starts `omni serve` on a journal it must refuse: exit status 2; returns its stderr.
  std::string start_refused(const fs::path& journal) {
    spawn_serve(journal);
    const int status = wait_exit(last().pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << "status " << status;
    return read_until(last().err, std::regex("\n"), 2s);
  }

  static nlohmann::json post_whatsapp(uint16_t port, const std::string& id, const std::string& text) {
    const std::string body = whatsapp_payload("15558880001", id, text);
    RawResponse r = http_request(port, "POST", "/webhooks/whatsapp", body, {{"X-Hub-Signature-256", sign(body)}});
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  }
  static int wait_exit(pid_t pid) {
    int status = 0;
    for (int i = 0; i < 1000 && waitpid(pid, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(10ms);
    return status;
  }

  fs::path dir_;
  std::vector<Child> children_;
};

TEST_F(ServeJournalCli, SigkillAndSigtermRestartsContinueTheConversationAndDeduplicate) {
  const fs::path journal = dir_ / "journal";
  // 1. A new journal; one message opens an item; a hard kill right after its 200.
  std::string out;
  uint16_t port = start(journal, &out);
  ASSERT_NE(port, 0) << out;
  EXPECT_NE(out.find("journal " + journal.string() + ": new"), std::string::npos) << out;
  EXPECT_EQ(post_whatsapp(port, "wamid.k1", "where is my parcel")["new_items"], 1);
  ASSERT_EQ(kill(last().pid, SIGKILL), 0);
  ASSERT_TRUE(WIFSIGNALED(wait_exit(last().pid)));

  // 2. Recovered: the retry is a duplicate, the next message continues the same item.
  port = start(journal, &out);
  ASSERT_NE(port, 0) << out;
  EXPECT_NE(out.find("recovered 1 items"), std::string::npos) << out;
  nlohmann::json retry = post_whatsapp(port, "wamid.k1", "where is my parcel");
  EXPECT_EQ(retry["duplicates"], 1) << retry;
  EXPECT_EQ(retry["new_items"], 0) << retry;
  nlohmann::json next = post_whatsapp(port, "wamid.k2", "any news?");
  EXPECT_EQ(next["continued"], 1) << next;
  EXPECT_EQ(next["new_items"], 0) << next;
  const std::string metrics = http_request(port, "GET", "/metrics").body;
  EXPECT_TRUE(std::regex_search(metrics, std::regex("\nomni_journal_lag_records [0-9]+\n"))) << metrics;
  EXPECT_TRUE(std::regex_search(metrics, std::regex("\nomni_journal_durable_records [1-9][0-9]*\n"))) << metrics;
  EXPECT_TRUE(std::regex_search(metrics, std::regex("\nomni_items_submitted_total 0\n"))) << "no new item: " << metrics;
  // SIGTERM drains and exits 0.
  ASSERT_EQ(kill(last().pid, SIGTERM), 0);
  const int status = wait_exit(last().pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);

  // 3. Again after the drain: still one conversation on one item.
  port = start(journal, &out);
  ASSERT_NE(port, 0) << out;
  EXPECT_NE(out.find("recovered 1 items"), std::string::npos) << out;
  EXPECT_EQ(post_whatsapp(port, "wamid.k2", "any news?")["duplicates"], 1);
  nlohmann::json third = post_whatsapp(port, "wamid.k3", "hello?");
  EXPECT_EQ(third["continued"], 1) << third;
  EXPECT_EQ(third["new_items"], 0) << third;

  // A second process on the same directory is refused at start-up, naming it.
  const std::string err = start_refused(journal);
  EXPECT_NE(err.find("journal " + journal.string()), std::string::npos) << err;
  EXPECT_NE(err.find("another Writer"), std::string::npos) << err;
}

TEST_F(ServeJournalCli, AJournalDirectoryThatCannotBeCreatedExitsTwoNamingIt) {
  std::ofstream(dir_ / "a-file") << "x";
  const fs::path journal = dir_ / "a-file" / "journal";
  const std::string err = start_refused(journal);
  EXPECT_NE(err.find("omni serve: journal " + journal.string()), std::string::npos) << err;
}

}  // namespace
}  // namespace omni::service::testing
