// A phone's TLS connection to one of the cluster's services (CAPF, TVS): connect from a chosen
// address, handshake with the firmware's TLS versions and suites, then blocking-looking reads and
// writes, each with a deadline. The protocols on top are the callers'.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "signer/tls_keylog.hpp"

namespace cucm::phone {

struct TlsSettings {
  std::string tls_min = "1.2";
  std::string tls_max;      // "" = the highest; "1.0" for a 79xx
  std::string tls_ciphers;  // TLS 1.0-1.2 suites offered; "" = OpenSSL's default
};

// A client TLS context for these settings.
Result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls(const TlsSettings& s);

// Client TLS contexts, one per TLS setting (floor, ceiling, suites), shared by the sessions of
// whoever owns this object (a fleet, a benchmark): making one (SSL_CTX_new loads the provider's
// algorithms) was 12% of a fleet's CPU per CAPF session. Clients keep no session cache, so
// sharing one resumes nothing: each phone still does a full handshake. Thread-safe.
class ClientTlsContexts {
 public:
  ClientTlsContexts() = default;
  // Every context made here appends its handshakes' secrets to `keylog` (phone boot --tls-keylog).
  explicit ClientTlsContexts(std::shared_ptr<signer::TlsKeyLog> keylog) : keylog_(std::move(keylog)) {}

  Result<std::shared_ptr<boost::asio::ssl::context>> get(const TlsSettings& s);

 private:
  std::shared_ptr<signer::TlsKeyLog> keylog_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<boost::asio::ssl::context>> contexts_;
};

struct TlsLinkOptions {
  std::string service;     // "capf", "tvs": prefixes the errors
  std::string floor_flag;  // the server's flag that sets its TLS floor, named when a handshake fails
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::chrono::milliseconds timeout{10'000};
  TlsSettings tls;
  std::optional<boost::asio::ip::address> source;  // the local address to connect from
  std::string sni;  // the server name sent in the ClientHello; "" sends none
  // A certificate and key to present when the server asks (SIP over TLS: the LSC or MIC). Set on
  // this connection's SSL object, not on the context, since a fleet shares its contexts. Borrowed:
  // they must outlive connect().
  X509* client_cert = nullptr;
  EVP_PKEY* client_key = nullptr;
};

class TlsLink {
 public:
  TlsLink(TlsLinkOptions o, std::shared_ptr<boost::asio::ssl::context> tls);
  Status connect();               // TCP and the TLS handshake
  X509* peer_certificate();       // the server's, after connect()
  std::string negotiated();       // "TLSv1 AES128-SHA"
  Status read_exact(std::span<std::uint8_t> into, const char* what);
  // What is there, at least one byte, within the deadline: for a protocol framed by its caller
  // (SIP's StreamFramer).
  Result<std::size_t> read_some(std::span<std::uint8_t> into, const char* what);
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  Status write(ByteView bytes, const char* what);
  void close();

 private:
  template <class Start>
  Status await(Start start, const char* what);

  TlsLinkOptions o_;
  boost::asio::io_context io_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
};

}  // namespace cucm::phone
