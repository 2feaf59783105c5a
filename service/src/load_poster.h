// omni load's posters: keep-alive HTTP connections that post signed WhatsApp webhooks at their
// pace on the client loop (load_client_sockets.h), counting each message's answer in the tally.
#pragma once
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "load_client_sockets.h"
#include "load_client_wire.h"
#include "load_tally.h"
#include "omnikernel/service/hmac.h"

namespace omni::service::load {

// Messages first … first + count - 1, each from a new customer, in one WhatsApp webhook (Meta
// batches under load: entry[].changes[].value.messages[]). Each text carries the send time: the
// agent that receives the offer computes the latency.
std::string payload(uint64_t first, uint32_t count, int64_t sent_ns) {
  std::string contacts, messages;
  for (uint64_t n = first; n < first + count; ++n) {
    const std::string customer = std::to_string(10'000'000'000 + n);
    if (n != first) {
      contacts += ',';
      messages += ',';
    }
    contacts += R"({"profile":{"name":"L"},"wa_id":")" + customer + "\"}";
    messages += R"({"from":")" + customer + R"(","id":"wamid.load.)" + std::to_string(n) +
                R"(","timestamp":"1700000000","type":"text","text":{"body":")" + std::to_string(sent_ns) + "\"}}";
  }
  return R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"106540352242922"},"contacts":[)" +
         contacts + R"(],"messages":[)" + messages + "]}}]}]}";
}

class Poster;
// Posters waiting for their next slot, earliest first.
using Schedule = std::priority_queue<std::pair<SteadyTime::time_point, Poster*>,
                                     std::vector<std::pair<SteadyTime::time_point, Poster*>>, std::greater<>>;

// One keep-alive HTTP connection posting its share of the requests at its pace: requests
// first, first + stride, … (request r carries messages r·M … r·M + M - 1).
class Poster final : public ClientConnection {
 public:
  Poster(ClientLoop& loop, Schedule& schedule, Shared& shared, uint64_t first, uint64_t stride, uint64_t total_messages,
         SteadyTime::duration interval, SteadyTime::duration offset)
      : ClientConnection(loop), schedule_(schedule), shared_(shared), next_(first), stride_(stride),
        total_(total_messages), interval_(interval), offset_(offset) {}

  void start(const sockaddr_in& address) {
    // Each connection starts at its own offset into the interval, so that together they post
    // evenly spaced requests: started together they posted in bursts of one request per
    // connection, and the burst's queue, not the service, set the latency.
    due_ = shared_.start + offset_;
    if (!adopt(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0))) return finish();
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
      watch(EPOLLIN);
      return wait_for_slot(SteadyTime::now());
    }
    if (errno != EINPROGRESS) return finish();
    state_ = State::connecting;
    watch(EPOLLOUT);
  }

  void post(SteadyTime::time_point now) {
    if (state_ == State::done) return;
    const uint64_t first = next_ * shared_.per_request;
    if (first >= total_ || now > shared_.stop_posting) return finish();
    due_ += interval_;
    next_ += stride_;
    count_ = static_cast<uint32_t>(std::min<uint64_t>(shared_.per_request, total_ - first));
    first_ = first;
    const std::string body = payload(first, count_, since_start_ns(shared_));
    out_ = "POST /webhooks/whatsapp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "X-Hub-Signature-256: sha256=";
    out_ += to_hex(hmac_sha256(shared_.secret, body));
    out_ += "\r\nContent-Length: ";
    out_ += std::to_string(body.size());
    out_ += "\r\n\r\n";
    out_ += body;
    ++shared_.requests;
    shared_.posted += count_;
    state_ = State::in_flight;
    if (!flush()) fail();
  }

 private:
  enum class State : uint8_t { connecting, idle, in_flight, done };

  void on_ready(uint32_t events) override {
    if (state_ == State::connecting) return connected();
    if ((events & EPOLLOUT) && !flush()) return fail();
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) read();
  }

  void connected() {
    int error = 0;
    socklen_t size = sizeof error;
    if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0) return finish();
    watch(EPOLLIN);
    wait_for_slot(SteadyTime::now());
  }

  void read() {
    const bool open = fill();
    while (state_ == State::in_flight) {
      const auto head = wire::parse_response({in_.data(), in_used_});
      if (!head) break;
      if (head->status == 0) return fail();
      consume(head->size);
      const auto now = SteadyTime::now();
      answered(head->status == 200, now);
      // Answered before the whole request was sent: the connection is out of step.
      if (!sent_all()) return finish();
      wait_for_slot(now);
    }
    // Bytes nobody asked for, or the peer gone.
    if ((state_ != State::in_flight && in_used_ > 0) || !open) fail();
  }

  // Paced: wait for the next slot, or go at once when behind.
  void wait_for_slot(SteadyTime::time_point now) {
    state_ = State::idle;
    if (now >= due_) return post(now);
    schedule_.emplace(due_, this);
  }

  // The request in flight is answered other. An idle connection is only closed: its next post
  // finds it so and is answered other, as Beast's write-then-read found it.
  void fail() {
    if (state_ == State::in_flight) {
      answered(false, SteadyTime::now());
      return finish();
    }
    if (state_ == State::idle) return close_socket();
    finish();
  }

  void finish() {
    if (state_ == State::done) return;
    state_ = State::done;
    ++shared_.posters_done;
    close_socket();
  }

  void answered(bool ok, SteadyTime::time_point now) {
    for (uint64_t n = first_; n < first_ + count_; ++n) {
      shared_.answer[n] = ok ? answered_ok : answered_other;
      shared_.ok_and_seen += ok && shared_.seen[n] > 0;
    }
    (ok ? shared_.ok : shared_.other) += count_;
    shared_.last_answer = now;
  }

  Schedule& schedule_;
  Shared& shared_;
  State state_ = State::idle;
  uint64_t next_, stride_, total_;
  uint64_t first_ = 0;
  uint32_t count_ = 0;
  SteadyTime::duration interval_, offset_;
  SteadyTime::time_point due_;
};

}  // namespace omni::service::load
