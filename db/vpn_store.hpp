// VPN groups: the headend URL, the hashes of the headend certificates (certHash1 ... certHash10)
// and their algorithm, as a phone's vpnGroup carries them (seed 001).
#pragma once

#include <string>
#include <vector>

#include "db/model.hpp"
#include "db/sqlite.hpp"

namespace cucm::db {

// The digest size a hash of `hash_alg` ("sha1" 20 bytes, "sha512" 64) has; 0 for another name.
std::size_t vpn_hash_size(std::string_view hash_alg);

class VpnStore {
 public:
  explicit VpnStore(const Database& db) : db_(db) {}
  // Adds or replaces the whole group. InvalidArgument for an empty name or URL, an unknown
  // hash_alg, more than kMaxVpnCertHashes hashes, or a hash that is not the base64 of a digest of
  // hash_alg's size.
  Status put(const VpnGroup& g);
  Result<VpnGroup> get(std::string_view name) const;  // NotFound
  Result<std::vector<VpnGroup>> list() const;
  Status remove(std::string_view name);  // PermissionDenied while devices use it

 private:
  const Database& db_;
};

}  // namespace cucm::db
