// The rows of CUCM's certificate trust stores (CallManager-trust, CAPF-trust, …), keyed by store
// and the SHA-256 of the DER. Rows only: what a store name may be and what a certificate's fields
// are is cluster/trust_stores' business.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/sqlite.hpp"

namespace cucm::db {

struct TrustCertificateRow {
  std::string store;
  std::string sha256;  // 64 lowercase hex digits
  std::string subject, issuer, serial, not_after, pem;
  std::string source = "admin";  // "admin", "lab" or "capf/trust"
  std::string added;             // set by the database
};

class TrustCertificates {
 public:
  explicit TrustCertificates(const Database& db) : db_(db) {}
  // Adds or replaces every row, in one transaction: all of them or none.
  Status put(const std::vector<TrustCertificateRow>& rows);
  // One store's rows, or every store's when `store` is empty; by store, then subject.
  Result<std::vector<TrustCertificateRow>> list(std::string_view store = {}) const;
  // Removes the row whose hash is `sha256` or starts with it (at least 8 digits), in `store` or in
  // any store when it is empty. NotFound when none matches, InvalidArgument when several do.
  Result<TrustCertificateRow> remove(std::string_view store, std::string_view sha256_or_prefix);
  // Makes `row` the only row of its store from its source (the lab manufacturing CA, kept
  // current), in one transaction. True when anything changed.
  Result<bool> replace_source(const TrustCertificateRow& row);

 private:
  const Database& db_;
};

}  // namespace cucm::db
