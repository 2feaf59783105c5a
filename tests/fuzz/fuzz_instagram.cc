// libFuzzer target: the instagram adapter's parsing core on arbitrary bytes.
#include "fuzz_adapter.h"
#include "instagram_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static omni::adapters::InstagramParser parser;
  return omni::fuzz::fuzz_one(parser, omni::adapters::kInstagramChannel, data, size);
}
