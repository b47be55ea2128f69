// What a phone does with the vpnGroup of its config (seed 001): it connects to the headend, hashes
// the certificate the headend presents per hashAlg and looks for that hash among certHash1 ...
// certHashN; none is "Bad Certificate". Only the certificate check: no AnyConnect login, no tunnel.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "cnf/full_config.hpp"
#include "core/host_port.hpp"
#include "phone/boot.hpp"
#include "signer/vpn_hash.hpp"

namespace cucm::phone {

struct VpnConnectOptions {
  cnf::VpnGroup group;                    // the config's vpnGroup (cnf::read_vpn_group)
  std::optional<core::HostPort> headend;  // where to connect; default url1's host and port (443)
  // The hashAlg code this firmware reads as SHA-512 (0 is SHA-1); not known, see cnf's
  // kLabVpnHashAlgSha512.
  int sha512_hash_alg = cnf::kLabVpnHashAlgSha512;
  std::chrono::milliseconds timeout{5'000};
  std::optional<boost::asio::ip::address> source;
};

struct VpnConnectResult {
  bool accepted = false;    // "VPN connected (certificate accepted)"
  bool bad_certificate = false;  // the phone's "Bad Certificate": no certHashN is the headend's hash
  std::string failure;      // why not accepted (also when the phone got no certificate to hash)
  std::vector<LadderStep> ladder;
  std::string headend;      // host:port connected to
  std::string subject;      // of the certificate presented
  std::string hash_alg;     // "SHA-1", "SHA-512"
  std::optional<signer::VpnHashComparison> comparison;
};

// The SHA-1 or SHA-512 that `hash_alg` names for a phone whose SHA-512 code is `sha512_code`;
// InvalidArgument for any other code.
Result<signer::VpnHashAlg> vpn_hash_alg_of_code(int hash_alg, int sha512_code);

// Every outcome, good or bad, is in the result: a refused connection or a failed handshake, an
// unknown hashAlg, a vpnGroup without url1, a mismatch.
VpnConnectResult vpn_connect(const VpnConnectOptions& o);

}  // namespace cucm::phone
