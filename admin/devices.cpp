// Device administration.
#include "admin/devices.hpp"

#include <fmt/format.h>

#include "db/csv.hpp"

namespace cucm::admin {
namespace {

void apply(db::Device& d, const DeviceChanges& c) {
  if (c.description) d.description = *c.description;
  if (c.product) d.product = *c.product;
  if (c.protocol) d.protocol = *c.protocol;
  if (c.profile) d.profile = *c.profile;
  if (c.load_information) d.load_information = *c.load_information;
  if (c.vpn_group) d.vpn_group = *c.vpn_group;
  if (c.lines) {
    d.lines = *c.lines;
    for (std::size_t i = 0; i < d.lines.size(); ++i) d.lines[i].index = static_cast<int>(i) + 1;
  }
}

}  // namespace

Result<std::vector<db::Line>> parse_line_specs(const std::vector<std::string>& specs) {
  std::vector<db::Line> out;
  for (const auto& spec : specs) {
    std::vector<std::string> parts{""};
    for (char c : spec) {
      if (c == ',') parts.emplace_back();
      else parts.back().push_back(c);
    }
    if (parts.size() > 4) {
      return make_error(Errc::InvalidArgument, fmt::format("--line '{}': expected DN[,display[,auth name[,password]]]", spec));
    }
    parts.resize(4);
    db::Line l;
    l.index = static_cast<int>(out.size()) + 1;
    l.directory_number = parts[0];
    l.display_name = parts[1];
    l.auth_name = parts[2];
    l.auth_password = parts[3];
    out.push_back(std::move(l));
  }
  return out;
}

Result<db::Device> add_device(const db::Database& db, std::string_view name, const DeviceChanges& c, const Actor& by) {
  db::Device d;
  CUCM_TRY(d.name, db::normalise_device_name(name));
  apply(d, c);
  if (d.product.empty()) return make_error(Errc::InvalidArgument, "a device needs a product, e.g. \"Cisco 8845\"");
  if (d.protocol.empty()) d.protocol = "SIP";
  if (d.profile.empty()) d.profile = kUniversalProfile;
  db::DeviceStore store(db);
  CUCM_CHECK(store.add(d));
  audit(db, by, d.name, "device added");
  return store.get(d.name);
}

Result<db::Device> change_device(const db::Database& db, std::string_view name, const DeviceChanges& c,
                                 const Actor& by) {
  db::DeviceStore store(db);
  CUCM_TRY(auto d, store.get(name));
  apply(d, c);
  CUCM_CHECK(store.update(d));
  audit(db, by, d.name, "device changed");
  return store.get(d.name);
}

Result<std::string> delete_device(const db::Database& db, std::string_view name, const Actor& by) {
  CUCM_TRY(auto n, db::normalise_device_name(name));
  CUCM_CHECK(db::DeviceStore(db).remove(n));
  audit(db, by, n, "device deleted");
  return n;
}

Result<std::size_t> import_devices_csv(const db::Database& db, std::string_view csv, const std::string& from,
                                       const Actor& by, std::vector<db::RowError>& errors,
                                       const std::function<void(std::size_t)>& progress) {
  CUCM_TRY(auto rows, db::parse_csv(csv));
  auto devices = db::devices_from_csv(rows, errors);
  if (!errors.empty()) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("{} of {} rows are bad; nothing was imported", errors.size(),
                                  rows.empty() ? 0 : rows.size() - 1));
  }
  CUCM_TRY(auto added, db::DeviceStore(db).add_all(devices, errors, progress));
  audit(db, by, "", fmt::format("bulk import of {} devices from {}", added, from));
  return added;
}

Result<std::string> export_devices_csv(const db::Database& db) {
  CUCM_TRY(auto devices, db::DeviceStore(db).list());
  return db::devices_to_csv(devices);
}

}  // namespace cucm::admin
