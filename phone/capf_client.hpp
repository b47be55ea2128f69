// The phone side of CAPF (PROTOCOLS §3): TLS to port 3804, then answer what the server asks:
// authenticate, generate a key, store the LSC, delete it, or hand over a certificate.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>

#include "capf/proto/message.hpp"
#include "phone/tls_link.hpp"
#include "core/result.hpp"
#include "signer/ossl.hpp"

namespace cucm::phone {

struct PhoneIdentity {
  signer::X509Ptr cert;
  signer::PkeyPtr key;
};

struct CapfPhone {
  std::string device;                  // SEP<MAC>
  std::optional<PhoneIdentity> mic;
  std::optional<PhoneIdentity> lsc;
  std::string auth_string;             // sent as Password (empty = null string)
  std::string authenticate_with;       // "", "lsc" or "mic": certificate authentication
  // A key made in advance (load tests): used when it matches the key the server asks for.
  signer::PkeyPtr pregenerated;
};

struct CapfClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3804;
  std::chrono::milliseconds timeout{10'000};
  std::string tls_min = "1.2";
  std::string tls_max;                 // "" = the highest; "1.0" for a 79xx
  std::string tls_ciphers;             // TLS 1.0-1.2 suites offered; "" = OpenSSL's default
  const X509* trusted_capf = nullptr;  // verify the server certificate against it (from the ITL)
  // Asked when the server's certificate is not `trusted_capf` (a CAPF certificate rotated since
  // the phone's ITL): true to go on. The phone asks TVS here. Empty: refuse.
  std::function<bool(const X509& server)> vouch_for_server;
  std::optional<boost::asio::ip::address> source;  // the local address to connect from
  bool send_in_progress = true;        // RequestInProgress before KeyGenResponse, as phones do
  // Faults for tests: stop answering (disconnect) when this command arrives.
  std::optional<capf::Command> disconnect_on;
  bool refuse_store = false;           // answer StoreCertRequest with Reason 7
  bool tamper_signature = false;       // flip a bit of SignedData (certificate authentication)
  // A SUDI to send as SudiData with certificate authentication (only an RSA one, as phones do).
  const PhoneIdentity* sudi = nullptr;
  bool tamper_sudi = false;            // flip a bit of the SUDI's SHA-512 signature
  // Contexts shared with other sessions; null: a context of this session's own.
  ClientTlsContexts* tls_contexts = nullptr;
};

struct CapfOutcome {
  std::uint8_t end_reason = 0;
  std::vector<std::string> ladder;     // "S->P AuthRequest", "P->S AuthResponse", ...
  std::vector<Bytes> wires;            // each ladder line's message as sent (empty: not a message)
  bool lsc_installed = false, lsc_deleted = false, certificate_fetched = false;
  std::uint32_t sid = 0;
  std::string tls;                     // what the handshake settled on, e.g. "TLSv1 AES128-SHA"
};

// Runs one CAPF session, updating `phone` (new LSC, deleted LSC). Unavailable/DeadlineExceeded
// for connection problems, Unauthenticated when the server certificate is not the trusted one.
Result<CapfOutcome> run_capf(CapfPhone& phone, const CapfClientOptions& opts);

}  // namespace cucm::phone
