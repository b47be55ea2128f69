// A CA-signed certificate for one of the cluster's identities, from the CSR that `cert csr` made:
// matched to the pending key, chained to the role's trust store, checked for the role's usage,
// and put in pki/ with the old files kept. CUCM's "Upload Certificate" (seed 003).
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "db/sqlite.hpp"
#include "signer/cluster_pki.hpp"

namespace cucm::cluster {

struct ImportedIdentity {
  std::string subject, issuer, serial;
  std::string store;                  // the trust store it chains to
  std::vector<std::string> chain;     // subjects from the leaf up to the trusted CA
  std::vector<std::string> warnings;  // usage a peer may want that the certificate lacks
};

// `cert` is the signed certificate (PEM or DER; a PEM bundle's first certificate is the leaf and
// the others join `chain`). Checked before anything changes, each a refusal that says what to do:
// a pending key for the role, the certificate over that key, not self-signed, chaining to a CA
// of the role's trust store (through `chain` where needed) and valid at `now`, the key kind the
// role takes, and the role's usage (CAPF must be a CA with keyCertSign, PROTOCOLS §7.1; an EKU
// that lacks serverAuth). The TVS mirror of pki/ is the caller's to refresh.
Result<ImportedIdentity> import_signed_identity(const db::Database& db, signer::ClusterPki& pki, signer::PkiRole role,
                                                ByteView cert, ByteView chain, std::time_t now);

}  // namespace cucm::cluster
