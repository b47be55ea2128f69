// CSRs for the cluster identities and their pending keys.
#include "signer/identity_request.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <ctime>

#include <fmt/format.h>

#include "core/file_io.hpp"
#include "signer/cert.hpp"

namespace cucm::signer {

namespace fs = std::filesystem;

namespace {

using ExtStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), decltype([](STACK_OF(X509_EXTENSION)* s) {
                                      sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
                                    })>;

Status add_ext(STACK_OF(X509_EXTENSION)& exts, X509V3_CTX& ctx, int nid, const std::string& value) {
  if (value.empty()) return Ok{};
  X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext) {
    return ossl_error(Errc::InvalidArgument, fmt::format("csr: {} = '{}' rejected (names are DNS:host or IP:address, "
                                                         "comma-separated)",
                                                         OBJ_nid2sn(nid), value));
  }
  if (sk_X509_EXTENSION_push(&exts, ext.get()) == 0) return ossl_error(Errc::Internal, "csr: out of memory");
  ext.release();
  return Ok{};
}

bool present(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

RoleUsage role_usage(PkiRole role, KeyKind kind) {
  bool rsa = kind == KeyKind::Rsa;
  switch (role) {
    case PkiRole::Capf:
      return {.ca = true, .key_usage = "critical,digitalSignature,keyCertSign,cRLSign", .ext_key_usage = "serverAuth"};
    case PkiRole::CallManager:
      // Seed 003's CA-signed CallManager certificates: serverAuth, clientAuth and ipsecEndSystem;
      // clientAuth because CUCM is the TLS client towards SIP trunk peers (seed 002).
      return {.ca = false,
              .key_usage = rsa ? "critical,digitalSignature,keyEncipherment,dataEncipherment" : "critical,digitalSignature",
              .ext_key_usage = "serverAuth,clientAuth,ipsecEndSystem"};
    case PkiRole::Tvs:
    case PkiRole::Https:
    case PkiRole::ItlRecovery: break;
  }
  return {.ca = false,
          .key_usage = rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature",
          .ext_key_usage = "serverAuth,clientAuth"};
}

Status check_csr_role(PkiRole role) {
  if (role == PkiRole::ItlRecovery) {
    return make_error(Errc::InvalidArgument,
                      "csr: ITLRecovery stays self-signed (it is the phones' way back when the other certificates "
                      "change); CSRs are for callmanager, capf, tvs and https");
  }
  return Ok{};
}

Result<IdentityRequest> make_identity_request(const ClusterPki& pki, PkiRole role, const CsrOptions& opts) {
  CUCM_CHECK(check_csr_role(role));
  const Identity& now = pki.identity(role);
  if (!now.cert || !now.key) return make_error(Errc::NotFound, fmt::format("csr: no {} identity in pki/", pki_role_name(role)));
  KeySpec spec;
  if (opts.key) {
    spec = *opts.key;
  } else {
    CUCM_TRY(spec, key_spec_of(*now.key));
  }
  CUCM_CHECK(check_key_kind(role, spec.kind, describe(spec)));
  auto rdns = subject_rdns(*now.cert);
  std::string san = opts.san;
  if (!opts.cn.empty()) {
    bool replaced = false;
    for (auto& [k, v] : rdns) {
      if (k == "CN") v = opts.cn, replaced = true;
    }
    if (!replaced) rdns.insert(rdns.begin(), {"CN", opts.cn});
    if (san.empty()) san = "DNS:" + lower(opts.cn);
  } else if (san.empty()) {
    san = alt_names_config(*now.cert);
  }

  IdentityRequest out;
  CUCM_TRY(out.key, generate_key(spec));
  out.csr.reset(X509_REQ_new());
  X509NamePtr name(X509_NAME_new());
  if (!out.csr || !name) return ossl_error(Errc::Internal, "csr: out of memory");
  for (const auto& [type, value] : rdns) {
    if (X509_NAME_add_entry_by_txt(name.get(), type.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.c_str()),  // NOLINT
                                   -1, -1, 0) != 1) {
      return ossl_error(Errc::InvalidArgument, fmt::format("csr: subject {}={} rejected", type, value));
    }
  }
  if (X509_REQ_set_version(out.csr.get(), 0) != 1 || X509_REQ_set_subject_name(out.csr.get(), name.get()) != 1 ||
      X509_REQ_set_pubkey(out.csr.get(), out.key.get()) != 1) {
    return ossl_error(Errc::Internal, "csr: cannot fill the request");
  }
  RoleUsage usage = role_usage(role, spec.kind);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, nullptr, nullptr, out.csr.get(), nullptr, 0);
  ExtStackPtr exts(sk_X509_EXTENSION_new_null());
  if (!exts) return ossl_error(Errc::Internal, "csr: out of memory");
  CUCM_CHECK(add_ext(*exts, ctx, NID_basic_constraints, usage.ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE"));
  CUCM_CHECK(add_ext(*exts, ctx, NID_key_usage, usage.key_usage));
  CUCM_CHECK(add_ext(*exts, ctx, NID_ext_key_usage, usage.ext_key_usage));
  CUCM_CHECK(add_ext(*exts, ctx, NID_subject_alt_name, san));
  if (X509_REQ_add_extensions(out.csr.get(), exts.get()) != 1) {
    return ossl_error(Errc::Internal, "csr: cannot add the extensions");
  }
  if (X509_REQ_sign(out.csr.get(), out.key.get(), evp_md(opts.digest)) <= 0) {
    return ossl_error(Errc::Internal, "csr: signature failed");
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), out.csr.get()) != 1) return ossl_error(Errc::Internal, "csr: cannot encode");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  out.csr_pem.assign(reinterpret_cast<const std::uint8_t*>(data),  // NOLINT
                     reinterpret_cast<const std::uint8_t*>(data) + len);  // NOLINT
  return out;
}

