// CAPF session logic.
#include "capf/session.hpp"

#include <ctime>

#include <fmt/format.h>
#include <openssl/err.h>

#include "capf/issued_log.hpp"
#include "capf/recorded_cert.hpp"
#include "core/encoding.hpp"
#include "core/file_io.hpp"
#include "core/log.hpp"
#include "db/device_store.hpp"
#include "db/profile_store.hpp"
#include "signer/capf_signature.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"
#include "signer/lsc.hpp"

namespace cucm::capf {
namespace {

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::uint8_t curve_code(int bits) { return bits == 521 ? 2 : bits == 384 ? 1 : 0; }

}  // namespace

Bytes Session::message(Message m) const {
  m.sid = sid_;
  auto b = build_message(m);
  return b ? *b : Bytes{};
}

void Session::event(const std::string& what, const std::string& result) {
  if (!ctx_.events) return;
  db::Event e;
  e.source = peer_;
  e.service = "capf";
  e.device = device_;
  e.what = what;
  e.result = result;
  ctx_.events->post(std::move(e));
}

Session::Out Session::start() {
  Message m;
  m.command = Command::AuthRequest;
  m.version = 3;
  m.auth_type = 0;
  return {{message(m)}, false};
}

Session::Out Session::end(Reason r, std::string outcome) {
  state_ = State::Done;
  outcome_ = std::move(outcome);
  Message m;
  m.command = Command::End;
  m.reason = static_cast<std::uint8_t>(r);
  event(fmt::format("session sid={} operation={} auth={}", sid_, operation_.empty() ? "-" : operation_,
                    auth_type_used_.empty() ? "-" : auth_type_used_),
        outcome_);
  log::get("capf")->debug("capf {} sid={} {}: {}", peer_, sid_, device_.empty() ? "-" : device_, outcome_);
  return {{message(m)}, true};
}

Session::Out Session::fail(std::string why) {
  if (!device_.empty() && operation_ != "none" && !operation_.empty()) {
    db::CapfOutcome o;
    o.status = "Failed: " + why;
    if (auto st = finish(std::move(o)); !st) log::get("capf")->warn("capf {}: status not saved: {}", device_, st.error().message);
  }
  return end(Reason::InvalidElement, "failed: " + why);
}

Session::Out Session::on_bad_bytes(const Error& e) { return fail(e.message); }

void Session::on_disconnect() {
  if (state_ == State::Done) return;
  outcome_ = "phone disconnected before the operation completed; nothing recorded";
  event(fmt::format("session sid={} operation={}", sid_, operation_.empty() ? "-" : operation_), outcome_);
}

void Session::on_tls_refused(const std::string& why) {
  state_ = State::Done;
  outcome_ = "TLS handshake refused: " + why;
  event(fmt::format("session sid={} TLS handshake", sid_), outcome_);
}

Status Session::finish(db::CapfOutcome outcome) {
  if (outcome.at.empty()) outcome.at = utc_now();
  std::lock_guard lock(ctx_.db_mutex);
  return db::DeviceStore(ctx_.db).apply_capf_outcome(device_, outcome);
}

void Session::append_issued(const std::string& serial) {
  if (auto st = capf::append_issued(ctx_.cfg.data_dir, device_, serial, utc_now(), *issued_); !st) {
    log::get("capf")->warn("capf {}: {}", device_, st.error().message);
  }
}

void Session::write_pem(const std::string& folder, const std::string& name, X509& cert) {
  // A copy for people and scripts; the database is the record, so no fsync on the I/O thread.
  auto dir = ctx_.cfg.data_dir / "capf" / folder;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (auto st = write_file_atomic(dir / name, signer::cert_pem(cert), 0644, Sync::No); !st) {
    log::get("capf")->warn("capf {}: {}", device_, st.error().message);
  }
}

Session::Out Session::on_message(const Message& m) {
  if (m.sid != sid_) return fail(fmt::format("SID {} vs expected {}", m.sid, sid_));
  switch (state_) {
    case State::Auth: return on_auth(m);
    case State::KeyGen: return on_keygen(m);
    case State::StoreCert: return on_store(m);
    case State::Fetch: return on_fetch(m);
    case State::Delete: return on_delete(m);
    case State::Done: return {{}, true};
  }
  return {{}, true};
}

Status Session::authenticate(const Message& m, const db::Device& d, const db::SecurityProfile& p) {
  const std::string& mode = p.capf_auth_mode;
  if (m.certificate) auth_cert_ = *m.certificate;
  if (mode == "null-string") {
    auth_type_used_ = "null string";
    return Ok{};
  }
  if (mode == "auth-string") {
    auth_type_used_ = "authentication string";
    if (!m.password) return make_error(Errc::Unauthenticated, "no authentication string sent");
    if (d.capf.auth_string.empty() || *m.password != d.capf.auth_string) {
      return make_error(Errc::Unauthenticated, "wrong authentication string");
    }
    return Ok{};
  }
  auth_type_used_ = mode == "lsc-first" ? "existing certificate (LSC first)" : "existing certificate (MIC first)";
  if (!m.certificate || !m.signed_data || !m.sha2_signed_data) {
    return make_error(Errc::Unauthenticated, "certificate authentication needs Certificate, SignedData and Sha2SignedData");
  }
  if (m.sha2_hash_code.value_or(0) != 3) return make_error(Errc::Unauthenticated, "Sha2SignedData hash code is not 3 (SHA-512)");
  CUCM_TRY(auto cert, signer::load_cert(*m.certificate));
  if (!chains_to_trusted_ca(*cert)) {
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
  if (m.sudi) CUCM_CHECK(check_sudi(*m.sudi));
  return Ok{};
}

bool Session::chains_to_trusted_ca(X509& cert) const {
  // One hop: an issuer whose subject is the certificate's issuer and whose key signed it (§3.5).
  auto issued_by = [&](X509& ca) {
    return X509_NAME_cmp(X509_get_subject_name(&ca), X509_get_issuer_name(&cert)) == 0 &&
           X509_verify(&cert, X509_get0_pubkey(&ca)) == 1;
  };
  bool found = issued_by(*ctx_.pki.identity(signer::PkiRole::Capf).cert);
  for (auto& ca : ctx_.trust) {
    if (!found) found = issued_by(*ca);
  }
  ERR_clear_error();  // failed X509_verify calls against other CAs leave errors behind
  return found;
}

Status Session::check_sudi(const SudiData& sudi) const {
  // PROTOCOLS §3.5 step 6, as UCM checks it: the third sub-item must be SHA-512, the certificate
  // must parse; an RSA SUDI must chain and sign (SID as u32 little-endian, then its DER) with both
  // digests; any other SUDI key is accepted as it is.
  if (sudi.third_type != 3) {
    return make_error(Errc::Unauthenticated, fmt::format("SudiData third sub-item has hash code {}, not 3 (SHA-512)", sudi.third_type));
  }
  auto cert = signer::load_cert(sudi.certificate);
  if (!cert) return make_error(Errc::Unauthenticated, "SudiData certificate does not parse: " + cert.error().message);
  CUCM_TRY(auto key, signer::cert_public_key(**cert));
  if (signer::key_kind(*key) != signer::KeyKind::Rsa) return Ok{};
  if (!chains_to_trusted_ca(**cert)) {
    return make_error(Errc::Unauthenticated, fmt::format("SUDI certificate {} is not issued by a CA in the CAPF trust store",
                                                         signer::subject_name(**cert)));
  }
  Bytes payload = sudi_signed_data(sid_, sudi.certificate);
  if (auto st = signer::capf_verify(*key, signer::HashAlg::Sha1, payload, sudi.sha1_signature); !st) {
    return make_error(Errc::Unauthenticated, "bad SUDI SHA-1 signature: " + st.error().message);
  }
  if (auto st = signer::capf_verify(*key, signer::HashAlg::Sha512, payload, sudi.sha512_signature); !st) {
    return make_error(Errc::Unauthenticated, "bad SUDI SHA-512 signature: " + st.error().message);
  }
  return Ok{};
}

Session::Out Session::on_auth(const Message& m) {
  if (m.command != Command::AuthResponse) return fail(fmt::format("expected AuthResponse, got {}", command_name(m.command)));
  if (m.version.value_or(0) > 3) return fail(fmt::format("protocol version {} vs at most 3", *m.version));
  if (!m.device_name) return fail("AuthResponse without DeviceName");
  auto name = db::normalise_device_name(*m.device_name);
  if (!name) return end(Reason::UnknownDevice, "unknown device: " + *m.device_name);
  device_ = *name;
  std::optional<db::Device> d;
  std::optional<db::SecurityProfile> p;
  {
    std::lock_guard lock(ctx_.db_mutex);
    auto dev = db::DeviceStore(ctx_.db).get(device_);
    if (!dev) {
      std::string why = dev.error().code == Errc::NotFound ? "unknown device " + device_ : dev.error().message;
      device_.clear();
      return end(Reason::UnknownDevice, why);
    }
    auto prof = db::ProfileStore(ctx_.db).get(dev->profile);
    if (!prof) return fail(prof.error().message);
    d = std::move(*dev);
    p = std::move(*prof);
  }
  operation_ = d->capf.operation;
  key_order_ = p->key_order;
  rsa_size_ = p->rsa_key_size;
  ec_size_ = p->ec_key_size;
  if (operation_ != "none" && !d->capf.deadline.empty() && utc_now() > d->capf.deadline) {
    return fail("operation deadline " + d->capf.deadline + " UTC has passed");
  }
  if (auto st = authenticate(m, *d, *p); !st) return fail(st.error().message);
  if (operation_ == "install") {
    state_ = State::KeyGen;
    Message k;
    k.command = Command::KeyGenRequest;
    if (key_order_ == "rsa") {
      k.key_size = static_cast<std::uint16_t>(rsa_size_);
      k.key_type = static_cast<std::uint8_t>(KeyType::Rsa);
    } else {
      k.key_type = static_cast<std::uint8_t>(KeyType::Ec);
      k.curve = curve_code(ec_size_);
    }
    return {{message(k)}, false};
  }
  if (operation_ == "delete") {
    state_ = State::Delete;
    Message k;
    k.command = Command::DeleteCertRequest;
    return {{message(k)}, false};
  }
  if (operation_ == "troubleshoot") {
    state_ = State::Fetch;
    Message k;
    k.command = Command::FetchCertRequest;
    return {{message(k)}, false};
  }
  // No pending operation: record the certificate the phone authenticated with, if it sent one
  // (seed 004: CAPF stores its public key and MD5 so TFTP can encrypt the config).
  if (auth_cert_) {
    auto cert = signer::load_cert(*auth_cert_);
    if (!cert) return fail("certificate does not parse: " + cert.error().message);
    bool lsc = X509_check_issued(ctx_.pki.identity(signer::PkiRole::Capf).cert.get(), cert->get()) == X509_V_OK;
    db::CapfOutcome o;
    o.certificate = db::CapfOutcome::Certificate::Record;
    auto recorded = recorded_cert(**cert, lsc ? "LSC" : "MIC");
    if (!recorded) return fail(recorded.error().message);
    o.recorded = std::move(*recorded);
    if (auto st = finish(std::move(o)); !st) return fail(st.error().message);
    return end(Reason::NoAction, fmt::format("no pending operation; {} on record, md5 {}", lsc ? "LSC" : "MIC",
                                             signer::cert_md5_hex(**cert)));
  }
  return end(Reason::NoAction, "no pending operation");
}

Session::Out Session::on_keygen(const Message& m) {
  if (m.command == Command::RequestInProgress) {
    if (++in_progress_ > ctx_.cfg.max_in_progress) return fail("too many RequestInProgress messages");
    return {{}, false};
  }
  if (m.command != Command::KeyGenResponse) return fail(fmt::format("expected KeyGenResponse, got {}", command_name(m.command)));
  if (!m.public_key) return fail(fmt::format("KeyGenResponse without PublicKey (phone reason {})", m.reason.value_or(0)));
  auto key = signer::load_public_key(*m.public_key);
  if (!key) return fail("the phone's public key does not parse: " + key.error().message);
  bool rsa = signer::key_kind(**key) == signer::KeyKind::Rsa;
  if ((rsa && key_order_ == "ec") || (!rsa && key_order_ == "rsa")) {
    return fail(fmt::format("phone generated {} but the profile's key order is {}", signer::describe_key(**key), key_order_));
  }
  const auto& ca = ctx_.pki.identity(signer::PkiRole::Capf);
  auto lsc = signer::issue_lsc(device_, **key, *ca.cert, *ca.key, ctx_.cfg.lsc_days);
  if (!lsc) return fail(lsc.error().message);
  issued_ = std::move(*lsc);
  state_ = State::StoreCert;
  Message s;
  s.command = Command::StoreCertRequest;
  s.certificate_type = static_cast<std::uint8_t>(CertificateType::Lsc);
  s.certificate = signer::cert_der(*issued_);
  return {{message(s)}, false};
}

Session::Out Session::on_store(const Message& m) {
  if (m.command != Command::StoreCertResponse) return fail(fmt::format("expected StoreCertResponse, got {}", command_name(m.command)));
  if (m.reason.value_or(0) != static_cast<std::uint8_t>(Reason::UpdateCertificate)) {
    return fail(fmt::format("phone did not store the LSC (reason {})", m.reason.value_or(0)));
  }
  // Only now, with the phone's confirmation, does anything change (§3.9 [EMU]).
  db::CapfOutcome o;
  o.certificate = db::CapfOutcome::Certificate::Record;
  auto recorded = recorded_cert(*issued_, "LSC");
  if (!recorded) return fail(recorded.error().message);
  o.recorded = std::move(*recorded);
  o.status = "Upgrade Success";
  o.operation_done = true;
  std::string serial = o.recorded.serial, md5 = o.recorded.md5hash;
  if (auto st = finish(std::move(o)); !st) return fail(st.error().message);
  append_issued(serial);
  return end(Reason::UpdateCertificate, fmt::format("LSC installed, serial {}, md5 {}", serial, md5));
}

Session::Out Session::on_delete(const Message& m) {
  if (m.command != Command::DeleteCertResponse) return fail(fmt::format("expected DeleteCertResponse, got {}", command_name(m.command)));
  db::CapfOutcome o;
  o.certificate = db::CapfOutcome::Certificate::Clear;
  o.status = "Delete Success";
  o.operation_done = true;
  // As UCM: the phone did its part, so it gets the normal End even if our write failed (logged).
  if (auto st = finish(std::move(o)); !st) log::get("capf")->error("capf {}: delete not recorded: {}", device_, st.error().message);
  bool had = m.reason.value_or(0) == static_cast<std::uint8_t>(Reason::UpdateCertificate);
  return end(Reason::UpdateCertificate, had ? "LSC deleted" : "LSC deleted (the phone had none)");
}

Session::Out Session::on_fetch(const Message& m) {
  if (m.command != Command::FetchCertResponse) return fail(fmt::format("expected FetchCertResponse, got {}", command_name(m.command)));
  if (m.reason.value_or(0) != static_cast<std::uint8_t>(Reason::UpdateCertificate) || !m.certificate) {
    db::CapfOutcome o;
    o.status = "Troubleshoot Failed: the phone has no certificate";
    o.operation_done = true;
    if (auto st = finish(std::move(o)); !st) log::get("capf")->error("capf {}: status not saved: {}", device_, st.error().message);
    return end(Reason::NoAction, "troubleshoot: the phone has no certificate");
  }
  auto cert = signer::load_cert(*m.certificate);
  if (!cert) return fail("fetched certificate does not parse");
  std::string type = m.certificate_type.value_or(1) == static_cast<std::uint8_t>(CertificateType::Mic) ? "MIC" : "LSC";
  db::CapfOutcome o;
  o.certificate = db::CapfOutcome::Certificate::Record;
  auto recorded = recorded_cert(**cert, type);
  if (!recorded) return fail(recorded.error().message);
  o.recorded = std::move(*recorded);
  o.status = "Troubleshoot Success";
  o.operation_done = true;
  std::string md5 = o.recorded.md5hash;
  if (auto st = finish(std::move(o)); !st) return fail(st.error().message);
  write_pem("troubleshoot", fmt::format("{}-{}.pem", device_, type), **cert);
  return end(Reason::NoAction, fmt::format("troubleshoot: {} fetched, md5 {}", type, md5));
}

}  // namespace cucm::capf
