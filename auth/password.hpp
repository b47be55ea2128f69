// Admin passwords: scrypt hashes in the "$scrypt$ln=..,r=..,p=..$salt$hash" form, their check, and
// the rules for a new password and a user name.
#pragma once

#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace cucm::auth {

// scrypt's cost: N = 2^log2_n, block size r, parallelism p (RFC 7914). The default takes 32 MiB
// (128 r N bytes) for each hash.
struct ScryptParams {
  int log2_n = 15;
  int r = 8;
  int p = 1;
  bool operator==(const ScryptParams&) const = default;
};

// Bounds on what a stored hash may ask for, so that a tampered row cannot make a login allocate
// gigabytes or spin for minutes: each parameter in its range, and scrypt's memory (128 r 2^ln
// bytes) at most kMaxScryptMemory, its work (2^ln r p) at most kMaxScryptWork (16 times the
// default's).
inline constexpr int kMinLog2N = 10, kMaxLog2N = 20;
inline constexpr int kMinR = 1, kMaxR = 32;
inline constexpr int kMinP = 1, kMaxP = 16;
inline constexpr std::size_t kMaxScryptMemory = std::size_t{256} << 20;
inline constexpr std::size_t kMaxScryptWork = std::size_t{1} << 22;
inline constexpr std::size_t kSaltSize = 16, kHashSize = 32;

// InvalidArgument naming the parameter and its range when `params` is out of the bounds above.
Status check_scrypt_params(const ScryptParams& params);

// A stored hash, parsed.
struct ScryptHash {
  ScryptParams params;
  Bytes salt;  // kSaltSize bytes
  Bytes hash;  // kHashSize bytes
  bool operator==(const ScryptHash&) const = default;
};

// "$scrypt$ln=15,r=8,p=1$<salt base64>$<hash base64>" (standard base64 with its padding).
std::string build_scrypt_hash(const ScryptHash& h);
// The inverse of build_scrypt_hash, strictly: exactly that text (no spaces, no leading zeros,
// canonical base64), parameters within check_scrypt_params, a 16-byte salt and a 32-byte hash.
// InvalidArgument naming the part that is wrong; the message never quotes the input.
Result<ScryptHash> parse_scrypt_hash(std::string_view stored);

// A fresh 16-byte salt and the 32-byte scrypt of `password` (OpenSSL's EVP_KDF "SCRYPT"), as
// build_scrypt_hash writes it. InvalidArgument for parameters out of bounds; Internal when
// OpenSSL fails.
Result<std::string> hash_password(std::string_view password, const ScryptParams& params = {});
// Whether `password` gives `stored`'s hash, compared in constant time. False for a stored string
// that parse_scrypt_hash refuses.
bool verify_password(std::string_view password, std::string_view stored);

// A password a user may choose: 8 to 1024 characters (UTF-8 code points), none of them a control
// character. InvalidArgument with what to change.
Status check_new_password(std::string_view password);
// An admin user name: 1 to 32 of a-z, 0-9, '.', '_' and '-'. InvalidArgument saying so.
Status check_user_name(std::string_view user);

}  // namespace cucm::auth
