// dumpcap as a child process: its stderr read until it says "File:", the sign it is capturing.
#include "app/loopback_capture.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>

extern char** environ;

namespace cucm::app {
namespace fs = std::filesystem;

fs::path find_on_path(const std::string& tool) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    fs::path candidate = fs::path(dirs.substr(start, end - start)) / tool;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

Result<LoopbackCapture> LoopbackCapture::start(const fs::path& file, const std::string& filter) {
  fs::path dumpcap = find_on_path("dumpcap");
  if (dumpcap.empty()) {
    return make_error(Errc::Unavailable, "demo --pcap needs dumpcap, which is not installed: apt install tshark (or "
                                         "wireshark), then run as root or as a member of the wireshark group");
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return make_error(Errc::Internal, "demo --pcap: cannot make a pipe for dumpcap");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  // Not quiet: dumpcap's "Packets: N" updates are how stop() knows it has written everything.
  std::vector<std::string> args = {dumpcap.string(), "-i", "lo", "-f", filter, "-w", file.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, dumpcap.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    return make_error(Errc::Unavailable, fmt::format("demo --pcap: cannot start {}", dumpcap.string()));
  }
  LoopbackCapture capture(pid, pipe_fds[0]);
  // dumpcap says "File: <name>" once the capture runs; anything else before it closes is why not.
  std::string said;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (said.find("File: ") == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{pipe_fds[0], POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      return make_error(Errc::Unavailable, "demo --pcap: dumpcap did not start capturing within 10 s");
    }
    char buf[512];
    ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    if (n <= 0) {
      while (!said.empty() && (said.back() == '\n' || said.back() == '\r')) said.pop_back();
      return make_error(Errc::PermissionDenied,
                        fmt::format("demo --pcap: dumpcap cannot capture on lo: {} (run as root, or join the wireshark "
                                    "group: sudo dpkg-reconfigure wireshark-common)", said.empty() ? "it stopped" : said));
    }
    said.append(buf, static_cast<std::size_t>(n));
  }
  return capture;
}

// dumpcap receives packets in blocks that the kernel hands over when full or after a timeout (a
// fraction of a second), and drops what it has not received when it is stopped: so stop() waits
// until the count dumpcap reports ("\rPackets: N") has not moved for 600 ms, at most 5 s.
void LoopbackCapture::drain() {
  std::string said;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{stderr_fd_, POLLIN, 0};
    if (::poll(&p, 1, 600) <= 0) return;  // quiet for 600 ms: everything is written
    char buf[512];
    ssize_t n = ::read(stderr_fd_, buf, sizeof buf);
    if (n <= 0) return;
    said.append(buf, static_cast<std::size_t>(n));
    if (said.size() > 4096) said.erase(0, said.size() - 64);
  }
}

Status LoopbackCapture::stop() {
  if (pid_ <= 0) return Ok{};
  if (stderr_fd_ >= 0) drain();
  ::kill(pid_, SIGINT);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (stderr_fd_ >= 0) ::close(stderr_fd_);
  stderr_fd_ = -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return make_error(Errc::Internal, "demo --pcap: dumpcap did not finish its file cleanly");
  }
  return Ok{};
}

LoopbackCapture::~LoopbackCapture() { (void)stop(); }

Status run_tool(const std::vector<std::string>& argv_in) {
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, args.front().c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  if (rc != 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return make_error(Errc::Internal, fmt::format("{} failed", args.front()));
  }
  return Ok{};
}

}  // namespace cucm::app
