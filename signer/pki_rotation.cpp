// Regenerating a cluster identity.
#include "signer/pki_rotation.hpp"

#include <arpa/inet.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>

#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"

namespace cucm::signer {

namespace {

// The subject's RDNs as (short name, value), in order.
std::vector<std::pair<std::string, std::string>> rdns(const X509_NAME& name) {
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < X509_NAME_entry_count(&name); ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(&name, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
    const ASN1_STRING* v = X509_NAME_ENTRY_get_data(e);
    out.emplace_back(OBJ_nid2sn(nid), std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)),
                                                  static_cast<std::size_t>(ASN1_STRING_length(v))));
  }
  return out;
}

Result<KeySpec> spec_of(const EVP_PKEY& key) {
  KeySpec s;
  s.kind = key_kind(key);
  s.rsa_bits = key_bits(key);
  if (s.kind == KeyKind::Ec) {
    std::array<char, 64> group{};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(&key, group.data(), group.size(), &len) != 1) {
      return make_error(Errc::Internal, "pki: cannot tell the curve of the EC key to rotate");
    }
    s.curve.assign(group.data(), len);
  }
  return s;
}

// The subjectAltName in the OpenSSL config form CertRequest takes ("DNS:a,IP:127.0.0.1"): the
// https identity names the hosts curl and phones check, and its successor must too.
std::string alt_names(const X509& cert) {
  std::unique_ptr<GENERAL_NAMES, decltype(&GENERAL_NAMES_free)> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(&cert, NID_subject_alt_name, nullptr, nullptr)), &GENERAL_NAMES_free);
  std::string out;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
    std::string item;
    if (n->type == GEN_DNS || n->type == GEN_URI) {
      const ASN1_STRING* v = n->type == GEN_DNS ? n->d.dNSName : n->d.uniformResourceIdentifier;
      item = std::string(n->type == GEN_DNS ? "DNS:" : "URI:") +
             std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)), static_cast<std::size_t>(ASN1_STRING_length(v)));
    } else if (n->type == GEN_IPADD) {
      std::array<char, INET6_ADDRSTRLEN> text{};
      int len = ASN1_STRING_length(n->d.iPAddress);
      int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
      if (family && inet_ntop(family, ASN1_STRING_get0_data(n->d.iPAddress), text.data(), text.size())) {
        item = std::string("IP:") + text.data();
      }
    }
    if (item.empty()) continue;
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

HashAlg digest_of(const X509& cert) {
  int nid = X509_get_signature_nid(&cert);
  int md = NID_undef;
  OBJ_find_sigid_algs(nid, &md, nullptr);
  return md == NID_sha1 ? HashAlg::Sha1 : md == NID_sha512 ? HashAlg::Sha512 : HashAlg::Sha256;
}

}  // namespace

Status rotate_identity(ClusterPki& pki, PkiRole role) {
  const Identity& old = pki.identity(role);
  if (!old.cert || !old.key) return make_error(Errc::NotFound, fmt::format("pki: no {} identity to rotate", pki_role_name(role)));
  if (!is_self_signed(*old.cert) || !old.chain.empty()) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("pki: {} was issued by {}: a self-signed successor would change who vouches for it; "
                                  "import a new CA-signed certificate with 'pki import --role {}'",
                                  pki_role_name(role), issuer_name(*old.cert), pki_role_name(role)));
  }
  CUCM_TRY(auto spec, spec_of(*old.key));
  CUCM_TRY(auto key, generate_key(spec));
  int days = static_cast<int>((not_after(*old.cert) - not_before(*old.cert)) / 86'400);
  auto req = mkcert_profile(*key, rdns(*X509_get_subject_name(old.cert.get())), std::max(days, 1), digest_of(*old.cert));
  req.subject_alt_name = alt_names(*old.cert);
  CUCM_TRY(auto cert, make_self_signed(*key, req));
  CUCM_TRY(Bytes key_pem, private_key_pem(*key));
  return pki.import(role, cert_pem(*cert), key_pem, {});
}

}  // namespace cucm::signer
