// Telling a service manager (systemd's Type=notify) what the process is doing: ready once every
// port is bound, reloading, stopping. Without $NOTIFY_SOCKET (not started by systemd) each call
// does nothing, so serve behaves the same from a shell.
#pragma once

#include <string_view>

namespace cucm::core {

// READY=1 with a one-line STATUS= (shown by `systemctl status`); again after a reload.
void notify_ready(std::string_view status);
// RELOADING=1 with the monotonic time systemd 253+ asks for; READY=1 must follow.
void notify_reloading(std::string_view status);
void notify_stopping();
// STATUS= alone: what `systemctl status` shows, e.g. why a reload was refused.
void notify_status(std::string_view status);

}  // namespace cucm::core
