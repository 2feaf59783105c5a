#include <algorithm>

#include "omnikernel/sim/report.h"

namespace omni::sim {

void ContactCounters::add(const ContactCounters& o) {
  offered += o.offered;
  refused += o.refused;
  answered += o.answered;
  answered_within_threshold += o.answered_within_threshold;
  waited += o.waited;
  abandoned += o.abandoned;
  overflowed += o.overflowed;
  expired += o.expired;
  closed += o.closed;
  preferred_asked += o.preferred_asked;
  preferred_kept += o.preferred_kept;
  preferred_fell_back += o.preferred_fell_back;
  returning += o.returning;
  back_to_last_agent += o.back_to_last_agent;
  total_wait_s += o.total_wait_s;
  total_handle_s += o.total_handle_s;
  longest_wait_s = std::max(longest_wait_s, o.longest_wait_s);
}

}  // namespace omni::sim
