// EVP digest and signature calls, each with its own error check.
#include "signer/digest.hpp"

#include <fmt/format.h>
#include <openssl/err.h>

#include "signer/ossl.hpp"

namespace cucm::signer {

const EVP_MD* evp_md(HashAlg alg) {
  switch (alg) {
    case HashAlg::Sha1: return EVP_sha1();
    case HashAlg::Sha256: return EVP_sha256();
    case HashAlg::Sha512: return EVP_sha512();
  }
  return EVP_sha256();
}

std::string_view hash_name(HashAlg alg) {
  switch (alg) {
    case HashAlg::Sha1: return "sha1";
    case HashAlg::Sha256: return "sha256";
    case HashAlg::Sha512: return "sha512";
  }
  return "unknown";
}

Result<HashAlg> parse_hash_name(std::string_view name) {
  if (name == "sha1" || name == "SHA1" || name == "sha-1") return HashAlg::Sha1;
  if (name == "sha256" || name == "SHA256" || name == "sha-256") return HashAlg::Sha256;
  if (name == "sha512" || name == "SHA512" || name == "sha-512") return HashAlg::Sha512;
  return make_error(Errc::InvalidArgument,
                    fmt::format("unknown digest '{}' (sha1, sha256 or sha512)", name));
}

std::size_t digest_size(HashAlg alg) { return static_cast<std::size_t>(EVP_MD_get_size(evp_md(alg))); }

Bytes digest(HashAlg alg, ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &n, evp_md(alg), nullptr);
  out.resize(n);
  return out;
}

Bytes md5(ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &n, EVP_md5(), nullptr);
  out.resize(n);
  return out;
}

Result<Bytes> sign(EVP_PKEY& key, HashAlg alg, std::initializer_list<ByteView> parts) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, evp_md(alg), nullptr, &key) != 1) {
    return ossl_error(Errc::Internal, "signer: cannot start signature");
  }
  for (auto part : parts) {
    if (EVP_DigestSignUpdate(ctx.get(), part.data(), part.size()) != 1) {
      return ossl_error(Errc::Internal, "signer: cannot hash data to sign");
    }
  }
  std::size_t len = 0;
  if (EVP_DigestSignFinal(ctx.get(), nullptr, &len) != 1) {
    return ossl_error(Errc::Internal, "signer: cannot size signature");
  }
  Bytes sig(len);
  if (EVP_DigestSignFinal(ctx.get(), sig.data(), &len) != 1) {
    return ossl_error(Errc::Internal, "signer: signature failed");
  }
  sig.resize(len);
  return sig;
}

Status verify(EVP_PKEY& key, HashAlg alg, std::initializer_list<ByteView> parts, ByteView signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, evp_md(alg), nullptr, &key) != 1) {
    return ossl_error(Errc::Internal, "signer: cannot start verification");
  }
  std::size_t total = 0;
  for (auto part : parts) {
    total += part.size();
    if (EVP_DigestVerifyUpdate(ctx.get(), part.data(), part.size()) != 1) {
      return ossl_error(Errc::Internal, "signer: cannot hash data to verify");
    }
  }
  if (EVP_DigestVerifyFinal(ctx.get(), signature.data(), signature.size()) != 1) {
    ERR_clear_error();
    return make_error(Errc::Unauthenticated,
                      fmt::format("signer: {} signature of {} bytes does not verify over {} bytes",
                                  hash_name(alg), signature.size(), total));
  }
  return Ok{};
}

}  // namespace cucm::signer
