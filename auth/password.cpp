// scrypt password hashes through OpenSSL 3's EVP_KDF, their strict text form, and the rules for
// new passwords and user names.
#include "auth/password.hpp"

#include <charconv>

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "core/encoding.hpp"
#include "signer/ossl.hpp"
#include "signer/random.hpp"

namespace cucm::auth {
namespace {

using KdfPtr = std::unique_ptr<EVP_KDF, signer::CDeleter<&EVP_KDF_free>>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, signer::CDeleter<&EVP_KDF_CTX_free>>;

constexpr std::string_view kPrefix = "$scrypt$";

std::size_t scrypt_memory(const ScryptParams& p) {
  return std::size_t{128} * static_cast<std::size_t>(p.r) << p.log2_n;
}

// The 32-byte scrypt of `password`; parameters already checked.
Result<Bytes> scrypt(std::string_view password, ByteView salt, const ScryptParams& params) {
  KdfPtr kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_SCRYPT, nullptr));
  if (!kdf) return signer::ossl_error(Errc::Internal, "auth: scrypt: EVP_KDF_fetch");
  KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return signer::ossl_error(Errc::Internal, "auth: scrypt: EVP_KDF_CTX_new");
  std::uint64_t n = std::uint64_t{1} << params.log2_n;
  auto r = static_cast<std::uint32_t>(params.r), p = static_cast<std::uint32_t>(params.p);
  // OpenSSL's default ceiling is 1025 MiB; ours is what these parameters need, counted as OpenSSL
  // counts it (V of 128 r (N + 2) bytes, B of 128 r p).
  std::uint64_t maxmem = std::uint64_t{128} * r * (n + 2 + p);
  // OSSL_PARAM wants non-const pointers; OpenSSL only reads these.
  auto* pass = const_cast<char*>(password.data());
  auto* salt_data = const_cast<std::uint8_t*>(salt.data());
  const OSSL_PARAM ossl_params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, pass, password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_data, salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end()};
  Bytes out(kHashSize);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), ossl_params) != 1) {
    return signer::ossl_error(Errc::Internal, fmt::format("auth: scrypt (ln={}, r={}, p={})", params.log2_n,
                                                          params.r, params.p));
  }
  return out;
}

// Cuts "<name>=<decimal>" off the front of `text` up to `end` (',' or '$'). Decimal without sign
// or leading zero, at most 2 digits (every bound is below 100).
Result<int> take_param(std::string_view& text, std::string_view name, char end) {
  auto fail = [&] {
    return make_error(Errc::InvalidArgument,
                      fmt::format("auth: stored password hash: parameter {} missing or not a number", name));
  };
  if (text.substr(0, name.size()) != name || text.substr(name.size(), 1) != "=") return fail();
  text.remove_prefix(name.size() + 1);
  std::size_t stop = text.find(end);
  if (stop == std::string_view::npos || stop == 0 || stop > 2 || (stop > 1 && text[0] == '0')) return fail();
  for (char c : text.substr(0, stop)) {
    if (c < '0' || c > '9') return fail();
  }
  int v = 0;
  std::from_chars(text.data(), text.data() + stop, v);  // at most 2 digits: cannot overflow
  text.remove_prefix(stop + 1);
  return v;
}

// Canonical base64 of exactly `size` bytes.
Result<Bytes> take_base64(std::string_view text, std::string_view what, std::size_t size) {
  auto b = from_base64(text);
  if (!b || b->size() != size || to_base64(*b) != text) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("auth: stored password hash: {} is not the base64 of {} bytes", what, size));
  }
  return std::move(*b);
}

// UTF-8 code points: every byte but the continuation bytes (10xxxxxx).
std::size_t characters(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

}  // namespace

