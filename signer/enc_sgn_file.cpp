// .enc.sgn build, parse and decrypt: AES-128-CBC with 0D padding, RSAES-PKCS1-v1_5 key wrap.
#include "signer/enc_sgn_file.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "core/encoding.hpp"
#include "signer/keys.hpp"
#include "signer/sgn_file.hpp"

namespace cucm::signer {
namespace {

constexpr std::size_t kAesKey = 16;
constexpr std::size_t kAesBlock = 16;
constexpr std::uint8_t kPadByte = 0x0d;

Result<Bytes> aes_cbc(bool encrypt, ByteView key, ByteView iv, ByteView in) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, key.data(), iv.data(), encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) {
    return ossl_error(Errc::Internal, "enc: cannot start AES-128-CBC");
  }
  Bytes out(in.size() + kAesBlock);
  int n1 = 0, n2 = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &n1, in.data(), static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + n1, &n2) != 1) {
    return ossl_error(Errc::Internal, "enc: AES-128-CBC failed");
  }
  out.resize(static_cast<std::size_t>(n1 + n2));
  return out;
}

Result<Bytes> wrap_key(ByteView aes_key, EVP_PKEY& device_key) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(&device_key, nullptr));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    return ossl_error(Errc::Internal, "enc: cannot start RSA key wrap");
  }
  std::size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, aes_key.data(), aes_key.size()) != 1) {
    return ossl_error(Errc::Internal, "enc: cannot size wrapped key");
  }
  Bytes out(len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, aes_key.data(), aes_key.size()) != 1) {
    return ossl_error(Errc::Internal, "enc: RSA key wrap failed");
  }
  out.resize(len);
  return out;
}

}  // namespace

Result<Bytes> unwrap_key(ByteView wrapped, EVP_PKEY& device_private_key) {
  if (key_kind(device_private_key) != KeyKind::Rsa) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("enc: the device key is {}; wrapped keys need RSA", describe_key(device_private_key)));
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(&device_private_key, nullptr));
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    return ossl_error(Errc::InvalidArgument, "enc: cannot start RSA key unwrap (is this a private key?)");
  }
  std::size_t len = 0;
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &len, wrapped.data(), wrapped.size()) != 1) {
    return ossl_error(Errc::Unauthenticated, "enc: cannot size unwrapped key");
  }
  Bytes out(len);
  if (EVP_PKEY_decrypt(ctx.get(), out.data(), &len, wrapped.data(), wrapped.size()) != 1) {
    return ossl_error(Errc::Unauthenticated,
                      "enc: WrappedKey (tag 25) does not unwrap with this device key (wrong phone key?)");
  }
  out.resize(len);
  if (out.size() != kAesKey) {
    return make_error(Errc::Unauthenticated,
                      fmt::format("enc: unwrapped key is {} bytes vs expected {}", out.size(), kAesKey));
  }
  return out;
}

Result<Bytes> build_enc_sgn(ByteView plaintext, EVP_PKEY& device_key, const EncOptions& opts,
                            EVP_PKEY& signer_key, const X509& signer_cert) {
  CUCM_CHECK(check_file_hash(opts.hash));
  if (key_kind(device_key) != KeyKind::Rsa) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("enc: the device key is {}; only RSA device keys can be wrapped "
                                  "(CUCM's EC scheme is unknown, PROTOCOLS §9.10)", describe_key(device_key)));
  }
  if (opts.filename.empty()) return make_error(Errc::InvalidArgument, "enc: the file name is empty");
  Bytes aes_key(kAesKey), iv(kAesBlock);
  if (RAND_bytes(aes_key.data(), static_cast<int>(aes_key.size())) != 1 ||
      RAND_bytes(iv.data(), static_cast<int>(iv.size())) != 1) {
    return ossl_error(Errc::Internal, "enc: no randomness for key and IV");
  }
  // 1..16 bytes of 0D, never PKCS#7 (PROTOCOLS §5.3).
  std::size_t pad = kAesBlock - plaintext.size() % kAesBlock;
  Bytes padded(plaintext.begin(), plaintext.end());
  padded.insert(padded.end(), pad, kPadByte);
  CUCM_TRY(Bytes ciphertext, aes_cbc(true, aes_key, iv, padded));
  CUCM_TRY(Bytes wrapped, wrap_key(aes_key, device_key));

  Header h;
  h.version = {2, 0};
  h.hash = opts.hash;
  h.filename = opts.filename;
  h.timestamp = opts.timestamp;
  EncryptionInfo e;
  e.iv = std::move(iv);
  e.pad_count = static_cast<std::uint16_t>(pad);
  e.key_bits = static_cast<std::uint16_t>(wrapped.size() * 8);
  e.wrapped_key = std::move(wrapped);
  h.encryption = std::move(e);
  h.digest_algorithm = static_cast<std::uint8_t>(opts.hash);
  h.digest = digest(opts.hash, plaintext);
  return sign_and_assemble(std::move(h), ciphertext, signer_key, signer_cert);
}

