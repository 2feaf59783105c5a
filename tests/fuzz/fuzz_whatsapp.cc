// libFuzzer target: the whatsapp adapter's parsing core on arbitrary bytes.
#include "fuzz_adapter.h"
#include "whatsapp_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static omni::adapters::WhatsAppParser parser;
  return omni::fuzz::fuzz_one(parser, omni::adapters::kWhatsAppChannel, data, size);
}
