// Armed faults on SQLite (table armed_fault, migration 011): a request is checked whole against the
// catalog and the device table before one transaction writes it.
#include "fault/store.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "db/model.hpp"
#include "fault/arm_text.hpp"

namespace cucm::fault {
namespace {

using std::chrono::seconds;

constexpr std::int64_t kMaxCount = 1'000'000;

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
