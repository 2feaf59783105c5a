// Reads the realistic webhook payloads kept next to the tests (payloads/*.json).
#pragma once
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#ifndef OMNI_TEST_PAYLOAD_DIR
#error "OMNI_TEST_PAYLOAD_DIR must name tests/plugins/payloads"
#endif

namespace omni::test {

inline std::string read_payload(const std::string& name) {
  std::ifstream in(std::string(OMNI_TEST_PAYLOAD_DIR) + "/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open payload " + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace omni::test
