// One SIP message (RFC 3261) as libosip2 parsed it, with the fields a registrar, a trunk and a
// phone look at lifted out into plain members. No SIP grammar is written here: libosip2 parses,
// and this file only checks that what a request must carry is there (RFC 3261 §8.1.1).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

struct osip_message;

namespace cucm::sip {

// A parsed message owns libosip2's tree: the response builder copies its Via, From, To, Call-ID
// and CSeq headers from it exactly as they came.
struct OsipMessageFree {
  void operator()(osip_message* m) const;
};
using OsipMessagePtr = std::unique_ptr<osip_message, OsipMessageFree>;

// A name-address header (From, To): sip:user@host;tag=…
struct Party {
  std::string uri;   // as written, without the display name
  std::string user;  // "1001"
  std::string host;
  std::string tag;
};

struct Contact {
  std::string uri;           // sip:1001@10.0.0.5:5061;transport=tls
  std::string text;          // the whole header value, as sent back in a 200
  std::optional<int> expires;  // its expires parameter
  std::string instance;      // its +sip.instance parameter, quotes and angle brackets removed
  bool star = false;         // "Contact: *" (remove every binding)
};

// Digest credentials (Authorization) or a digest challenge (WWW-Authenticate), RFC 2617.
struct Digest {
  std::string username, realm, nonce, uri, response, algorithm, qop, nc, cnonce, opaque;
  bool stale = false;
};

struct Message {
  bool request = true;
  std::string method;       // REGISTER, OPTIONS, … (requests)
  std::string request_uri;
  int status = 0;           // responses
  std::string reason;
  std::string call_id;
  std::uint32_t cseq = 0;
  std::string cseq_method;
  std::string via_branch, via_host;  // of the top Via
  Party from, to;
  std::vector<Contact> contacts;
  std::optional<int> expires;            // the Expires header
  std::optional<Digest> authorization;   // requests
  std::optional<Digest> challenge;       // 401 responses
  std::string user_agent;
  std::string warning;                   // the Warning header's text (quotes removed): why a request was refused
  std::size_t content_length = 0;
  std::size_t body_length = 0;           // bytes after the blank line
  OsipMessagePtr raw;
};

// The size limits of one message: a registrar has no use for more, and a phone's REGISTER is
// well under 2 KB.
inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
inline constexpr std::size_t kMaxBodyBytes = 64 * 1024;

// Parses one whole message (headers, blank line, body). InvalidArgument naming what is wrong:
// libosip2's refusal, a missing Via/From/To/Call-ID/CSeq, a CSeq whose method differs from the
// request's, or a Content-Length that does not match the body. Thread-safe.
Result<Message> parse_message(std::string_view bytes);

// The Content-Length of a header block (start line and headers, up to and including the blank
// line), parsed by libosip2: what a stream framer needs before the body arrives. No header: 0.
Result<std::size_t> content_length_of(std::string_view header_block);

}  // namespace cucm::sip
