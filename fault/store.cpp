// Armed faults on SQLite (table armed_fault, migration 011): a request is checked whole against the
// catalog and the device table before one transaction writes it.
#include "fault/store.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "db/model.hpp"

namespace cucm::fault {
namespace {

using std::chrono::seconds;

constexpr std::int64_t kMaxCount = 1'000'000;
// A fault armed for longer than a year is one to arm until cleared; the cap also keeps the
// arithmetic on time points far from overflow.
constexpr std::int64_t kMaxDurationSeconds = 366LL * 86400;

std::int64_t unix_seconds(SystemTime t) {
  return std::chrono::floor<seconds>(t).time_since_epoch().count();
}
SystemTime from_unix(std::int64_t s) { return SystemTime{seconds{s}}; }

// The catalog name sharing the longest prefix (5 characters at least) with `name`, when only one
// does: "sgn-bad-sig" is most likely "sgn-bad-signature".
std::string_view closest_name(std::string_view name) {
  std::string_view best;
  std::size_t best_len = 0;
  bool tie = false;
  for (const auto& f : all_faults()) {
    auto a = std::mismatch(name.begin(), name.end(), f.name.begin(), f.name.end()).first;
    auto len = static_cast<std::size_t>(a - name.begin());
    if (len > best_len) {
      best = f.name;
      best_len = len;
      tie = false;
    } else if (len == best_len) {
      tie = true;
    }
  }
  return best_len >= 5 && !tie ? best : std::string_view{};
}

Result<const FaultSpec*> known_fault(std::string_view name) {
  if (const FaultSpec* f = find_fault(name)) return f;
  std::string_view near = closest_name(name);
  std::string hint = near.empty() ? "" : fmt::format(" (did you mean {}?)", near);
  return make_error(Errc::InvalidArgument,
                    fmt::format("unknown fault '{}'{}: `cucm-emu scenario list` names them", name, hint));
}

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

// The device of the request: one that the database has (normalised), or "" for every device.
Result<std::string> request_device(const db::Database& db, const FaultSpec& f, const ArmRequest& r) {
  if (r.all && !r.device.empty()) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("fault '{}': give one device (--device SEP<MAC>) or every device (--all), not both",
                                  f.name));
  }
  if (r.all) return std::string();
  if (r.device.empty()) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("fault '{}': for which phone? give --device SEP<MAC> or --all", f.name));
  }
  CUCM_TRY(std::string name, db::normalise_device_name(r.device));
  CUCM_TRY(auto s, db.prepare("SELECT 1 FROM device WHERE name = ?1"));
  s.bind(1, std::string_view(name));
  CUCM_TRY(bool found, s.step());
  if (!found) {
    return make_error(Errc::NotFound, fmt::format("unknown device {}: add it with `cucm-emu device add {}` first (see "
                                                  "`cucm-emu device list`)",
                                                  name, name));
  }
  return name;
}

// The request checked whole, nothing written: the row arm() stores.
Result<ArmedFault> checked(const db::Database& db, const ArmRequest& r, SystemTime now) {
  CUCM_TRY(const FaultSpec* f, known_fault(r.fault));
  if (!f->ready) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("fault '{}' is planned, not yet applied by this build", f->name));
  }
  ArmedFault a;
  a.fault = std::string(f->name);
  a.spec = f;
  a.armed_at = std::chrono::floor<seconds>(now);
  CUCM_TRY(a.params, parse_params(*f, r.params));
  if (r.count) {
    if (*r.count < 1 || *r.count > kMaxCount) {
      return make_error(Errc::InvalidArgument,
                        fmt::format("fault '{}': count {} is out of range 1..{}", f->name, *r.count, kMaxCount));
    }
    a.remaining = *r.count;
  }
  if (r.until) {
    CUCM_TRY(a.until, parse_until(*r.until, now));
  }
  CUCM_TRY(a.device, request_device(db, *f, r));
  return a;
}

}  // namespace

