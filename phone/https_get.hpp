// A minimal HTTPS GET for the phone's config on 6971 (PROTOCOLS §8.1): TLS, then the server's
// certificate is judged by the caller (against the phone's ITL) before any request is sent.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/ip/address.hpp>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "phone/capf_client.hpp"

namespace cucm::phone {

struct HttpsGetOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6971;
  std::chrono::milliseconds timeout{5'000};
  std::size_t max_size = 64u << 20;
  std::optional<boost::asio::ip::address> source;  // the local address to connect from
  // TLS floor, ceiling and suites: the firmware's (CapfClientOptions's fields of the same name).
  std::string tls_min = "1.2", tls_max, tls_ciphers;
  ClientTlsContexts* tls_contexts = nullptr;  // shared with other phones; null: one of its own
};

struct HttpsGot {
  Bytes body;
  std::string tls;  // what the handshake settled on, e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384"
};

// `accept_server` sees the server certificate after the handshake; an error from it ends the
// exchange with that error and no request. NotFound for 404, Unavailable for connection and TLS
// problems and other statuses, DeadlineExceeded when the one deadline of the exchange passes.
Result<HttpsGot> https_get(const HttpsGetOptions& opts, const std::string& name,
                           const std::function<Status(const X509&)>& accept_server);

}  // namespace cucm::phone
