// service.tls on loopback: HTTPS and WSS on one port with a throwaway self-signed certificate
// (made per test run with OpenSSL's API), a signed webhook that reaches an agent's WebSocket over
// wss, plain HTTP sent to the TLS port answered with a plain 400 and closed, and every bad
// certificate or key file refused at start with an error naming its field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "omnikernel/service/http_server.h"
#include "service_fixture.h"
#include "tls_client.h"

namespace omni::service::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

ServiceLimits test_limits() { return load_serve_config_text(test_config(), "t")->service.limits; }

fs::path scratch() {
  const fs::path dir = fs::temp_directory_path() / ("omni_tls_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

class ServiceTls : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch();
    files_ = make_self_signed(dir_, "server");
    sut_ = make_service();
    sut_.service->start();
    auto server = HttpServer::start(*sut_.service, {"127.0.0.1", 0}, test_limits(), 2,
                                    {files_.certificate.string(), files_.private_key.string()});
    ASSERT_TRUE(server) << server.error();
    server_ = std::move(*server);
  }
  void TearDown() override {
    if (server_) server_->stop(200ms);
    if (sut_.service) sut_.service->stop();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  uint16_t port() const { return server_->port(); }

  fs::path dir_;
  CertificateFiles files_;
  ServiceUnderTest sut_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ServiceTls, HttpsServesTheApiWithTheConfiguredCertificate) {
  // The client trusts only the generated certificate and checks it names 127.0.0.1: a handshake
  // that succeeds proves the server presents that certificate.
  RawResponse health = https_request(port(), files_.certificate, "GET", "/healthz");
  ASSERT_EQ(health.status, 200) << health.headers;
  EXPECT_EQ(Json::parse(health.body)["status"], "ok");
  EXPECT_EQ(https_request(port(), files_.certificate, "GET", "/no/such/thing").status, 404);
}

TEST_F(ServiceTls, AClientTrustingAnotherCertificateFailsTheHandshake) {
  const CertificateFiles other = make_self_signed(dir_, "other");
  TlsConnection c(port(), other.certificate);
  EXPECT_FALSE(c.ok());
  EXPECT_NE(c.error().find("handshake"), std::string::npos) << c.error();
}

TEST_F(ServiceTls, SignedWebhookOverHttpsReachesTheAgentOverWss) {
  TlsWebSocket ws(port(), files_.certificate, "/v1/agents/ws?agent=alice&token=" + sut_.service->token_of("alice"));
  ASSERT_EQ(ws.status(), 101);
  ASSERT_TRUE(ws.read_until_contains("\"hello\""));
  const std::string body = whatsapp_payload("15558888", "wamid.tls", "Where is my order?");
  RawResponse r = https_request(port(), files_.certificate, "POST", "/webhooks/whatsapp", body,
                                {{"X-Hub-Signature-256", sign(body)}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto offer = ws.read_until_contains("\"offer\"", 1000ms);
  ASSERT_TRUE(offer);
  const std::string item = Json::parse(*offer)["item"];
  ws.send_text(Json{{"id", 1}, {"op", "accept"}, {"item", item}}.dump());
  auto answer = ws.read_until_contains("\"id\":1");
  ASSERT_TRUE(answer);
  EXPECT_EQ(Json::parse(*answer)["ok"], true) << *answer;
  // A wrong signature is still 401 over TLS.
  EXPECT_EQ(https_request(port(), files_.certificate, "POST", "/webhooks/whatsapp", body,
                          {{"X-Hub-Signature-256", "sha256=00"}})
                .status,
            401);
}

TEST_F(ServiceTls, PlainHttpToTheTlsPortGetsAPlain400AndIsClosed) {
  RawResponse r = http_request(port(), "GET", "/healthz");
  ASSERT_EQ(r.status, 400) << r.headers;
  EXPECT_EQ(Json::parse(r.body)["error"], "tls_required") << r.body;
  // A plain WebSocket upgrade is refused the same way.
  RawWebSocket ws(port(), "/v1/agents/ws?agent=alice&token=" + sut_.service->token_of("alice"));
  EXPECT_EQ(ws.status(), 400);
  // The server goes on serving TLS clients afterwards.
  EXPECT_EQ(https_request(port(), files_.certificate, "GET", "/healthz").status, 200);
}

TEST_F(ServiceTls, GarbageInsteadOfAHandshakeIsClosed) {
  RawConnection c(port());
  ASSERT_TRUE(c.ok());
  c.send(std::string("\x16\x03\x01\x00\x05garbage", 12));  // a TLS record header, then nonsense
  EXPECT_TRUE(c.closed_within(2000ms));
  EXPECT_EQ(https_request(port(), files_.certificate, "GET", "/healthz").status, 200);
}

// ---- certificate rotation (reload_tls) ---------------------------------------------------------

TEST_F(ServiceTls, AReloadedCertificateServesNewConnectionsAndOpenOnesKeepTheirs) {
  TlsConnection before(port(), files_.certificate);  // handshaken with the first certificate
  ASSERT_TRUE(before.ok()) << before.error();
  const CertificateFiles next = make_self_signed(dir_, "next");
  ASSERT_TRUE(server_->reload_tls({next.certificate.string(), next.private_key.string()}));
  // A client trusting only the new certificate gets through, one trusting only the old does not.
  EXPECT_EQ(https_request(port(), next.certificate, "GET", "/healthz").status, 200);
  TlsConnection stale(port(), files_.certificate);
  EXPECT_FALSE(stale.ok());
  // The connection opened before the rotation still serves requests.
  ASSERT_TRUE(before.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_NE(before.read_until("\r\n\r\n", 2000ms).find(" 200 "), std::string::npos);
}

TEST_F(ServiceTls, AReloadOfBadFilesNamesTheFieldAndKeepsTheCertificateInUse) {
  std::ofstream(dir_ / "bad.crt") << "not a certificate";
  const CertificateFiles other = make_self_signed(dir_, "other");
  const std::vector<std::pair<TlsFiles, std::string>> bad = {
      {{(dir_ / "nope.crt").string(), files_.private_key.string()}, "service.tls.certificate: cannot read"},
      {{(dir_ / "bad.crt").string(), files_.private_key.string()}, "service.tls.certificate:"},
      {{files_.certificate.string(), other.private_key.string()}, "service.tls.private_key:"},
      {{}, "service.tls:"},
  };
  for (const auto& [files, expected] : bad) {
    auto reloaded = server_->reload_tls(files);
    ASSERT_FALSE(reloaded) << expected;
    EXPECT_EQ(reloaded.error().rfind(expected, 0), 0u) << reloaded.error();
    EXPECT_EQ(https_request(port(), files_.certificate, "GET", "/healthz").status, 200) << expected;
  }
}

TEST(ServiceTlsReload, APlainServerRefusesToTurnTlsOnWithoutARestart) {
  const fs::path dir = scratch();
  const CertificateFiles files = make_self_signed(dir, "plain");
  ServiceUnderTest sut = make_service();
  sut.service->start();
  auto server = HttpServer::start(*sut.service, {"127.0.0.1", 0}, test_limits(), 1);
  ASSERT_TRUE(server) << server.error();
  auto reloaded = (*server)->reload_tls({files.certificate.string(), files.private_key.string()});
  ASSERT_FALSE(reloaded);
  EXPECT_NE(reloaded.error().find("started without TLS"), std::string::npos) << reloaded.error();
  EXPECT_EQ(http_request((*server)->port(), "GET", "/healthz").status, 200);
  (*server)->stop(std::chrono::milliseconds(200));
  sut.service->stop();
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

// ---- configuration and start-up errors ---------------------------------------------------------

TEST(ServiceTlsConfig, BothFilesOrNeitherAndErrorsNameTheField) {
  auto only_certificate = load_serve_config_text(test_config({{"tls", {{"certificate", "/x.crt"}}}}), "t");
  ASSERT_FALSE(only_certificate);
  EXPECT_EQ(only_certificate.error().field, "service.tls.private_key");
  auto empty = load_serve_config_text(test_config({{"tls", {{"certificate", ""}, {"private_key", "/x.key"}}}}), "t");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().field, "service.tls.certificate");
  auto typo = load_serve_config_text(
      test_config({{"tls", {{"certificate", "/x.crt"}, {"private_key", "/x.key"}, {"ca", "/x"}}}}), "t");
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().field, "service.tls.ca");
  auto good = load_serve_config_text(test_config({{"tls", {{"certificate", "/x.crt"}, {"private_key", "/x.key"}}}}), "t");
  ASSERT_TRUE(good);
  EXPECT_TRUE(good->service.tls.enabled());
  EXPECT_FALSE(load_serve_config_text(test_config(), "t")->service.tls.enabled());
}

class ServiceTlsFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch();
    good_ = make_self_signed(dir_, "good");
    other_ = make_self_signed(dir_, "other");
    sut_ = make_service();
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  // The start-up error for these files (empty when the server started).
  std::string start_error(const fs::path& certificate, const fs::path& key) {
    auto server = HttpServer::start(*sut_.service, {"127.0.0.1", 0}, test_limits(), 1,
                                    {certificate.string(), key.string()});
    return server ? std::string() : server.error();
  }
  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }

  fs::path dir_;
  CertificateFiles good_, other_;
  ServiceUnderTest sut_;
};

TEST_F(ServiceTlsFiles, MissingCertificateNamesTheField) {
  const std::string e = start_error(dir_ / "nope.crt", good_.private_key);
  EXPECT_EQ(e.rfind("service.tls.certificate: cannot read", 0), 0u) << e;
  EXPECT_NE(e.find("nope.crt"), std::string::npos) << e;
}

TEST_F(ServiceTlsFiles, MissingKeyNamesTheField) {
  const std::string e = start_error(good_.certificate, dir_ / "nope.key");
  EXPECT_EQ(e.rfind("service.tls.private_key: cannot read", 0), 0u) << e;
}

TEST_F(ServiceTlsFiles, ACertificateThatIsNotPemNamesTheField) {
  const std::string e = start_error(write("bad.crt", "not a certificate"), good_.private_key);
  EXPECT_EQ(e.rfind("service.tls.certificate:", 0), 0u) << e;
  EXPECT_NE(e.find("is not a PEM certificate"), std::string::npos) << e;
}

TEST_F(ServiceTlsFiles, AKeyThatIsNotPemNamesTheField) {
  // The certificate's PEM in the key's place: readable, but no private key.
  const std::string e = start_error(good_.certificate, good_.certificate);
  EXPECT_EQ(e.rfind("service.tls.private_key:", 0), 0u) << e;
  EXPECT_NE(e.find("is not an unencrypted PEM private key"), std::string::npos) << e;
}

TEST_F(ServiceTlsFiles, AKeyOfAnotherCertificateNamesBothFields) {
  const std::string e = start_error(good_.certificate, other_.private_key);
  EXPECT_EQ(e.rfind("service.tls.private_key:", 0), 0u) << e;
  EXPECT_NE(e.find("does not match the certificate of service.tls.certificate"), std::string::npos) << e;
}

TEST_F(ServiceTlsFiles, GoodFilesStart) { EXPECT_EQ(start_error(good_.certificate, good_.private_key), ""); }

}  // namespace
}  // namespace omni::service::testing
