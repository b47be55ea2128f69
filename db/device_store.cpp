// Device rows, their lines, and the CAPF columns.
#include "db/device_store.hpp"

#include <map>

#include <fmt/format.h>

#include "db/profile_store.hpp"
#include "db/rows.hpp"

namespace cucm::db {
namespace {

// The device and its profile's name, in one row.
const std::string& select_devices() {
  static const std::string sql =
      fmt::format("SELECT {} FROM device d JOIN security_profile p ON p.id = d.profile_id", rows::kDeviceColumns);
  return sql;
}

Status validate_device(const Device& d) {
  CUCM_TRY(auto name, normalise_device_name(d.name));
  if (name != d.name) return make_error(Errc::InvalidArgument, fmt::format("device name '{}' must be upper case", d.name));
  CUCM_CHECK(validate_text("description", d.description, 128));
  CUCM_CHECK(validate_text("load information", d.load_information, 64));
  if (d.product.empty()) return make_error(Errc::InvalidArgument, "product is empty (e.g. \"Cisco 7942\")");
  CUCM_CHECK(validate_text("product", d.product, 100));
  if (d.protocol != "SCCP" && d.protocol != "SIP") {
    return make_error(Errc::InvalidArgument, fmt::format("invalid device protocol '{}': SCCP or SIP", d.protocol));
  }
  std::map<int, int> seen;
  for (const auto& l : d.lines) {
    CUCM_CHECK(validate_line(l));
    if (seen[l.index]++) return make_error(Errc::InvalidArgument, fmt::format("line {} is given twice", l.index));
  }
  CUCM_TRY(auto op, normalise_capf_operation(d.capf.operation));
  if (op != d.capf.operation) return make_error(Errc::Internal, "db: CAPF operation not normalised");
  if (!d.capf.auth_string.empty()) CUCM_CHECK(validate_auth_string(d.capf.auth_string));
  return Ok{};
}

}  // namespace

Result<std::int64_t> DeviceStore::checked_profile(const Device& d) const {
  CUCM_TRY(auto p, ProfileStore(db_).get(d.profile));
  if (p.product != "Universal Device Template" && p.product != d.product) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("profile '{}' is for {} and cannot be used by a {}", p.name, p.product, d.product));
  }
  if (p.protocol != "ANY" && p.protocol != d.protocol) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("profile '{}' is for {} phones and cannot be used by a {} phone", p.name, p.protocol, d.protocol));
  }
  if (p.capf_auth_mode == "auth-string" && d.capf.operation != "none" && d.capf.auth_string.empty()) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("profile '{}' authenticates CAPF by authentication string: give one (4 to 10 digits)", p.name));
  }
  return p.id;
}

Status DeviceStore::insert(const Device& d, std::int64_t profile_id) {
  CUCM_TRY(auto s, db_.prepare("INSERT INTO device (name, description, product, protocol, profile_id, load_information, "
                               "vpn_group, capf_operation, capf_auth_string, capf_deadline, capf_status) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, ''), ?8, ?9, nullif(?10, ''), ?11)"));
  s.bind(1, std::string_view(d.name))
      .bind(2, std::string_view(d.description))
      .bind(3, std::string_view(d.product))
      .bind(4, std::string_view(d.protocol))
      .bind(5, profile_id)
      .bind(6, std::string_view(d.load_information))
      .bind(7, std::string_view(d.vpn_group))
      .bind(8, std::string_view(d.capf.operation))
      .bind(9, std::string_view(d.capf.auth_string))
      .bind(10, std::string_view(d.capf.deadline))
      .bind(11, std::string_view(d.capf.operation == "none" ? d.capf.status : "Operation Pending"));
  if (auto st = s.run(); !st) {
    if (get(d.name)) return make_error(Errc::AlreadyExists, fmt::format("device {} already exists", d.name));
    return st;
  }
  return replace_lines(d);
}

