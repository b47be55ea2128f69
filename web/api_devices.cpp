// /api/v1/devices: the device list, one device, its CAPF operation, its events, CSV.
#include <ctime>

#include <fmt/format.h>

#include "admin/capf_ops.hpp"
#include "admin/devices.hpp"
#include "admin/views.hpp"
#include "db/device_store.hpp"
#include "db/event_log.hpp"
#include "db/sip_store.hpp"
#include "web/api.hpp"
#include "web/json_fields.hpp"
#include "web/request_parse.hpp"

namespace cucm::web {
namespace {

// A query parameter as a count: InvalidArgument naming it unless 0..max.
Result<std::size_t> count_param(const Request& r, const char* name, std::size_t fallback, std::size_t max) {
  auto it = r.query.find(name);
  if (it == r.query.end() || it->second.empty()) return fallback;
  return parse_count(it->second, name, max);
}

Result<admin::DeviceChanges> device_changes(const Fields& f, bool with_name) {
  CUCM_CHECK(f.only({"description", "product", "protocol", "profile", "load_information", "vpn_group", "lines"},
                    with_name ? "name" : ""));
  admin::DeviceChanges c;
  CUCM_TRY(c.description, f.text("description"));
  CUCM_TRY(c.product, f.text("product"));
  CUCM_TRY(c.protocol, f.text("protocol"));
  CUCM_TRY(c.profile, f.text("profile"));
  CUCM_TRY(c.load_information, f.text("load_information"));
  CUCM_TRY(c.vpn_group, f.text("vpn_group"));
  CUCM_TRY(c.lines, f.lines("lines"));
  return c;
}

Response device_with_registrations(const db::Database& db, const db::Device& d, int status) {
  std::time_t now = std::time(nullptr);
  auto regs = db::SipStore(db).registrations(now, d.name);
  if (!regs) return error_response(regs.error());
  auto j = admin::device_json(d);
  j["sip_registrations"] = admin::registrations_json(*regs, now);
  return json_response(status, j);
}

}  // namespace

Response Api::device_list(const Request& r) {
  const db::Database& db = db_;
  auto offset = count_param(r, "offset", 0, 10'000'000);
  if (!offset) return error_response(offset.error());
  auto limit = count_param(r, "limit", 100, 1000);
  if (!limit) return error_response(limit.error());
  std::string q = r.query.count("q") ? r.query.at("q") : "";
  if (q.size() > 64) return error_response(400, "'q' is at most 64 characters");
  auto page = db::DeviceStore(db).page(*offset, *limit, q);
  if (!page) return error_response(page.error());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : page->devices) list.push_back(admin::device_json(d));
  return json_response(200, {{"total", page->total}, {"offset", *offset}, {"limit", *limit}, {"devices", std::move(list)}});
}

Response Api::cached_device_list(const Request& r) {
  auto version = db_.prepare("PRAGMA data_version");
  if (!version) return error_response(version.error());
  auto row = version->step();
  if (!row) return error_response(row.error());
  std::int64_t now = version->int64(0);
  if (now != pages_.version) {
    pages_.bodies.clear();
    pages_.version = now;
  }
  auto param = [&](const char* name) { return r.query.count(name) ? r.query.at(name) : std::string("-"); };
  std::string key = param("offset") + '\n' + param("limit") + '\n' + param("q");
  if (auto it = pages_.bodies.find(key); it != pages_.bodies.end()) {
    Response res;
    res.body = it->second;
    return res;
  }
  Response res = device_list(r);
  if (res.status == 200) {
    if (pages_.bodies.size() >= kMaxCachedPages) pages_.bodies.clear();
    pages_.bodies.emplace(std::move(key), res.body);
  }
  return res;
}

