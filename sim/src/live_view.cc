#include "omnikernel/sim/live_view.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <string_view>

#include "omnikernel/config/duration.h"
#include "text_table.h"

namespace omni::sim {
namespace {

using internal::percent;
using internal::seconds;

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string milli(int32_t value) { return internal::fixed(value / 1000.0, value % 1000 ? 1 : 0); }

// The first `columns` characters of a line, never cutting a UTF-8 sequence ("—", "×", "…").
std::string_view clip(std::string_view line, size_t columns) {
  size_t shown = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (shown++ == columns) return line.substr(0, i);
  }
  return line;
}

}  // namespace

LiveView::LiveView(const Simulation& simulation, std::FILE* out, std::chrono::milliseconds period)
    : simulation_(simulation), out_(out), period_(period), started_(std::chrono::steady_clock::now()) {
  const Kernel& kernel = simulation_.kernel();
  const auto config = kernel.config();
  for (const PresenceStatusConfig& s : config->statuses) {
    if (auto id = kernel.find_status(s.name)) {
      const size_t i = omni::index(*id);
      if (status_names_.size() <= i) {
        status_names_.resize(i + 1);
        pause_causes_.resize(i + 1);
      }
      status_names_[i] = s.name;
      pause_causes_[i] = s.pause_cause;
    }
  }
  for (const AgentConfig& a : config->agents) {
    if (auto id = kernel.find_agent(a.name)) {
      const size_t i = omni::index(*id);
      if (agent_names_.size() <= i) agent_names_.resize(i + 1);
      agent_names_[i] = a.name;
    }
  }
  if (out_ != nullptr) {
    std::fputs("\x1b[?1049h\x1b[?25l", out_);  // alternate screen, hide the cursor
    std::fflush(out_);
    thread_ = std::thread([this] { loop(); });
  }
}

LiveView::~LiveView() { stop(); }

void LiveView::stop() {
  if (stopping_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
  if (out_ != nullptr) {
    std::fputs("\x1b[?25h\x1b[?1049l", out_);  // back to the normal screen, where the report goes
    std::fflush(out_);
  }
}

void LiveView::loop() {
  while (!stopping_.load(std::memory_order_relaxed)) {
    winsize size{};
    int rows = 40, columns = 120;
    if (ioctl(fileno(out_), TIOCGWINSZ, &size) == 0 && size.ws_row > 0) {
      rows = size.ws_row;
      columns = size.ws_col;
    }
    std::string frame = "\x1b[H";
    const std::string body = render(rows, columns);
    size_t start = 0;
    while (start < body.size()) {
      size_t end = body.find('\n', start);
      if (end == std::string::npos) end = body.size();
      frame += clip(std::string_view(body).substr(start, end - start), static_cast<size_t>(columns));
      frame += "\x1b[K\n";
      start = end + 1;
    }
    frame += "\x1b[J";
    std::fwrite(frame.data(), 1, frame.size(), out_);
    std::fflush(out_);
    std::this_thread::sleep_for(period_);
  }
}

std::string LiveView::render(int rows, int columns) const {
  (void)columns;
  const Kernel& kernel = simulation_.kernel();
  const Scenario& scenario = simulation_.scenario();
  const double now_s = config::to_seconds(simulation_.now().time_since_epoch());
  const double total_s = config::to_seconds(simulation_.duration());
  const double fraction = total_s > 0 ? std::clamp(now_s / total_s, 0.0, 1.0) : 1.0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();

  std::string out = "omni run — " + scenario.name + "   " + seconds(now_s) + " of " + seconds(total_s) + "  [";
  const int bar = 30;
  const int filled = static_cast<int>(fraction * bar);
  out += std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(bar - filled), '.');
  out += "] " + percent(fraction) + "\n" + internal::fixed(wall > 0 ? now_s / wall : 0, 0) +
         "× real time; the report follows at the end (Ctrl-C ends the run early)\n\n";

  out += pad("queue", 22) + pad("waiting", 9) + pad("longest", 10) + pad("offered", 9) + pad("answered", 10) +
         pad("abandoned", 11) + "SL so far\n";
  const std::vector<QueueId> queues = simulation_.queue_ids();
  const Time now = simulation_.now();
  for (size_t q = 0; q < queues.size(); ++q) {
    auto snapshot = kernel.queue(queues[q]);
    const QueueProgress p = simulation_.progress(q);
    std::string longest = "-";
    if (snapshot && snapshot->oldest && *snapshot->oldest <= now) {
      longest = seconds(config::to_seconds(now - *snapshot->oldest));
    }
    out += pad(kernel.config()->queues[q].name, 22) + pad(snapshot ? std::to_string(snapshot->waiting) : "?", 9) +
           pad(longest, 10) + pad(std::to_string(p.offered), 9) + pad(std::to_string(p.answered), 10) +
           pad(std::to_string(p.abandoned), 11) + percent(p.service_level()) + "\n";
  }

  out += "\n" + pad("agent", 22) + pad("status", 16) + pad("activity", 10) + pad("pause cause", 14) +
         pad("capacity", 12) + "items\n";
  const std::vector<AgentId> agents = simulation_.agent_ids();
  const int room = std::max(3, rows - static_cast<int>(queues.size()) - 8);
  const size_t shown = std::min(agents.size(), static_cast<size_t>(room));
  for (size_t i = 0; i < shown; ++i) {
    auto a = kernel.agent(agents[i]);
    if (!a) continue;
    const size_t status = omni::index(a->status);
    const size_t id = omni::index(agents[i]);
    std::string items = std::to_string(a->open_items);
    if (a->wrap_up_items) items += " + " + std::to_string(a->wrap_up_items) + " wrap-up";
    out += pad(id < agent_names_.size() ? agent_names_[id] : "?", 22) +
           pad(status < status_names_.size() ? status_names_[status] : "?", 16) +
           pad(std::string(to_string(a->activity)), 10) +
           pad(status < pause_causes_.size() && !pause_causes_[status].empty() ? pause_causes_[status] : "-", 14) +
           pad(milli(a->used_milli) + "/" + milli(a->capacity_milli), 12) + items + "\n";
  }
  if (shown < agents.size()) {
    out += "… and " + std::to_string(agents.size() - shown) + " more agents (the report lists them all)\n";
  }
  return out;
}

}  // namespace omni::sim
