// Cluster settings: names, addresses, ports, mixed mode, default loads per model.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "db/sqlite.hpp"

namespace cucm::db {

struct ClusterSettings {
  std::string cluster_name, node_name, node_address;
  int tftp_port = 69, http_port = 6970, capf_port = 3804, tvs_port = 2445;
  int sip_port = 5060, sip_tls_port = 5061, sccp_port = 2000, sccp_tls_port = 2443;
  bool mixed_mode = false;
  // The ITL's SignerVersion (tag 28): "1.0", or "1.1" for firmware that then hashes the ITL with
  // SHA-512 and fetches its config over HTTPS 6971 first (PROTOCOLS §5.1, §8.1).
  std::string itl_version = "1.0";
  // Who signs the ITL: ITLRecovery (CUCM 12.0 and later) or, when true, the CallManager
  // certificate, as before 12.0 (PROTOCOLS §7.1). A rotation strands phones differently in each.
  bool itl_signed_by_callmanager = false;
  // "Prepare Cluster for Rollback to pre-8.0": the ITL carries no TFTP and no TVS certificate, and
  // a phone that takes it trusts the next ITL it meets, whoever signed it.
  bool rollback_prep = false;
  // The vpnGroup <hashAlg> code of a SHA-512 VPN group. 0 is SHA-1 (seed 001); no source we have
  // gives SHA-512's code (PROTOCOLS §7.3, §9.14), so 1 is our lab value [EMU], settable in case a
  // firmware shows another.
  int vpn_sha512_hash_alg = 1;
  std::map<std::string, std::string> default_loads;  // "SIP.Cisco 7965" or "Cisco 7965" -> load
};

class SettingsStore {
 public:
  explicit SettingsStore(const Database& db) : db_(db) {}

  Result<std::map<std::string, std::string>> all() const;
  Result<ClusterSettings> settings() const;
  // The cluster epoch: it moves with every insert, update or delete of a setting, in the same
  // transaction (migration 003's triggers), whichever connection or process writes.
  Result<std::int64_t> epoch() const;
  // Known keys only (or "load.<product>"); values are checked (ports 1..65535, mixed_mode and
  // rollback_prep 0/1, itl_version 1.0/1.1, itl_signer itlrecovery/callmanager,
  // vpn_sha512_hash_alg 1..255).
  Status set(const std::string& key, const std::string& value);

 private:
  const Database& db_;
};

// The settings and the cluster epoch they belong to.
struct EpochSettings {
  std::int64_t epoch = 0;
  std::shared_ptr<const ClusterSettings> settings;
};

// The settings as one connection last read them, read again only when the cluster epoch moved:
// a decision costs one single-row query instead of a scan of every setting, and a change made by
// any connection or process is seen by the next call, as without the cache. Not thread-safe: one
// per connection, like the connection itself.
class SettingsCache {
 public:
  // The settings now. Errors are SQLite's.
  Result<EpochSettings> get(const Database& db);

 private:
  EpochSettings last_;
};

}  // namespace cucm::db
