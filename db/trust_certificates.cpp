// Trust store rows.
#include "db/trust_certificates.hpp"

#include <fmt/format.h>

namespace cucm::db {

namespace {

constexpr std::string_view kColumns = "store, sha256, subject, issuer, serial, not_after, pem, source, added";

TrustCertificateRow read_row(const Statement& s) {
  return TrustCertificateRow{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4),
                             s.text(5), s.text(6), s.text(7), s.text(8)};
}

Status insert(const Database& db, const TrustCertificateRow& r) {
  CUCM_TRY(auto s, db.prepare("INSERT INTO trust_certificate (store, sha256, subject, issuer, serial, not_after, pem, "
                              "source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (store, sha256) DO UPDATE "
                              "SET subject = excluded.subject, issuer = excluded.issuer, serial = excluded.serial, "
                              "not_after = excluded.not_after, pem = excluded.pem, source = excluded.source, "
                              "added = strftime('%Y-%m-%d %H:%M:%S', 'now')"));
  s.bind(1, std::string_view(r.store)).bind(2, std::string_view(r.sha256)).bind(3, std::string_view(r.subject));
  s.bind(4, std::string_view(r.issuer)).bind(5, std::string_view(r.serial)).bind(6, std::string_view(r.not_after));
  s.bind(7, std::string_view(r.pem)).bind(8, std::string_view(r.source));
  return s.run();
}

}  // namespace

Status TrustCertificates::put(const std::vector<TrustCertificateRow>& rows) {
  CUCM_TRY(auto tx, Transaction::begin(db_));
  for (const auto& r : rows) CUCM_CHECK(insert(db_, r));
  return tx.commit();
}

Result<std::vector<TrustCertificateRow>> TrustCertificates::list(std::string_view store) const {
  CUCM_TRY(auto s, db_.prepare(fmt::format("SELECT {} FROM trust_certificate WHERE ?1 = '' OR store = ?1 "
                                           "ORDER BY store, subject, sha256",
                                           kColumns)));
  s.bind(1, store);
  std::vector<TrustCertificateRow> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) return out;
    out.push_back(read_row(s));
  }
}

Result<TrustCertificateRow> TrustCertificates::remove(std::string_view store, std::string_view key) {
  if (key.size() < 8 || key.size() > 64 || key.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("'{}' is not a SHA-256 in lowercase hex (or its first 8 or more digits): see 'trust list'",
                                  key));
  }
  std::string where = store.empty() ? std::string("any trust store") : std::string(store);
  CUCM_TRY(auto tx, Transaction::begin(db_));
  CUCM_TRY(auto s, db_.prepare(fmt::format("SELECT {} FROM trust_certificate WHERE (?3 = '' OR store = ?3) AND "
                                           "substr(sha256, 1, ?2) = ?1 LIMIT 2",
                                           kColumns)));
  s.bind(1, key).bind(2, static_cast<std::int64_t>(key.size())).bind(3, store);
  CUCM_TRY(bool row, s.step());
  if (!row) return make_error(Errc::NotFound, fmt::format("no certificate in {} has SHA-256 {}", where, key));
  TrustCertificateRow found = read_row(s);
  CUCM_TRY(bool second, s.step());
  if (second) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("several certificates in {} have a SHA-256 starting with {}: give more digits{}", where,
                                  key, store.empty() ? " or --store" : ""));
  }
  CUCM_TRY(auto del, db_.prepare("DELETE FROM trust_certificate WHERE store = ?1 AND sha256 = ?2"));
  del.bind(1, std::string_view(found.store)).bind(2, std::string_view(found.sha256));
  CUCM_CHECK(del.run());
  CUCM_CHECK(tx.commit());
  return found;
}

Result<bool> TrustCertificates::replace_source(const TrustCertificateRow& row) {
  CUCM_TRY(auto tx, Transaction::begin(db_));
  CUCM_TRY(auto s, db_.prepare("SELECT sha256 FROM trust_certificate WHERE store = ?1 AND source = ?2"));
  s.bind(1, std::string_view(row.store)).bind(2, std::string_view(row.source));
  bool current = false, others = false;
  while (true) {
    CUCM_TRY(bool more, s.step());
    if (!more) break;
    (s.text(0) == row.sha256 ? current : others) = true;
  }
  if (current && !others) return false;
  CUCM_TRY(auto del, db_.prepare("DELETE FROM trust_certificate WHERE store = ?1 AND source = ?2 AND sha256 <> ?3"));
  del.bind(1, std::string_view(row.store)).bind(2, std::string_view(row.source)).bind(3, std::string_view(row.sha256));
  CUCM_CHECK(del.run());
  CUCM_CHECK(insert(db_, row));
  CUCM_CHECK(tx.commit());
  return true;
}

}  // namespace cucm::db
