// .enc.sgn files: a version 2.0 signed header carrying an RSA-wrapped AES-128 key, the IV, the
// 0D padding count and a digest of the plaintext, followed by the AES-128-CBC ciphertext
// (PROTOCOLS §5.3).
#pragma once

#include <cstdint>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "signer/digest.hpp"
#include "signer/ossl.hpp"
#include "signer/tlv_header.hpp"

namespace cucm::signer {

struct EncOptions {
  std::string filename;           // e.g. SEP001122334455.cnf.xml.enc.sgn
  HashAlg hash = HashAlg::Sha1;   // signature and plaintext digest (the tools reuse one)
  std::uint32_t timestamp = 0;
};

// Encrypts `plaintext` under a fresh AES key and IV, wraps the key for `device_key` (the public key
// of the phone's LSC or MIC) and signs. InvalidArgument for an EC device key (how CUCM wraps for
// EC is unknown, PROTOCOLS §9.10), SHA-256, or a non-RSA signer.
Result<Bytes> build_enc_sgn(ByteView plaintext, EVP_PKEY& device_key, const EncOptions& opts,
                            EVP_PKEY& signer_key, const X509& signer_cert);

// Parses and checks the structure: version 2.x, EncryptionInfo with a 16-byte IV, a pad count of
// 1..16, a ciphertext that is a non-empty multiple of 16, a known digest algorithm with a digest of
// its size. InvalidArgument naming the field otherwise.
Result<ParsedHeader> parse_enc_sgn(ByteView file);

// Unwraps the AES key with the device's private key, decrypts, drops the padding and checks the
// digest. Unauthenticated when the key cannot unwrap or the digest does not match.
Result<Bytes> decrypt_enc_sgn(ByteView file, const ParsedHeader& parsed, EVP_PKEY& device_private_key);

// Unwraps only the AES key (for dissectors and cross-checks).
Result<Bytes> unwrap_key(ByteView wrapped, EVP_PKEY& device_private_key);

}  // namespace cucm::signer
