// `omni serve` as a process: it prints where it listens, answers, and on SIGTERM drains and exits
// 0; the demo's generated secrets go to stdout (marked demo) and never into the JSON log.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "child_process.h"
#include "omnikernel/service/service_config.h"
#include "raw_client.h"
#include "tls_client.h"

namespace omni::service::testing {
namespace {

using namespace std::chrono_literals;

TEST(ServeCli, AnswersThenDrainsOnSigtermAndExitsZero) {
  Child c = spawn({OMNI_CLI, "serve", "--listen", "127.0.0.1:0", "--plugins", OMNI_TEST_PLUGIN_DIR});
  const std::regex listening("listening on http://127\\.0\\.0\\.1:([0-9]+)");
  std::string out = read_until(c.out, std::regex("agent tokens"), 10s);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, listening)) << out;
  const uint16_t port = static_cast<uint16_t>(std::stoi(m[1]));
  EXPECT_NE(out.find("DEMO secrets"), std::string::npos);
  EXPECT_EQ(http_request(port, "GET", "/healthz").status, 200);
  EXPECT_EQ(http_request(port, "GET", "/readyz").status, 200);
  EXPECT_EQ(http_request(port, "POST", "/webhooks/whatsapp", "{}").status, 401);
  ASSERT_EQ(kill(c.pid, SIGTERM), 0);
  int status = 0;
  for (int i = 0; i < 500 && waitpid(c.pid, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(WIFEXITED(status)) << "still running or killed";
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const std::string log = read_until(c.err, std::regex("service_stopped"), 2s);
  EXPECT_NE(log.find("\"event\":\"service_stopped\""), std::string::npos) << log;
  // Every demo secret printed on stdout is absent from the log.
  const std::regex secret("demo [A-Z_]+=([0-9a-f]{64})");
  size_t secrets = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), secret); it != std::sregex_iterator(); ++it) {
    ++secrets;
    EXPECT_EQ(log.find((*it)[1].str()), std::string::npos);
  }
  EXPECT_EQ(secrets, 7u);
  close(c.out);
  close(c.err);
}

