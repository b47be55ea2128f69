// File faults (issue 18): the bytes of a file as a misbehaving server would serve them, built on
// request beside the normal ones and never cached. Each fault starts from what the catalog would
// build and changes one thing, so a phone's reaction points at that one thing.
#pragma once

#include <string_view>

#include "catalog/decision.hpp"
#include "catalog/file_name.hpp"
#include "core/bytes.hpp"
#include "core/result.hpp"
#include "fault/catalog.hpp"

namespace cucm::catalog {

// The file kinds a file fault acts on (what lookup checks before any database read).
bool fault_acts_on(const fault::FaultSpec& f, FileKind kind);
// The same, once the decision is known: certHash faults change a partial config only, enc faults
// an encrypted one, and so on. A fault armed for a file the decision does not make is not used up.
bool fault_acts_on(const fault::FaultSpec& f, FileKind kind, Variant variant);

// A signed file (.sgn, ITL) with its signature's last byte flipped: it still parses, and no key
// verifies it. `context` names the file kind in a parse error.
Result<Bytes> flip_signature(Bytes file, std::string_view context);

}  // namespace cucm::catalog
