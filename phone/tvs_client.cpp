// Phone-side TVS query.
#include "phone/tvs_client.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace cucm::phone {

bool TvsAnswer::has_role(std::uint8_t role) const {
  return valid() && std::find(response.roles.begin(), response.roles.end(), role) != response.roles.end();
}

Bytes verify_request_bytes(const std::string& device_name, ByteView certificate, std::uint32_t sid) {
  tvs::VerifyRequest req;
  req.sid = sid;
  req.device_name = device_name;
  req.certificate.assign(certificate.begin(), certificate.end());
  return tvs::encode_verify_request(req);
}

Result<TvsAnswer> ask_tvs(const std::string& device_name, ByteView certificate, const TvsClientOptions& o) {
  return send_verify_request(verify_request_bytes(device_name, certificate, o.sid), o);
}

Result<TvsAnswer> send_verify_request(ByteView request, const TvsClientOptions& o) {
  CUCM_TRY(auto tls, o.tls_contexts ? o.tls_contexts->get(o.tls) : make_client_tls(o.tls));
  TlsLink link(TlsLinkOptions{.service = "tvs",
                              .floor_flag = "--tvs-tls-min",
                              .host = o.host,
                              .port = o.port,
                              .timeout = o.timeout,
                              .tls = o.tls,
                              .source = o.source,
                              .sni = {}},
               std::move(tls));
  CUCM_CHECK(link.connect());
  if (!o.trusted_tvs.empty()) {
    X509* peer = link.peer_certificate();
    bool known = peer && std::any_of(o.trusted_tvs.begin(), o.trusted_tvs.end(),
                                     [&](const X509* t) { return X509_cmp(peer, t) == 0; });
    if (!known) {
      link.close();
      return make_error(Errc::Unauthenticated, "tvs client: the server certificate is not a TVS certificate of the ITL");
    }
  }
  TvsAnswer out;
  out.tls = link.negotiated();
  CUCM_CHECK(link.write(request, "write VerifyRequest"));
  std::array<std::uint8_t, tvs::kHeaderSize> header{};
  if (auto st = link.read_exact(header, "read VerifyResponse"); !st) {
    // TVS closes without a word on a request it rejects (§4).
    return make_error(st.error().code, st.error().message + " (TVS closes without an answer when it rejects a request: see its log)");
  }
  CUCM_TRY(auto h, tvs::parse_header(header));
  Bytes message(header.begin(), header.end());
  message.resize(tvs::kHeaderSize + h.body_length);
  CUCM_CHECK(link.read_exact(std::span(message).subspan(tvs::kHeaderSize), "read VerifyResponse body"));
  link.close();
  CUCM_TRY(out.response, tvs::parse_verify_response(message));
  out.wire = std::move(message);
  if (out.response.sid != o.sid) {
    return make_error(Errc::InvalidArgument, fmt::format("tvs client: answer for SID {}, asked with {}", out.response.sid, o.sid));
  }
  return out;
}

}  // namespace cucm::phone
