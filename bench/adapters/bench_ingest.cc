// bench_ingest: webhook ingest per channel adapter, in MB/s and messages/s, with heap
// allocations per payload; and the same WhatsApp parse written with nlohmann-json (the baseline
// that justifies simdjson) and with simdjson On-Demand (against the DOM the adapters use). Payloads are the realistic ones of tests/plugins/payloads, minified as
// Meta sends them: "single" is one text message (the usual webhook), "batch" a multi-message one.
//
//   build/bin/bench_ingest --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "instagram_parser.h"
#include "support/alloc_counter.h"
#include "webchat_parser.h"
#include "whatsapp_nlohmann.h"
#include "whatsapp_ondemand.h"
#include "whatsapp_parser.h"

#ifdef OMNI_BENCH_ADAPTER_PLUGIN_DIR
#include "omnikernel/runtime/plugin_loader.h"
#endif

namespace {

using namespace omni::adapters;

std::string minified(const std::string& name) {
  std::ifstream in(std::string(OMNI_BENCH_PAYLOAD_DIR) + "/" + name, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "bench_ingest: cannot open payload %s\n", name.c_str());
    std::exit(2);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str()).dump();
}

const std::string& payload(std::string_view channel, std::string_view shape) {
  static const std::string whatsapp_single = minified("whatsapp_text.json");
  static const std::string whatsapp_batch = minified("whatsapp_all_types.json");
  static const std::string instagram_single = nlohmann::json::parse(R"({"object":"instagram",
    "entry":[{"id":"17841400000000001","time":1700000000500,"messaging":[{"sender":{"id":"6789012345678901"},
    "recipient":{"id":"17841400000000001"},"timestamp":1700000000123,"message":{
    "mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxMzk4NjQyMTAzMzY1OjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI1OTk1","text":"Hi! Is this still available?"}}]}]})").dump();
  static const std::string instagram_batch = minified("instagram_messages.json");
  static const std::string webchat_single = nlohmann::json::parse(R"({"object":"webchat","site":"acme-web",
    "visitor":"v-7f3a9c","session":"s-20231114-0001","messages":[{"id":"m-1","timestamp":1700000000123,
    "text":"Hello, I need help with my order"}]})").dump();
  static const std::string webchat_batch = minified("webchat_message.json");
  const bool single = shape == "single";
  if (channel == "whatsapp") return single ? whatsapp_single : whatsapp_batch;
  if (channel == "instagram") return single ? instagram_single : instagram_batch;
  return single ? webchat_single : webchat_batch;
}

void report(benchmark::State& state, size_t bytes, size_t messages, uint64_t allocations) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * messages));
  state.counters["msgs/payload"] = static_cast<double>(messages);
  state.counters["allocs/payload"] =
      static_cast<double>(allocations) / static_cast<double>(state.iterations());
}

template <class Parser>
void BM_Ingest(benchmark::State& state, std::string_view channel, std::string_view shape) {
  const std::string& body = payload(channel, shape);
  Parser parser;
  size_t messages = 0;
  if (auto warm = parser.parse(body); warm) {
    messages = warm->size();
  } else {
    state.SkipWithError(warm.error().message().c_str());
    return;
  }
  const uint64_t before = omni::bench::thread_allocations();
  for (auto _ : state) {
    auto result = parser.parse(body);
    benchmark::DoNotOptimize(result);
  }
  report(state, body.size(), messages, omni::bench::thread_allocations() - before);
}

void BM_WhatsAppNlohmann(benchmark::State& state, std::string_view shape) {
  const std::string& body = payload("whatsapp", shape);
  std::vector<omni::bench::OwnedMessage> out;
  omni::bench::parse_whatsapp_nlohmann(body, out);
  const size_t messages = out.size();
  const uint64_t before = omni::bench::thread_allocations();
  for (auto _ : state) {
    out.clear();
    omni::bench::parse_whatsapp_nlohmann(body, out);
    benchmark::DoNotOptimize(out.data());
  }
  report(state, body.size(), messages, omni::bench::thread_allocations() - before);
}

void BM_WhatsAppOnDemand(benchmark::State& state, std::string_view shape) {
  const std::string& body = payload("whatsapp", shape);
  omni::bench::WhatsAppOnDemand parser;
  std::span<const NormalizedMessage> messages;
  if (!parser.parse(body, messages)) {
    state.SkipWithError("on-demand parse refused the payload");
    return;
  }
  const size_t count = messages.size();
  const uint64_t before = omni::bench::thread_allocations();
  for (auto _ : state) {
    bool ok = parser.parse(body, messages);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(messages.data());
  }
  report(state, body.size(), count, omni::bench::thread_allocations() - before);
}

