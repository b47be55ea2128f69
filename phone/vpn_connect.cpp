// The phone's VPN headend check, as a ladder.
#include "phone/vpn_connect.hpp"

#include <fmt/format.h>

#include "phone/peer_cert.hpp"
#include "signer/cert.hpp"

namespace cucm::phone {
namespace {

using Clock = std::chrono::steady_clock;

class Ladder {
 public:
  explicit Ladder(VpnConnectResult& r) : r_(r), start_(Clock::now()) {}
  void step(std::string from, std::string to, std::string proto, std::string what, std::string why = "") {
    double t = std::chrono::duration<double>(Clock::now() - start_).count();
    r_.ladder.push_back({t, std::move(from), std::move(to), std::move(proto), std::move(what), std::move(why), {}});
  }
  void decide(std::string what, std::string why = "") { step("phone", "phone", "-", std::move(what), std::move(why)); }
  VpnConnectResult& fail(std::string why) {
    r_.failure = std::move(why);
    decide("VPN not connected: " + r_.failure);
    return r_;
  }

 private:
  VpnConnectResult& r_;
  Clock::time_point start_;
};

std::string comparison_line(const signer::VpnHashComparison& c) {
  std::string out;
  for (const auto& h : c.hashes) {
    out += fmt::format("{}certHash{} {} ({})", out.empty() ? "" : ", ", h.index, h.value,
                       h.match ? "match" : h.problem.empty() ? "differs" : h.problem);
  }
  return out.empty() ? "no certHash configured" : out;
}

}  // namespace

Result<signer::VpnHashAlg> vpn_hash_alg_of_code(int hash_alg, int sha512_code) {
  if (hash_alg == cnf::kVpnHashAlgSha1) return signer::VpnHashAlg::Sha1;
  if (hash_alg == sha512_code) return signer::VpnHashAlg::Sha512;
  return make_error(Errc::InvalidArgument, fmt::format("hashAlg {} is unknown to this phone ({} SHA-1, {} SHA-512)",
                                                       hash_alg, cnf::kVpnHashAlgSha1, sha512_code));
}

VpnConnectResult vpn_connect(const VpnConnectOptions& o) {
  VpnConnectResult r;
  Ladder l(r);
  std::size_t configured = 0;
  for (const auto& h : o.group.cert_hashes) configured += !h.empty();
  auto alg = vpn_hash_alg_of_code(o.group.hash_alg, o.sha512_hash_alg);
  l.decide(fmt::format("vpnGroup: url1 {}, hashAlg {}{}, {} certificate hash(es)", o.group.url.empty() ? "-" : o.group.url,
                       o.group.hash_alg, alg ? fmt::format(" ({})", signer::vpn_hash_alg_label(*alg)) : "", configured),
           "the VPN settings of my full config");
  if (!alg) return l.fail(alg.error().message);
  r.hash_alg = std::string(signer::vpn_hash_alg_label(*alg));
  core::HostPort where;
  if (o.headend) {
    where = *o.headend;
  } else {
    auto hp = core::url_host_port(o.group.url, 443);
    if (!hp) return l.fail("vpnGroup url1: " + hp.error().message);
    where = *hp;
  }
  r.headend = core::to_string(where);
  auto peer = fetch_peer_certificate(
      PeerCertificateOptions{.host = where.host, .port = where.port, .timeout = o.timeout, .what = "vpn headend", .source = o.source});
  if (!peer) {
    l.step("phone", "vpn", "TLS", fmt::format("connect {} failed", r.headend));
    return l.fail(peer.error().message);
  }
  l.step("phone", "vpn", "TLS", fmt::format("connect {}: {}", r.headend, peer->tls));
  r.subject = signer::subject_name(*peer->cert);
  auto cmp = signer::compare_vpn_hashes(peer->der, *alg, o.group.cert_hashes);
  l.step("vpn", "phone", "TLS", fmt::format("Certificate {}, {} {}", r.subject, r.hash_alg, cmp.presented),
         fmt::format("the {} of the certificate's DER, base64, as certhash writes it", r.hash_alg));
  l.decide("compare: " + comparison_line(cmp), "the headend is trusted only if its hash is one of certHash1 ... certHashN");
  r.comparison = std::move(cmp);
  if (r.comparison->accepted()) {
    r.accepted = true;
    l.decide("VPN connected (certificate accepted)", fmt::format("certHash{} matches", *r.comparison->matched));
    return r;
  }
  r.bad_certificate = true;
  r.failure = "Bad Certificate";
  l.decide("Bad Certificate", fmt::format("the headend's {} hash {} is none of the vpnGroup's", r.hash_alg, r.comparison->presented));
  return r;
}

}  // namespace cucm::phone
