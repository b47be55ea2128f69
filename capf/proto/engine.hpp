// One CAPF session as a state machine without I/O (PROTOCOLS §3.6): messages in, messages out,
// and what the session changes, handed to the caller as data. The caller looks the device up when
// asked, applies the session's change in one transaction, records the side effects, and moves the
// bytes; the clock and the random source are passed in. So the whole conversation can be driven
// by a test or a fuzzer with no socket and no database.
#pragma once

#include <array>
#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "capf/proto/message.hpp"
#include "core/result.hpp"
#include "signer/chain_verifier.hpp"
#include "signer/ossl.hpp"

namespace cucm::capf {

// The operation scheduled for a device (CUCM's "Certificate Operation").
enum class Operation : std::uint8_t { None, Install, Delete, Troubleshoot };
// How the phone must authenticate (the security profile's "Authentication Mode").
enum class AuthMode : std::uint8_t { NullString, AuthString, LscFirst, MicFirst };
// Which key the phone is asked to generate: RSA, EC, or EC with RSA as backup.
enum class KeyOrder : std::uint8_t { Rsa, Ec, EcThenRsa };
// What the session leaves in the device's status (CUCM's "Certificate Operation Status").
enum class OperationStatus : std::uint8_t {
  Unchanged, UpgradeSuccess, DeleteSuccess, TroubleshootSuccess, TroubleshootNoCertificate, Failed
};
enum class CertKind : std::uint8_t { Mic, Lsc };
// How a session ended, in a few words a counter can carry (outcome() says it in full): the
// operation done or no operation pending, a failure (End 7), a device not on record (End 9), the
// phone gone before the end, or a TLS handshake below the floor.
enum class Ending : std::uint8_t { Ok, Failed, UnknownDevice, Disconnected, TlsRefused };
inline constexpr std::size_t kOperationCount = 4;  // the values of Operation, for tables indexed by it
inline constexpr std::size_t kEndingCount = 5;     // the values of Ending

// The database's and the CLI's spellings: "none", "install", "delete", "troubleshoot";
// "null-string", "auth-string", "lsc-first", "mic-first"; "rsa", "ec", "ec-rsa".
std::string_view operation_name(Operation op);
Result<Operation> parse_operation(std::string_view text);
Result<AuthMode> parse_auth_mode(std::string_view text);
Result<KeyOrder> parse_key_order(std::string_view text);
std::string_view cert_kind_name(CertKind kind);  // "MIC", "LSC"
// "ok", "failed", "unknown_device", "disconnected", "tls_refused": metric label values.
std::string_view ending_name(Ending ending);
// As CUCM shows it: "Upgrade Success", "Failed: <why>"; empty for Unchanged.
std::string status_text(OperationStatus status, const std::string& why);

// A fault armed for the session (issue 18, `cucm-emu scenario set capf-…`): what the server does
// wrong on purpose once the phone has named itself. The TLS faults act before that, in the
// transport (capf/server.cpp), and are not here.
enum class SessionFault : std::uint8_t {
  None,
  Refuse,           // End with DeviceFacts::fault_reason at once, after AuthResponse
  StallAfterHello,  // nothing after AuthResponse: the phone's timeout or the server's deadline ends it
  DropBeforeStore,  // the connection closes after KeyGenResponse: no LSC issued, nothing recorded
  LscWrongCn,       // the LSC names another device (kFaultOtherDevice)
  LscExpired,       // the LSC's validity ended the day before it was issued
  LscWrongEku,      // the LSC without the clientAuth EKU
  LscUnknownCa,     // the LSC signed by EngineConfig::stranger_ca, not the CAPF CA
};
inline constexpr const char* kFaultOtherDevice = "SEP00000000FA17";
// "capf-refuse", …: the catalog's names (fault/catalog.cpp); nullopt for any other name.
std::optional<SessionFault> parse_session_fault(std::string_view name);
std::string_view session_fault_name(SessionFault f);
// Whether the fault can act on a session for that operation: the LSC faults and the drop before
// StoreCertRequest need an Install; a fault that cannot act is not used up.
bool session_fault_applies(SessionFault f, Operation op);

// What the engine needs of the device named in AuthResponse; the caller reads it.
struct DeviceFacts {
  std::string name;
  Operation operation = Operation::None;
  std::string auth_string;
  std::string deadline;  // 'YYYY-MM-DD HH:MM:SS' UTC; empty: none
  AuthMode auth_mode = AuthMode::NullString;
  KeyOrder key_order = KeyOrder::Rsa;
  int rsa_key_size = 2048;
  int ec_key_size = 256;
  SessionFault fault = SessionFault::None;  // armed for this session (the caller took it)
  std::uint8_t fault_reason = 7;           // with Refuse: the End reason sent
};

// The session's change to the device record, for the caller to apply in one transaction, and
// only while the device's scheduled operation is still `started_with` (an operation scheduled
// during the session must stay pending).
struct Commit {
  enum class Certificate : std::uint8_t { Keep, Record, Clear };
  std::string device;
  Operation started_with = Operation::None;
  Certificate certificate = Certificate::Keep;
  CertKind kind = CertKind::Mic;  // with Record
  Bytes der;                      // with Record
  std::shared_ptr<X509> parsed;   // with Record: `der` already parsed (a parse costs an OpenSSL 3 decoder)
  OperationStatus status = OperationStatus::Unchanged;
  std::string failure;            // with Failed
  bool operation_done = false;    // clears the operation, its auth string and its deadline
  std::string at;                 // 'YYYY-MM-DD HH:MM:SS' UTC of the attempt
};

// Records beside the database, made after the commit succeeded (or at once with no commit).
struct EventRecord {  // a line of the event log
  std::string device, what, result;
};
struct IssuedRecord {  // an LSC for DATA/capf/issued.pem
  std::string device, serial, at;
  Bytes der;
};
struct FetchedRecord {  // a certificate fetched by Troubleshoot, for DATA/capf/troubleshoot
  std::string device;
  CertKind kind = CertKind::Lsc;
  Bytes der;
};
using Effect = std::variant<EventRecord, IssuedRecord, FetchedRecord>;

// What to do after one input. In order: apply `commit` (then answer with on_committed), or
// look `lookup` up (then answer with on_device); record `effects`; send `send`, one write per
// message (phones stall on split header and body, §3.1); then close if `close`.
struct Step {
  std::vector<Bytes> send;
  bool close = false;
  std::optional<std::string> lookup;
  std::optional<Commit> commit;
  std::vector<Effect> effects;
};

struct EngineConfig {
  X509* ca = nullptr;          // the CAPF CA: issues LSCs
  EVP_PKEY* ca_key = nullptr;
  // A CA of no cluster, for SessionFault::LscUnknownCa; null: that fault fails the session.
  X509* stranger_ca = nullptr;
  EVP_PKEY* stranger_ca_key = nullptr;
  // Trusts the CAPF CA and the CAPF trust store: what a phone's certificate must chain to before
  // it authenticates the phone or is recorded as the device's key. Null: none is accepted.
  const signer::ChainVerifier* verifier = nullptr;
  int lsc_days = 365;
  int max_in_progress = 3;     // RequestInProgress messages accepted per key generation
  std::string peer;            // for the event log: "10.0.0.5:51234"
  std::string tls_min = "1.2";
  std::function<std::time_t()> now;                       // the wall clock
  std::function<std::array<std::uint8_t, 16>()> serial;  // random LSC serials
};

class Engine {
 public:
  Engine(std::uint32_t sid, const EngineConfig& cfg) : sid_(sid), cfg_(cfg) {}

