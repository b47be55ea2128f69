// Event rows.
#include "db/event_log.hpp"

#include <algorithm>

namespace cucm::db {
namespace {
Event from_row(const Statement& s) {
  return Event{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6)};
}
}  // namespace

Status EventLog::append(const Event& e) {
  CUCM_TRY(auto s, db_.prepare("INSERT INTO event (source, service, device, what, result) VALUES (?1, ?2, ?3, ?4, ?5)"));
  s.bind(1, std::string_view(e.source))
      .bind(2, std::string_view(e.service))
      .bind(3, std::string_view(e.device))
      .bind(4, std::string_view(e.what))
      .bind(5, std::string_view(e.result));
  return s.run();
}

Result<std::vector<Event>> EventLog::since(std::int64_t after_id, const std::string& device, int limit) const {
  CUCM_TRY(auto s, db_.prepare("SELECT id, time, source, service, device, what, result FROM event "
                               "WHERE id > ?1 AND (?2 = '' OR device = ?2) ORDER BY id LIMIT ?3"));
  s.bind(1, after_id).bind(2, std::string_view(device)).bind(3, std::int64_t{limit});
  std::vector<Event> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) return out;
    out.push_back(from_row(s));
  }
}

Result<std::vector<Event>> EventLog::tail(const std::string& device, int limit) const {
  CUCM_TRY(auto s, db_.prepare("SELECT id, time, source, service, device, what, result FROM event "
                               "WHERE (?1 = '' OR device = ?1) ORDER BY id DESC LIMIT ?2"));
  s.bind(1, std::string_view(device)).bind(2, std::int64_t{limit});
  std::vector<Event> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) break;
    out.push_back(from_row(s));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> EventLog::itl_holders() const {
  // TFTP and HTTP record a served ITL as "RRQ|GET ITLSEP….tlv variant=itl …" with result ok.
  CUCM_TRY(auto s, db_.prepare("SELECT device, max(time) FROM event WHERE service IN ('tftp', 'http') AND result = 'ok' "
                               "AND device <> '' AND what LIKE '% variant=itl%' GROUP BY device ORDER BY device"));
  std::vector<std::pair<std::string, std::string>> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) return out;
    out.emplace_back(s.text(0), s.text(1));
  }
}

}  // namespace cucm::db
