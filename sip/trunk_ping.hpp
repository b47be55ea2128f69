// A SIP trunk's OPTIONS ping, as CUCM runs it to tell a trunk's status (seed 003): mutual TLS to
// the peer presenting our CallManager certificate, the peer's certificate checked against
// CallManager-trust and the trunk's X.509 subject names, then an OPTIONS and its answer. A blocking
// client with one deadline over every step, on an io_context of its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "signer/cluster_pki.hpp"
#include "sip/peer_check.hpp"
#include "sip/proto/registrar.hpp"

namespace cucm::sip {

struct TrunkPingOptions {
  std::string host;  // a name (it must resolve) or an address literal
  std::uint16_t port = 5061;
  std::vector<std::string> subjects;           // the trunk's X.509 subject names
  const signer::Identity* identity = nullptr;  // ours: the CallManager certificate, key and chain
  const PeerCheck* peers = nullptr;            // CallManager-trust (the `trunk` verdict is used)
  std::chrono::milliseconds timeout{5'000};    // resolve excluded: connect to answer, in all
  // Offered from TLS 1.0 up: seed 003's CUCM 9.1 peer spoke TLS 1.0 with AES128-SHA, and a ping
  // that cannot reach an old peer says nothing about it. The report names what was negotiated.
  std::string tls_min = "1.0";
  std::time_t now = 0;  // for the certificate checks; 0: the system's time
};

struct TrunkPingReport {
  std::string peer;        // host:port as asked
  std::string address;     // ip:port connected to; empty before the connect
  std::string tls;         // "TLSv1.3 TLS_AES_256_GCM_SHA384"; empty before the handshake
  std::string peer_subject;
  std::vector<std::string> peer_names;  // its CN and DNS subjectAltNames
  std::optional<ChainCheck> chain;      // the peer's certificate against CallManager-trust
  std::string matched_subject;          // the trunk subject name that matched; empty: none
  int sip_code = 0;                     // 0: no answer
  std::string sip_reason, warning;
  std::optional<double> rtt_ms;  // OPTIONS written to its final answer read
  std::string failure;           // the step that failed, one line; empty when an answer came

  bool full_service() const;
  std::string status() const { return full_service() ? "Full Service" : "No Service"; }
  // Why the trunk has no service, one lower-case line naming the fix; empty at Full Service.
  std::string reason() const;
};

// Never throws; every failure (options, resolve, connect, handshake, deadline, an answer that is
// not SIP) is in `failure`, with the report filled as far as the ping got.
TrunkPingReport ping_trunk(const TrunkPingOptions& o);

}  // namespace cucm::sip