  Step start();                              // AuthRequest{Version 3, AuthType 0}
  Step on_message(const Message& m);
  Step on_bad_bytes(const Error& e);         // framing or codec error: End{7} and close
  Step on_device(Result<DeviceFacts> facts);  // the answer to Step::lookup
  Step on_committed(const Status& applied);   // the answer to Step::commit
  Step on_disconnect();                      // the phone left: nothing is committed
  Step on_tls_refused(const std::string& why);  // no session: the handshake failed for `why`
  bool done() const { return state_ == State::Done; }
  const std::string& outcome() const { return outcome_; }
  // Once done(): how it ended, and the device's scheduled operation (nullopt when the phone named
  // no device on record, or none at all).
  Ending ending() const { return ending_; }
  std::optional<Operation> operation() const {
    return device_known_ ? std::optional<Operation>(device_.operation) : std::nullopt;
  }

 private:
  enum class State { Auth, Lookup, KeyGen, StoreCert, Fetch, Delete, Committing, Stalled, Done };
  // What follows a commit: the End to send, or a failure when it could not be applied.
  struct AfterCommit {
    Reason reason = Reason::NoAction;
    std::string outcome;
    std::vector<Effect> effects;
    bool end_even_if_not_applied = false;  // Delete: the phone did its part (as UCM)
  };

  Step end(Reason r, std::string outcome);
  Step fail(std::string why);  // End{7}; the status "Failed: why" when an operation was pending
  Step commit_then(Commit c, AfterCommit after);
  Step on_auth_device(const DeviceFacts& d);
  Status authenticate(const DeviceFacts& d);  // notes how, for the event
  // The AuthResponse's certificate is trusted, names the device, and the phone holds its key:
  // the certificate, parsed.
  Result<signer::X509Ptr> check_certificate_proof(const Message& m) const;
  Step record_auth_certificate();
  Step on_keygen(const Message& m);
  // The LSC for the phone's key, as the armed fault (if any) makes it wrong.
  Result<signer::X509Ptr> issue_lsc_for(EVP_PKEY& phone_key);
  Step stall();            // SessionFault::StallAfterHello
  Step drop_before_store();  // SessionFault::DropBeforeStore
  Step on_store(const Message& m);
  Step on_fetch(const Message& m);
  Step on_delete(const Message& m);
  Bytes message(Message m) const;
  Commit commit_for(OperationStatus status) const;
  EventRecord event(std::string what, std::string result) const;
  std::string now_text() const;

  std::uint32_t sid_;
  const EngineConfig& cfg_;
  State state_ = State::Auth;
  std::optional<Message> auth_;  // the AuthResponse, kept until the device is known
  DeviceFacts device_;
  bool device_known_ = false;
  std::string auth_used_;        // how the phone authenticated, for the event
  std::shared_ptr<X509> proven_;  // the AuthResponse's certificate once check_certificate_proof passed
  int in_progress_ = 0;
  Bytes issued_der_;             // the LSC sent in StoreCertRequest
  std::shared_ptr<X509> issued_;  // the same, parsed
  std::string issued_serial_;
  AfterCommit after_;
  std::string outcome_ = "connected";
  Ending ending_ = Ending::Disconnected;
};

}  // namespace cucm::capf
