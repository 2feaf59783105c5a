// libFuzzer target: what `omni serve` does with a request's untrusted bytes before anything
// reaches an adapter or the kernel — the target's path and query decoding, header lookup, and
// Meta's X-Hub-Signature-256 check over the raw body. The request handlers themselves need the
// kernel, which the fuzz build leaves out (top CMakeLists.txt); the adapters they call next are
// fuzzed by fuzz_whatsapp, fuzz_instagram and fuzz_webchat.
//
// Input: line 1 = request target, line 2 = the signature header, the rest = the body.
#include <cstdint>
#include <string>
#include <string_view>

#include "omnikernel/service/hmac.h"
#include "omnikernel/service/http_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace omni::service;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto line = [&in]() {
    const size_t end = in.find('\n');
    std::string_view l = in.substr(0, end);
    in.remove_prefix(end == std::string_view::npos ? in.size() : end + 1);
    return std::string(l);
  };
  HttpRequest request;
  request.method = "POST";
  request.target = line();
  request.headers.emplace_back("x-hub-signature-256", line());
  request.body = std::string(in);

  (void)request.path();
  for (const char* name : {"hub.mode", "hub.verify_token", "hub.challenge", "agent", "token"}) (void)request.query(name);
  (void)percent_decode(request.target);
  (void)check_hub_signature(request.header("x-hub-signature-256"), request.body, "app-secret");

  // Properties: the digest of the body verifies in either hex case; any other digest does not.
  const std::string good = "sha256=" + to_hex(hmac_sha256("app-secret", request.body));
  if (check_hub_signature(good, request.body, "app-secret") != SignatureCheck::ok) __builtin_trap();
  std::string flipped = good;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  if (check_hub_signature(flipped, request.body, "app-secret") != SignatureCheck::mismatch) __builtin_trap();
  return 0;
}
