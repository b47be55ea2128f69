// The TVS trust store (PROTOCOLS §4): the certificates TVS vouches for, keyed by the SHA-256 of
// their DER. Rows only; what a certificate's fields are is the caller's business (tvs/trust).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/sqlite.hpp"

namespace cucm::db {

struct TrustRow {
  std::string sha256;   // 64 lowercase hex digits
  std::string subject, issuer, serial, pem;
  std::string roles;    // role names in code order, comma-separated
  std::int64_t ttl = 86'400;
  std::string source = "admin";  // "cluster" or "admin"
  std::string added;    // set by the database
};

class TrustStore {
 public:
  explicit TrustStore(const Database& db) : db_(db) {}
  // Adds or replaces one row (an admin's).
  Status put(const TrustRow& row);
  // The row for a hash, nullopt when there is none: the TVS lookup, one primary-key read.
  Result<std::optional<TrustRow>> find(std::string_view sha256) const;
  Result<std::vector<TrustRow>> list() const;  // by source (cluster first), then subject
  // Removes the row whose hash is `sha256` or starts with it (at least 8 digits); NotFound when
  // none does, InvalidArgument when several do. Returns the row removed.
  Result<TrustRow> remove(std::string_view sha256_or_prefix);
  // Makes the 'cluster' rows exactly `rows`, in one transaction; a certificate an admin added
  // keeps its admin row. Returns true when anything changed.
  Result<bool> replace_cluster_rows(const std::vector<TrustRow>& rows);

 private:
  const Database& db_;
};

}  // namespace cucm::db
