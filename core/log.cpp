// spdlog set-up: stderr sink, time + level + component prefix.
#include "core/log.hpp"

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>

#include <fmt/format.h>

namespace cucm::log {

Status set_level(const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    return make_error(Errc::InvalidArgument,
                      fmt::format("log: unknown level '{}' (trace, debug, info, warn, error, off)", level));
  }
  spdlog::set_level(lvl);
  return Ok{};
}

std::shared_ptr<spdlog::logger> get(const std::string& component) {
  static std::mutex mutex;  // spdlog refuses to register one name twice
  std::lock_guard lock(mutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto logger = spdlog::stderr_color_mt(component);
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %n: %v");
  logger->set_level(spdlog::get_level());
  return logger;
}

}  // namespace cucm::log
