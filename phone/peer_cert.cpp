// Fetching a TLS server's certificate over the phone's TLS link.
#include "phone/peer_cert.hpp"

#include <boost/asio/ip/address.hpp>
#include <fmt/format.h>

#include "core/host_port.hpp"
#include "phone/tls_link.hpp"
#include "signer/cert.hpp"

namespace cucm::phone {

Result<PeerCertificate> fetch_peer_certificate(const PeerCertificateOptions& o) {
  std::string where = fmt::format("{} {}", o.what, core::to_string(core::HostPort{o.host, o.port}));
  // Whatever the server speaks: a 2013 ASA may offer TLS 1.0 only, and the phone takes it.
  TlsSettings tls{"1.0", "", ""};
  CUCM_TRY(auto ctx, make_client_tls(tls));
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(o.host, ec);
  TlsLink link(TlsLinkOptions{.service = "vpn",
                              .floor_flag = {},
                              .host = o.host,
                              .port = o.port,
                              .timeout = o.timeout,
                              .tls = tls,
                              .source = o.source,
                              .sni = ec ? o.host : std::string()},  // no SNI for an address literal
               std::move(ctx));
  if (auto st = link.connect(); !st) {
    // TlsLink says "vpn client: connect failed: ..."; the reader wants the headend named.
    std::string_view msg = st.error().message;
    if (msg.starts_with("vpn client: ")) msg.remove_prefix(12);
    return make_error(st.error().code, fmt::format("{}: {}", where, msg));
  }
  X509* peer = link.peer_certificate();
  if (!peer) {
    link.close();
    return make_error(Errc::NotFound, fmt::format("{}: the server presented no certificate", where));
  }
  PeerCertificate out{signer::X509Ptr(X509_dup(peer)), {}, link.negotiated()};
  link.close();
  if (!out.cert) return make_error(Errc::Internal, fmt::format("{}: cannot copy the certificate", where));
  out.der = signer::cert_der(*out.cert);
  return out;
}

}  // namespace cucm::phone