Status DeviceStore::replace_lines(const Device& d) {
  CUCM_TRY(auto del, db_.prepare("DELETE FROM line WHERE device_name = ?1"));
  del.bind(1, std::string_view(d.name));
  CUCM_CHECK(del.run());
  for (const auto& l : d.lines) {
    CUCM_TRY(auto s, db_.prepare("INSERT INTO line (device_name, line_index, directory_number, display_name, auth_name, "
                                 "auth_password) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    s.bind(1, std::string_view(d.name))
        .bind(2, std::int64_t{l.index})
        .bind(3, std::string_view(l.directory_number))
        .bind(4, std::string_view(l.display_name))
        .bind(5, std::string_view(l.auth_name))
        .bind(6, std::string_view(l.auth_password));
    CUCM_CHECK(s.run());
  }
  return Ok{};
}

Status DeviceStore::add(const Device& d) {
  CUCM_CHECK(validate_device(d));
  CUCM_TRY(auto tx, Transaction::begin(db_));
  CUCM_TRY(auto profile_id, checked_profile(d));
  CUCM_CHECK(insert(d, profile_id));
  return tx.commit();
}

Result<std::size_t> DeviceStore::add_all(const std::vector<Device>& devices, std::vector<RowError>& errors,
                                         const std::function<void(std::size_t)>& progress) {
  CUCM_TRY(auto tx, Transaction::begin(db_));
  std::map<std::string, std::int64_t> seen;
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const Device& d = devices[i];
    auto fail = [&](const Error& e) { errors.push_back({i + 1, e.message}); };
    if (auto st = validate_device(d); !st) { fail(st.error()); continue; }
    if (seen.count(d.name)) {
      fail(make_error(Errc::AlreadyExists, fmt::format("device {} is also on row {}", d.name, seen[d.name])));
      continue;
    }
    seen[d.name] = static_cast<std::int64_t>(i + 1);
    auto pid = checked_profile(d);
    if (!pid) { fail(pid.error()); continue; }
    if (auto st = insert(d, *pid); !st) fail(st.error());
    if (progress && (i + 1) % 500 == 0) progress(i + 1);
  }
  if (progress) progress(devices.size());
  if (!errors.empty()) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("{} of {} rows are bad; nothing was imported", errors.size(), devices.size()));
  }
  CUCM_CHECK(tx.commit());
  return devices.size();
}

Result<Device> DeviceStore::get(std::string_view name_in) const {
  CUCM_TRY(std::string name, normalise_device_name(name_in));
  static const std::string sql = select_devices() + " WHERE d.name = ?1";
  CUCM_TRY(auto s, db_.prepare(sql));
  s.bind(1, std::string_view(name));
  CUCM_TRY(bool row, s.step());
  if (!row) return make_error(Errc::NotFound, fmt::format("unknown device {} (see 'cucm-emu device list')", name));
  Device d = rows::device(s);
  CUCM_TRY(auto l, db_.prepare("SELECT line_index, directory_number, display_name, auth_name, auth_password FROM line "
                               "WHERE device_name = ?1 ORDER BY line_index"));
  l.bind(1, std::string_view(name));
  while (true) {
    CUCM_TRY(bool more, l.step());
    if (!more) break;
    d.lines.push_back(Line{static_cast<int>(l.int64(0)), l.text(1), l.text(2), l.text(3), l.text(4)});
  }
  return d;
}

Result<std::vector<Device>> DeviceStore::list() const {
  CUCM_TRY(auto s, db_.prepare(select_devices() + " ORDER BY d.name"));
  std::vector<Device> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) break;
    out.push_back(rows::device(s));
  }
  // Lines in one pass, not one query per device.
  CUCM_TRY(auto l, db_.prepare("SELECT device_name, line_index, directory_number, display_name, auth_name, auth_password "
                               "FROM line ORDER BY device_name, line_index"));
  std::map<std::string, std::vector<Line>> lines;
  while (true) {
    CUCM_TRY(bool row, l.step());
    if (!row) break;
    lines[l.text(0)].push_back(Line{static_cast<int>(l.int64(1)), l.text(2), l.text(3), l.text(4), l.text(5)});
  }
  for (auto& d : out) d.lines = std::move(lines[d.name]);
  return out;
}

