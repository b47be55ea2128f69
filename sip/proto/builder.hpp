// SIP messages out: a response to a parsed request (its Via, From, To, Call-ID and CSeq copied as
// they came, RFC 3261 §8.2.6.2, by libosip2) and a request from plain fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sip/proto/message.hpp"

namespace cucm::sip {

struct ResponseExtras {
  std::string to_tag;                 // added to To when the request's has none
  std::vector<std::string> contacts;  // Contact values (a REGISTER's bindings, with expires)
  std::optional<int> expires;         // an Expires header
  std::string www_authenticate;       // a 401's challenge
  std::string allow;                  // OPTIONS and 405
  std::string warning;                // the Warning text (code 399), why a request was refused
};

// Internal only when libosip2 fails to copy or print (out of memory).
Result<std::string> build_response(const Message& request, int code, std::string_view reason, const ResponseExtras& x = {});

struct RequestSpec {
  std::string method = "REGISTER";
  std::string uri;          // sip:cucm.example:5061;transport=tls
  std::string transport = "TLS";  // the Via's: UDP, TCP or TLS
  std::string via_host;     // host:port the answer comes back to
  std::string branch;       // must start with z9hG4bK (RFC 3261 §8.1.1.7)
  std::string from_uri, from_tag, to_uri;
  std::string call_id;
  std::uint32_t cseq = 1;
  std::string contact;      // a full Contact value, e.g. <sip:1001@10.0.0.5:5061;transport=tls>;expires=3600
  std::optional<int> expires;
  std::string authorization;
  std::string user_agent = "cucm-emu phone";
};

std::string build_request(const RequestSpec& r);

// The allowed methods of our registrar and trunk endpoint.
inline constexpr std::string_view kAllow = "REGISTER, OPTIONS";

}  // namespace cucm::sip
