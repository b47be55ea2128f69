// The TVS exchange.
#include "tvs/proto/engine.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <openssl/x509.h>

#include "core/byte_reader.hpp"
#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/digest.hpp"
#include "signer/ossl.hpp"
#include "signer/trust_list.hpp"

namespace cucm::tvs {

std::string Query::device() const {
  // The name was checked (valid_device_name): "CP-" + 4 digits + "-" precede the device.
  return request.device_name.substr(8);
}

std::string role_list(const std::vector<std::uint8_t>& roles) {
  std::string out;
  for (auto r : roles) {
    if (!out.empty()) out += ',';
    out += signer::role_name(r);
  }
  return out;
}

Result<std::size_t> Engine::on_header(ByteView bytes) {
  CUCM_TRY(auto h, parse_header(bytes));
  if (h.command != Command::VerifyRequest) {
    return make_error(Errc::InvalidArgument, fmt::format("tvs: command {} is not a VerifyRequest (1)", static_cast<int>(h.command)));
  }
  if (h.body_length > kMaxBody) {
    return make_error(Errc::InvalidArgument, fmt::format("tvs: a body of {} bytes, more than a request with a {} KB "
                                                         "certificate can hold",
                                                         h.body_length, kMaxCertificate / 1024));
  }
  header_ = h;
  return std::size_t{h.body_length};
}

namespace {

// One DER element as read from `data` (the reader's bytes): the whole element, tag and length
// included, and its contents. Definite lengths of at most 2 bytes: a request's certificate is
// at most kMaxCertificate bytes.
struct DerElement {
  ByteView whole, contents;
};

Result<DerElement> read_der(ByteReader& r, ByteView data, std::uint8_t want_tag, std::string_view field) {
  std::size_t start = r.position();
  CUCM_TRY(auto tag, r.u8(field));
  if (tag != want_tag) return r.error(field, fmt::format("tag 0x{:02x} vs 0x{:02x}", tag, want_tag));
  CUCM_TRY(auto first, r.u8(field));
  std::size_t len = first;
  if (first & 0x80) {
    std::size_t n = first & 0x7f;
    if (n < 1 || n > 2) return r.error(field, fmt::format("{} length bytes vs 1 or 2", n));
    len = 0;
    for (std::size_t i = 0; i < n; ++i) {
      CUCM_TRY(auto b, r.u8(field));
      len = len << 8 | b;
    }
  }
  CUCM_TRY(auto contents, r.take(len, field));
  return DerElement{data.subspan(start, r.position() - start), contents};
}

// The subject Name's DER, found by walking the elements before it (RFC 5280 §4.1: Certificate =
// SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer,
// validity, subject, ... }, ... }) without decoding them.
Result<ByteView> subject_der(ByteView der) {
  ByteReader outer(der, "tvs certificate");
  CUCM_TRY(auto cert, read_der(outer, der, 0x30, "certificate"));
  if (!outer.empty()) return outer.error("certificate", "trailing bytes");
  ByteReader in_cert(cert.contents, "tvs certificate");
  CUCM_TRY(auto tbs, read_der(in_cert, cert.contents, 0x30, "tbsCertificate"));
  ByteReader r(tbs.contents, "tvs certificate");
  CUCM_TRY(auto first, r.peek_u8("version"));
  if (first == 0xa0) {
    CUCM_CHECK(read_der(r, tbs.contents, 0xa0, "version"));
  }
  CUCM_CHECK(read_der(r, tbs.contents, 0x02, "serialNumber"));
  CUCM_CHECK(read_der(r, tbs.contents, 0x30, "signature"));
  CUCM_CHECK(read_der(r, tbs.contents, 0x30, "issuer"));
  CUCM_CHECK(read_der(r, tbs.contents, 0x30, "validity"));
  CUCM_TRY(auto subject, read_der(r, tbs.contents, 0x30, "subject"));
  return subject.whole;
}

// The subject for the log; the bytes looked up are the ones sent, whatever they hold. Only the
// subject is decoded: d2i_X509 also decodes the public key, through OpenSSL 3's decoders, and
// that was 17% of the server's CPU per answer (bench/README.md, TVS verifications).
std::string subject_of(ByteView der) {
  auto name = subject_der(der);
  if (!name) return "(not a DER certificate)";
  const unsigned char* p = name->data();
  signer::X509NamePtr parsed(d2i_X509_NAME(nullptr, &p, static_cast<long>(name->size())));
  if (!parsed || p != name->data() + name->size()) return "(not a DER certificate)";
  return signer::tool_name(*parsed);
}

}  // namespace

Result<Query> Engine::on_body(ByteView body) {
  if (!header_) return make_error(Errc::Internal, "tvs: a body before its header");
  CUCM_TRY(auto req, parse_verify_request(*header_, body));
  Query q;
  q.sha256 = to_hex(signer::digest(signer::HashAlg::Sha256, req.certificate));
  q.subject = subject_of(req.certificate);
  q.request = std::move(req);
  return q;
}

namespace {

// The event's account of what the store holds, beside a faulted answer.
std::string truth(const std::optional<Trusted>& found) {
  return found ? "the store says valid " + role_list(found->roles) : std::string("the store does not know it");
}

}  // namespace

std::optional<AnswerFault> answer_fault(std::string_view name) {
  for (auto f : {AnswerFault::Invalid, AnswerFault::NoAnswer, AnswerFault::WrongRoles}) {
    if (name == answer_fault_name(f)) return f;
  }
  return std::nullopt;
}

const char* answer_fault_name(AnswerFault f) {
  switch (f) {
    case AnswerFault::None: return "";
    case AnswerFault::Invalid: return "tvs-invalid";
    case AnswerFault::NoAnswer: return "tvs-no-answer";
    case AnswerFault::WrongRoles: return "tvs-wrong-roles";
  }
  return "";
}

std::uint8_t role_not_in(const std::vector<std::uint8_t>& roles) {
  auto held = [&](unsigned code) { return std::find(roles.begin(), roles.end(), code) != roles.end(); };
  for (auto r : {signer::Role::AppServer, signer::Role::Tvs, signer::Role::Ccm}) {
    if (!held(static_cast<unsigned>(r))) return static_cast<std::uint8_t>(r);
  }
  // All three: no cluster certificate is stored so. The first code it lacks, a role or none.
  unsigned code = 0;
  while (code < 255 && held(code)) ++code;
  return static_cast<std::uint8_t>(code);
}

Reply Engine::answer(const Query& q, const std::optional<Trusted>& found, AnswerFault fault) {
  Reply r;
  VerifyResponse resp;
  resp.sid = q.request.sid;
  std::string cert = fmt::format("{} (sha256 {})", q.subject, q.sha256.substr(0, 16));
  std::string injected = fmt::format(": injected {} ({})", answer_fault_name(fault), truth(found));
  switch (fault) {
    case AnswerFault::NoAnswer:
      // Nothing to encode: the transport sends nothing and leaves the close to a deadline.
      r.what = fmt::format("verify {}: no answer", cert);
      r.result = "no answer" + injected;
      return r;
    case AnswerFault::Invalid:
      resp.status = TrustStatus::Invalid;
      r.what = fmt::format("verify {}: invalid", cert);
      r.result = "invalid" + injected;
      break;
    case AnswerFault::WrongRoles:
      resp.status = TrustStatus::Valid;
      resp.roles = {role_not_in(found ? found->roles : std::vector<std::uint8_t>{})};
      resp.ttl = found ? found->ttl : kDefaultTtl;
      r.what = fmt::format("verify {}: valid {}, ttl {} s", cert, role_list(resp.roles), resp.ttl);
      r.result = "ok" + injected;
      break;
    case AnswerFault::None:
      if (found) {
        resp.status = TrustStatus::Valid;
        resp.roles = found->roles;
        resp.ttl = found->ttl;
        r.what = fmt::format("verify {}: valid {}, ttl {} s", cert, role_list(found->roles), found->ttl);
        r.result = "ok";
      } else {
        resp.status = TrustStatus::Invalid;
        r.what = fmt::format("verify {}: invalid", cert);
        r.result = "invalid: not in the TVS trust store";
      }
      break;
  }
  r.message = encode_verify_response(resp);
  return r;
}

}  // namespace cucm::tvs
