#include "signer/chain_verifier.hpp"

#include <fmt/format.h>
#include <openssl/err.h>

#include "signer/cert.hpp"

namespace cucm::signer {
ChainVerifier::ChainVerifier() : store_(X509_STORE_new()) {
  if (store_) X509_STORE_set_flags(store_.get(), X509_V_FLAG_PARTIAL_CHAIN);
}

Status ChainVerifier::add_anchor(const X509& ca) {
  if (!store_) return ossl_error(Errc::Internal, "X509_STORE_new");
  // X509_STORE_add_cert takes its own reference; the const_cast is OpenSSL's signature only.
  // The same CA twice (the CAPF CA also in the trust folder) is kept once, and is no error.
  if (X509_STORE_add_cert(store_.get(), const_cast<X509*>(&ca)) != 1) {
    return ossl_error(Errc::Internal, "adding a trust anchor " + subject_name(ca));
  }
  return Ok{};
}

Status ChainVerifier::verify(const X509& cert, std::time_t at, const std::vector<X509*>& intermediates, int* error) const {
  if (!store_) return ossl_error(Errc::Internal, "X509_STORE_new");
  CertStackPtr untrusted(sk_X509_new_null());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!untrusted || !ctx) return ossl_error(Errc::Internal, "X509_STORE_CTX_new");
  for (X509* c : intermediates) {
    if (c && !sk_X509_push(untrusted.get(), c)) return ossl_error(Errc::Internal, "sk_X509_push");
  }
  if (X509_STORE_CTX_init(ctx.get(), store_.get(), const_cast<X509*>(&cert), untrusted.get()) != 1) {
    return ossl_error(Errc::Internal, "X509_STORE_CTX_init");
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, at);
  int ok = X509_verify_cert(ctx.get());
  ERR_clear_error();  // the verdict is in the context, not in the error queue
  int err = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
  if (error) *error = err;
  if (ok == 1) return Ok{};
  const X509* at_fault = X509_STORE_CTX_get_current_cert(ctx.get());
  std::string whose = at_fault && at_fault != &cert ? fmt::format(" (at {})", subject_name(*at_fault)) : "";
  return make_error(Errc::Unauthenticated,
                    fmt::format("certificate {} issued by {}: {}{}", subject_name(cert), issuer_name(cert),
                                X509_verify_cert_error_string(err), whose));
}

std::size_t ChainVerifier::anchors() const {
  return store_ ? static_cast<std::size_t>(sk_X509_OBJECT_num(X509_STORE_get0_objects(store_.get()))) : 0;
}

}  // namespace cucm::signer
