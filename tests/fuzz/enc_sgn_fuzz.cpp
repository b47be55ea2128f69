// Fuzzes .enc.sgn parsing and decryption: any bytes must parse or fail cleanly, and decrypting a
// parsed file with the wrong device key must fail cleanly too.
#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"
#include "signer/digest.hpp"
#include "signer/enc_sgn_file.hpp"
#include "signer/keys.hpp"
#include "signer/tlv_header.hpp"

namespace cucm::signer {
namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

// Made once per process. RSA-1024 keeps the private-key operation cheap; real files wrap for
// 2048-bit phone keys, so seeds exercise the size mismatch and mutated 128-byte WrappedKeys reach
// the PKCS#1 v1.5 unwrap itself.
EVP_PKEY& device_key() {
  static PkeyPtr key = [] {
    auto k = generate_key(KeySpec{.kind = KeyKind::Rsa, .rsa_bits = 1024});
    if (!k) __builtin_trap();
    return std::move(k).value();
  }();
  return *key;
}

void fuzz_one(ByteView file) {
  auto parsed = parse_enc_sgn(file);
  if (!parsed) return;
  // What parse_enc_sgn promises, and decrypt_enc_sgn relies on without checking again.
  const Header& h = parsed->header;
  require(h.encryption && h.encryption->iv.size() == 16);
  require(h.encryption->pad_count >= 1 && h.encryption->pad_count <= 16);
  require(h.digest_algorithm.has_value());
  std::size_t ct = file.size() - parsed->header_length;
  require(ct > 0 && ct % 16 == 0);

  // Success is not impossible: libFuzzer sees the computed digest in the comparison and can copy it
  // into the Digest item. So no verdict is asserted, only that a success is self-consistent.
  auto plain = decrypt_enc_sgn(file, *parsed, device_key());
  if (!plain) return;
  require(plain->size() == ct - h.encryption->pad_count);
  require(digest(static_cast<HashAlg>(*h.digest_algorithm), *plain) == h.digest);
}

}  // namespace
}  // namespace cucm::signer

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  cucm::signer::device_key();  // pay for key generation before the first timed input
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cucm::signer::fuzz_one(cucm::ByteView(data, size));
  return 0;
}
