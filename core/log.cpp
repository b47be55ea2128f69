// spdlog set-up: stderr sink, time + level + component prefix; under systemd, the journal's form.
#include "core/log.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <spdlog/pattern_formatter.h>
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

namespace {

// "<3>" and so on: the priority prefix journald reads from a stream (SyslogLevelPrefix=), so that
// `journalctl -p warning` filters our lines. The journal stamps the time itself.
class SyslogPriority final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    static constexpr char kPriority[] = {'7', '7', '6', '4', '3', '2', '6'};  // trace..critical, off
    auto level = static_cast<std::size_t>(msg.level);
    char text[3] = {'<', level < sizeof(kPriority) ? kPriority[level] : '6', '>'};
    dest.append(text, text + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<SyslogPriority>(); }
};

}  // namespace

bool stderr_is_journal() {
  // systemd sets JOURNAL_STREAM to "<device>:<inode>" of the stream it connected; a child whose
  // stderr was redirected elsewhere inherits the variable, hence the comparison.
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat st {};
  if (stream == nullptr || ::fstat(fileno(stderr), &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  return dev == static_cast<unsigned long long>(st.st_dev) && ino == static_cast<unsigned long long>(st.st_ino);
}

std::shared_ptr<spdlog::logger> get(const std::string& component) {
  static std::mutex mutex;  // spdlog refuses to register one name twice
  std::lock_guard lock(mutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto logger = spdlog::stderr_color_mt(component);
  static const bool journal = stderr_is_journal();
  if (journal) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<SyslogPriority>('*').set_pattern("%*%n: %v");
    logger->set_formatter(std::move(formatter));
  } else {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %n: %v");
  }
  logger->set_level(spdlog::get_level());
  return logger;
}

}  // namespace cucm::log