Result<DeviceStore::Page> DeviceStore::page(std::size_t offset, std::size_t limit, std::string_view contains) const {
  // LIKE with its wildcards escaped, so "50%" finds a description with "50%" in it.
  std::string pattern = "%";
  for (char c : contains) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += '%';
  const std::string where = " WHERE (?1 = '%%' OR d.name LIKE ?1 ESCAPE '\\' OR d.description LIKE ?1 ESCAPE '\\')";
  Page out;
  // The total and the rows from one snapshot: a device written in between must not make them
  // disagree (the site writes while the CLI does).
  CUCM_TRY(auto snapshot, ReadTransaction::begin(db_));
  // Without a filter the count is the table's, which SQLite keeps cheap to read (no LIKE per row).
  CUCM_TRY(auto count, db_.prepare(contains.empty() ? std::string("SELECT count(*) FROM device")
                                                    : "SELECT count(*) FROM device d" + where));
  if (!contains.empty()) count.bind(1, std::string_view(pattern));
  CUCM_TRY(bool counted, count.step());
  if (counted) out.total = static_cast<std::size_t>(count.int64(0));
  CUCM_TRY(auto s, db_.prepare(select_devices() + where + " ORDER BY d.name LIMIT ?2 OFFSET ?3"));
  s.bind(1, std::string_view(pattern))
      .bind(2, static_cast<std::int64_t>(limit))
      .bind(3, static_cast<std::int64_t>(offset));
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) break;
    out.devices.push_back(rows::device(s));
  }
  if (out.devices.empty()) return out;
  CUCM_TRY(auto l, db_.prepare("SELECT device_name, line_index, directory_number, display_name, auth_name, auth_password "
                               "FROM line WHERE device_name BETWEEN ?1 AND ?2 ORDER BY device_name, line_index"));
  l.bind(1, std::string_view(out.devices.front().name)).bind(2, std::string_view(out.devices.back().name));
  std::map<std::string, std::vector<Line>> lines;
  while (true) {
    CUCM_TRY(bool row, l.step());
    if (!row) break;
    lines[l.text(0)].push_back(Line{static_cast<int>(l.int64(1)), l.text(2), l.text(3), l.text(4), l.text(5)});
  }
  for (auto& d : out.devices) d.lines = std::move(lines[d.name]);
  return out;
}

Status DeviceStore::update(const Device& d) {
  CUCM_CHECK(validate_device(d));
  CUCM_TRY(auto tx, Transaction::begin(db_));
  CUCM_TRY(auto old, get(d.name));
  CUCM_TRY(auto profile_id, checked_profile(d));
  CUCM_TRY(auto s, db_.prepare("UPDATE device SET description = ?2, product = ?3, protocol = ?4, profile_id = ?5, "
                               "load_information = ?6, vpn_group = nullif(?7, '') WHERE name = ?1"));
  s.bind(1, std::string_view(d.name))
      .bind(2, std::string_view(d.description))
      .bind(3, std::string_view(d.product))
      .bind(4, std::string_view(d.protocol))
      .bind(5, profile_id)
      .bind(6, std::string_view(d.load_information))
      .bind(7, std::string_view(d.vpn_group));
  CUCM_CHECK(s.run());
  CUCM_CHECK(replace_lines(d));
  return tx.commit();
}

Status DeviceStore::remove(std::string_view name_in) {
  CUCM_TRY(std::string name, normalise_device_name(name_in));
  CUCM_TRY(auto s, db_.prepare("DELETE FROM device WHERE name = ?1"));
  s.bind(1, std::string_view(name));
  CUCM_CHECK(s.run());
  if (db_.changes() == 0) return make_error(Errc::NotFound, fmt::format("unknown device {}", name));
  return Ok{};
}

Status DeviceStore::record_certificate(std::string_view name_in, const RecordedCert& c) {
  CUCM_TRY(std::string name, normalise_device_name(name_in));
  return write_certificate(name, c);
}

Status DeviceStore::write_certificate(const std::string& name, const RecordedCert& c) {
  if (c.type != "LSC" && c.type != "MIC") {
    return make_error(Errc::InvalidArgument, fmt::format("certificate type '{}': LSC or MIC", c.type));
  }
  CUCM_TRY(auto s, db_.prepare("UPDATE device SET md5hash = ?2, public_key = ?3, certificate = ?4, cert_type = ?5, "
                               "cert_serial = ?6, cert_issuer = ?7, cert_not_before = ?8, cert_not_after = ?9 "
                               "WHERE name = ?1"));
  s.bind(1, std::string_view(name))
      .bind(2, std::string_view(c.md5hash))
      .bind(3, ByteView(c.public_key))
      .bind(4, ByteView(c.der))
      .bind(5, std::string_view(c.type))
      .bind(6, std::string_view(c.serial))
      .bind(7, std::string_view(c.issuer))
      .bind(8, std::string_view(c.not_before))
      .bind(9, std::string_view(c.not_after));
  CUCM_CHECK(s.run());
  if (db_.changes() == 0) return make_error(Errc::NotFound, fmt::format("unknown device {}", name));
  return Ok{};
}

