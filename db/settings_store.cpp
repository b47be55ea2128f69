// Settings rows and their typed view.
#include "db/settings_store.hpp"

#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "db/model.hpp"

namespace cucm::db {
namespace {

const char* const kPortKeys[] = {"tftp_port", "http_port", "capf_port", "tvs_port", "sip_port",
                                 "sip_tls_port", "sccp_port", "sccp_tls_port"};
const char* const kTextKeys[] = {"cluster_name", "node_name", "node_address"};

std::optional<int> to_int(const std::string& s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Result<std::map<std::string, std::string>> SettingsStore::all() const {
  CUCM_TRY(auto s, db_.prepare("SELECT key, value FROM cluster_setting ORDER BY key"));
  std::map<std::string, std::string> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) return out;
    out[s.text(0)] = s.text(1);
  }
}

Result<ClusterSettings> SettingsStore::settings() const {
  CUCM_TRY(auto kv, all());
  ClusterSettings c;
  c.cluster_name = kv["cluster_name"];
  c.node_name = kv["node_name"];
  c.node_address = kv["node_address"];
  auto port = [&](const char* k, int def) { return to_int(kv[k]).value_or(def); };
  c.tftp_port = port("tftp_port", 69);
  c.http_port = port("http_port", 6970);
  c.capf_port = port("capf_port", 3804);
  c.tvs_port = port("tvs_port", 2445);
  c.sip_port = port("sip_port", 5060);
  c.sip_tls_port = port("sip_tls_port", 5061);
  c.sccp_port = port("sccp_port", 2000);
  c.sccp_tls_port = port("sccp_tls_port", 2443);
  c.mixed_mode = kv["mixed_mode"] == "1";
  // A row is the only way to 1.1: a database without it (older ones) keeps the 1.0 it served.
  if (kv["itl_version"] == "1.1") c.itl_version = "1.1";
  c.itl_signed_by_callmanager = kv["itl_signer"] == "callmanager";
  c.rollback_prep = kv["rollback_prep"] == "1";
  c.vpn_sha512_hash_alg = to_int(kv["vpn_sha512_hash_alg"]).value_or(c.vpn_sha512_hash_alg);
  for (auto& [k, v] : kv) {
    if (k.starts_with("load.")) c.default_loads[k.substr(5)] = v;
  }
  return c;
}

Result<std::int64_t> SettingsStore::epoch() const {
  CUCM_TRY(auto s, db_.prepare("SELECT version FROM cluster_epoch"));
  CUCM_TRY(bool row, s.step());
  if (!row) return make_error(Errc::Internal, "db: cluster_epoch has no row");
  return s.int64(0);
}

Result<EpochSettings> SettingsCache::get(const Database& db) {
  // The epoch and the rows from one snapshot, so that the rows kept are exactly those of the
  // epoch they are filed under, even while another connection commits a change.
  CUCM_TRY(auto tx, ReadTransaction::begin(db));
  CUCM_TRY(std::int64_t epoch, SettingsStore(db).epoch());
  if (last_.settings && epoch == last_.epoch) return last_;
  CUCM_TRY(auto fresh, SettingsStore(db).settings());
  last_ = EpochSettings{epoch, std::make_shared<const ClusterSettings>(std::move(fresh))};
  return last_;
}

Status SettingsStore::set(const std::string& key, const std::string& value) {
  bool known = key.starts_with("load.") && key.size() > 5;
  for (const char* k : kPortKeys) {
    if (key != k) continue;
    auto v = to_int(value);
    if (!v || *v < 1 || *v > 65535) {
      return make_error(Errc::InvalidArgument, fmt::format("invalid {} '{}': a port 1..65535", key, value));
    }
    known = true;
  }
  for (const char* k : kTextKeys) {
    if (key != k) continue;
    if (value.empty()) return make_error(Errc::InvalidArgument, fmt::format("{} cannot be empty", key));
    known = true;
  }
  if (key == "mixed_mode" || key == "rollback_prep") {
    if (value != "0" && value != "1") {
      return make_error(Errc::InvalidArgument, fmt::format("invalid {} '{}': 0 or 1", key, value));
    }
    known = true;
  }
  if (key == "itl_signer") {
    if (value != "itlrecovery" && value != "callmanager") {
      return make_error(Errc::InvalidArgument,
                        fmt::format("invalid itl_signer '{}': itlrecovery (CUCM 12.0 and later), or callmanager "
                                    "(before 12.0)", value));
    }
    known = true;
  }
  if (key == "itl_version") {
    if (value != "1.0" && value != "1.1") {
      return make_error(Errc::InvalidArgument,
                        fmt::format("invalid itl_version '{}': 1.0, or 1.1 (SHA-512, config over HTTPS 6971)", value));
    }
    known = true;
  }
  if (key == "vpn_sha512_hash_alg") {
    auto v = to_int(value);
    if (!v || *v < 1 || *v > 255) {
      return make_error(Errc::InvalidArgument,
                        fmt::format("invalid vpn_sha512_hash_alg '{}': the <hashAlg> code 1..255 a phone reads as "
                                    "SHA-512 (0 is SHA-1)", value));
    }
    known = true;
  }
  if (!known) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("unknown setting '{}' (see 'cucm-emu cluster show'; default loads are load.<product>)", key));
  }
  CUCM_CHECK(validate_text(key, value, 255));
  CUCM_TRY(auto s, db_.prepare("INSERT INTO cluster_setting (key, value) VALUES (?1, ?2) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
  s.bind(1, std::string_view(key)).bind(2, std::string_view(value));
  return s.run();
}

}  // namespace cucm::db
