// X.509 construction with random 16-byte serials and config-string extensions.
#include "signer/cert_builder.hpp"

#include <cctype>

#include <fmt/format.h>
#include <openssl/rand.h>

#include "signer/cert.hpp"
#include "signer/keys.hpp"
#include "signer/spki.hpp"

namespace cucm::signer {

CertRequest mkcert_profile(const EVP_PKEY& key, std::vector<std::pair<std::string, std::string>> subject,
                           int days, HashAlg digest) {
  CertRequest req;
  std::string cn;
  for (auto& [k, v] : subject) if (k == "CN") cn = v;
  req.subject = std::move(subject);
  req.days = days;
  req.digest = digest;
  req.is_ca = true;
  req.key_usage = key_kind(key) == KeyKind::Rsa
                      ? "critical,digitalSignature,keyEncipherment,dataEncipherment,keyCertSign,cRLSign"
                      : "critical,digitalSignature,keyCertSign,cRLSign";
  for (auto& c : cn) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!cn.empty()) req.subject_alt_name = "DNS:" + cn;
  return req;
}

namespace {

Result<X509NamePtr> build_name(const std::vector<std::pair<std::string, std::string>>& rdns) {
  if (rdns.empty()) return make_error(Errc::InvalidArgument, "signer: certificate subject is empty");
  X509NamePtr name(X509_NAME_new());
  for (auto& [type, value] : rdns) {
    if (X509_NAME_add_entry_by_txt(name.get(), type.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.c_str()),  // NOLINT
                                   -1, -1, 0) != 1) {
      return ossl_error(Errc::InvalidArgument,
                        fmt::format("signer: subject attribute {}={} rejected", type, value));
    }
  }
  return name;
}

Status add_ext(X509& cert, X509V3_CTX& ctx, int nid, const std::string& value) {
  if (value.empty()) return Ok{};
  X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(&cert, ext.get(), -1) != 1) {
    return ossl_error(Errc::InvalidArgument,
                      fmt::format("signer: extension {} = '{}' rejected", OBJ_nid2sn(nid), value));
  }
  return Ok{};
}

Status set_serial(X509& cert, const std::optional<std::array<std::uint8_t, 16>>& given) {
  std::array<std::uint8_t, 16> raw{};
  if (given) {
    raw = *given;
  } else if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    return ossl_error(Errc::Internal, "signer: no randomness");
  }
  raw[0] &= 0x7f;  // keep the DER INTEGER at 16 bytes and positive
  if (raw[0] == 0) raw[0] = 1;
  BnPtr bn(BN_bin2bn(raw.data(), static_cast<int>(raw.size()), nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(&cert))) {
    return ossl_error(Errc::Internal, "signer: cannot set serial");
  }
  return Ok{};
}

Result<X509Ptr> build(EVP_PKEY& subject_key_in, const CertRequest& req, X509* ca, EVP_PKEY& signing_key) {
  if (req.days < 1 || req.days > 36500) {
    return make_error(Errc::InvalidArgument, fmt::format("signer: validity {} days outside 1..36500", req.days));
  }
  // The public half in a form X509_set_pubkey encodes in microseconds (see spki.hpp).
  PkeyPtr fast = public_copy_fast(subject_key_in);
  EVP_PKEY& subject_key = fast ? *fast : subject_key_in;
  X509Ptr cert(X509_new());
  std::time_t start = req.not_before.value_or(0);
  CUCM_TRY(auto subject, build_name(req.subject));
  if (!cert || X509_set_version(cert.get(), 2) != 1 || X509_set_subject_name(cert.get(), subject.get()) != 1 ||
      X509_set_issuer_name(cert.get(), ca ? X509_get_subject_name(ca) : subject.get()) != 1 ||
      !X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, 0, req.not_before ? &start : nullptr) ||
      !X509_time_adj_ex(X509_getm_notAfter(cert.get()), req.days, 0, req.not_before ? &start : nullptr) ||
      X509_set_pubkey(cert.get(), &subject_key) != 1) {
    return ossl_error(Errc::Internal, "signer: cannot fill certificate fields");
  }
  CUCM_CHECK(set_serial(*cert, req.serial));

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca ? ca : cert.get(), cert.get(), nullptr, nullptr, 0);
  std::string basic = !req.is_ca ? "critical,CA:FALSE"
                      : req.path_len < 0 ? "critical,CA:TRUE"
                                         : fmt::format("critical,CA:TRUE,pathlen:{}", req.path_len);
  CUCM_CHECK(add_ext(*cert, ctx, NID_basic_constraints, basic));
  CUCM_CHECK(add_ext(*cert, ctx, NID_key_usage, req.key_usage));
  CUCM_CHECK(add_ext(*cert, ctx, NID_ext_key_usage, req.extended_key_usage));
  CUCM_CHECK(add_ext(*cert, ctx, NID_subject_key_identifier, "hash"));
  if (ca) CUCM_CHECK(add_ext(*cert, ctx, NID_authority_key_identifier, "keyid:always"));
  CUCM_CHECK(add_ext(*cert, ctx, NID_subject_alt_name, req.subject_alt_name));

  // EC keys ignore the digest choice only for Ed* keys; RSA and ECDSA both take it.
  if (X509_sign(cert.get(), &signing_key, evp_md(req.digest)) <= 0) {
    return ossl_error(Errc::Internal, "signer: certificate signature failed");
  }
  return cert;
}

}  // namespace

Result<X509Ptr> make_self_signed(EVP_PKEY& key, const CertRequest& req) {
  return build(key, req, nullptr, key);
}

Result<X509Ptr> issue_cert(EVP_PKEY& subject_key, const CertRequest& req, X509& ca, EVP_PKEY& ca_key) {
  if (!same_public_key(*X509_get0_pubkey(&ca), ca_key)) {
    return make_error(Errc::InvalidArgument, "signer: CA key does not match the CA certificate");
  }
  return build(subject_key, req, &ca, ca_key);
}

Result<X509Ptr> self_signed_copy(const X509& cert, EVP_PKEY& key, std::time_t not_before, std::time_t not_after) {
  const EVP_PKEY* pub = X509_get0_pubkey(&cert);
  if (!pub || !same_public_key(*pub, key)) {
    return make_error(Errc::InvalidArgument, "signer: the key is not the certificate's own");
  }
  X509Ptr copy(X509_dup(&cert));
  if (!copy) return ossl_error(Errc::Internal, "signer: cannot copy the certificate");
  if (!is_self_signed(cert)) {
    int aki = X509_get_ext_by_NID(copy.get(), NID_authority_key_identifier, -1);
    if (aki >= 0) {
      X509ExtPtr gone(X509_delete_ext(copy.get(), aki));
    }
    if (X509_set_issuer_name(copy.get(), X509_get_subject_name(copy.get())) != 1) {
      return ossl_error(Errc::Internal, "signer: cannot set the copy's issuer");
    }
  }
  if (!X509_time_adj_ex(X509_getm_notBefore(copy.get()), 0, 0, &not_before) ||
      !X509_time_adj_ex(X509_getm_notAfter(copy.get()), 0, 0, &not_after)) {
    return ossl_error(Errc::Internal, "signer: cannot set the copy's validity");
  }
  if (X509_sign(copy.get(), &key, evp_md(signature_digest(cert))) <= 0) {
    return ossl_error(Errc::Internal, "signer: the copy's signature failed");
  }
  // Parsed again from its DER, so that nothing OpenSSL cached from the original's fields (its
  // hash, its extension flags) outlives the changes.
  return load_cert(cert_der(*copy));
}

}  // namespace cucm::signer
