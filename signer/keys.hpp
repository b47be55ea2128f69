// Key generation, loading and the encodings the trust lists and CAPF carry.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "signer/ossl.hpp"

namespace cucm::signer {

enum class KeyKind { Rsa, Ec };

// "rsa:2048", "ec:prime256v1" (also "ec:P-256", "ec:secp384r1", "ec:P-521").
struct KeySpec {
  KeyKind kind = KeyKind::Rsa;
  int rsa_bits = 2048;
  std::string curve = "prime256v1";  // OpenSSL short name
};
// InvalidArgument for an unknown kind, curve, or an RSA size outside 1024..4096.
Result<KeySpec> parse_key_spec(std::string_view text);
std::string describe(const KeySpec& spec);

Result<PkeyPtr> generate_key(const KeySpec& spec);

// Where generate_key looks first, before it generates: a test suite's ready-made keys (an
// RSA 2048 key costs 0.1-0.3 s to make, and the tests would make 1,700 of them). The supply
// returns null for a spec it has no key for, and generate_key then generates. Process-wide,
// callable from any thread; an empty function removes it. The program itself never sets one.
using KeySupply = std::function<PkeyPtr(const KeySpec&)>;
void set_key_supply(KeySupply supply);

// PEM (PKCS#8 or traditional) private key. InvalidArgument when it does not parse.
Result<PkeyPtr> load_private_key(ByteView pem);
// A public key as PEM or DER SubjectPublicKeyInfo.
Result<PkeyPtr> load_public_key(ByteView pem_or_der);

Result<Bytes> private_key_pem(EVP_PKEY& key);  // unencrypted PKCS#8
Result<Bytes> public_key_pem(EVP_PKEY& key);
Result<Bytes> public_key_spki_der(EVP_PKEY& key);
// The ITL/CTL tag-7 form: PKCS#1 RSAPublicKey for RSA, X9.62 uncompressed point for EC.
Result<Bytes> public_key_raw(EVP_PKEY& key);

KeyKind key_kind(const EVP_PKEY& key);  // EC for anything that is not RSA
int key_bits(const EVP_PKEY& key);
std::string describe_key(const EVP_PKEY& key);  // "RSA 2048", "EC prime256v1"
// The spec that makes a key like `key` (kind, RSA size or curve).
Result<KeySpec> key_spec_of(const EVP_PKEY& key);
bool same_public_key(const EVP_PKEY& a, const EVP_PKEY& b);

}  // namespace cucm::signer
