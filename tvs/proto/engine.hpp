// What a TVS server does with one connection's bytes, without I/O (PROTOCOLS §4): a header, a
// body, a lookup of the certificate's SHA-256, one answer. The transport (tvs/server) reads what
// the engine asks for, does the lookup, writes the answer and closes; the fuzzer drives the same
// engine with arbitrary bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "tvs/proto/message.hpp"

namespace cucm::tvs {

// A request the engine accepted, with what the transport must look up.
struct Query {
  VerifyRequest request;
  std::string sha256;   // lowercase hex of the certificate's DER
  std::string subject;  // the certificate's subject, or why it has none ("not a certificate")
  std::string device() const;  // "SEP001122334455" from "CP-7975-SEP001122334455"
};

// What the trust store holds for a certificate.
struct Trusted {
  std::vector<std::uint8_t> roles;  // codes, PROTOCOLS §5.5
  std::uint32_t ttl = kDefaultTtl;
};

// An armed TVS fault (issue 18, `scenario set tvs-…`): how the answer differs from the truth.
// The transport takes it from the fault board once the request has named its device and passes
// it in as data, so the engine stays free of I/O and of the fault library (and fuzzable).
enum class AnswerFault : std::uint8_t {
  None,
  Invalid,     // tvs-invalid: status invalid, whatever the store holds
  NoAnswer,    // tvs-no-answer: nothing is sent; the connection waits for its deadline or the phone
  WrongRoles,  // tvs-wrong-roles: status valid, with a role the store does not give the certificate
};
// The fault of that catalog name, or nullopt for a name that is not a TVS answer fault.
std::optional<AnswerFault> answer_fault(std::string_view name);
const char* answer_fault_name(AnswerFault f);  // "tvs-invalid"; "" for None

// The bytes to send and the event that records them.
struct Reply {
  Bytes message;       // empty: send nothing (AnswerFault::NoAnswer)
  std::string what;    // "verify CN=…: valid CCM+TFTP, ttl 86400 s"
  std::string result;  // "ok", "invalid: …", or with a fault "…: injected tvs-…"
};

class Engine {
 public:
  // The 10 header bytes: how many body bytes to read next. An error closes the connection
  // without a reply (a wrong id, version or command, or a body longer than a request can be).
  Result<std::size_t> on_header(ByteView header);
  // The body: the query to look up, or the error that closes the connection without a reply.
  Result<Query> on_body(ByteView body);
  // The answer to the query: status valid with the roles and TTL when the store knows the
  // certificate, invalid otherwise; or what `fault` makes of it instead.
  static Reply answer(const Query& query, const std::optional<Trusted>& found, AnswerFault fault = AnswerFault::None);

 private:
  std::optional<Header> header_;
};

// "CCM+TFTP,TVS" for role codes.
std::string role_list(const std::vector<std::uint8_t>& roles);
// A role that `roles` does not hold, for tvs-wrong-roles: APP-SERVER, which no check of the phone
// simulator accepts, unless the certificate holds it; then TVS, then CCM, then the lowest code it lacks.
std::uint8_t role_not_in(const std::vector<std::uint8_t>& roles);

}  // namespace cucm::tvs
