// SIP registrations and trunks.
#include "db/sip_store.hpp"

#include <fmt/format.h>

#include "db/model.hpp"

namespace cucm::db {
namespace {

constexpr std::string_view kRegistrationColumns =
    "device, line_index, directory_number, contact, transport, source, cert_type, call_id, user_agent, "
    "registered_unix, expires_unix";
constexpr std::string_view kTrunkColumns = "name, description, peer_host, peer_port, x509_subjects, incoming_port";

SipRegistration registration_row(const Statement& s) {
  return {s.text(0), static_cast<int>(s.int64(1)), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6),
          s.text(7), s.text(8), s.int64(9),         s.int64(10)};
}

SipTrunk trunk_row(const Statement& s) {
  return {s.text(0), s.text(1), s.text(2), static_cast<int>(s.int64(3)), split_subjects(s.text(4)),
          static_cast<int>(s.int64(5))};
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

Status validate_trunk(const SipTrunk& t) {
  if (t.name.empty()) return make_error(Errc::InvalidArgument, "trunk name is empty");
  CUCM_CHECK(validate_text("trunk name", t.name, 50));
  CUCM_CHECK(validate_text("trunk description", t.description, 128));
  if (t.peer_host.empty()) return make_error(Errc::InvalidArgument, fmt::format("trunk {}: --peer needs a host", t.name));
  CUCM_CHECK(validate_text("trunk peer host", t.peer_host, 255));
  for (int port : {t.peer_port, t.incoming_port}) {
    if (port < 1 || port > 65535) return make_error(Errc::InvalidArgument, fmt::format("trunk {}: port {} vs 1..65535", t.name, port));
  }
  if (t.x509_subjects.empty()) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("trunk {}: --x509-subject needs at least one name (the peer certificate's CN or a SAN)", t.name));
  }
  for (const auto& s : t.x509_subjects) CUCM_CHECK(validate_text("x509 subject name", s, 255));
  // CUCM's field holds at most 4096 characters.
  if (join(t.x509_subjects).size() > 4096) {
    return make_error(Errc::InvalidArgument, fmt::format("trunk {}: X.509 subject names exceed 4096 characters", t.name));
  }
  return Ok{};
}

}  // namespace

std::vector<std::string> split_subjects(std::string_view list) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= list.size()) {
    std::size_t end = list.find_first_of(", ", i);
    if (end == std::string_view::npos) end = list.size();
    if (end > i) out.emplace_back(list.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

Result<std::vector<LineOwnerRow>> SipStore::lines_with_number(std::string_view dn) const {
  CUCM_TRY(auto s, db_.prepare("SELECT l.device_name, l.line_index, l.directory_number, l.auth_name, l.auth_password, "
                               "p.security_mode FROM line l JOIN device d ON d.name = l.device_name "
                               "JOIN security_profile p ON p.id = d.profile_id "
                               "WHERE l.directory_number = ?1 ORDER BY l.device_name, l.line_index"));
  s.bind(1, dn);
  std::vector<LineOwnerRow> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) return out;
    out.push_back({s.text(0), static_cast<int>(s.int64(1)), s.text(2), s.text(3), s.text(4), static_cast<int>(s.int64(5))});
  }
}

Status SipStore::record(const SipRegistration& r) {
  CUCM_TRY(auto tx, Transaction::begin(db_));
  CUCM_TRY(auto del, db_.prepare("DELETE FROM sip_registration WHERE expires_unix <= ?1"));
  del.bind(1, r.registered_unix);
  CUCM_CHECK(del.run());
  CUCM_TRY(auto s, db_.prepare(fmt::format("INSERT OR REPLACE INTO sip_registration ({}) "
                                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                                           kRegistrationColumns)));
  s.bind(1, std::string_view(r.device)).bind(2, std::int64_t{r.line_index}).bind(3, std::string_view(r.directory_number));
  s.bind(4, std::string_view(r.contact)).bind(5, std::string_view(r.transport)).bind(6, std::string_view(r.source));
  s.bind(7, std::string_view(r.cert_type)).bind(8, std::string_view(r.call_id)).bind(9, std::string_view(r.user_agent));
  s.bind(10, r.registered_unix).bind(11, r.expires_unix);
  CUCM_CHECK(s.run());
  return tx.commit();
}

Status SipStore::remove(std::string_view device, int line_index) {
  CUCM_TRY(auto s, db_.prepare("DELETE FROM sip_registration WHERE device = ?1 AND line_index = ?2"));
  s.bind(1, device).bind(2, std::int64_t{line_index});
  return s.run();
}

Result<std::vector<SipRegistration>> SipStore::registrations(std::int64_t now_unix, std::string_view device) const {
  CUCM_TRY(auto s, db_.prepare(fmt::format("SELECT {} FROM sip_registration WHERE expires_unix > ?1 "
                                           "AND (?2 = '' OR device = ?2) ORDER BY device, line_index",
                                           kRegistrationColumns)));
  s.bind(1, now_unix).bind(2, device.empty() ? std::string_view("") : device);
  std::vector<SipRegistration> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) return out;
    out.push_back(registration_row(s));
  }
}

Status SipStore::add_trunk(const SipTrunk& t) {
  CUCM_CHECK(validate_trunk(t));
  CUCM_TRY(auto s, db_.prepare(fmt::format("INSERT INTO sip_trunk ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                                           "ON CONFLICT (name) DO NOTHING", kTrunkColumns)));
  std::string subjects = join(t.x509_subjects);
  s.bind(1, std::string_view(t.name)).bind(2, std::string_view(t.description)).bind(3, std::string_view(t.peer_host));
  s.bind(4, std::int64_t{t.peer_port}).bind(5, std::string_view(subjects)).bind(6, std::int64_t{t.incoming_port});
  CUCM_CHECK(s.run());
  if (db_.changes() == 0) {
    return make_error(Errc::AlreadyExists, fmt::format("trunk '{}' exists (trunk remove {} first)", t.name, t.name));
  }
  return Ok{};
}

Result<std::vector<SipTrunk>> SipStore::trunks() const {
  CUCM_TRY(auto s, db_.prepare(fmt::format("SELECT {} FROM sip_trunk ORDER BY name", kTrunkColumns)));
  std::vector<SipTrunk> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) return out;
    out.push_back(trunk_row(s));
  }
}

Result<SipTrunk> SipStore::trunk(std::string_view name) const {
  CUCM_TRY(auto s, db_.prepare(fmt::format("SELECT {} FROM sip_trunk WHERE name = ?1", kTrunkColumns)));
  s.bind(1, name);
  CUCM_TRY(bool row, s.step());
  if (!row) return make_error(Errc::NotFound, fmt::format("unknown trunk '{}' (see 'cucm-emu trunk list')", name));
  return trunk_row(s);
}

Status SipStore::remove_trunk(std::string_view name) {
  CUCM_TRY(auto s, db_.prepare("DELETE FROM sip_trunk WHERE name = ?1"));
  s.bind(1, name);
  CUCM_CHECK(s.run());
  if (db_.changes() == 0) return make_error(Errc::NotFound, fmt::format("unknown trunk '{}' (see 'cucm-emu trunk list')", name));
  return Ok{};
}

}  // namespace cucm::db
