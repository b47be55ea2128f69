// The phone side of TVS (PROTOCOLS §4): TLS to port 2445, trusting the server only when its
// certificate is a TVS certificate of the phone's ITL, one VerifyRequest, one answer.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "core/result.hpp"
#include "phone/tls_link.hpp"
#include "signer/ossl.hpp"
#include "tvs/proto/message.hpp"

namespace cucm::phone {

struct TvsClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 2445;
  std::chrono::milliseconds timeout{10'000};
  TlsSettings tls;
  // The TVS certificates of the phone's ITL: the server must present one of them. Empty: not
  // checked (a tool's query, not a phone's).
  std::vector<const X509*> trusted_tvs;
  std::optional<boost::asio::ip::address> source;
  ClientTlsContexts* tls_contexts = nullptr;  // shared contexts; null: one of this query's own
  std::uint32_t sid = 1;                      // the client chooses it (§4)
};

struct TvsAnswer {
  tvs::VerifyResponse response;
  Bytes wire;       // the response as it came
  std::string tls;  // what the handshake settled on
  bool valid() const { return response.status == tvs::TrustStatus::Valid; }
  bool has_role(std::uint8_t role) const;
};

// Asks whether `certificate` (DER) is trusted, as `device_name` ("CP-8845-SEP…"). Unavailable for
// a server that cannot be reached or closes without an answer (as TVS does on a bad request);
// Unauthenticated when the server's certificate is not a TVS certificate of the ITL.
Result<TvsAnswer> ask_tvs(const std::string& device_name, ByteView certificate, const TvsClientOptions& o);

// The VerifyRequest ask_tvs sends, byte for byte, and the same query sent as these bytes (the
// ladder keeps them, so they are encoded once). `request` must carry the SID of `o`.
Bytes verify_request_bytes(const std::string& device_name, ByteView certificate, std::uint32_t sid);
Result<TvsAnswer> send_verify_request(ByteView request, const TvsClientOptions& o);

}  // namespace cucm::phone
