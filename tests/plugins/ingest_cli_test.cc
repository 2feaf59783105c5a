// `omni ingest` end to end: the real binary, the real plugins, JSON lines in, JSON lines out.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "payload_files.h"

namespace {

namespace fs = std::filesystem;

struct CliRun {
  int status = -1;
  std::vector<std::string> out_lines;
  std::string err;
};

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The payload on one line (JSON lines need each document on a single line).
std::string one_line(const std::string& name) {
  return nlohmann::json::parse(omni::test::read_payload(name)).dump();
}

// Runs the CLI in a scratch directory on `input_text` saved as `file_name`; the file is passed
// by its bare name so that error lines are exact.
CliRun ingest(const std::string& channel, const std::string& input_text, const std::string& extra = "",
              const std::string& file_name = "in.jsonl") {
  const fs::path dir = fs::temp_directory_path() /
                       ("omni_ingest_test_" + std::to_string(::getpid()) + "_" +
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::create_directories(dir);
  std::ofstream(dir / file_name) << input_text;
  const std::string command = "cd '" + dir.string() + "' && '" + OMNI_CLI + "' ingest --channel " +
                              channel + " --plugins '" + OMNI_ADAPTER_PLUGIN_DIR + "' " + extra +
                              " '" + file_name + "' >'" + (dir / "out").string() + "' 2>'" +
                              (dir / "err").string() + "'";
  const int raw = std::system(command.c_str());
  CliRun run;
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  std::istringstream out(slurp(dir / "out"));
  for (std::string line; std::getline(out, line);) run.out_lines.push_back(line);
  run.err = slurp(dir / "err");
  fs::remove_all(dir);
  return run;
}

TEST(IngestCli, JsonLinesWithOneMalformedLine) {
  const std::string input = one_line("whatsapp_text.json") + "\n" +
                            R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"messages":[{"id":"x","timestamp":"1","type":"text","text":{"body":"b"}}]}}]}]})" +
                            "\n\n" + one_line("whatsapp_multi_entry.json") + "\n";
  CliRun run = ingest("whatsapp", input);
  EXPECT_EQ(run.status, 1);
  // Line 2 is named, with the path of the missing field; line 4 (after a blank line) still ran.
  EXPECT_NE(run.err.find(":2: whatsapp: entry[0].changes[0].value.messages[0].from_user_id: "
                         "missing, and so is from (a message names its customer by one of them) "
                         "(missing_field, message x)\n"),
            std::string::npos)
      << run.err;
  ASSERT_EQ(run.out_lines.size(), 4u);
  const auto first = nlohmann::json::parse(run.out_lines[0]);
  std::vector<std::string> keys;
  for (auto& [key, value] : first.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"account", "channel", "conversation", "customer",
                                            "kind", "message_id", "text", "timestamp"}));
  EXPECT_EQ(first["customer"], "16505551234");
  EXPECT_EQ(first["timestamp"], 1749416383000);
  EXPECT_EQ(nlohmann::json::parse(run.out_lines[3])["text"], "third");
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(IngestCli, APartialBatchPrintsItsGoodMessagesAndNamesEachBadPart) {
  const std::string input = one_line("whatsapp_partial_batch.json") + "\nnot json\n" +
                            one_line("whatsapp_text.json") + "\n";
  CliRun run = ingest("whatsapp", input, "", "batch.jsonl");
  EXPECT_EQ(run.status, 1);
  ASSERT_EQ(run.out_lines.size(), 6u);
  std::vector<std::string> ids;
  for (const auto& line : run.out_lines) ids.push_back(nlohmann::json::parse(line)["message_id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"wamid.0", "wamid.1", "wamid.2", "wamid.4", "wamid.5",
                                           "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="}));
  const auto err = lines_of(run.err);
  ASSERT_EQ(err.size(), 4u) << run.err;
  EXPECT_EQ(err[0], "omni ingest: batch.jsonl:1: whatsapp: entry[0].changes[0].value.messages[3].type: "
                    "expected string, got number (wrong_type, message wamid.3)");
  EXPECT_EQ(err[1], "omni ingest: batch.jsonl:1: whatsapp: entry[0].changes[1].value.metadata: missing "
                    "(missing_field)");
  EXPECT_EQ(err[2], "omni ingest: batch.jsonl:1: whatsapp: entry[1].changes: expected array, got object "
                    "(wrong_type)");
  EXPECT_EQ(err[3].rfind("omni ingest: batch.jsonl:2: whatsapp: payload: invalid JSON: ", 0), 0u) << err[3];
  EXPECT_EQ(err[3].substr(err[3].size() - 15), " (invalid_json)") << err[3];
}

TEST(IngestCli, NoticesAndEditsArePrintedWithTheirKind) {
  CliRun run = ingest("whatsapp", one_line("whatsapp_system_and_order.json") + "\n");
  EXPECT_EQ(run.status, 0) << run.err;
  ASSERT_EQ(run.out_lines.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(run.out_lines[1])["kind"], "notice");
  EXPECT_EQ(nlohmann::json::parse(run.out_lines[0])["text"], "Please gift-wrap the blue one");
  CliRun edits = ingest("instagram", one_line("instagram_post_share_and_edit.json") + "\n");
  EXPECT_EQ(edits.status, 0) << edits.err;
  ASSERT_EQ(edits.out_lines.size(), 4u);
  const auto edit = nlohmann::json::parse(edits.out_lines[3]);
  EXPECT_EQ(edit["kind"], "edit");
  EXPECT_EQ(edit["message_id"], "mid.post-with-comment");
  EXPECT_EQ(edit["text"], "Is this in stock in size 38?");
}

TEST(IngestCli, KeysAreInTheDocumentedOrder) {
  CliRun run = ingest("webchat", omni::test::read_payload("webchat_message.json"));
  EXPECT_EQ(run.status, 0) << run.err;
  ASSERT_EQ(run.out_lines.size(), 3u);
  EXPECT_EQ(run.out_lines[0].rfind(R"({"channel":"webchat","customer":"v-7f3a9c","account":"acme-web",)"
                                   R"("conversation":"acme-web:s-20231114-0001","message_id":"m-1",)"
                                   R"("kind":"text","text":"Hello, I need help with my order",)"
                                   R"("timestamp":1700000000123})", 0),
            0u)
      << run.out_lines[0];
}

TEST(IngestCli, PrettyPrintedSingleDocument) {
  CliRun run = ingest("instagram", omni::test::read_payload("instagram_messages.json"));
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out_lines.size(), 8u);
  EXPECT_TRUE(run.err.empty()) << run.err;
}

TEST(IngestCli, UnknownChannelListsTheAvailableOnes) {
  CliRun run = ingest("telegram", "{}\n");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("unknown channel 'telegram'"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("instagram, webchat, whatsapp"), std::string::npos) << run.err;
  EXPECT_TRUE(run.out_lines.empty());
}

TEST(IngestCli, BadAdapterConfigIsReported) {
  CliRun run = ingest("whatsapp", "{}\n", R"(--config '{"window":1}')");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("config.window"), std::string::npos) << run.err;
}

}  // namespace