Status DeviceStore::clear_certificate(std::string_view name_in) {
  CUCM_TRY(std::string name, normalise_device_name(name_in));
  return erase_certificate(name);
}

Status DeviceStore::erase_certificate(const std::string& name) {
  CUCM_TRY(auto s, db_.prepare("UPDATE device SET md5hash = '', public_key = NULL, certificate = NULL, cert_type = NULL, "
                               "cert_serial = NULL, cert_issuer = NULL, cert_not_before = NULL, cert_not_after = NULL "
                               "WHERE name = ?1"));
  s.bind(1, std::string_view(name));
  CUCM_CHECK(s.run());
  if (db_.changes() == 0) return make_error(Errc::NotFound, fmt::format("unknown device {}", name));
  return Ok{};
}

Status DeviceStore::apply_capf_outcome(std::string_view name_in, const CapfOutcome& o) {
  CUCM_TRY(std::string name, normalise_device_name(name_in));
  CUCM_TRY(auto tx, Transaction::begin(db_));
  if (!o.expected_operation.empty()) {
    // Compare and set, inside the transaction: a schedule written meanwhile (the CLI, sqlite3)
    // wins, and stays pending for the phone's next session.
    std::string now;
    {
      CUCM_TRY(auto q, db_.prepare("SELECT capf_operation FROM device WHERE name = ?1"));
      q.bind(1, std::string_view(name));
      CUCM_TRY(bool row, q.step());
      if (!row) return make_error(Errc::NotFound, fmt::format("unknown device {}", name));
      now = q.text(0);
    }
    if (now != o.expected_operation) {
      return make_error(Errc::AlreadyExists,
                        fmt::format("{}: the CAPF operation changed from '{}' to '{}' during the session; '{}' stays "
                                    "pending and this session's result was not recorded",
                                    name, o.expected_operation, now, now));
    }
  }
  if (o.certificate == CapfOutcome::Certificate::Record) CUCM_CHECK(write_certificate(name, o.recorded));
  if (o.certificate == CapfOutcome::Certificate::Clear) CUCM_CHECK(erase_certificate(name));
  if (!o.status.empty()) {
    // The operation's fields are cleared only when it is done; a failure keeps it pending.
    CUCM_TRY(auto s, db_.prepare("UPDATE device SET capf_status = ?2, capf_last_attempt = nullif(?3, ''), "
                                 "capf_operation = CASE WHEN ?4 THEN 'none' ELSE capf_operation END, "
                                 "capf_auth_string = CASE WHEN ?4 THEN '' ELSE capf_auth_string END, "
                                 "capf_deadline = CASE WHEN ?4 THEN NULL ELSE capf_deadline END "
                                 "WHERE name = ?1"));
    s.bind(1, std::string_view(name))
        .bind(2, std::string_view(o.status))
        .bind(3, std::string_view(o.at))
        .bind(4, static_cast<std::int64_t>(o.operation_done ? 1 : 0));
    CUCM_CHECK(s.run());
    if (db_.changes() == 0) return make_error(Errc::NotFound, fmt::format("unknown device {}", name));
  }
  return tx.commit();
}

Status DeviceStore::set_capf(std::string_view name_in, const CapfState& capf) {
  CUCM_TRY(std::string name, normalise_device_name(name_in));
  CUCM_TRY(auto op, normalise_capf_operation(capf.operation));
  if (!capf.auth_string.empty()) CUCM_CHECK(validate_auth_string(capf.auth_string));
  CUCM_TRY(auto tx, Transaction::begin(db_));
  CUCM_TRY(Device d, get(name));
  d.capf = capf;
  d.capf.operation = op;
  CUCM_CHECK(checked_profile(d));
  CUCM_TRY(auto s, db_.prepare("UPDATE device SET capf_operation = ?2, capf_auth_string = ?3, "
                               "capf_deadline = nullif(?4, ''), capf_status = ?5, "
                               "capf_last_attempt = nullif(?6, '') WHERE name = ?1"));
  s.bind(1, std::string_view(name))
      .bind(2, std::string_view(op))
      .bind(3, std::string_view(capf.auth_string))
      .bind(4, std::string_view(capf.deadline))
      .bind(5, std::string_view(capf.status))
      .bind(6, std::string_view(capf.last_attempt));
  CUCM_CHECK(s.run());
  return tx.commit();
}

}  // namespace cucm::db
