// Audit events.
#include "admin/audit.hpp"

#include "core/log.hpp"
#include "db/event_log.hpp"

namespace cucm::admin {

void audit(const db::Database& db, const Actor& actor, const std::string& device, const std::string& what) {
  db::Event e;
  e.service = actor.service;
  e.source = actor.source;
  e.device = device;
  e.what = actor.user.empty() ? what : what + " (by " + actor.user + ")";
  e.result = "ok";
  if (auto st = db::EventLog(db).append(e); !st) log::get("admin")->warn("event log: {}", st.error().message);
}

}  // namespace cucm::admin