#ifdef OMNI_BENCH_ADAPTER_PLUGIN_DIR
// The same parse as a host sees it: the plugin loaded by omni_runtime, through the C ABI, the
// parser pool and the message sink.
void BM_IngestPlugin(benchmark::State& state, std::string_view channel, std::string_view shape) {
  static omni::runtime::PluginLoader loader = [] {
    omni::runtime::PluginLoader l;
    (void)l.load_directory(OMNI_BENCH_ADAPTER_PLUGIN_DIR);
    return l;
  }();
  auto adapter = loader.create_adapter(channel);
  if (!adapter) {
    state.SkipWithError(adapter.error().text().c_str());
    return;
  }
  const std::string& body = payload(channel, shape);
  size_t messages = 0;
  auto count_only = [&](const omni::runtime::InboundMessage& m) {
    benchmark::DoNotOptimize(m.text.data());
    return true;
  };
  if (auto warm = adapter->parse(body, count_only); warm) messages = *warm;
  const uint64_t before = omni::bench::thread_allocations();
  for (auto _ : state) {
    auto delivered = adapter->parse(body, count_only);
    benchmark::DoNotOptimize(delivered);
  }
  report(state, body.size(), messages, omni::bench::thread_allocations() - before);
}
#endif

void register_all() {
  for (std::string_view shape : {"single", "batch"}) {
    const std::string suffix = "/" + std::string(shape);
    benchmark::RegisterBenchmark(("ingest/whatsapp/dom" + suffix).c_str(),
                                 BM_Ingest<WhatsAppParser>, "whatsapp", shape);
    benchmark::RegisterBenchmark(("ingest/whatsapp/ondemand" + suffix).c_str(),
                                 BM_WhatsAppOnDemand, shape);
    benchmark::RegisterBenchmark(("ingest/whatsapp/nlohmann" + suffix).c_str(),
                                 BM_WhatsAppNlohmann, shape);
    benchmark::RegisterBenchmark(("ingest/instagram/dom" + suffix).c_str(),
                                 BM_Ingest<InstagramParser>, "instagram", shape);
    benchmark::RegisterBenchmark(("ingest/webchat/dom" + suffix).c_str(),
                                 BM_Ingest<WebChatParser>, "webchat", shape);
#ifdef OMNI_BENCH_ADAPTER_PLUGIN_DIR
    for (std::string_view channel : {"whatsapp", "instagram", "webchat"}) {
      benchmark::RegisterBenchmark(("ingest_plugin/" + std::string(channel) + suffix).c_str(),
                                   BM_IngestPlugin, channel, shape);
    }
#endif
  }
}

// The baselines are only a fair comparison if it computes the same thing.
void check_baseline_agrees() {
  for (std::string_view shape : {"single", "batch"}) {
    const std::string& body = payload("whatsapp", shape);
    WhatsAppParser parser;
    auto fast = parser.parse(body);
    std::vector<omni::bench::OwnedMessage> slow;
    omni::bench::parse_whatsapp_nlohmann(body, slow);
    bool same = fast.has_value() && fast->size() == slow.size();
    for (size_t i = 0; same && i < slow.size(); ++i) {
      const auto& a = (*fast)[i];
      const auto& b = slow[i];
      same = a.customer == b.customer && a.conversation == b.conversation &&
             a.message_id == b.message_id && to_string(a.kind) == b.kind && a.text == b.text &&
             a.timestamp_ms == b.timestamp_ms;
    }
    omni::bench::WhatsAppOnDemand on_demand;
    std::span<const NormalizedMessage> od_messages;
    same = same && on_demand.parse(body, od_messages) && od_messages.size() == slow.size();
    for (size_t i = 0; same && i < slow.size(); ++i) {
      const auto& a = od_messages[i];
      const auto& b = slow[i];
      same = a.customer == b.customer && a.conversation == b.conversation &&
             a.message_id == b.message_id && to_string(a.kind) == b.kind && a.text == b.text &&
             a.timestamp_ms == b.timestamp_ms;
    }
    if (!same) {
      std::fprintf(stderr, "bench_ingest: a baseline (nlohmann or on-demand) disagrees on the %s payload\n",
                   std::string(shape).c_str());
      std::exit(3);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  check_baseline_agrees();
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::printf("allocator: %s\n", std::string(omni::bench::allocator_name()).c_str());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
