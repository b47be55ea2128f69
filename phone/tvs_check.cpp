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
  TvsClientOptions o;
  o.timeout = c.opts.timeout;
  o.tls = TlsSettings{c.opts.profile.tls_min, c.opts.profile.tls_max, c.opts.profile.tls_ciphers};
  for (const auto& t : trusted) o.trusted_tvs.push_back(t.get());
  o.source = c.opts.source;
  o.tls_contexts = c.opts.tls_contexts;
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
      errors.push_back(a.error().message);
      continue;  // the next TVS of the config, as phones fail over
    }
    const auto& r = a->response;
    c.ladder("tvs", "phone", "TVS",
             a->valid() ? fmt::format("VerifyResponse valid {}, ttl {} s", tvs::role_list(r.roles), r.ttl)
                        : std::string("VerifyResponse invalid"),
             a->tls, a->wire);
    if (!a->valid()) {
      why = fmt::format("TVS does not vouch for {}", subject);
      return false;
    }
    c.memory.answers[sha] = {r.roles, now + static_cast<std::time_t>(r.ttl)};
    (void)save_tvs_memory(c.opts.state_dir, c.memory);  // a phone that cannot write its flash still goes on
    if (!fits(r.roles, acceptable)) {
      why = fmt::format("TVS vouches for {} as {}, not as {}", subject, tvs::role_list(r.roles), wanted(acceptable));
      return false;
    }
    return true;
  }
  why = fmt::format("no TVS server answered about {}: {}", subject, errors.empty() ? "" : errors.back());
  return false;
}

}  // namespace cucm::phone
