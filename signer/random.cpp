// Random bytes.
#include "signer/random.hpp"

#include <random>

#include <openssl/rand.h>

#include "core/encoding.hpp"

namespace cucm::signer {

Bytes random_bytes(std::size_t n) {
  Bytes b(n);
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    std::random_device rd;
    for (auto& x : b) x = static_cast<std::uint8_t>(rd());
  }
  return b;
}

std::string random_hex(std::size_t bytes) { return to_hex(random_bytes(bytes)); }

}  // namespace cucm::signer
