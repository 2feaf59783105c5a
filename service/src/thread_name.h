// Names the calling thread (Linux: at most 15 characters are kept), so that `top -H`, perf and
// gdb tell the service's threads apart: omni-io-N, omni-pump, omni-acks, omni-graph, omni-sim and
// omni-load. Naming is best effort: a failure changes nothing else.
#pragma once
#include <pthread.h>

#include <string>

namespace omni::service {

inline void name_this_thread(const std::string& name) noexcept {
  (void)pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace omni::service
