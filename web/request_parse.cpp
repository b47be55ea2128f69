// Request text.
#include "web/request_parse.hpp"

#include <fmt/format.h>

namespace cucm::web {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (s.size() - i < 3) {
        return make_error(Errc::InvalidArgument, "bad %-escape in the request target");
      }
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return make_error(Errc::InvalidArgument, "bad %-escape in the request target");
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return make_error(Errc::InvalidArgument, "a control character in the request target");
    }
    out.push_back(c);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Target> parse_target(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return make_error(Errc::InvalidArgument, "the request target must be a path starting with '/'");
  }
  Target t;
  auto q = target.find('?');
  CUCM_TRY(t.path, decode(target.substr(0, q), false));
  if (q == std::string_view::npos) return t;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view item = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (item.empty()) continue;
    auto eq = item.find('=');
    CUCM_TRY(auto key, decode(item.substr(0, eq), true));
    std::string value;
    if (eq != std::string_view::npos) {
      CUCM_TRY(value, decode(item.substr(eq + 1), true));
    }
    t.query[std::move(key)] = std::move(value);  // a repeated key: the last one counts
  }
  return t;
}

std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto semi = header.find(';');
    std::string_view item = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    if (trim(item.substr(0, eq)) == name) return std::string(trim(item.substr(eq + 1)));
  }
  return {};
}

std::string bearer_token(std::string_view header) {
  header = trim(header);
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    char c = header[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return {};
  }
  return std::string(trim(header.substr(kScheme.size())));
}

Result<std::size_t> parse_count(std::string_view text, std::string_view name, std::size_t max) {
  std::size_t v = 0;
  bool ok = !text.empty();
  for (char c : text) {
    if (c < '0' || c > '9' || v > (max - static_cast<std::size_t>(c - '0')) / 10) {
      ok = false;
      break;
    }
    v = v * 10 + static_cast<std::size_t>(c - '0');
  }
  if (!ok) return make_error(Errc::InvalidArgument, fmt::format("'{}' must be a number from 0 to {}", name, max));
  return v;
}

std::vector<std::string> path_segments(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    auto slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    if (!seg.empty()) out.emplace_back(seg);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace cucm::web
