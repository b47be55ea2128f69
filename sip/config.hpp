// The SIP server's settings and counters (serve --sip-*).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <string>

#include "metrics/histogram.hpp"
#include "signer/tls_keylog.hpp"

namespace cucm::sip {

struct SipConfig {
  std::string address = "0.0.0.0";
  std::uint16_t tls_port = 5061;  // SIP over TLS: phones on secure profiles, trunks
  std::uint16_t port = 5060;      // SIP over UDP and TCP, for non-secure profiles
  bool plain = true;              // serve `port`; false: TLS only
  // Per TLS handshake, per message begun and not yet whole, and for a new connection's first request.
  std::chrono::milliseconds io_timeout{10'000};
  // Between requests on a connection that has sent one: phones keep their connection and
  // re-register before their binding expires, sending CRLF keepalives meanwhile.
  std::chrono::milliseconds idle_timeout{600'000};
  std::size_t max_sessions = 1024;   // concurrent TCP and TLS connections; more are closed at once
  std::size_t max_per_address = 32;  // concurrent connections from one address (0: no cap)
  std::string tls_min = "1.2";
  std::shared_ptr<signer::TlsKeyLog> tls_keylog;
  // The registrar's clock (bindings' expiry, digest nonces); null: the system's. Tests set it.
  std::function<std::time_t()> clock;
};

struct SipStats {
  std::atomic<std::uint64_t> sessions{0}, refused{0}, handshake_failed{0}, active{0}, accept_errors{0};
  std::atomic<std::uint64_t> datagrams{0};                    // UDP requests
  std::atomic<std::uint64_t> registered{0}, unregistered{0};  // REGISTER answered 200
  std::atomic<std::uint64_t> challenged{0}, forbidden{0};     // 401, and every other 4xx to a REGISTER
  std::atomic<std::uint64_t> options{0}, other{0};            // OPTIONS answered, any other method
  std::atomic<std::uint64_t> malformed{0};                    // answered 400 or closed
  std::atomic<std::uint64_t> store_failed{0};                 // answered 500: the database refused
  metrics::Histogram session_seconds{metrics::kFastSeconds};
};

}  // namespace cucm::sip
