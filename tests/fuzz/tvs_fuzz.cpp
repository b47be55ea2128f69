// Fuzzes the TVS codec and engine as the server and the phone meet them: the input is fed to the
// engine as a connection's bytes (10 header bytes, then the body the header asks for), answered
// both as known and as unknown, truly and under each TVS fault (issue 18), and each answer sent
// must parse back; the same input is also read as a server's response, as the phone simulator
// reads one. No socket, no database.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "tvs/proto/engine.hpp"
#include "tvs/proto/explain.hpp"

namespace cucm::tvs {
namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

void as_connection(ByteView in) {
  if (in.size() < kHeaderSize) return;
  Engine e;
  auto len = e.on_header(in.first(kHeaderSize));
  if (!len) return;
  require(*len <= kMaxBody);
  ByteView rest = in.subspan(kHeaderSize);
  if (rest.size() < *len) return;  // the transport would wait for the rest, or meet its deadline
  auto q = e.on_body(rest.first(*len));
  if (!q) return;
  require(valid_device_name(q->request.device_name));
  require(q->sha256.size() == 64);
  require(!q->request.certificate.empty() && q->request.certificate.size() <= kMaxCertificate);
  for (const std::optional<Trusted>& found : {std::optional<Trusted>{}, std::optional<Trusted>{Trusted{{2, 21}, 60}}}) {
    for (auto fault : {AnswerFault::None, AnswerFault::Invalid, AnswerFault::NoAnswer, AnswerFault::WrongRoles}) {
      auto reply = Engine::answer(*q, found, fault);
      if (fault == AnswerFault::NoAnswer) {
        require(reply.message.empty());  // the transport sends nothing
        continue;
      }
      auto back = parse_verify_response(reply.message);
      require(back.has_value());
      require(back->sid == q->request.sid);
      bool valid = fault == AnswerFault::WrongRoles || (fault == AnswerFault::None && found.has_value());
      require((back->status == TrustStatus::Valid) == valid);
      // tvs-wrong-roles vouches with a role the certificate does not hold, and only that one.
      if (fault == AnswerFault::WrongRoles) {
        require(back->roles.size() == 1);
        require(!found || std::find(found->roles.begin(), found->roles.end(), back->roles[0]) == found->roles.end());
      }
    }
  }
  // A request re-encoded is the one read.
  Bytes again = encode_verify_request(q->request);
  Engine e2;
  auto len2 = e2.on_header(ByteView(again).first(kHeaderSize));
  require(len2.has_value());
  auto q2 = e2.on_body(ByteView(again).subspan(kHeaderSize));
  require(q2.has_value() && q2->request.certificate == q->request.certificate && q2->request.device_name == q->request.device_name);
}

}  // namespace
}  // namespace cucm::tvs

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cucm::ByteView in(data, size);
  cucm::tvs::as_connection(in);
  // The teaching view (phone boot --explain) reads any bytes and always says something.
  cucm::tvs::require(!cucm::tvs::explain_message(in).empty());
  if (auto r = cucm::tvs::parse_verify_response(in); r) {
    // A response that parsed re-encodes to bytes that parse to the same answer.
    auto again = cucm::tvs::parse_verify_response(cucm::tvs::encode_verify_response(*r));
    cucm::tvs::require(again.has_value() && again->status == r->status && again->sid == r->sid);
  }
  return 0;
}
