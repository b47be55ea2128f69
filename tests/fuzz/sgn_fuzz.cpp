// Fuzzes .sgn parsing and signature checking: any bytes must parse or fail cleanly, and a parsed
// file must never verify against a key nobody else holds.
#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"
#include "signer/keys.hpp"
#include "signer/sgn_file.hpp"
#include "signer/tlv_header.hpp"

namespace cucm::signer {
namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

// Made once per process, so no input, seed or crash file can carry a valid signature by it.
// RSA-2048 because that is what real .sgn seeds are signed with: their 256-byte signatures then get
// past the size checks and reach the RSA verification itself.
EVP_PKEY& verify_key() {
  static PkeyPtr key = [] {
    auto k = generate_key(KeySpec{.kind = KeyKind::Rsa, .rsa_bits = 2048});
    if (!k) __builtin_trap();
    return std::move(k).value();
  }();
  return *key;
}

void fuzz_one(ByteView file) {
  auto parsed = parse_sgn(file);
  if (!parsed) return;
  const Header& h = parsed->header;
  require(h.version[0] == 1 && !h.encryption && !h.signer_version);

  ByteView payload = sgn_payload(file, *parsed);
  require(payload.size() == file.size() - parsed->header_length);

  // Forging an RSA signature is out of reach, so success here means verify_signature is broken.
  auto st = verify_signature(file, *parsed, verify_key());
  require(!st.has_value());
}

}  // namespace
}  // namespace cucm::signer

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  cucm::signer::verify_key();  // pay for key generation before the first timed input
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cucm::signer::fuzz_one(cucm::ByteView(data, size));
  return 0;
}
