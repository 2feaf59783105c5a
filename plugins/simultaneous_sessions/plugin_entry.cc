// The plugin library's one exported symbol.
#include "simultaneous_sessions_policy.h"

OMNI_PLUGIN(omni::plugins::SimultaneousSessionsPolicy, "simultaneous_sessions", "1.0.0");
