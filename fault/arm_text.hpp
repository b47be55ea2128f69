// The text forms of an armed fault, read from the CLI and the armed_fault table: its parameters
// ("code=503,ms=10") and its end ("2026-12-05T23:00:00Z", "10m"). Each error is one line naming
// the fault and the value.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "fault/catalog.hpp"
#include "fault/store.hpp"

namespace cucm::fault {

// "name=value" items (each may hold several, comma-separated) checked against the fault's
// parameters and ranges; every parameter not given gets its default.
Result<std::map<std::string, std::int64_t>> parse_params(const FaultSpec& f, const std::vector<std::string>& items);
// The stored form: sorted "name=value" joined by commas.
std::string params_text(const std::map<std::string, std::int64_t>& params);
// The stored form read back; a name the fault does not take or a value out of its range (a row
// edited by hand) falls back to the default, so a server never applies what the catalog forbids.
std::map<std::string, std::int64_t> read_params(const FaultSpec& f, std::string_view text);
// A UTC time or a duration from `now`, which must end after `now`.
Result<SystemTime> parse_until(std::string_view text, SystemTime now);

}  // namespace cucm::fault
