// HTTP digest authentication of SIP lines (RFC 2617 with MD5, as SIP phones use it; RFC 3261
// §22.4). The nonce is stateless: the time it was made and an HMAC of that time under a secret
// the server keeps in memory, so a registrar keeps no table of nonces and a forged or old nonce
// is told apart from a good one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "sip/proto/message.hpp"

namespace cucm::sip {

// CUCM's default realm for phones: the service parameter "SIP Station Realm" (Cisco's security
// guide, 11.5, "Configure SIP Station Realm").
inline constexpr std::string_view kRealm = "ccmsipline";
// How long a nonce stays good: the "Nonce Validity Time" of a SIP security profile, 600 s by
// default (seed 003's trunk profile).
inline constexpr std::int64_t kNonceValiditySeconds = 600;

std::string make_nonce(ByteView secret, std::int64_t now_unix);

enum class NonceVerdict { Fresh, Stale, Forged };
NonceVerdict check_nonce(ByteView secret, std::string_view nonce, std::int64_t now_unix,
                         std::int64_t validity = kNonceValiditySeconds);

// The request-digest of RFC 2617 §3.2.2.1 for `method` with these credentials (qop "auth" or
// none; MD5 only), lowercase hex.
std::string digest_response(const Digest& d, std::string_view method, std::string_view password);

// What a client sends after a challenge: the Authorization header's value for `method` and `uri`,
// answering `challenge` as `username` with `password` (qop "auth" when offered, nc 00000001).
std::string authorization_value(const Digest& challenge, std::string_view method, std::string_view uri,
                                std::string_view username, std::string_view password, std::string_view cnonce);

}  // namespace cucm::sip
