// The db -> cnf mapping.
#include "catalog/phone_config.hpp"

namespace cucm::catalog {

std::vector<cnf::CallManagerMember> call_managers(const db::ClusterSettings& s) {
  return {cnf::CallManagerMember{s.node_address, s.sccp_port, s.sip_port, s.sip_tls_port}};
}

std::vector<cnf::TvsMember> tvs_members(const db::ClusterSettings& s) {
  return {cnf::TvsMember{s.node_address, s.tvs_port}};
}

cnf::PhoneConfig phone_config(const db::Device& d, const db::SecurityProfile& p, const db::ClusterSettings& s,
                              const std::optional<db::VpnGroup>& vpn) {
  cnf::PhoneConfig c;
  c.protocol = d.protocol;
  c.call_managers = call_managers(s);
  c.tvs = tvs_members(s);
  c.load_information = d.load_information;
  if (c.load_information.empty()) {
    // The cluster's default for this product and protocol ("load.SIP.Cisco 7965"), else one for
    // the product whatever its protocol ("load.Cisco 7965").
    auto it = s.default_loads.find(d.protocol + "." + d.product);
    if (it == s.default_loads.end()) it = s.default_loads.find(d.product);
    if (it != s.default_loads.end()) c.load_information = it->second;
  }
  c.capf_auth_mode = cnf::capf_auth_mode_code(p.capf_auth_mode);
  c.capf_host = s.node_address;
  c.capf_port = s.capf_port;
  c.security_mode = p.security_mode;
  c.cert_hash = d.md5hash;
  // The full config says encrConfig false even when it travels inside .enc.sgn: a phone that
  // decrypted it must not loop back to the encrypted download (PROTOCOLS §6.2 decision table).
  c.encr_config = false;
  c.sip_phone_port = p.sip_phone_port;
  for (const auto& l : d.lines) {
    c.lines.push_back(cnf::SipLine{l.index, l.directory_number, l.display_name, l.auth_name, l.auth_password});
  }
  if (vpn) {
    // hashAlg: 0 for SHA-1 (seed 001); SHA-512's code is the cluster's setting, since no source
    // gives it (PROTOCOLS §7.3).
    int hash_alg = vpn->hash_alg == "sha512" ? s.vpn_sha512_hash_alg : cnf::kVpnHashAlgSha1;
    c.vpn = cnf::VpnGroup{vpn->url, hash_alg, vpn->cert_hashes};
  }
  return c;
}

}  // namespace cucm::catalog
