// The CAPF session's states: what each message leads to.
#include "capf/proto/engine.hpp"

#include <fmt/format.h>

#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"
#include "signer/lsc.hpp"

namespace cucm::capf {
namespace {

std::uint8_t curve_code(int bits) { return bits == 521 ? 2 : bits == 384 ? 1 : 0; }

// The curve a key generation request names, as a key size in bits.
int curve_bits(std::uint8_t code) { return code == 2 ? 521 : code == 1 ? 384 : 256; }

}  // namespace

std::string Engine::now_text() const {
  std::time_t t = cfg_.now();
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

Bytes Engine::message(Message m) const {
  m.sid = sid_;
  auto b = build_message(m);
  return b ? *b : Bytes{};
}

EventRecord Engine::event(std::string what, std::string result) const {
  return EventRecord{device_known_ ? device_.name : std::string(), std::move(what), std::move(result)};
}

Commit Engine::commit_for(OperationStatus status) const {
  Commit c;
  c.device = device_.name;
  c.started_with = device_.operation;
  c.status = status;
  c.operation_done = status != OperationStatus::Failed && status != OperationStatus::Unchanged;
  c.at = now_text();
  return c;
}

Step Engine::start() {
  Message m;
  m.command = Command::AuthRequest;
  m.version = 3;
  m.auth_type = 0;
  return {{message(m)}, false, {}, {}, {}};
}

Step Engine::end(Reason r, std::string outcome) {
  state_ = State::Done;
  outcome_ = std::move(outcome);
  ending_ = r == Reason::UnknownDevice ? Ending::UnknownDevice : r == Reason::InvalidElement ? Ending::Failed : Ending::Ok;
  Message m;
  m.command = Command::End;
  m.reason = static_cast<std::uint8_t>(r);
  Step s{{message(m)}, true, {}, {}, {}};
  s.effects.push_back(event(fmt::format("session sid={} operation={} auth={}", sid_,
                                        device_known_ ? operation_name(device_.operation) : "-",
                                        auth_used_.empty() ? "-" : auth_used_),
                            outcome_));
  return s;
}

Step Engine::fail(std::string why) {
  if (device_known_ && device_.operation != Operation::None && state_ != State::Committing) {
    Commit c = commit_for(OperationStatus::Failed);
    c.failure = why;
    AfterCommit after;
    after.reason = Reason::InvalidElement;
    after.outcome = "failed: " + why;
    after.end_even_if_not_applied = true;  // the failure stands whether or not its status was saved
    return commit_then(std::move(c), std::move(after));
  }
  return end(Reason::InvalidElement, "failed: " + why);
}

Step Engine::commit_then(Commit c, AfterCommit after) {
  state_ = State::Committing;
  after_ = std::move(after);
  Step s;
  s.commit = std::move(c);
  return s;
}

Step Engine::on_committed(const Status& applied) {
  if (state_ != State::Committing) return {{}, true, {}, {}, {}};
  AfterCommit after = std::move(after_);
  if (!applied && !after.end_even_if_not_applied) {
    state_ = State::Done;  // so fail() does not try to commit again
    return end(Reason::InvalidElement, "failed: nothing recorded: " + applied.error().message);
  }
  std::string outcome = applied ? after.outcome : after.outcome + " (not recorded: " + applied.error().message + ")";
  Step s = end(after.reason, std::move(outcome));
  if (!applied) ending_ = Ending::Failed;  // the phone was told all went well; our record is not
  if (applied) {
    for (auto& e : after.effects) s.effects.push_back(std::move(e));
  }
  return s;
}

Step Engine::on_bad_bytes(const Error& e) {
  if (state_ == State::Done) return {{}, true, {}, {}, {}};  // the session has ended: nothing more to say
  if (state_ == State::Stalled) return {{}, true, {}, {}, {}};  // silent on purpose: no End either
  return fail(e.message);
}

Step Engine::on_disconnect() {
  if (state_ == State::Done) return {};
  state_ = State::Done;
  outcome_ = "phone disconnected before the operation completed; nothing recorded";
  ending_ = Ending::Disconnected;
  Step s;
  s.effects.push_back(event(fmt::format("session sid={} operation={}", sid_,
                                        device_known_ ? operation_name(device_.operation) : "-"),
                            outcome_));
  return s;
}

Step Engine::on_tls_refused(const std::string& why) {
  state_ = State::Done;
  outcome_ = "TLS handshake refused: " + why;
  ending_ = Ending::TlsRefused;
  Step s;
  s.effects.push_back(event(fmt::format("session sid={} TLS handshake", sid_), outcome_));
  return s;
}

Step Engine::on_message(const Message& m) {
  if (state_ == State::Done) return {{}, true, {}, {}, {}};
  if (state_ == State::Stalled) return {};  // silent on purpose, whatever the phone says
  if (state_ == State::Lookup || state_ == State::Committing) {
    return fail(fmt::format("{} while the server was not waiting for a message", command_name(m.command)));
  }
  if (m.sid != sid_) return fail(fmt::format("SID {} vs expected {}", m.sid, sid_));
  switch (state_) {
    case State::Auth: {
      if (m.command != Command::AuthResponse) return fail(fmt::format("expected AuthResponse, got {}", command_name(m.command)));
      if (m.version.value_or(0) > 3) return fail(fmt::format("protocol version {} vs at most 3", *m.version));
      if (!m.device_name) return fail("AuthResponse without DeviceName");
      auth_ = m;
      state_ = State::Lookup;
      Step s;
      s.lookup = *m.device_name;
      return s;
    }
    case State::KeyGen: return on_keygen(m);
    case State::StoreCert: return on_store(m);
    case State::Fetch: return on_fetch(m);
    case State::Delete: return on_delete(m);
    default: break;
  }
  return {{}, true, {}, {}, {}};
}

Step Engine::on_device(Result<DeviceFacts> facts) {
  if (state_ != State::Lookup) return {{}, true, {}, {}, {}};
  if (!facts) {
    if (facts.error().code == Errc::NotFound) return end(Reason::UnknownDevice, facts.error().message);
    return fail(facts.error().message);
  }
  device_ = std::move(*facts);
  device_known_ = true;
  return on_auth_device(device_);
}

Step Engine::on_auth_device(const DeviceFacts& d) {
  // An armed fault acts at once, before the phone is authenticated: a server that refuses or goes
  // silent does not look at what the phone sent.
  if (d.fault == SessionFault::Refuse) {
    return end(static_cast<Reason>(d.fault_reason),
               fmt::format("End reason {} at once: injected capf-refuse", d.fault_reason));
  }
  if (d.fault == SessionFault::StallAfterHello) return stall();
  if (d.operation != Operation::None && !d.deadline.empty() && now_text() > d.deadline) {
    return fail("operation deadline " + d.deadline + " UTC has passed");
  }
  if (auto st = authenticate(d); !st) return fail(st.error().message);
  Message k;
  switch (d.operation) {
    case Operation::Install:
      state_ = State::KeyGen;
      k.command = Command::KeyGenRequest;
      if (d.key_order == KeyOrder::Rsa) {
        k.key_size = static_cast<std::uint16_t>(d.rsa_key_size);
        k.key_type = static_cast<std::uint8_t>(KeyType::Rsa);
      } else {
        k.key_type = static_cast<std::uint8_t>(KeyType::Ec);
        k.curve = curve_code(d.ec_key_size);
      }
      return {{message(k)}, false, {}, {}, {}};
    case Operation::Delete:
      state_ = State::Delete;
      k.command = Command::DeleteCertRequest;
      return {{message(k)}, false, {}, {}, {}};
    case Operation::Troubleshoot:
      state_ = State::Fetch;
      k.command = Command::FetchCertRequest;
      return {{message(k)}, false, {}, {}, {}};
    case Operation::None: break;
  }
  return record_auth_certificate();
}

// No pending operation: record the certificate the phone authenticated with, if it sent one
// (seed 004: CAPF stores its public key and MD5 so TFTP can encrypt the config).
// It must prove itself first, whatever the authentication mode: a certificate recorded here is
// the key the next encrypted config is made for.
Step Engine::record_auth_certificate() {
  if (!auth_ || !auth_->certificate) return end(Reason::NoAction, "no pending operation");
  if (!proven_) {  // not yet checked by authenticate() ("By Existing Certificate")
    auto cert = check_certificate_proof(*auth_);
    if (!cert) return fail("certificate not recorded: " + cert.error().message);
    proven_ = signer::share(std::move(*cert));
  }
  bool lsc = cfg_.ca && X509_check_issued(cfg_.ca, proven_.get()) == X509_V_OK;
  Commit c = commit_for(OperationStatus::Unchanged);
  c.certificate = Commit::Certificate::Record;
  c.kind = lsc ? CertKind::Lsc : CertKind::Mic;
  c.der = *auth_->certificate;
  c.parsed = proven_;
  AfterCommit after;
  after.reason = Reason::NoAction;
  after.outcome = fmt::format("no pending operation; {} on record, md5 {}", cert_kind_name(c.kind), signer::cert_md5_hex(*proven_));
  return commit_then(std::move(c), std::move(after));
}

Step Engine::on_keygen(const Message& m) {
  if (m.command == Command::RequestInProgress) {
    if (++in_progress_ > cfg_.max_in_progress) return fail("too many RequestInProgress messages");
    return {};
  }
  if (m.command != Command::KeyGenResponse) return fail(fmt::format("expected KeyGenResponse, got {}", command_name(m.command)));
  if (!m.public_key) return fail(fmt::format("KeyGenResponse without PublicKey (phone reason {})", m.reason.value_or(0)));
  auto key = signer::load_public_key(*m.public_key);
  if (!key) return fail("the phone's public key does not parse: " + key.error().message);
  // The key must be the one asked for: a weaker key (RSA-512 for RSA-2048) is refused. With
  // "EC preferred, RSA backup" an RSA key of the profile's size is the backup.
  bool rsa = signer::key_kind(**key) == signer::KeyKind::Rsa;
  int bits = signer::key_bits(**key);
  int ec_bits = curve_bits(curve_code(device_.ec_key_size));
  bool rsa_ok = device_.key_order != KeyOrder::Ec && rsa && bits == device_.rsa_key_size;
  bool ec_ok = device_.key_order != KeyOrder::Rsa && !rsa && bits == ec_bits;
  if (!rsa_ok && !ec_ok) {
    std::string asked = device_.key_order == KeyOrder::Rsa ? fmt::format("RSA {}", device_.rsa_key_size)
                        : device_.key_order == KeyOrder::Ec ? fmt::format("EC {}", ec_bits)
                                                            : fmt::format("EC {} or RSA {}", ec_bits, device_.rsa_key_size);
    return fail(fmt::format("phone generated {} but {} was asked for", signer::describe_key(**key), asked));
  }
  if (device_.fault == SessionFault::DropBeforeStore) return drop_before_store();
  auto lsc = issue_lsc_for(**key);
  if (!lsc) return fail(lsc.error().message);
  issued_der_ = signer::cert_der(**lsc);
  issued_serial_ = to_hex(signer::serial_bytes(**lsc));
  issued_ = signer::share(std::move(*lsc));
  state_ = State::StoreCert;
  Message s;
  s.command = Command::StoreCertRequest;
  s.certificate_type = static_cast<std::uint8_t>(CertificateType::Lsc);
  s.certificate = issued_der_;
  return {{message(s)}, false, {}, {}, {}};
}

Step Engine::on_store(const Message& m) {
  if (m.command != Command::StoreCertResponse) return fail(fmt::format("expected StoreCertResponse, got {}", command_name(m.command)));
  if (m.reason.value_or(0) != static_cast<std::uint8_t>(Reason::UpdateCertificate)) {
    return fail(fmt::format("phone did not store the LSC (reason {})", m.reason.value_or(0)));
  }
  // Only now, with the phone's confirmation, does anything change (§3.9 [EMU]).
  Commit c = commit_for(OperationStatus::UpgradeSuccess);
  c.certificate = Commit::Certificate::Record;
  c.kind = CertKind::Lsc;
  c.der = issued_der_;
  c.parsed = issued_;
  AfterCommit after;
  after.reason = Reason::UpdateCertificate;
  after.outcome = fmt::format("LSC installed, serial {}, md5 {}", issued_serial_, signer::cert_md5_hex(*issued_));
  if (device_.fault != SessionFault::None) after.outcome += fmt::format(": injected {}", session_fault_name(device_.fault));
  after.effects.push_back(IssuedRecord{device_.name, issued_serial_, c.at, issued_der_});
  return commit_then(std::move(c), std::move(after));
}

Step Engine::on_delete(const Message& m) {
  if (m.command != Command::DeleteCertResponse) return fail(fmt::format("expected DeleteCertResponse, got {}", command_name(m.command)));
  Commit c = commit_for(OperationStatus::DeleteSuccess);
  c.certificate = Commit::Certificate::Clear;
  AfterCommit after;
  after.reason = Reason::UpdateCertificate;
  bool had = m.reason.value_or(0) == static_cast<std::uint8_t>(Reason::UpdateCertificate);
  after.outcome = had ? "LSC deleted" : "LSC deleted (the phone had none)";
  after.end_even_if_not_applied = true;  // as UCM: the phone did its part, so it gets the normal End
  return commit_then(std::move(c), std::move(after));
}

Step Engine::on_fetch(const Message& m) {
  if (m.command != Command::FetchCertResponse) return fail(fmt::format("expected FetchCertResponse, got {}", command_name(m.command)));
  AfterCommit after;
  after.reason = Reason::NoAction;
  if (m.reason.value_or(0) != static_cast<std::uint8_t>(Reason::UpdateCertificate) || !m.certificate) {
    after.outcome = "troubleshoot: the phone has no certificate";
    after.end_even_if_not_applied = true;
    return commit_then(commit_for(OperationStatus::TroubleshootNoCertificate), std::move(after));
  }
  auto cert = signer::load_cert(*m.certificate);
  if (!cert) return fail("fetched certificate does not parse");
  CertKind kind = m.certificate_type.value_or(1) == static_cast<std::uint8_t>(CertificateType::Mic) ? CertKind::Mic : CertKind::Lsc;
  Commit c = commit_for(OperationStatus::TroubleshootSuccess);
  c.certificate = Commit::Certificate::Record;
  c.kind = kind;
  c.der = *m.certificate;
  after.outcome = fmt::format("troubleshoot: {} fetched, md5 {}", cert_kind_name(kind), signer::cert_md5_hex(**cert));
  c.parsed = signer::share(std::move(*cert));
  after.effects.push_back(FetchedRecord{device_.name, kind, *m.certificate});
  return commit_then(std::move(c), std::move(after));
}

}  // namespace cucm::capf
