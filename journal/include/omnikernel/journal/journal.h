// The journal: an append-only, checksummed, group-committed log of typed opaque records with
// atomic snapshots. Format, durability and failure modes: docs/OPERATIONS.md.
#pragma once

#include "omnikernel/journal/reader.h"
#include "omnikernel/journal/types.h"
#include "omnikernel/journal/writer.h"
