// Digest authentication.
#include "sip/proto/digest_auth.hpp"

#include <charconv>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/encoding.hpp"
#include "signer/digest.hpp"

namespace cucm::sip {
namespace {

std::string md5_hex(std::string_view s) { return to_hex(signer::md5(as_bytes(s))); }

// HMAC-SHA256 of the nonce's time, cut to 16 bytes: enough that no one guesses it.
std::string nonce_mac(ByteView secret, std::string_view stamp) {
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t len = 0;
  if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                 reinterpret_cast<const unsigned char*>(stamp.data()), stamp.size(), out, sizeof out, &len)) {  // NOLINT
    return {};
  }
  return to_hex(ByteView(out, std::min<std::size_t>(len, 16)));
}

}  // namespace

std::string make_nonce(ByteView secret, std::int64_t now_unix) {
  std::string stamp = fmt::format("{:x}", now_unix);
  return stamp + "." + nonce_mac(secret, stamp);
}

NonceVerdict check_nonce(ByteView secret, std::string_view nonce, std::int64_t now_unix, std::int64_t validity) {
  auto dot = nonce.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 16) return NonceVerdict::Forged;
  std::string_view stamp = nonce.substr(0, dot);
  std::string mac = nonce_mac(secret, stamp);
  std::string_view given = nonce.substr(dot + 1);
  if (mac.empty() || given.size() != mac.size() || CRYPTO_memcmp(given.data(), mac.data(), mac.size()) != 0) {
    return NonceVerdict::Forged;
  }
  std::int64_t made = 0;
  auto [p, ec] = std::from_chars(stamp.data(), stamp.data() + stamp.size(), made, 16);
  if (ec != std::errc() || p != stamp.data() + stamp.size()) return NonceVerdict::Forged;
  return now_unix - made > validity || made > now_unix + 5 ? NonceVerdict::Stale : NonceVerdict::Fresh;
}

std::string digest_response(const Digest& d, std::string_view method, std::string_view password) {
  std::string ha1 = md5_hex(fmt::format("{}:{}:{}", d.username, d.realm, password));
  std::string ha2 = md5_hex(fmt::format("{}:{}", method, d.uri));
  if (d.qop == "auth") return md5_hex(fmt::format("{}:{}:{}:{}:{}:{}", ha1, d.nonce, d.nc, d.cnonce, d.qop, ha2));
  return md5_hex(fmt::format("{}:{}:{}", ha1, d.nonce, ha2));
}

std::string authorization_value(const Digest& challenge, std::string_view method, std::string_view uri,
                                std::string_view username, std::string_view password, std::string_view cnonce) {
  Digest d;
  d.username = std::string(username);
  d.realm = challenge.realm;
  d.nonce = challenge.nonce;
  d.uri = std::string(uri);
  bool qop = challenge.qop.find("auth") != std::string::npos;
  if (qop) {
    d.qop = "auth";
    d.nc = "00000001";
    d.cnonce = std::string(cnonce);
  }
  std::string v = fmt::format(R"(Digest username="{}", realm="{}", nonce="{}", uri="{}", response="{}", algorithm=MD5)",
                              d.username, d.realm, d.nonce, d.uri, digest_response(d, method, password));
  if (qop) v += fmt::format(R"(, qop=auth, nc={}, cnonce="{}")", d.nc, d.cnonce);
  if (!challenge.opaque.empty()) v += fmt::format(R"(, opaque="{}")", challenge.opaque);
  return v;
}

}  // namespace cucm::sip
