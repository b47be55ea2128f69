// The certificate a TLS server presents, taken as a VPN phone takes its headend's: whatever it
// is, unverified (the phone checks its hash, not a chain). For `vpn check`, `vpn add --from` and
// the simulator's VPN connect.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/ip/address.hpp>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "signer/ossl.hpp"

namespace cucm::phone {

struct PeerCertificate {
  signer::X509Ptr cert;
  Bytes der;
  std::string tls;  // what the handshake settled on, "TLSv1.3 TLS_AES_256_GCM_SHA384"
};

struct PeerCertificateOptions {
  std::string host;
  std::uint16_t port = 443;
  std::chrono::milliseconds timeout{5'000};  // for the connect, and again for the handshake
  std::string what = "vpn headend";          // names the server in errors
  std::optional<boost::asio::ip::address> source;
};

// Connects, handshakes with any TLS version from 1.0 up (old headends included; no verification,
// the server name sent when `host` is one), takes the leaf certificate and closes. Unavailable
// for a refused connection or a failed handshake, DeadlineExceeded past the timeout, NotFound
// for a host that does not resolve; each one line naming `what`, host and port.
Result<PeerCertificate> fetch_peer_certificate(const PeerCertificateOptions& o);

}  // namespace cucm::phone
