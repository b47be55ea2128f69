// For server tests: run a server out of file descriptors with connections queued, and measure
// how much CPU the process burns meanwhile (an accept loop that retries at once spins a core).
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace cucm::test {

// The sanitizer runtimes open descriptors of their own (UBSan's vptr check probes memory through
// a pipe), so under a descriptor shortage they report errors that are not there. The release
// build runs these tests; sanitized builds skip them.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

struct ShortageResult {
  double cpu_seconds = 0;  // the whole process's user + system time during `wait`
  bool ok = false;         // the limit could be lowered and restored
};

// `n` TCP sockets opened but not connected: their descriptors exist before the limit drops.
inline std::vector<boost::asio::ip::tcp::socket> open_clients(boost::asio::io_context& io, int n) {
  std::vector<boost::asio::ip::tcp::socket> clients;
  for (int i = 0; i < n; ++i) {
    clients.emplace_back(io);
    clients.back().open(boost::asio::ip::tcp::v4());
  }
  return clients;
}

// `clients` must already be open (their descriptors exist before the limit drops). Lowers
// RLIMIT_NOFILE to leave room for `room` more descriptors, connects every client to `server`
// (queued in its backlog, no new descriptor on this side), waits, and restores the limit.
inline ShortageResult run_out_of_descriptors(std::vector<boost::asio::ip::tcp::socket>& clients,
                                             const boost::asio::ip::tcp::endpoint& server, std::size_t room,
                                             std::chrono::milliseconds wait) {
  ShortageResult out;
  std::size_t open_fds = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++open_fds;
  struct rlimit old_limit {};
  if (::getrlimit(RLIMIT_NOFILE, &old_limit) != 0) return out;
  struct rlimit low = old_limit;
  low.rlim_cur = open_fds + room;
  if (::setrlimit(RLIMIT_NOFILE, &low) != 0) return out;
  for (auto& c : clients) c.connect(server);
  auto cpu = [] {
    struct rusage r {};
    ::getrusage(RUSAGE_SELF, &r);
    return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
           static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
  };
  double before = cpu();
  std::this_thread::sleep_for(wait);
  out.cpu_seconds = cpu() - before;
  out.ok = ::setrlimit(RLIMIT_NOFILE, &old_limit) == 0;
  return out;
}

}  // namespace cucm::test
