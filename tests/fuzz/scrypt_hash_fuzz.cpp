// The stored password hash ("$scrypt$ln=..,r=..,p=..$salt$hash") comes from a database row that
// may have been tampered with: whatever parse_scrypt_hash accepts must be canonical (built back
// to the same text), within the bounds that cap scrypt's memory and work, with a 16-byte salt and
// a 32-byte hash; and verify_password refuses, without computing anything, what it does not parse.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/password.hpp"
#include "core/bytes.hpp"

namespace cucm::auth {
namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

void fuzz_one(std::string_view text) {
  auto parsed = parse_scrypt_hash(text);
  if (!parsed) {
    require(!parsed.error().message.empty());
    require(!verify_password("password", text));
    return;
  }
  require(build_scrypt_hash(*parsed) == text);
  require(check_scrypt_params(parsed->params).has_value());
  require(parsed->salt.size() == kSaltSize && parsed->hash.size() == kHashSize);
  // Only the cheapest costs are derived, so that a run explores the parser rather than scrypt.
  if (parsed->params.log2_n == kMinLog2N && parsed->params.r * parsed->params.p <= 2) {
    (void)verify_password(text.substr(0, 8), text);
  }
}

}  // namespace
}  // namespace cucm::auth

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cucm::auth::fuzz_one(cucm::as_chars(cucm::ByteView(data, size)));
  return 0;
}
