// Asking TVS, as firmware does.
#include "phone/tvs_check.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "core/encoding.hpp"
#include "phone/tvs_client.hpp"
#include "signer/cert.hpp"
#include "signer/digest.hpp"
#include "tvs/proto/engine.hpp"

namespace cucm::phone {

namespace {

bool fits(const std::vector<std::uint8_t>& roles, std::span<const signer::Role> acceptable) {
  return std::any_of(acceptable.begin(), acceptable.end(), [&](signer::Role r) {
    return std::find(roles.begin(), roles.end(), static_cast<std::uint8_t>(r)) != roles.end();
  });
}

std::string wanted(std::span<const signer::Role> acceptable) {
  std::vector<std::uint8_t> codes;
  for (auto r : acceptable) codes.push_back(static_cast<std::uint8_t>(r));
  return tvs::role_list(codes);
}

std::vector<signer::X509Ptr> tvs_certificates(const signer::TrustList& itl) {
  std::vector<signer::X509Ptr> out;
  for (const auto& rec : itl.records) {
    if (rec.role != static_cast<std::uint16_t>(signer::Role::Tvs)) continue;
    if (auto c = signer::load_cert(rec.certificate)) out.push_back(std::move(*c));
  }
  return out;
}

bool in_itl(const signer::TrustList& itl, ByteView der) {
  return std::any_of(itl.records.begin(), itl.records.end(), [&](const signer::TrustRecord& rec) {
    return std::equal(rec.certificate.begin(), rec.certificate.end(), der.begin(), der.end());
  });
}

void notice(const TvsCheck& c, const std::string& fault, std::string why) {
  if (c.noticed) c.noticed(fault, std::move(why));
}

// The client's options for the phone's TVS servers: its timeout and TLS, trusting the ITL's TVS
// certificates only.
TvsClientOptions client_options(const TvsCheck& c, const std::vector<signer::X509Ptr>& trusted) {
  TvsClientOptions o;
  o.timeout = c.opts.timeout;
  o.tls = TlsSettings{c.opts.profile.tls_min, c.opts.profile.tls_max, c.opts.profile.tls_ciphers};
  for (const auto& t : trusted) o.trusted_tvs.push_back(t.get());
  o.source = c.opts.source;
  o.tls_contexts = c.opts.tls_contexts;
  return o;
}

// What the phone makes of an answer that came: it vouches in a role that fits (remembered for its
// TTL), or not (`why`, and what TVS did wrong noticed when the phone can tell).
bool take_answer(const TvsCheck& c, const TvsAnswer& a, ByteView der, std::span<const signer::Role> acceptable,
                 const std::string& subject, std::string& why) {
  const auto& r = a.response;
  if (!a.valid()) {
    why = fmt::format("TVS does not vouch for {}", subject);
    // TVS vouches for the cluster's own certificates: invalid for one my ITL holds is TVS's fault.
    // For any other (a new signer, a server certificate) invalid may be the truth.
    if (in_itl(c.itl, der)) notice(c, "tvs-invalid", why + ", a certificate of my own ITL");
    return false;
  }
  if (!fits(r.roles, acceptable)) {
    why = fmt::format("TVS vouches for {} as {}, not as {}", subject, tvs::role_list(r.roles), wanted(acceptable));
    notice(c, "tvs-wrong-roles", why);
    return false;  // not remembered: a later query asks again rather than trust these roles
  }
  std::string sha = to_hex(signer::digest(signer::HashAlg::Sha256, der));
  c.memory.answers[sha] = {r.roles, std::time(nullptr) + static_cast<std::time_t>(r.ttl)};
  (void)save_tvs_memory(c.opts.state_dir, c.memory);  // a phone that cannot write its flash still goes on
  return true;
}

}  // namespace

bool tvs_vouches(const TvsCheck& c, ByteView der, std::span<const signer::Role> acceptable, std::string& why) {
  std::string sha = to_hex(signer::digest(signer::HashAlg::Sha256, der));
  auto cert = signer::load_cert(der);
  std::string subject = cert ? signer::subject_name(**cert) : "(a certificate that does not parse)";
  std::time_t now = std::time(nullptr);
  if (const auto* a = c.memory.answer(sha, now)) {
    bool ok = fits(a->roles, acceptable);
    c.ladder("phone", "phone", "-", fmt::format("TVS answer remembered for {}: {}", subject, tvs::role_list(a->roles)),
             fmt::format("valid for {} s more, not asked again", a->expires - now), {});
    if (!ok) why = fmt::format("TVS vouches for {} as {}, not as {}", subject, tvs::role_list(a->roles), wanted(acceptable));
    return ok;
  }
  if (c.memory.servers.empty()) {
    why = fmt::format("cannot ask TVS about {}: no TVS server known (a phone learns them from its full config)", subject);
    return false;
  }
  auto trusted = tvs_certificates(c.itl);
  if (trusted.empty()) {
    why = fmt::format("cannot ask TVS about {}: the phone's ITL holds no TVS certificate to trust a TVS server with", subject);
    return false;
  }
  TvsClientOptions o = client_options(c, trusted);
  std::string name = tvs::tvs_device_name(c.opts.profile.model, c.opts.device);
  std::vector<std::string> errors;
  for (const auto& server : c.memory.servers) {
    o.host = server.host;
    o.port = server.port;
    Bytes request = verify_request_bytes(name, der, o.sid);  // encoded once: sent, and kept by the ladder
    c.ladder("phone", "tvs", "TVS", fmt::format("VerifyRequest {} as {}", subject, name), "", request);
    auto a = send_verify_request(request, o);
    if (!a) {
      c.ladder("phone", "phone", "-", fmt::format("TVS {}:{} gave no answer", server.host, server.port), a.error().message, {});
      // The request went and the answer did not come in time: a hung TVS, not one that refused.
      if (a.error().code == Errc::DeadlineExceeded && a.error().message.find("read VerifyResponse") != std::string::npos) {
        notice(c, "tvs-no-answer", fmt::format("TVS {}:{} took my request and did not answer within {} ms: {} stays "
                                               "unverified", server.host, server.port, o.timeout.count(), subject));
      }
      errors.push_back(a.error().message);
      continue;  // the next TVS of the config, as phones fail over
    }
    const auto& r = a->response;
    c.ladder("tvs", "phone", "TVS",
             a->valid() ? fmt::format("VerifyResponse valid {}, ttl {} s", tvs::role_list(r.roles), r.ttl)
                        : std::string("VerifyResponse invalid"),
             a->tls, a->wire);
    return take_answer(c, *a, der, acceptable, subject, why);
  }
  why = fmt::format("no TVS server answered about {}: {}", subject, errors.empty() ? "" : errors.back());
  return false;
}

}  // namespace cucm::phone
