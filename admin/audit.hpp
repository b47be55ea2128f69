// Who made a change, and the event that records it. The CLI and the admin site write the same
// event for the same change; only the service, the source and the user differ.
#pragma once

#include <string>

#include "db/sqlite.hpp"

namespace cucm::admin {

struct Actor {
  std::string user;             // the admin site's user; empty for the CLI (the shell's user)
  std::string service = "admin";  // "admin" for the CLI, "web" for the admin site
  std::string source = "cli";     // "cli", or the browser's or script's address
};

// The CLI, as its commands have always written their events.
inline Actor cli_actor() { return {}; }

// Appends "what" (with " (by USER)" when a user is known) to the event log. A failure to write
// the event is logged, never returned: the change itself is already made.
void audit(const db::Database& db, const Actor& actor, const std::string& device, const std::string& what);

}  // namespace cucm::admin
