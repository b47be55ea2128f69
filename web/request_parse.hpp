// The parts of an HTTP request the admin site reads out of untrusted text: the target's path and
// query (percent-decoded), a cookie, a bearer token. Bounds-checked; fuzzed by
// tests/fuzz/web_request_fuzz.cpp.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace cucm::web {

struct Target {
  std::string path;  // decoded; always starts with '/'
  std::map<std::string, std::string> query;
};

// "/api/v1/devices?offset=100&q=SEP00" -> path and query. InvalidArgument for a target that is
// not a path, a bad %-escape, or a decoded NUL or control character. '+' in the query is a space.
Result<Target> parse_target(std::string_view target);
// The value of cookie `name` in a Cookie header ("a=1; cucm_session=xyz"), or empty.
std::string cookie_value(std::string_view header, std::string_view name);
// The token of "Bearer <token>" (scheme in any case), or empty.
std::string bearer_token(std::string_view header);
// A count or an id in a query parameter or header: decimal digits only, at most `max`.
// InvalidArgument naming `name` and the range otherwise.
inline constexpr std::size_t kMaxCount = std::size_t{1} << 62;
Result<std::size_t> parse_count(std::string_view text, std::string_view name, std::size_t max);
// "/api/v1/devices/SEP00" -> {"api", "v1", "devices", "SEP00"}; empty segments dropped.
std::vector<std::string> path_segments(std::string_view path);

}  // namespace cucm::web