Response Api::devices(const Request& r, const std::vector<std::string>& parts, const admin::Actor& by) {
  const std::string& m = r.method;
  if (parts[0] == "devices.csv") {
    if (parts.size() != 1) return error_response(404, "no such resource");
    if (m == "GET" || m == "HEAD") {
      auto csv = admin::export_devices_csv(db_);
      if (!csv) return error_response(csv.error());
      Response res;
      res.content_type = "text/csv; charset=utf-8";
      res.body = std::move(*csv);
      res.headers.emplace_back("Content-Disposition", "attachment; filename=\"devices.csv\"");
      return res;
    }
    if (m != "POST") return error_response(405, "GET exports the devices, POST imports them");
    std::vector<db::RowError> errors;
    auto added = admin::import_devices_csv(db_, r.body, "the admin site", by, errors);
    if (added) return json_response(200, {{"imported", *added}});
    auto rows = nlohmann::json::array();
    for (const auto& e : errors) rows.push_back({{"row", e.row}, {"message", e.message}});
    auto res = error_response(added.error());
    if (res.status == 400) res = json_response(400, {{"error", added.error().message}, {"rows", rows}});
    return res;
  }
  if (parts.size() == 1) {
    if (m == "GET" || m == "HEAD") return cached_device_list(r);
    if (m != "POST") return error_response(405, "GET lists the devices, POST adds one");
    auto f = Fields::parse(r.body);
    if (!f) return error_response(f.error());
    auto c = device_changes(*f, true);
    if (!c) return error_response(c.error());
    auto name = f->text("name");
    if (!name) return error_response(name.error());
    if (!*name) return error_response(400, "a device needs a name: SEP + 12 hex digits");
    auto d = admin::add_device(db_, **name, *c, by);
    if (!d) return error_response(d.error());
    return device_with_registrations(db_, *d, 201);
  }
  const std::string& name = parts[1];
  if (parts.size() == 3 && parts[2] == "capf") return capf(r, name, by);
  if (parts.size() == 3 && parts[2] == "events") {
    if (m != "GET" && m != "HEAD") return error_response(405, "read-only: GET");
    auto n = db::normalise_device_name(name);
    if (!n) return error_response(n.error());
    return events(r, *n);
  }
  if (parts.size() != 2) return error_response(404, "no such resource");
  if (m == "GET" || m == "HEAD") {
    auto d = db::DeviceStore(db_).get(name);
    if (!d) return error_response(d.error());
    return device_with_registrations(db_, *d, 200);
  }
  if (m == "PATCH") {
    auto f = Fields::parse(r.body);
    if (!f) return error_response(f.error());
    auto c = device_changes(*f, false);
    if (!c) return error_response(c.error());
    auto d = admin::change_device(db_, name, *c, by);
    if (!d) return error_response(d.error());
    return device_with_registrations(db_, *d, 200);
  }
  if (m == "DELETE") {
    auto gone = admin::delete_device(db_, name, by);
    if (!gone) return error_response(gone.error());
    return no_content();
  }
  return error_response(405, "GET, PATCH or DELETE a device");
}

Response Api::capf(const Request& r, const std::string& name, const admin::Actor& by) {
  if (name.empty()) {
    auto all = admin::capf_operations(db_);
    if (!all) return error_response(all.error());
    auto ops = nlohmann::json::array();
    for (const auto& d : *all) {
      ops.push_back({{"device", d.name}, {"operation", d.capf.operation}, {"status", d.capf.status},
                     {"deadline", d.capf.deadline}, {"certificate", d.cert ? d.cert->type : ""}});
    }
    return json_response(200, {{"operations", ops}});
  }
  if (r.method == "DELETE") {
    auto d = admin::cancel_capf(db_, name, by);
    if (!d) return error_response(d.error());
    return json_response(200, admin::device_json(*d));
  }
  if (r.method != "PUT") return error_response(405, "PUT schedules a CAPF operation, DELETE cancels it");
  auto f = Fields::parse(r.body);
  if (!f) return error_response(f.error());
  if (auto st = f->only({"operation", "auth_string", "deadline", "days"}); !st) return error_response(st.error());
  admin::CapfRequest req;
  auto op = f->text("operation");
  auto auth_string = f->text("auth_string");
  auto deadline = f->text("deadline");
  auto days = f->integer("days");
  for (const Error* e : {failed(op), failed(auth_string), failed(deadline), failed(days)}) {
    if (e) return error_response(*e);
  }
  if (!*op) return error_response(400, "give the operation: install, delete or troubleshoot");
  req.operation = **op;
  req.auth_string = auth_string->value_or("");
  req.deadline = deadline->value_or("");
  req.days = days->value_or(0);
  auto d = admin::schedule_capf(db_, name, req, by);
  if (!d) return error_response(d.error());
  return json_response(200, admin::device_json(*d));
}

Response Api::events(const Request& r, const std::string& device) {
  auto limit = count_param(r, "limit", device.empty() ? 100 : 200, 1000);
  if (!limit) return error_response(limit.error());
  std::string dev = device;
  if (dev.empty() && r.query.count("device") && !r.query.at("device").empty()) {
    auto n = db::normalise_device_name(r.query.at("device"));
    if (!n) return error_response(n.error());
    dev = *n;
  }
  auto after = count_param(r, "after", 0, kMaxCount);
  if (!after) return error_response(after.error());
  db::EventLog log(db_);
  auto rows = *after > 0 ? log.since(static_cast<std::int64_t>(*after), dev, static_cast<int>(*limit))
                         : log.tail(dev, static_cast<int>(*limit));
  if (!rows) return error_response(rows.error());
  auto list = nlohmann::json::array();
  for (const auto& e : *rows) list.push_back(admin::event_json(e));
  return json_response(200, {{"events", list}});
}

}  // namespace cucm::web
