// Random bytes for protocol values that must not be guessed (SIP tags, branches, Call-IDs, digest
// secrets): OpenSSL's CSPRNG, and the OS's random device should it ever fail, never zeros.
#pragma once

#include <cstddef>
#include <string>

#include "core/bytes.hpp"

namespace cucm::signer {

Bytes random_bytes(std::size_t n);
std::string random_hex(std::size_t bytes);  // 2 * bytes lowercase hex digits

}  // namespace cucm::signer
