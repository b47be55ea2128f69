// Row readers for devices, profiles and VPN groups.
#include "db/rows.hpp"

namespace cucm::db::rows {

const char* const kDeviceColumns =
    "d.name, d.description, d.product, d.protocol, p.name, d.md5hash, d.public_key, d.certificate, "
    "d.cert_type, d.cert_serial, d.cert_issuer, d.cert_not_before, d.cert_not_after, d.load_information, "
    "coalesce(d.vpn_group, ''), d.config_version, d.capf_operation, d.capf_auth_string, coalesce(d.capf_deadline, ''), "
    "d.capf_status, coalesce(d.capf_last_attempt, '')";

const char* const kProfileColumns =
    "p.id, p.name, p.description, p.product, p.protocol, p.security_mode, p.tftp_encrypted, p.capf_auth_mode, "
    "p.key_order, p.rsa_key_size, p.ec_key_size, p.sip_phone_port, p.builtin";

Device device(const Statement& s) {
  Device d;
  d.name = s.text(0);
  d.description = s.text(1);
  d.product = s.text(2);
  d.protocol = s.text(3);
  d.profile = s.text(4);
  d.md5hash = s.text(5);
  if (!s.is_null(7)) {
    RecordedCert c;
    c.public_key = s.blob(6);
    c.der = s.blob(7);
    c.md5hash = d.md5hash;
    c.type = s.text(8);
    c.serial = s.text(9);
    c.issuer = s.text(10);
    c.not_before = s.text(11);
    c.not_after = s.text(12);
    d.cert = std::move(c);
  }
  d.load_information = s.text(13);
  d.vpn_group = s.text(14);
  d.config_version = s.int64(15);
  d.capf = CapfState{s.text(16), s.text(17), s.text(18), s.text(19), s.text(20)};
  return d;
}

SecurityProfile profile(const Statement& s, int first) {
  SecurityProfile p;
  p.id = s.int64(first);
  p.name = s.text(first + 1);
  p.description = s.text(first + 2);
  p.product = s.text(first + 3);
  p.protocol = s.text(first + 4);
  p.security_mode = static_cast<int>(s.int64(first + 5));
  p.tftp_encrypted = s.int64(first + 6) != 0;
  p.capf_auth_mode = s.text(first + 7);
  p.key_order = s.text(first + 8);
  p.rsa_key_size = static_cast<int>(s.int64(first + 9));
  p.ec_key_size = static_cast<int>(s.int64(first + 10));
  p.sip_phone_port = static_cast<int>(s.int64(first + 11));
  p.builtin = s.int64(first + 12) != 0;
  return p;
}

const char* const kVpnColumns =
    "v.name, v.url, v.hash_alg, v.cert_hash1, v.cert_hash2, v.cert_hash3, v.cert_hash4, v.cert_hash5, "
    "v.cert_hash6, v.cert_hash7, v.cert_hash8, v.cert_hash9, v.cert_hash10";

VpnGroup vpn_group(const Statement& s, int first) {
  VpnGroup g;
  g.name = s.text(first);
  g.url = s.text(first + 1);
  g.hash_alg = s.text(first + 2);
  for (int i = 0; i < static_cast<int>(kMaxVpnCertHashes); ++i) {
    std::string h = s.text(first + 3 + i);
    if (!h.empty()) g.cert_hashes.push_back(std::move(h));
  }
  return g;
}

}  // namespace cucm::db::rows
