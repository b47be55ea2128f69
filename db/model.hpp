// The cluster's records as plain structs, and the validation rules an administrator meets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace cucm::db {

struct SecurityProfile {
  std::int64_t id = 0;
  std::string name;
  std::string description;
  std::string product = "Universal Device Template";
  std::string protocol = "ANY";         // SCCP, SIP, or ANY for the universal template
  int security_mode = 1;                // 1 non-secure, 2 authenticated, 3 encrypted
  bool tftp_encrypted = false;
  std::string capf_auth_mode = "null-string";  // auth-string, null-string, lsc-first, mic-first
  std::string key_order = "rsa";        // rsa, ec, ec-rsa (EC preferred, RSA backup)
  int rsa_key_size = 2048;
  int ec_key_size = 256;
  int sip_phone_port = 5060;
  bool builtin = false;
};

struct Line {
  int index = 1;
  std::string directory_number;
  std::string display_name;
  std::string auth_name;
  std::string auth_password;
};

// The certificate CAPF recorded for a phone (LSC or MIC), with its public key and MD5.
struct RecordedCert {
  std::string type;        // LSC or MIC
  Bytes der;
  Bytes public_key;        // DER SubjectPublicKeyInfo
  std::string md5hash;     // lowercase hex MD5 of `der`
  std::string serial, issuer, not_before, not_after;
};

struct CapfState {
  std::string operation = "none";  // none, install, delete, troubleshoot
  std::string auth_string;
  std::string deadline;            // 'YYYY-MM-DD HH:MM:SS' UTC, empty = none
  std::string status;              // as CUCM shows it: Operation Pending, Upgrade Success, ...
  std::string last_attempt;
};

// What one CAPF session leaves behind, written by DeviceStore::apply_capf_outcome in one
// transaction so that the certificate on record and the operation's status never disagree.
struct CapfOutcome {
  enum class Certificate { Keep, Record, Clear };
  Certificate certificate = Certificate::Keep;
  RecordedCert recorded;       // with Certificate::Record
  std::string status;          // as CUCM shows it; empty = leave the status alone
  std::string at;              // 'YYYY-MM-DD HH:MM:SS' UTC of the attempt
  bool operation_done = false;  // clears the operation, its auth string and its deadline
  // Applied only while the device's scheduled operation is still this one (a CAPF session's
  // outcome must not overwrite an operation scheduled while it ran); empty: whatever it is.
  std::string expected_operation;
};

struct Device {
  std::string name;
  std::string description;
  std::string product;
  std::string protocol;
  std::string profile;  // security profile name
  std::string md5hash;
  std::optional<RecordedCert> cert;
  std::string load_information;  // empty: the cluster default for the product
  std::string vpn_group;
  std::int64_t config_version = 1;
  CapfState capf;
  std::vector<Line> lines;
};

// A VPN group (seed 001): the headend's URL and the hashes of the certificates a headend may
// present, which a phone compares with the hash of the one it is shown.
struct VpnGroup {
  std::string name, url;
  std::vector<std::string> cert_hashes;  // certHash1, certHash2, ...: base64, at most kMaxVpnCertHashes
  std::string hash_alg = "sha1";         // "sha1" or "sha512"
};
// certHash1 ... certHash10 (usecallmanager.nz's SEPMAC.cnf.xml).
inline constexpr std::size_t kMaxVpnCertHashes = 10;

struct Event {
  std::int64_t id = 0;
  std::string time, source, service, device, what, result;
};

// InvalidArgument with a message that says what is allowed. `name` may be given in lower case;
// the normalised (upper-case) form is returned.
Result<std::string> normalise_device_name(std::string_view name);
Status validate_auth_string(std::string_view s);           // 4..10 digits
Status validate_text(std::string_view field, std::string_view s, std::size_t max_len);  // UTF-8, no control chars
Status validate_profile(const SecurityProfile& p);
Status validate_line(const Line& l);
Result<std::string> normalise_capf_operation(std::string_view op);  // also accepts CUCM's words

}  // namespace cucm::db
