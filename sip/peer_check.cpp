// Peer certificates of SIP over TLS.
#include "sip/peer_check.hpp"

#include <algorithm>

#include <openssl/x509v3.h>

#include "signer/cert.hpp"

namespace cucm::sip {
namespace {

signer::X509Ptr ref(const X509& c) {
  X509_up_ref(const_cast<X509*>(&c));  // NOLINT: OpenSSL's signature only
  return signer::X509Ptr(const_cast<X509*>(&c));  // NOLINT
}

ChainCheck verdict(const signer::ChainVerifier& v, const X509& cert, const std::vector<X509*>& intermediates, std::time_t now) {
  int code = X509_V_OK;
  auto st = v.verify(cert, now, intermediates, &code);
  if (st) return {ChainCheck::Verdict::Ok, {}};
  auto kind = code == X509_V_ERR_CERT_HAS_EXPIRED         ? ChainCheck::Verdict::Expired
              : code == X509_V_ERR_CERT_NOT_YET_VALID      ? ChainCheck::Verdict::NotYetValid
                                                           : ChainCheck::Verdict::Untrusted;
  return {kind, st.error().message};
}

std::vector<std::string> dns_names(const X509& cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(&cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type != GEN_DNS) continue;
    const auto* s = n->d.dNSName;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<std::size_t>(ASN1_STRING_length(s)));  // NOLINT
  }
  GENERAL_NAMES_free(names);
  return out;
}

}  // namespace

Result<PeerCheck> PeerCheck::make(const X509& capf, const std::vector<signer::X509Ptr>& capf_trust,
                                  const std::vector<signer::X509Ptr>& callmanager_trust) {
  PeerCheck p;
  p.capf_ = ref(capf);
  p.phones_ = std::make_shared<signer::ChainVerifier>();
  p.trunks_ = std::make_shared<signer::ChainVerifier>();
  CUCM_CHECK(p.phones_->add_anchor(capf));
  p.all_.push_back(ref(capf));
  for (const auto& c : capf_trust) {
    CUCM_CHECK(p.phones_->add_anchor(*c));
    p.all_.push_back(ref(*c));
  }
  for (const auto& c : callmanager_trust) {
    CUCM_CHECK(p.trunks_->add_anchor(*c));
    p.all_.push_back(ref(*c));
  }
  return p;
}

PeerCertificate PeerCheck::check(const X509& cert, const std::vector<X509*>& intermediates, std::time_t now,
                                 Scope scope) const {
  PeerCertificate pc;
  pc.cn = signer::common_name(cert);
  if (!pc.cn.empty()) pc.names.push_back(pc.cn);
  // A CA-signed certificate usually repeats its CN as a DNS SAN (seed 003's CSR does): listed once.
  for (auto& n : dns_names(cert)) {
    if (std::find(pc.names.begin(), pc.names.end(), n) == pc.names.end()) pc.names.push_back(std::move(n));
  }
  pc.phone = verdict(*phones_, cert, intermediates, now);
  // The registrar admits a phone's certificate before it looks at trunks, so for the registrar
  // (PhoneFirst) the second verification is spent only on the others.
  pc.trunk = pc.phone.ok() && scope == Scope::PhoneFirst
                 ? ChainCheck{ChainCheck::Verdict::Untrusted, "checked as a phone's certificate"}
                 : verdict(*trunks_, cert, intermediates, now);
  if (pc.phone.ok()) pc.type = X509_check_issued(capf_.get(), const_cast<X509*>(&cert)) == X509_V_OK ? "LSC" : "MIC";  // NOLINT
  return pc;
}

std::optional<PeerCertificate> PeerCheck::check(SSL& ssl, std::time_t now, Scope scope) const {
  X509* leaf = SSL_get0_peer_certificate(&ssl);
  if (!leaf) return std::nullopt;
  std::vector<X509*> intermediates;
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(&ssl)) {  // the leaf first, on a server
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      if (X509* c = sk_X509_value(chain, i); c != leaf) intermediates.push_back(c);
    }
  }
  return check(*leaf, intermediates, now, scope);
}

}  // namespace cucm::sip
