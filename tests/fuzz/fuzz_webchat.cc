// libFuzzer target: the webchat adapter's parsing core on arbitrary bytes.
#include "fuzz_adapter.h"
#include "webchat_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static omni::adapters::WebChatParser parser;
  return omni::fuzz::fuzz_one(parser, omni::adapters::kWebChatChannel, data, size);
}
