// A phone's SIP connection to its call manager over UDP, TCP or TLS: send a request, get the next
// whole message back, each within a deadline. The registration on top is sip_register.cpp's.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>
#include <openssl/x509.h>

#include "core/result.hpp"
#include "phone/tls_link.hpp"
#include "sip/proto/registrar.hpp"

namespace cucm::phone {

struct SipLinkOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 5060;
  sip::Transport transport = sip::Transport::Udp;
  std::chrono::milliseconds timeout{5'000};         // per answer awaited (and for connect, handshake)
  std::optional<boost::asio::ip::address> source;  // the phone's own address
  // TLS only: the firmware's settings, the shared contexts (null: one of this link's own) and the
  // certificate the phone presents (borrowed).
  TlsSettings tls;
  ClientTlsContexts* tls_contexts = nullptr;
  X509* client_cert = nullptr;
  EVP_PKEY* client_key = nullptr;
};

// One interface, three transports: the registration does not care which carries it.
class SipLink {
 public:
  virtual ~SipLink() = default;
  virtual Status send(std::string_view message) = 0;
  // The next whole message (CRLF keepalives skipped). Over UDP the last request is sent again
  // while waiting, at RFC 3261's T1 = 500 ms doubling (§17.1.2.2), since a datagram may be lost.
  virtual Result<std::string> receive() = 0;
  // The phone's address as the server sees it, host:port, for the Via and the Contact.
  virtual std::string local_address() const = 0;
  // TLS: the server's certificate and what was negotiated; null and "" otherwise.
  virtual X509* server_certificate() { return nullptr; }
  virtual std::string negotiated() { return {}; }
};

// Connects (TCP, TLS with its handshake) or binds (UDP). Errors are "sip: …" lines.
Result<std::unique_ptr<SipLink>> open_sip_link(const SipLinkOptions& o);

}  // namespace cucm::phone
