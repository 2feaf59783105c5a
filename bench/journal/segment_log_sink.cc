// Candidate (a), the one chosen: omni::journal's own segment log, through its public Writer.
#include <cstdio>
#include <cstdlib>

#include "durable_sink.h"
#include "omnikernel/journal/writer.h"

namespace omni::bench::journal {
namespace {

class SegmentLogSink final : public DurableSink {
 public:
  explicit SegmentLogSink(const SinkConfig& c) {
    omni::journal::Options o;
    o.dir = c.dir;
    o.group_commit_window = std::chrono::microseconds(c.window_us);
    o.fsync = true;
    o.max_pending_bytes = c.max_pending_bytes;
    auto w = omni::journal::Writer::open(o);
    if (!w) {
      std::fprintf(stderr, "%s\n", w.error().message().c_str());
      std::abort();
    }
    writer_ = std::move(*w);
  }
  Lsn append(uint16_t type, std::span<const std::byte> payload) override {
    auto r = writer_->append(type, payload);
    if (r) return *r;
    if (r.error() != omni::journal::JournalStatus::busy) {
      std::fprintf(stderr, "append: %s\n", std::string(to_string(r.error())).c_str());
      std::abort();
    }
    return 0;
  }
  void on_durable(std::function<void(Lsn)> cb) override { writer_->on_durable(std::move(cb)); }
  void close() override {
    if (writer_->close() != omni::journal::JournalStatus::ok) std::abort();
  }

 private:
  std::unique_ptr<omni::journal::Writer> writer_;
};

}  // namespace

std::unique_ptr<DurableSink> make_segment_log_sink(const SinkConfig& c) {
  return std::make_unique<SegmentLogSink>(c);
}

}  // namespace omni::bench::journal
