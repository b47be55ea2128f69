// Logging facade: one named spdlog logger per component, one line per event.
#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "core/result.hpp"

namespace cucm::log {

// Sets the level of every logger ("trace", "debug", "info", "warn", "error", "off").
// InvalidArgument for an unknown level name.
Status set_level(const std::string& level);

// Whether stderr is the systemd journal's stream ($JOURNAL_STREAM names it): lines then carry a
// "<priority>" prefix and no time of their own.
bool stderr_is_journal();

// The logger for a component ("signer", "pki", "tftp"...), created on first use; logs go to stderr.
std::shared_ptr<spdlog::logger> get(const std::string& component);

}  // namespace cucm::log
