// TLS contexts that break the CAPF handshake on purpose, chosen per connection.
#include "capf/server_faults.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include "core/repeat_limiter.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"
#include "signer/tls_versions.hpp"

namespace cucm::capf {
namespace {

Status load_identity(SSL_CTX& c, const Context& ctx) {
  const auto& id = ctx.pki.identity(signer::PkiRole::Capf);
  if (SSL_CTX_use_certificate(&c, id.cert.get()) != 1 || SSL_CTX_use_PrivateKey(&c, id.key.get()) != 1) {
    return make_error(Errc::Internal, "capf: cannot load the CAPF certificate into a fault's TLS context");
  }
  SSL_CTX_set_num_tickets(&c, 0);
  SSL_CTX_set_session_cache_mode(&c, SSL_SESS_CACHE_OFF);
  return Ok{};
}

}  // namespace

Result<std::unique_ptr<FaultTls>> make_fault_tls(const Context& ctx) {
  auto f = std::make_unique<FaultTls>();
  // capf-tls-1.0-only: what a 79xx speaks (AES128-SHA at security level 0), and nothing newer.
  SSL_CTX* old = f->tls10_only.native_handle();
  CUCM_CHECK(signer::set_tls_min_version(*old, "1.0"));
  CUCM_CHECK(signer::set_tls_max_version(*old, "1.0", ""));
  CUCM_CHECK(load_identity(*old, ctx));
  // capf-cipher-mismatch: TLS 1.2 at most (1.3's suites cannot be emptied) and only NULL-SHA256,
  // a suite without encryption that no phone and no OpenSSL default list offers.
  SSL_CTX* none = f->no_shared_suite.native_handle();
  CUCM_CHECK(signer::set_tls_min_version(*none, "1.2"));
  CUCM_CHECK(signer::set_tls_max_version(*none, "1.2", ""));
  if (SSL_CTX_set_cipher_list(none, "NULL-SHA256:@SECLEVEL=0") != 1) {
    return make_error(Errc::Internal, "capf: this OpenSSL has no NULL-SHA256 suite for capf-cipher-mismatch");
  }
  CUCM_CHECK(load_identity(*none, ctx));
  CUCM_TRY(f->stranger_key, signer::generate_key({signer::KeyKind::Ec, 0, "prime256v1"}));
  auto req = signer::mkcert_profile(*f->stranger_key, {{"CN", "CAPF-of-no-cluster"}, {"O", "cucm-emu fault scenario"}}, 3650,
                                    signer::HashAlg::Sha256);
  CUCM_TRY(f->stranger_ca, signer::make_self_signed(*f->stranger_key, req));
  return f;
}

boost::asio::ssl::context* handshake_fault(Context& ctx, FaultTls& tls, const std::string& peer, std::string& fault) {
  if (!ctx.faults || !ctx.faults->any()) return nullptr;
  auto f = ctx.faults->take_at(fault::Layer::Capf, core::peer_address(peer), [](const fault::FaultSpec& s) {
    return s.name == "capf-tls-1.0-only" || s.name == "capf-cipher-mismatch";
  });
  if (!f) return nullptr;
  fault = std::string(f->spec->name);
  bool old = fault == "capf-tls-1.0-only";
  if (ctx.events) {
    ctx.events->post("capf", peer, f->device, "TLS handshake",
                     fmt::format("{}: injected {}", old ? "TLS 1.0 only offered" : "no suite a phone offers (NULL-SHA256 only)",
                                 fault));
  }
  return old ? &tls.tls10_only : &tls.no_shared_suite;
}

}  // namespace cucm::capf
