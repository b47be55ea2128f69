// Differential fuzzing of the direct SubjectPublicKeyInfo decoder against OpenSSL's: whatever the
// fast path accepts, OpenSSL must accept as the same key, and re-encoding it must give back the
// exact input (the fast path takes canonical DER only).
#include <cstddef>
#include <cstdint>

#include <openssl/x509.h>

#include "core/bytes.hpp"
#include "signer/keys.hpp"
#include "signer/spki.hpp"

namespace cucm::signer {
namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

void fuzz_one(ByteView der) {
  PkeyPtr fast = decode_spki_fast(der);
  if (!fast) return;
  const unsigned char* p = der.data();
  PkeyPtr reference(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  require(reference != nullptr);
  require(p == der.data() + der.size());
  require(EVP_PKEY_eq(fast.get(), reference.get()) == 1);
  auto again = encode_spki_fast(*fast);
  require(again.has_value());
  require(Bytes(der.begin(), der.end()) == *again);
}

}  // namespace
}  // namespace cucm::signer

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cucm::signer::fuzz_one(cucm::ByteView(data, size));
  return 0;
}