Result<ParsedHeader> parse_enc_sgn(ByteView file) {
  CUCM_TRY(ParsedHeader parsed, parse_header(file, "enc"));
  const Header& h = parsed.header;
  if (h.version[0] != 2) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("enc: Version at offset 0: {}.{} vs expected 2.x{}", h.version[0], h.version[1],
                                  h.version[0] == 1 ? " (a plain .sgn; use 'cucm-emu sgn parse')" : ""));
  }
  if (!h.encryption) return make_error(Errc::InvalidArgument, "enc: header has no EncryptionInfo (tag 16)");
  const EncryptionInfo& e = *h.encryption;
  if (e.iv.size() != kAesBlock) {
    return make_error(Errc::InvalidArgument, fmt::format("enc: Iv (tag 19) is {} bytes vs expected 16", e.iv.size()));
  }
  if (e.wrapped_key.empty()) return make_error(Errc::InvalidArgument, "enc: header has no WrappedKey (tag 25)");
  if (e.pad_count < 1 || e.pad_count > kAesBlock) {
    return make_error(Errc::InvalidArgument, fmt::format("enc: PadCount (tag 20) is {} vs expected 1..16", e.pad_count));
  }
  std::size_t ct = file.size() - parsed.header_length;
  if (ct == 0 || ct % kAesBlock) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("enc: ciphertext at offset {} is {} bytes, not a non-empty multiple of 16",
                                  parsed.header_length, ct));
  }
  if (!h.digest_algorithm) return make_error(Errc::InvalidArgument, "enc: header has no DigestAlgorithm (tag 26)");
  if (*h.digest_algorithm != 1 && *h.digest_algorithm != 2 && *h.digest_algorithm != 3) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("enc: DigestAlgorithm (tag 26) is {} vs expected 1, 2 or 3", *h.digest_algorithm));
  }
  auto alg = static_cast<HashAlg>(*h.digest_algorithm);
  if (h.digest.size() != digest_size(alg)) {
    return make_error(Errc::InvalidArgument, fmt::format("enc: Digest (tag 27) is {} bytes vs {} for {}",
                                                         h.digest.size(), digest_size(alg), hash_name(alg)));
  }
  return parsed;
}

Result<Bytes> decrypt_enc_sgn(ByteView file, const ParsedHeader& parsed, EVP_PKEY& device_private_key) {
  const Header& h = parsed.header;
  const EncryptionInfo& e = *h.encryption;
  CUCM_TRY(Bytes aes_key, unwrap_key(e.wrapped_key, device_private_key));
  CUCM_TRY(Bytes padded, aes_cbc(false, aes_key, e.iv, file.subspan(parsed.header_length)));
  // parse_enc_sgn proved pad_count <= 16 <= size. The padding is 0D bytes (PROTOCOLS §5.3): other
  // bytes there mean a wrong AES key or a changed last block, told apart from a wrong digest.
  std::size_t body = padded.size() - e.pad_count;
  if (std::any_of(padded.begin() + static_cast<std::ptrdiff_t>(body), padded.end(), [](std::uint8_t b) { return b != kPadByte; })) {
    return make_error(Errc::Unauthenticated,
                      fmt::format("enc: bad padding: the last {} decrypted bytes (PadCount, tag 20) are not all 0D: "
                                  "a wrong key or a tampered last block", e.pad_count));
  }
  padded.resize(body);
  auto alg = static_cast<HashAlg>(*h.digest_algorithm);
  if (digest(alg, padded) != h.digest) {
    return make_error(Errc::Unauthenticated,
                      fmt::format("enc: {} digest of the {} decrypted bytes does not match Digest (tag 27): "
                                  "wrong key, wrong PadCount ({}) or a tampered file",
                                  hash_name(alg), padded.size(), e.pad_count));
  }
  return padded;
}

}  // namespace cucm::signer
