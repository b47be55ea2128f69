// Raw-RSA and ECDSA signatures for CAPF authentication.
#include "signer/capf_signature.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "signer/keys.hpp"

namespace cucm::signer {

Result<Bytes> capf_sign(EVP_PKEY& key, HashAlg alg, ByteView data) {
  if (key_kind(key) != KeyKind::Rsa) return sign(key, alg, data);
  Bytes h = digest(alg, data);
  auto size = static_cast<std::size_t>(EVP_PKEY_get_size(&key));
  if (size < h.size() + 11) return make_error(Errc::InvalidArgument, "capf: RSA key too small for the hash");
  Bytes block(size, 0xff);  // 00 01 FF..FF 00 H
  block[0] = 0x00;
  block[1] = 0x01;
  block[size - h.size() - 1] = 0x00;
  std::copy(h.begin(), h.end(), block.end() - static_cast<std::ptrdiff_t>(h.size()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(&key, nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) != 1) {
    return ossl_error(Errc::Internal, "capf: cannot start raw RSA signature");
  }
  std::size_t len = size;
  Bytes sig(size);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, block.data(), block.size()) != 1) {
    return ossl_error(Errc::Internal, "capf: raw RSA signature failed");
  }
  sig.resize(len);
  return sig;
}

Status capf_verify(EVP_PKEY& key, HashAlg alg, ByteView data, ByteView signature) {
  if (key_kind(key) != KeyKind::Rsa) return verify(key, alg, data, signature);
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(&key, nullptr));
  if (!ctx || EVP_PKEY_verify_recover_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) != 1) {
    return ossl_error(Errc::Internal, "capf: cannot start raw RSA recovery");
  }
  Bytes out(static_cast<std::size_t>(EVP_PKEY_get_size(&key)));
  std::size_t len = out.size();
  if (EVP_PKEY_verify_recover(ctx.get(), out.data(), &len, signature.data(), signature.size()) != 1) {
    ERR_clear_error();
    return make_error(Errc::Unauthenticated, fmt::format("capf: {}-byte signature does not fit the key", signature.size()));
  }
  out.resize(len);
  Bytes h = digest(alg, data);
  if (out.size() < h.size() || !std::equal(h.begin(), h.end(), out.end() - static_cast<std::ptrdiff_t>(h.size()))) {
    return make_error(Errc::Unauthenticated, fmt::format("capf: {} signature does not match", hash_name(alg)));
  }
  return Ok{};
}

}  // namespace cucm::signer
