// Parameters and times of an armed fault, as text.
#include "fault/arm_text.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>

#include <fmt/format.h>

namespace cucm::fault {
namespace {

using std::chrono::seconds;

// A fault armed for longer than a year is one to arm until cleared; the cap also keeps the
// arithmetic on time points far from overflow.
constexpr std::int64_t kMaxDurationSeconds = 366LL * 86400;

std::string param_names(const FaultSpec& f) {
  std::string out;
  for (const auto& p : f.params) out += fmt::format("{}{}", out.empty() ? "" : ", ", p.name);
  return out;
}

const ParamSpec* find_param(const FaultSpec& f, std::string_view name) {
  for (const auto& p : f.params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// One "name=value" of `scenario set --param`, checked against the fault's parameters.
Status parse_param(const FaultSpec& f, std::string_view item, std::map<std::string, std::int64_t>& given) {
  auto eq = item.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return make_error(Errc::InvalidArgument, fmt::format("fault '{}': parameter '{}' is not name=value (e.g. {}={})",
                                                         f.name, item, f.params[0].name, f.params[0].fallback));
  }
  std::string_view name = item.substr(0, eq), text = item.substr(eq + 1);
  const ParamSpec* p = find_param(f, name);
  if (!p) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("fault '{}' takes no parameter '{}' (it takes: {})", f.name, name, param_names(f)));
  }
  if (given.contains(std::string(name))) {
    return make_error(Errc::InvalidArgument, fmt::format("fault '{}': parameter '{}' is given twice", f.name, name));
  }
  auto v = parse_int(text);
  if (!v) {
    return make_error(Errc::InvalidArgument, fmt::format("fault '{}': {}={} is not an integer ({}..{}: {})", f.name,
                                                         name, text, p->min, p->max, p->meaning));
  }
  if (*v < p->min || *v > p->max) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("fault '{}': {}={} is out of range {}..{}", f.name, name, *v, p->min, p->max));
  }
  given.emplace(name, *v);
  return Ok{};
}

}  // namespace

// Every parameter of the fault: those given, the others at their default.
Result<std::map<std::string, std::int64_t>> parse_params(const FaultSpec& f, const std::vector<std::string>& items) {
  std::map<std::string, std::int64_t> out;
  if (f.params.empty() && !items.empty()) {
    return make_error(Errc::InvalidArgument, fmt::format("fault '{}' takes no parameters", f.name));
  }
  for (const auto& item : items) {
    CUCM_CHECK(parse_param(f, item, out));
  }
  for (const auto& p : f.params) out.emplace(p.name, p.fallback);
  return out;
}

std::string params_text(const std::map<std::string, std::int64_t>& params) {
  std::string out;
  for (const auto& [k, v] : params) out += fmt::format("{}{}={}", out.empty() ? "" : ",", k, v);
  return out;
}

// The stored text back into values. Rows are written by arm(), which checked them; a pair edited
// by hand that is not one of the fault's parameters, or not an integer in its range, keeps the
// default, so that a server never applies a value the catalog does not allow.
std::map<std::string, std::int64_t> read_params(const FaultSpec& f, std::string_view text) {
  std::map<std::string, std::int64_t> out;
  for (const auto& p : f.params) out.emplace(p.name, p.fallback);
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view pair = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    const ParamSpec* p = find_param(f, pair.substr(0, eq));
    auto v = parse_int(pair.substr(eq + 1));
    if (p && v && *v >= p->min && *v <= p->max) out[std::string(p->name)] = *v;
  }
  return out;
}

// Fixed-width digits at `pos`, or -1.
namespace {

int digits(std::string_view s, std::size_t pos, std::size_t n) {
  int v = 0;
  for (char c : s.substr(pos, n)) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

// "2026-12-05T23:00:00Z" or "2026-12-05 23:00:00", both UTC; nullopt when it is neither, or names a
// day or time that does not exist.
std::optional<SystemTime> parse_utc(std::string_view s) {
  bool iso = s.size() == 20 && s[10] == 'T' && s[19] == 'Z';
  bool plain = s.size() == 19 && s[10] == ' ';
  if (!iso && !plain) return std::nullopt;
  if (s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':') return std::nullopt;
  int y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  int h = digits(s, 11, 2), mi = digits(s, 14, 2), se = digits(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return std::nullopt;
  std::chrono::year_month_day day{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!day.ok()) return std::nullopt;
  return SystemTime{std::chrono::sys_days{day}} + std::chrono::hours{h} + std::chrono::minutes{mi} + seconds{se};
}

// "90s", "10m", "2h", "1d": seconds (past kMaxDurationSeconds: any value beyond it), or nullopt.
std::optional<std::int64_t> parse_duration(std::string_view s) {
  if (s.size() < 2) return std::nullopt;
  std::int64_t unit = 0;
  switch (s.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return std::nullopt;
  }
  s.remove_suffix(1);
  if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  auto n = parse_int(s);  // only digits: nullopt means more than int64 holds
  if (!n || *n > kMaxDurationSeconds) return kMaxDurationSeconds + 1;  // and n * unit cannot overflow
  return *n * unit;
}

}  // namespace

Result<SystemTime> parse_until(std::string_view text, SystemTime now) {
  std::optional<SystemTime> at = parse_utc(text);
  if (!at) {
    auto secs = parse_duration(text);
    if (secs && *secs > kMaxDurationSeconds) {
      return make_error(Errc::InvalidArgument,
                        fmt::format("until '{}' is more than 366 days away: arm the fault without an end and clear "
                                  "it when done",
                                  text));
    }
    if (secs) at = std::chrono::floor<seconds>(now) + seconds{*secs};
  }
  if (!at) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("until '{}': expected a UTC time (2026-12-05T23:00:00Z or \"2026-12-05 23:00:00\") "
                                  "or a duration from now (90s, 10m, 2h, 1d)",
                                  text));
  }
  if (*at <= now) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("until {} UTC is not after now ({} UTC)", format_time(*at), format_time(now)));
  }
  return *at;
}


}  // namespace cucm::fault
