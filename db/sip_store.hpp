// SIP registrations of phone lines and SIP trunks (migration 012): what the registrar records and
// what `sip registrations`, `device show` and `trunk …` read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "db/sqlite.hpp"

namespace cucm::db {

struct SipRegistration {
  std::string device;
  int line_index = 1;
  std::string directory_number, contact;
  std::string transport;  // udp, tcp, tls
  std::string source, cert_type, call_id, user_agent;
  std::int64_t registered_unix = 0, expires_unix = 0;
};

// A line as the registrar needs it: its device and the security mode of the device's profile.
struct LineOwnerRow {
  std::string device;
  int line_index = 1;
  std::string directory_number, auth_name, auth_password;
  int security_mode = 1;
};

struct SipTrunk {
  std::string name, description, peer_host;
  int peer_port = 5061;
  std::vector<std::string> x509_subjects;  // CN or DNS SAN values a peer certificate must carry one of
  int incoming_port = 5061;
};

// "a.example.com, b.example.com" -> its names, trimmed, empty ones dropped (CUCM's profile field
// takes commas; spaces are allowed too).
std::vector<std::string> split_subjects(std::string_view list);

class SipStore {
 public:
  explicit SipStore(const Database& db) : db_(db) {}

  // Every line with this directory number, across devices.
  Result<std::vector<LineOwnerRow>> lines_with_number(std::string_view dn) const;

  // Records a line's binding, replacing the one it had, and deletes bindings past their expiry:
  // one transaction.
  Status record(const SipRegistration& r);
  // Removes a line's binding (a REGISTER with expires 0); no binding is no error.
  Status remove(std::string_view device, int line_index);
  // Bindings not expired at `now_unix`, of one device or (empty) of all, by device and line.
  Result<std::vector<SipRegistration>> registrations(std::int64_t now_unix, std::string_view device = "") const;

  // InvalidArgument for an empty name, host or subject list, a bad port or text; AlreadyExists
  // for a name taken.
  Status add_trunk(const SipTrunk& t);
  Result<std::vector<SipTrunk>> trunks() const;
  Result<SipTrunk> trunk(std::string_view name) const;  // NotFound naming `trunk list`
  Status remove_trunk(std::string_view name);          // NotFound

 private:
  const Database& db_;
};

}  // namespace cucm::db
