// TVS trust rows.
#include "db/trust_store.hpp"

#include <map>

#include <fmt/format.h>

namespace cucm::db {

namespace {

constexpr std::string_view kColumns = "sha256, subject, issuer, serial, pem, roles, ttl, source, added";

TrustRow read_row(const Statement& s) {
  return TrustRow{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.int64(6), s.text(7), s.text(8)};
}

Status insert(const Database& db, const TrustRow& r) {
  CUCM_TRY(auto s, db.prepare("INSERT INTO tvs_trust (sha256, subject, issuer, serial, pem, roles, ttl, source) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (sha256) DO UPDATE SET "
                              "subject = excluded.subject, issuer = excluded.issuer, serial = excluded.serial, "
                              "pem = excluded.pem, roles = excluded.roles, ttl = excluded.ttl, source = excluded.source, "
                              "added = strftime('%Y-%m-%d %H:%M:%S', 'now')"));
  s.bind(1, std::string_view(r.sha256)).bind(2, std::string_view(r.subject)).bind(3, std::string_view(r.issuer));
  s.bind(4, std::string_view(r.serial)).bind(5, std::string_view(r.pem)).bind(6, std::string_view(r.roles));
  s.bind(7, r.ttl).bind(8, std::string_view(r.source));
  return s.run();
}

}  // namespace

Status TrustStore::put(const TrustRow& row) { return insert(db_, row); }

Result<std::optional<TrustRow>> TrustStore::find(std::string_view sha256) const {
  CUCM_TRY(auto s, db_.prepare(fmt::format("SELECT {} FROM tvs_trust WHERE sha256 = ?1", kColumns)));
  s.bind(1, sha256);
  CUCM_TRY(bool row, s.step());
  if (!row) return std::optional<TrustRow>{};
  return std::optional<TrustRow>{read_row(s)};
}

Result<std::vector<TrustRow>> TrustStore::list() const {
  CUCM_TRY(auto s, db_.prepare(fmt::format("SELECT {} FROM tvs_trust ORDER BY source = 'admin', subject, sha256", kColumns)));
  std::vector<TrustRow> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) return out;
    out.push_back(read_row(s));
  }
}

Result<TrustRow> TrustStore::remove(std::string_view key) {
  if (key.size() < 8 || key.size() > 64 || key.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("'{}' is not a SHA-256 in lowercase hex (or its first 8 or more digits): see 'trust list'", key));
  }
  CUCM_TRY(auto tx, Transaction::begin(db_));
  CUCM_TRY(auto s, db_.prepare(fmt::format("SELECT {} FROM tvs_trust WHERE substr(sha256, 1, ?2) = ?1 LIMIT 2", kColumns)));
  s.bind(1, key).bind(2, static_cast<std::int64_t>(key.size()));
  CUCM_TRY(bool row, s.step());
  if (!row) return make_error(Errc::NotFound, fmt::format("no certificate in the TVS trust store has SHA-256 {}", key));
  TrustRow found = read_row(s);
  CUCM_TRY(bool second, s.step());
  if (second) return make_error(Errc::InvalidArgument, fmt::format("several certificates' SHA-256 start with {}: give more digits", key));
  CUCM_TRY(auto del, db_.prepare("DELETE FROM tvs_trust WHERE sha256 = ?1"));
  del.bind(1, std::string_view(found.sha256));
  CUCM_CHECK(del.run());
  CUCM_CHECK(tx.commit());
  return found;
}

Result<bool> TrustStore::replace_cluster_rows(const std::vector<TrustRow>& rows) {
  CUCM_TRY(auto tx, Transaction::begin(db_));
  // What is there now: hash -> (source, roles)
  std::map<std::string, std::pair<std::string, std::string>> now;
  {
    CUCM_TRY(auto s, db_.prepare("SELECT sha256, source, roles, ttl FROM tvs_trust"));
    while (true) {
      CUCM_TRY(bool row, s.step());
      if (!row) break;
      now[s.text(0)] = {s.text(1), fmt::format("{}/{}", s.text(2), s.int64(3))};
    }
  }
  bool changed = false;
  std::map<std::string, bool> wanted;
  for (const auto& r : rows) {
    wanted[r.sha256] = true;
    auto it = now.find(r.sha256);
    if (it != now.end() && it->second.first == "admin") continue;  // the admin's row stands
    if (it != now.end() && it->second.second == fmt::format("{}/{}", r.roles, r.ttl)) continue;
    TrustRow c = r;
    c.source = "cluster";
    CUCM_CHECK(insert(db_, c));
    changed = true;
  }
  for (const auto& [sha, what] : now) {
    if (what.first != "cluster" || wanted.count(sha)) continue;
    CUCM_TRY(auto del, db_.prepare("DELETE FROM tvs_trust WHERE sha256 = ?1"));
    del.bind(1, std::string_view(sha));
    CUCM_CHECK(del.run());
    changed = true;
  }
  CUCM_CHECK(tx.commit());
  return changed;
}

}  // namespace cucm::db