TEST(ServeCli, ABadConfigurationOrAddressExitsTwo) {
  Child c = spawn({OMNI_CLI, "serve", "/nonexistent.json", "--plugins", OMNI_TEST_PLUGIN_DIR});
  int status = 0;
  waitpid(c.pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(read_until(c.err, std::regex("no such file"), 1s).find("/nonexistent.json: no such file"), std::string::npos);
  close(c.out);
  close(c.err);
  Child d = spawn({OMNI_CLI, "serve", "--listen", "nowhere", "--plugins", OMNI_TEST_PLUGIN_DIR});
  waitpid(d.pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  close(d.out);
  close(d.err);
}

// `omni serve FILE` on the demo's configuration written to FILE with service.tls set: from a file,
// secrets come from the environment, so each is given one.
Child serve_demo_with_tls(const std::string& file, const std::string& certificate, const std::string& private_key) {
  nlohmann::json config = nlohmann::json::parse(demo_config_json());
  config["service"]["tls"] = {{"certificate", certificate}, {"private_key", private_key}};
  std::ofstream(file) << config.dump();
  std::vector<std::pair<std::string, std::string>> env;
  for (const char* name : {"OMNI_WHATSAPP_APP_SECRET", "OMNI_INSTAGRAM_APP_SECRET", "OMNI_VERIFY_TOKEN",
                           "OMNI_AGENT_TOKEN_SECRET", "OMNI_SUPERVISOR_TOKEN", "OMNI_GRAPH_ACCESS_TOKEN",
                           "OMNI_WEBCHAT_SITE_KEY"})
    env.emplace_back(name, "cli-test-secret");
  return spawn({OMNI_CLI, "serve", file, "--listen", "127.0.0.1:0", "--plugins", OMNI_TEST_PLUGIN_DIR}, env);
}

TEST(ServeCli, AnUnreadableTlsCertificateExitsTwoNamingTheField) {
  // The demo's configuration from a file (so secrets come from the environment) with service.tls
  // pointing at a certificate that is not there.
  const std::string file = ::testing::TempDir() + "omni_serve_tls_" + std::to_string(::getpid()) + ".json";
  Child c = serve_demo_with_tls(file, "/nonexistent/omni.crt", "/nonexistent/omni.key");
  int status = 0;
  waitpid(c.pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  const std::string err = read_until(c.err, std::regex("service\\.tls"), 1s);
  EXPECT_NE(err.find("service.tls.certificate: cannot read \"/nonexistent/omni.crt\""), std::string::npos) << err;
  close(c.out);
  close(c.err);
  std::remove(file.c_str());
}

// Certificate rotation as an operator does it: the files are renewed in place and the process
// gets SIGHUP. New connections get the new certificate; a renewal that cannot be used is said on
// stderr, naming the field, and the previous certificate stays in service.
TEST(ServeCli, SighupReloadsTheTlsFilesAndABadRenewalKeepsThePreviousCertificate) {
  const std::filesystem::path dir = ::testing::TempDir() + "omni_serve_sighup_" + std::to_string(::getpid());
  const CertificateFiles first = make_self_signed(dir, "first");
  const CertificateFiles renewed = make_self_signed(dir, "renewed");
  const std::filesystem::path crt = dir / "omni.crt", key = dir / "omni.key";
  std::filesystem::copy_file(first.certificate, crt);
  std::filesystem::copy_file(first.private_key, key);
  Child c = serve_demo_with_tls((dir / "omni.json").string(), crt.string(), key.string());
  std::string out = read_until(c.out, std::regex("listening on https://127\\.0\\.0\\.1:[0-9]+\n"), 10s);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex("listening on https://127\\.0\\.0\\.1:([0-9]+)"))) << out;
  const uint16_t port = static_cast<uint16_t>(std::stoi(m[1]));
  EXPECT_EQ(https_request(port, first.certificate, "GET", "/healthz").status, 200);

  std::filesystem::copy_file(renewed.certificate, crt, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(renewed.private_key, key, std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(kill(c.pid, SIGHUP), 0);
  std::string err = read_until(c.err, std::regex("SIGHUP: [^\n]*\n"), 5s);
  EXPECT_NE(err.find("SIGHUP: TLS certificate reloaded from " + crt.string()), std::string::npos) << err;
  EXPECT_EQ(https_request(port, renewed.certificate, "GET", "/healthz").status, 200);
  EXPECT_FALSE(TlsConnection(port, first.certificate).ok());

  std::ofstream(crt, std::ios::trunc) << "half-written renewal";
  ASSERT_EQ(kill(c.pid, SIGHUP), 0);
  err = read_until(c.err, std::regex("SIGHUP: [^\n]*\n"), 5s);
  EXPECT_NE(err.find("SIGHUP: service.tls.certificate:"), std::string::npos) << err;
  EXPECT_NE(err.find("still serving the previous certificate"), std::string::npos) << err;
  EXPECT_EQ(https_request(port, renewed.certificate, "GET", "/healthz").status, 200);

  ASSERT_EQ(kill(c.pid, SIGTERM), 0);
  int status = 0;
  for (int i = 0; i < 500 && waitpid(c.pid, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(WIFEXITED(status)) << "still running or killed";
  EXPECT_EQ(WEXITSTATUS(status), 0);
  close(c.out);
  close(c.err);
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

TEST(ServeCli, SimulateMovesTheFloor) {
  Child c = spawn({OMNI_CLI, "serve", "--listen", "127.0.0.1:0", "--simulate", "--speed", "200", "--plugins",
                   OMNI_TEST_PLUGIN_DIR});
  std::string out = read_until(c.out, std::regex("simulating"), 10s);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex("listening on http://127\\.0\\.0\\.1:([0-9]+)"))) << out;
  const uint16_t port = static_cast<uint16_t>(std::stoi(m[1]));
  // At 200× the default scenario posts a few messages a second, and its agents accept them and,
  // after their handle time, close them: some accepted items are no longer open. (The agents learn
  // their accept and close took effect from the commands' results, docs/API.md.)
  auto metric = [](const std::string& text, const std::string& pattern) {
    double sum = 0;
    const std::regex line(pattern + " ([0-9.]+)");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator(); ++it)
      sum += std::stod((*it)[1]);
    return sum;
  };
  std::string metrics;
  double accepted = 0, open = 0;
  for (int i = 0; i < 300; ++i) {
    metrics = http_request(port, "GET", "/metrics").body;
    accepted = metric(metrics, "\nomni_accepts_total");
    open = metric(metrics, "\nomni_items\\{state=\"[a-z_]+\"\\}");
    if (accepted > 0 && open < accepted) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_LT(open, accepted) << "no accepted item was ever closed\n" << metrics;
  EXPECT_TRUE(std::regex_search(metrics, std::regex("omni_items_submitted_total [1-9]"))) << metrics;
  EXPECT_TRUE(std::regex_search(metrics, std::regex("omni_accepts_total [1-9]"))) << metrics;
  EXPECT_TRUE(std::regex_search(metrics, std::regex("omni_webhook_requests_total\\{channel=\"[a-z]+\",code=\"200\"\\}")))
      << metrics;
  kill(c.pid, SIGTERM);
  int status = 0;
  waitpid(c.pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(c.out);
  close(c.err);
}

TEST(ServeCli, LoadGeneratorLosesAndDuplicatesNothing) {
  // A small run of `omni load`: every webhook answered 200 becomes exactly one offer.
  Child c = spawn({OMNI_CLI, "load", "--rate", "400", "--seconds", "0.5", "--agents", "20", "--connections", "4",
                   "--plugins", OMNI_TEST_PLUGIN_DIR});
  const std::string out = read_until(c.out, std::regex("CPU per message"), 30s);
  int status = 0;
  waitpid(c.pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  EXPECT_NE(out.find("posted 200, answered 200: 200"), std::string::npos) << out;
  EXPECT_NE(out.find("offered 200 distinct, lost 0, duplicated 0"), std::string::npos) << out;
  close(c.out);
  close(c.err);
}

TEST(ServeCli, LoadGeneratorBatchedAndJournaledLosesAndDuplicatesNothing) {
  // Meta's batched form (several messages per POST) on a journaled service: every message of a
  // POST answered 200 (so durable) becomes exactly one offer.
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("omni-load-journal-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  Child c = spawn({OMNI_CLI, "load", "--rate", "400", "--seconds", "0.5", "--agents", "20", "--connections", "4",
                   "--messages-per-request", "5", "--journal", dir.string(), "--plugins", OMNI_TEST_PLUGIN_DIR});
  const std::string out = read_until(c.out, std::regex("CPU per message"), 30s);
  int status = 0;
  waitpid(c.pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  EXPECT_NE(out.find("posted 200 in 40 requests"), std::string::npos) << out;
  EXPECT_NE(out.find("posted 200, answered 200: 200"), std::string::npos) << out;
  EXPECT_NE(out.find("offered 200 distinct, lost 0, duplicated 0"), std::string::npos) << out;
  close(c.out);
  close(c.err);
  // A journal that is not new is refused (its ids would answer as duplicates): exit 2.
  Child again = spawn({OMNI_CLI, "load", "--rate", "400", "--seconds", "0.5", "--agents", "2", "--journal",
                       dir.string(), "--plugins", OMNI_TEST_PLUGIN_DIR});
  waitpid(again.pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  close(again.out);
  close(again.err);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace omni::service::testing
