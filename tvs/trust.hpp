// What TVS vouches for: certificates as trust-store rows (db/trust_store), the cluster's own
// identities mirrored into the store, and the lookup the server answers from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/trust_store.hpp"
#include "signer/cluster_pki.hpp"
#include "signer/trust_list.hpp"
#include "tvs/proto/engine.hpp"

namespace cucm::tvs {

// Role names in code order without repeats ("CCM+TFTP,TVS"), and back. InvalidArgument naming the
// roles allowed for an unknown or empty list.
std::string roles_text(std::vector<signer::Role> roles);
Result<std::vector<signer::Role>> parse_roles(std::string_view text);

// A certificate as a row. InvalidArgument for a TTL outside 1..2,592,000 s or no role.
Result<db::TrustRow> trust_row(const X509& cert, const std::vector<signer::Role>& roles, std::uint32_t ttl,
                               std::string source);

// Mirrors the cluster's identities into the store, each with its role (CallManager CCM+TFTP,
// ITLRecovery SAST, CAPF CAPF, TVS TVS, the HTTPS server TFTP), in one transaction; rows of
// identities that are gone (rotated) go too. Run where the PKI is opened or changed. True when
// anything changed.
Result<bool> mirror_cluster_identities(const db::Database& db, const signer::ClusterPki& pki);

// The trust store's answer for a SHA-256 (lowercase hex): nullopt when unknown. A row whose roles
// no longer parse is an error (it was written by hand with sqlite3).
Result<std::optional<Trusted>> look_up(const db::Database& db, std::string_view sha256);

}  // namespace cucm::tvs