std::string format_time(SystemTime t) {
  auto secs = std::chrono::floor<seconds>(t);
  auto day = std::chrono::floor<std::chrono::days>(secs);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss hms{secs - day};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

Result<ArmedFault> FaultStore::arm(const ArmRequest& r, SystemTime now) {
  // Checked inside the transaction, before any write, so that the device cannot go in between.
  CUCM_TRY(auto tx, db::Transaction::begin(db_));
  CUCM_TRY(ArmedFault a, checked(db_, r, now));
  // Re-arming replaces the row by a new one rather than updating it in place (no ON CONFLICT DO
  // UPDATE): the new id keeps a server's applications of the old arming that it has not written
  // back yet (fault/board's pending counts, by id) from counting down the new one.
  CUCM_TRY(auto del, db_.prepare("DELETE FROM armed_fault WHERE fault = ?1 AND device = ?2"));
  del.bind(1, std::string_view(a.fault)).bind(2, std::string_view(a.device));
  CUCM_CHECK(del.run());
  CUCM_TRY(auto ins, db_.prepare("INSERT INTO armed_fault (fault, device, remaining, until_unix, params, "
                                 "armed_at_unix) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  std::string params = params_text(a.params);
  ins.bind(1, std::string_view(a.fault)).bind(2, std::string_view(a.device)).bind(5, std::string_view(params));
  ins.bind(6, unix_seconds(a.armed_at));
  if (a.remaining) {
    ins.bind(3, *a.remaining);
  } else {
    ins.bind_null(3);
  }
  if (a.until) {
    ins.bind(4, unix_seconds(*a.until));
  } else {
    ins.bind_null(4);
  }
  CUCM_CHECK(ins.run());
  a.id = db_.last_insert_rowid();
  CUCM_CHECK(tx.commit());
  return a;
}

Result<std::vector<ArmedFault>> FaultStore::list() const {
  CUCM_TRY(auto s, db_.prepare("SELECT id, fault, device, remaining, until_unix, params, armed_at_unix "
                               "FROM armed_fault ORDER BY armed_at_unix, id"));
  std::vector<ArmedFault> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) break;
    ArmedFault a;
    a.fault = s.text(1);
    a.spec = find_fault(a.fault);
    if (!a.spec) continue;  // armed by a newer build: this one cannot apply it
    a.id = s.int64(0);
    a.device = s.text(2);
    if (!s.is_null(3)) a.remaining = s.int64(3);
    if (!s.is_null(4)) a.until = from_unix(s.int64(4));
    a.params = read_params(*a.spec, s.text(5));
    a.armed_at = from_unix(s.int64(6));
    out.push_back(std::move(a));
  }
  return out;
}

Result<int> FaultStore::clear(std::string_view fault, std::string_view device) {
  std::string name(fault), dev;
  if (!name.empty()) {
    CUCM_CHECK(known_fault(name));
  }
  if (!device.empty()) {
    CUCM_TRY(dev, db::normalise_device_name(device));
  }
  // "" and not an empty view: a view without data would bind NULL, and NULL = '' is never true.
  CUCM_TRY(auto s, db_.prepare("DELETE FROM armed_fault WHERE (?1 = '' OR fault = ?1) AND (?2 = '' OR device = ?2)"));
  s.bind(1, std::string_view(name)).bind(2, std::string_view(dev));
  CUCM_CHECK(s.run());
  return static_cast<int>(db_.changes());
}

Status FaultStore::consume(std::int64_t id) {
  CUCM_TRY(auto tx, db::Transaction::begin(db_));
  CUCM_TRY(auto dec, db_.prepare("UPDATE armed_fault SET remaining = remaining - 1 WHERE id = ?1 AND remaining > 0"));
  dec.bind(1, id);
  CUCM_CHECK(dec.run());
  CUCM_TRY(auto del, db_.prepare("DELETE FROM armed_fault WHERE id = ?1 AND remaining <= 0"));
  del.bind(1, id);
  CUCM_CHECK(del.run());
  return tx.commit();
}

}  // namespace cucm::fault
