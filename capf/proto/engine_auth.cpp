// How the phone proves itself (PROTOCOLS §3.5), and the spellings of the engine's enums at the
// database and CLI edges.
#include <fmt/format.h>
#include <openssl/x509.h>

#include "capf/proto/engine.hpp"
#include "signer/capf_signature.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"

namespace cucm::capf {
namespace {

// OpenSSL's verifier, at the engine's clock: a chain (intermediates from the trust store) to the
// CAPF CA or a CA in the CAPF trust store, every certificate within its validity. UCM checks one
// hop by name and signature (§3.5 step 4); a self-signed or expired certificate passes neither.
Status verify_chain(const EngineConfig& cfg, const X509& cert) {
  if (!cfg.verifier) return make_error(Errc::Unauthenticated, "no CA is trusted for phone certificates");
  return cfg.verifier->verify(cert, cfg.now());
}

// [EMU] The certificate must be the device's own: an LSC's CN is the device name (§3.8); a
// Cisco MIC's is reported to end with it ("CP-7962G-SEP…", not confirmed by PROTOCOLS). UCM
// does not check; without it one phone's valid certificate could take over another device's
// encrypted config.
Status check_names_device(const X509& cert, const std::string& device) {
  std::string cn = signer::common_name(cert);
  if (cn == device || (cn.size() > device.size() && cn.ends_with("-" + device))) return Ok{};
  return make_error(Errc::Unauthenticated,
                    fmt::format("certificate {} is not {}'s: its CN must be {} or end with -{}",
                                signer::subject_name(cert), device, device, device));
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
  if (auto st = verify_chain(cfg, **cert); !st) return make_error(Errc::Unauthenticated, "SUDI " + st.error().message);
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
  CUCM_TRY(auto cert, check_certificate_proof(m));
  proven_ = signer::share(std::move(cert));
  return Ok{};
}

// PROTOCOLS §3.5, server checks 1 to 6, with OpenSSL's chain verification for step 4 and the
// device-name check on top.
Result<signer::X509Ptr> Engine::check_certificate_proof(const Message& m) const {
  if (!m.certificate || !m.signed_data || !m.sha2_signed_data) {
    return make_error(Errc::Unauthenticated, "certificate authentication needs Certificate, SignedData and Sha2SignedData");
  }
  if (m.sha2_hash_code.value_or(0) != 3) return make_error(Errc::Unauthenticated, "Sha2SignedData hash code is not 3 (SHA-512)");
  CUCM_TRY(auto cert, signer::load_cert(*m.certificate));
  CUCM_CHECK(verify_chain(cfg_, *cert));
  CUCM_CHECK(check_names_device(*cert, device_.name));
  CUCM_TRY(auto key, signer::cert_public_key(*cert));
  Bytes data = auth_signed_data(device_.name, *m.certificate);
  if (auto st = signer::capf_verify(*key, signer::HashAlg::Sha1, data, *m.signed_data); !st) {
    return make_error(Errc::Unauthenticated, "bad SignedData: " + st.error().message);
  }
  if (auto st = signer::capf_verify(*key, signer::HashAlg::Sha512, data, *m.sha2_signed_data); !st) {
    return make_error(Errc::Unauthenticated, "bad Sha2SignedData: " + st.error().message);
  }
  if (m.sudi) CUCM_CHECK(check_sudi(cfg_, sid_, *m.sudi));
  return cert;
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

std::string_view ending_name(Ending ending) {
  switch (ending) {
    case Ending::Ok: return "ok";
    case Ending::Failed: return "failed";
    case Ending::UnknownDevice: return "unknown_device";
    case Ending::Disconnected: return "disconnected";
    case Ending::TlsRefused: return "tls_refused";
  }
  return "failed";
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
