// The TVS exchange.
#include "tvs/proto/engine.hpp"

#include <fmt/format.h>
#include <openssl/x509.h>

#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/digest.hpp"
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

// The subject for the log: DER only, as phones send it; the bytes looked up are the ones sent.
std::string subject_of(ByteView der) {
  const unsigned char* p = der.data();
  signer::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) return "(not a DER certificate)";
  return signer::subject_name(*cert);
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

Reply Engine::answer(const Query& q, const std::optional<Trusted>& found) {
  Reply r;
  VerifyResponse resp;
  resp.sid = q.request.sid;
  std::string cert = fmt::format("{} (sha256 {})", q.subject, q.sha256.substr(0, 16));
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
  r.message = encode_verify_response(resp);
  return r;
}

}  // namespace cucm::tvs
