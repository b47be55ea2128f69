// The full SEP<MAC>.cnf.xml and the auto-registration XMLDefault.cnf.xml (PROTOCOLS §6.1),
// built with libxml2 from a plain model; values are escaped by the library, never concatenated.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace cucm::cnf {

struct CallManagerMember {
  std::string host;
  int sccp_port = 2000;
  int sip_port = 5060;
  int sip_tls_port = 5061;
};

struct TvsMember {
  std::string host;
  int port = 2445;
};

struct SipLine {
  int index = 1;
  std::string name;          // directory number
  std::string display_name;
  std::string auth_name;
  std::string auth_password;
};

// <vpnGroup> (PROTOCOLS §6.1, seed 001).
struct VpnGroup {
  std::string url;                       // addresses/url1
  int hash_alg = 0;                      // credentials/hashAlg: kVpnHashAlgSha1, or the SHA-512 code
  // credentials/certHash1, certHash2, ...: base64 hashes of the headend certificates a phone
  // accepts. Built: in order, none empty (none at all: an empty certHash1). Read: certHashN at
  // index N-1, "" where the config has none.
  std::vector<std::string> cert_hashes;
};
// hashAlg 0 is SHA-1 (seed 001). SHA-512's code is not known (PROTOCOLS §7.3, §9.14): the cluster
// setting vpn_sha512_hash_alg and `phone vpn --sha512-hash-alg` carry it, kLabVpnHashAlgSha512 by
// default [EMU].
inline constexpr int kVpnHashAlgSha1 = 0;
inline constexpr int kLabVpnHashAlgSha512 = 1;
// certHash1 ... certHash10 (usecallmanager.nz's SEPMAC.cnf.xml).
inline constexpr int kMaxVpnCertHashes = 10;

struct PhoneConfig {
  std::string protocol = "SIP";  // SIP or SCCP
  int ip_address_mode = 0;       // 0 IPv4, 1 IPv6, 2 both
  std::vector<CallManagerMember> call_managers;
  std::vector<TvsMember> tvs;
  std::string load_information;
  int capf_auth_mode = 0;        // see capf_auth_mode_code()
  std::string capf_host;
  int capf_port = 3804;
  int security_mode = 1;         // 1 non-secure, 2 authenticated, 3 encrypted
  std::string cert_hash;         // MD5 of the recorded certificate, empty when none
  bool encr_config = false;
  int sip_phone_port = 5060;
  std::vector<SipLine> lines;    // SIP only: SCCP phones learn their lines on registration
  std::optional<VpnGroup> vpn;
};

// capfAuthMode as the phone reads it (PROTOCOLS §6.2, §9.7): 1 = by authentication string
// (never automatic); 0 = the phone checks certHash and runs CAPF on its own, which is what the
// null-string and existing-certificate modes need (seed 004 shows 0). Code 2 forces a null-string
// CAPF session on every boot in SIPSTACK, so it is not used.
int capf_auth_mode_code(const std::string& mode);

// transportLayerProtocol: 3 TLS for authenticated/encrypted, else 2 UDP (SIP) or 1 TCP (SCCP).
int transport_code(const std::string& protocol, int security_mode);

// InvalidArgument when there is no call manager or a value is out of range.
Result<std::string> build_full_config(const PhoneConfig& c);

// The default config for devices the cluster does not know (auto-registration).
Result<std::string> build_xml_default(const std::vector<CallManagerMember>& call_managers,
                                      const std::vector<TvsMember>& tvs);

}  // namespace cucm::cnf