fs::path pending_key_path(const fs::path& dir, PkiRole role) {
  return dir / fmt::format("{}.pending.key", pki_role_name(role));
}
fs::path pending_csr_path(const fs::path& dir, PkiRole role) { return dir / fmt::format("{}.csr", pki_role_name(role)); }

Status save_pending(const fs::path& dir, PkiRole role, const IdentityRequest& req) {
  std::string suffix = fmt::format(".bak-{}", std::time(nullptr));
  for (const auto& p : {pending_key_path(dir, role), pending_csr_path(dir, role)}) {
    std::error_code ec;
    if (present(p)) fs::rename(p, fs::path(p) += suffix, ec);
    if (ec) return make_error(Errc::Unavailable, fmt::format("csr: cannot keep the earlier {}: {}", p.string(), ec.message()));
  }
  CUCM_TRY(Bytes key_pem, private_key_pem(*req.key));
  CUCM_CHECK(write_file_atomic(pending_key_path(dir, role), key_pem, 0600));
  return write_file_atomic(pending_csr_path(dir, role), req.csr_pem);
}

Result<PkeyPtr> load_pending_key(const fs::path& dir, PkiRole role) {
  fs::path p = pending_key_path(dir, role);
  if (!present(p)) {
    return make_error(Errc::NotFound, fmt::format("no CSR is pending for {} ({} is missing): make one with 'cucm-emu cert "
                                                  "csr --role {}', have the CA sign it, then import the certificate",
                                                  pki_role_name(role), p.string(), pki_role_name(role)));
  }
  CUCM_TRY(Bytes pem, read_file(p));
  return load_private_key(pem);
}

Status clear_pending(const fs::path& dir, PkiRole role) {
  for (const auto& p : {pending_key_path(dir, role), pending_csr_path(dir, role)}) {
    std::error_code ec;
    fs::remove(p, ec);
    if (ec) return make_error(Errc::Unavailable, fmt::format("cannot remove {}: {}", p.string(), ec.message()));
  }
  return Ok{};
}

}  // namespace cucm::signer
