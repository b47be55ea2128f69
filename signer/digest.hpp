// Digests and signatures with the hash codes the Cisco file formats use.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace cucm::signer {

// The hash codes of the TLV files and CAPF (PROTOCOLS §3.4, §5.1).
enum class HashAlg : std::uint8_t { Sha1 = 1, Sha256 = 2, Sha512 = 3 };

const EVP_MD* evp_md(HashAlg alg);
std::string_view hash_name(HashAlg alg);          // "sha1", "sha256", "sha512"
Result<HashAlg> parse_hash_name(std::string_view name);  // InvalidArgument for others
std::size_t digest_size(HashAlg alg);

Bytes digest(HashAlg alg, ByteView data);
Bytes md5(ByteView data);

// RSASSA-PKCS1-v1_5 with a DigestInfo for RSA keys, DER ECDSA for EC keys. The `parts`
// overloads sign the concatenation of the parts, so a header and a payload need no copy.
// Internal when OpenSSL refuses (for example a key without its private half).
Result<Bytes> sign(EVP_PKEY& key, HashAlg alg, std::initializer_list<ByteView> parts);
inline Result<Bytes> sign(EVP_PKEY& key, HashAlg alg, ByteView data) { return sign(key, alg, {data}); }
// Unauthenticated when the signature does not match.
Status verify(EVP_PKEY& key, HashAlg alg, std::initializer_list<ByteView> parts, ByteView signature);
inline Status verify(EVP_PKEY& key, HashAlg alg, ByteView data, ByteView signature) {
  return verify(key, alg, {data}, signature);
}

}  // namespace cucm::signer