Status check_scrypt_params(const ScryptParams& p) {
  auto out_of = [](std::string_view name, int v, int lo, int hi) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("auth: scrypt parameter {} out of bounds ({} vs {}..{})", name, v, lo, hi));
  };
  if (p.log2_n < kMinLog2N || p.log2_n > kMaxLog2N) return out_of("ln", p.log2_n, kMinLog2N, kMaxLog2N);
  if (p.r < kMinR || p.r > kMaxR) return out_of("r", p.r, kMinR, kMaxR);
  if (p.p < kMinP || p.p > kMaxP) return out_of("p", p.p, kMinP, kMaxP);
  if (std::size_t mem = scrypt_memory(p); mem > kMaxScryptMemory) {
    return make_error(Errc::InvalidArgument, fmt::format("auth: scrypt ln={}, r={} needs {} MiB (vs at most {} MiB)",
                                                         p.log2_n, p.r, mem >> 20, kMaxScryptMemory >> 20));
  }
  if (std::size_t work = (static_cast<std::size_t>(p.r) * static_cast<std::size_t>(p.p)) << p.log2_n;
      work > kMaxScryptWork) {
    return make_error(Errc::InvalidArgument, fmt::format("auth: scrypt ln={}, r={}, p={}: 2^ln r p is {} (vs at most {})",
                                                         p.log2_n, p.r, p.p, work, kMaxScryptWork));
  }
  return Ok{};
}

std::string build_scrypt_hash(const ScryptHash& h) {
  return fmt::format("{}ln={},r={},p={}${}${}", kPrefix, h.params.log2_n, h.params.r, h.params.p, to_base64(h.salt),
                     to_base64(h.hash));
}

Result<ScryptHash> parse_scrypt_hash(std::string_view text) {
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return make_error(Errc::InvalidArgument, "auth: stored password hash: does not start with $scrypt$");
  }
  text.remove_prefix(kPrefix.size());
  ScryptHash h;
  CUCM_TRY(h.params.log2_n, take_param(text, "ln", ','));
  CUCM_TRY(h.params.r, take_param(text, "r", ','));
  CUCM_TRY(h.params.p, take_param(text, "p", '$'));
  CUCM_CHECK(check_scrypt_params(h.params));
  std::size_t dollar = text.find('$');
  if (dollar == std::string_view::npos) {
    return make_error(Errc::InvalidArgument, "auth: stored password hash: no '$' between the salt and the hash");
  }
  CUCM_TRY(h.salt, take_base64(text.substr(0, dollar), "the salt", kSaltSize));
  CUCM_TRY(h.hash, take_base64(text.substr(dollar + 1), "the hash", kHashSize));
  return h;
}

Result<std::string> hash_password(std::string_view password, const ScryptParams& params) {
  CUCM_CHECK(check_scrypt_params(params));
  ScryptHash h{params, signer::random_bytes(kSaltSize), {}};
  CUCM_TRY(h.hash, scrypt(password, h.salt, params));
  return build_scrypt_hash(h);
}

bool verify_password(std::string_view password, std::string_view stored) {
  auto h = parse_scrypt_hash(stored);
  if (!h) return false;
  auto computed = scrypt(password, h->salt, h->params);
  if (!computed) return false;
  return CRYPTO_memcmp(computed->data(), h->hash.data(), kHashSize) == 0;
}

Status check_new_password(std::string_view password) {
  std::size_t n = characters(password);
  if (n < 8) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("password too short ({} characters vs at least 8): choose a longer one", n));
  }
  if (n > 1024) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("password too long ({} characters vs at most 1024): choose a shorter one", n));
  }
  for (std::size_t i = 0; i < password.size(); ++i) {
    auto c = static_cast<unsigned char>(password[i]);
    if (c < 0x20 || c == 0x7f) {
      return make_error(Errc::InvalidArgument,
                        fmt::format("password has a control character (0x{:02x}) at byte {}: use printable "
                                    "characters only (no tab or newline)", c, i));
    }
  }
  return Ok{};
}

Status check_user_name(std::string_view user) {
  constexpr std::string_view kRule = "a user name is 1 to 32 characters of a-z, 0-9, '.', '_' and '-'";
  if (user.empty()) return make_error(Errc::InvalidArgument, fmt::format("user name is empty: {}", kRule));
  if (user.size() > 32) {
    return make_error(Errc::InvalidArgument, fmt::format("user name too long ({} bytes vs at most 32): {}",
                                                         user.size(), kRule));
  }
  for (std::size_t i = 0; i < user.size(); ++i) {
    char c = user[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (ok) continue;
    auto u = static_cast<unsigned char>(c);
    std::string shown = u > 0x20 && u < 0x7f ? fmt::format("'{}'", c) : fmt::format("byte 0x{:02x}", u);
    return make_error(Errc::InvalidArgument, fmt::format("user name: {} at position {} is not allowed: {}", shown,
                                                         i + 1, kRule));
  }
  return Ok{};
}

}  // namespace cucm::auth
