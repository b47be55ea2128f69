// How the phone proves itself (PROTOCOLS §3.5), and the spellings of the engine's enums at the
// database and CLI edges.
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "capf/proto/engine.hpp"
#include "signer/capf_signature.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"

namespace cucm::capf {
namespace {

// One hop: an issuer whose subject is the certificate's issuer and whose key signed it (§3.5).
bool chains_to_trusted_ca(const EngineConfig& cfg, X509& cert) {
  auto issued_by = [&](X509& ca) {
    return X509_NAME_cmp(X509_get_subject_name(&ca), X509_get_issuer_name(&cert)) == 0 &&
           X509_verify(&cert, X509_get0_pubkey(&ca)) == 1;
  };
  bool found = cfg.ca && issued_by(*cfg.ca);
  for (X509* ca : cfg.trust) {
    if (!found && ca) found = issued_by(*ca);
  }
  ERR_clear_error();  // failed X509_verify calls against other CAs leave errors behind
  return found;
}

// PROTOCOLS §3.5 step 6, as UCM checks it: the third sub-item must be SHA-512, the certificate
// must parse; an RSA SUDI must chain and sign (SID as u32 little-endian, then its DER) with both
// digests; any other SUDI key is accepted as it is.
Status check_sudi(const EngineConfig& cfg, std::uint32_t sid, const SudiData& sudi) {
  if (sudi.third_type != 3) {
    return make_error(Errc::Unauthenticated, fmt::format("SudiData third sub-item has hash code {}, not 3 (SHA-512)", sudi.third_type));
  }
  auto cert = signer::load_cert(sudi.certificate);
  if (!cert) return make_error(Errc::Unauthenticated, "SudiData certificate does not parse: " + cert.error().message);
  CUCM_TRY(auto key, signer::cert_public_key(**cert));
  if (signer::key_kind(*key) != signer::KeyKind::Rsa) return Ok{};
  if (!chains_to_trusted_ca(cfg, **cert)) {
    return make_error(Errc::Unauthenticated, fmt::format("SUDI certificate {} is not issued by a CA in the CAPF trust store",
                                                         signer::subject_name(**cert)));
  }
  Bytes payload = sudi_signed_data(sid, sudi.certificate);
  if (auto st = signer::capf_verify(*key, signer::HashAlg::Sha1, payload, sudi.sha1_signature); !st) {
    return make_error(Errc::Unauthenticated, "bad SUDI SHA-1 signature: " + st.error().message);
  }
  if (auto st = signer::capf_verify(*key, signer::HashAlg::Sha512, payload, sudi.sha512_signature); !st) {
    return make_error(Errc::Unauthenticated, "bad SUDI SHA-512 signature: " + st.error().message);
  }
  return Ok{};
}

}  // namespace

Status Engine::authenticate(const DeviceFacts& d) {
  const Message& m = *auth_;
  switch (d.auth_mode) {
    case AuthMode::NullString:
      auth_used_ = "null string";
      return Ok{};
    case AuthMode::AuthString:
      auth_used_ = "authentication string";
      if (!m.password) return make_error(Errc::Unauthenticated, "no authentication string sent");
      if (d.auth_string.empty() || *m.password != d.auth_string) {
        return make_error(Errc::Unauthenticated, "wrong authentication string");
      }
      return Ok{};
    case AuthMode::LscFirst:
    case AuthMode::MicFirst:
      break;
  }
  auth_used_ = d.auth_mode == AuthMode::LscFirst ? "existing certificate (LSC first)" : "existing certificate (MIC first)";
  if (!m.certificate || !m.signed_data || !m.sha2_signed_data) {
    return make_error(Errc::Unauthenticated, "certificate authentication needs Certificate, SignedData and Sha2SignedData");
  }
  if (m.sha2_hash_code.value_or(0) != 3) return make_error(Errc::Unauthenticated, "Sha2SignedData hash code is not 3 (SHA-512)");
  CUCM_TRY(auto cert, signer::load_cert(*m.certificate));
  if (!chains_to_trusted_ca(cfg_, *cert)) {
    return make_error(Errc::Unauthenticated,
                      fmt::format("certificate {} is not issued by the CAPF CA or a CA in the CAPF trust store",
                                  signer::subject_name(*cert)));
  }
  CUCM_TRY(auto key, signer::cert_public_key(*cert));
  Bytes data = auth_signed_data(d.name, *m.certificate);
  if (auto st = signer::capf_verify(*key, signer::HashAlg::Sha1, data, *m.signed_data); !st) {
    return make_error(Errc::Unauthenticated, "bad SignedData: " + st.error().message);
  }
  if (auto st = signer::capf_verify(*key, signer::HashAlg::Sha512, data, *m.sha2_signed_data); !st) {
    return make_error(Errc::Unauthenticated, "bad Sha2SignedData: " + st.error().message);
  }
  if (m.sudi) CUCM_CHECK(check_sudi(cfg_, sid_, *m.sudi));
  return Ok{};
}

std::string_view operation_name(Operation op) {
  switch (op) {
    case Operation::None: return "none";
    case Operation::Install: return "install";
    case Operation::Delete: return "delete";
    case Operation::Troubleshoot: return "troubleshoot";
  }
  return "none";
}

Result<Operation> parse_operation(std::string_view text) {
  for (Operation op : {Operation::None, Operation::Install, Operation::Delete, Operation::Troubleshoot}) {
    if (text == operation_name(op)) return op;
  }
  return make_error(Errc::InvalidArgument, fmt::format("capf: operation '{}': none, install, delete or troubleshoot", text));
}

Result<AuthMode> parse_auth_mode(std::string_view text) {
  if (text == "null-string") return AuthMode::NullString;
  if (text == "auth-string") return AuthMode::AuthString;
  if (text == "lsc-first") return AuthMode::LscFirst;
  if (text == "mic-first") return AuthMode::MicFirst;
  return make_error(Errc::InvalidArgument,
                    fmt::format("capf: authentication mode '{}': null-string, auth-string, lsc-first or mic-first", text));
}

Result<KeyOrder> parse_key_order(std::string_view text) {
  if (text == "rsa") return KeyOrder::Rsa;
  if (text == "ec") return KeyOrder::Ec;
  if (text == "ec-rsa") return KeyOrder::EcThenRsa;
  return make_error(Errc::InvalidArgument, fmt::format("capf: key order '{}': rsa, ec or ec-rsa", text));
}

std::string_view cert_kind_name(CertKind kind) { return kind == CertKind::Mic ? "MIC" : "LSC"; }

std::string status_text(OperationStatus status, const std::string& why) {
  switch (status) {
    case OperationStatus::Unchanged: return "";
    case OperationStatus::UpgradeSuccess: return "Upgrade Success";
    case OperationStatus::DeleteSuccess: return "Delete Success";
    case OperationStatus::TroubleshootSuccess: return "Troubleshoot Success";
    case OperationStatus::TroubleshootNoCertificate: return "Troubleshoot Failed: the phone has no certificate";
    case OperationStatus::Failed: return "Failed: " + why;
  }
  return "";
}

}  // namespace cucm::capf
