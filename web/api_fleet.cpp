// /api/v1/fleet: how many phones are at each step of their boot, and why the failures failed.
#include <ctime>
#include <map>

#include "db/sip_store.hpp"
#include "web/api.hpp"

namespace cucm::web {
namespace {

// A phone's step, from the newest event about it: a refusal or failure, or the service it last
// spoke to. A live SIP registration outranks the events: the phone is up.
std::string state_of(const std::string& service, const std::string& result) {
  if (!result.empty() && result != "ok") return "failed";
  if (service == "tftp" || service == "http" || service == "https") return "fetching files";
  if (service == "capf") return "CAPF";
  if (service == "tvs") return "TVS";
  if (service == "sip") return "SIP";
  return "configured";  // only administration so far
}

// "refused: not in the database" -> "refused"; the class of a result as the event writer's
// refusal limiter groups them.
std::string reason_of(const std::string& result) {
  auto colon = result.find(':');
  return colon == std::string::npos ? result : result.substr(0, colon);
}

}  // namespace

Response Api::fleet() {
  std::map<std::string, std::int64_t> states;
  std::int64_t devices = 0, lsc = 0, pending = 0;
  {
    auto s = db_.prepare(
        "SELECT count(*), coalesce(sum(cert_type = 'LSC'), 0), coalesce(sum(capf_operation != 'none'), 0) "
        "FROM device");
    if (!s) return error_response(s.error());
    auto row = s->step();
    if (!row) return error_response(row.error());
    devices = s->int64(0);
    lsc = s->int64(1);
    pending = s->int64(2);
  }
  auto regs = db::SipStore(db_).registrations(std::time(nullptr), "");
  if (!regs) return error_response(regs.error());
  std::map<std::string, bool> registered;
  for (const auto& r : *regs) registered[r.device] = true;
  // The newest event of each device that has any (the index on (device, id) answers it).
  auto s = db_.prepare(
      "SELECT e.device, e.service, e.result FROM event e JOIN "
      "(SELECT device, max(id) AS id FROM event WHERE device != '' GROUP BY device) newest ON newest.id = e.id "
      "JOIN device d ON d.name = e.device");
  if (!s) return error_response(s.error());
  std::int64_t seen = 0;
  while (true) {
    auto row = s->step();
    if (!row) return error_response(row.error());
    if (!*row) break;
    ++seen;
    std::string device = s->text(0);
    ++states[registered.count(device) ? "registered" : state_of(s->text(1), s->text(2))];
  }
  states["never seen"] = devices - seen;
  // Failures among the newest 100,000 events, by reason.
  auto f = db_.prepare(
      "SELECT result, count(*) FROM event WHERE id > (SELECT coalesce(max(id), 0) - 100000 FROM event) "
      "AND result != '' AND result != 'ok' GROUP BY result");
  if (!f) return error_response(f.error());
  std::map<std::string, std::int64_t> reasons;
  while (true) {
    auto row = f->step();
    if (!row) return error_response(row.error());
    if (!*row) break;
    reasons[reason_of(f->text(0))] += f->int64(1);
  }
  auto failures = nlohmann::json::array();
  for (const auto& [reason, count] : reasons) failures.push_back({{"reason", reason}, {"count", count}});
  return json_response(200, {{"devices", devices}, {"with_lsc", lsc}, {"capf_pending", pending},
                             {"states", states}, {"failures", failures}});
}

}  // namespace cucm::web
