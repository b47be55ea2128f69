// A server the CLI tests run beside cucm-emu (openssl s_server as a VPN headend, cucm-emu serve):
// started with its stdout and stderr on a pipe, read line by line up to a deadline (so a test
// waits for "ACCEPT" or "serving", never sleeps), and stopped when the object goes.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cucm {

class ChildProcess {
 public:
  // nullptr when the process cannot be started (the error is in `why`).
  static std::unique_ptr<ChildProcess> start(const std::vector<std::string>& argv, std::string& why) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      why = "pipe failed";
      return nullptr;
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));  // NOLINT: execvp's signature
    args.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) {
      why = "fork failed";
      ::close(fds[0]);
      ::close(fds[1]);
      return nullptr;
    }
    if (pid == 0) {
      ::dup2(fds[1], 1);
      ::dup2(fds[1], 2);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    return std::unique_ptr<ChildProcess>(new ChildProcess(pid, fds[0]));
  }

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { stop(); }

  // Reads until a line holding `needle` has arrived (true), or the deadline passes or the child
  // closes its output (false). Everything read so far is in output().
  bool wait_for(std::string_view needle, std::chrono::milliseconds within) {
    auto end = std::chrono::steady_clock::now() + within;
    while (true) {
      auto nl = out_.rfind('\n');
      if (nl != std::string::npos && out_.substr(0, nl).find(needle) != std::string::npos) return true;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0 || fd_ < 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) {
        ::close(fd_);
        fd_ = -1;
        continue;
      }
      out_.append(buf, static_cast<std::size_t>(n));
    }
  }
  const std::string& output() const { return out_; }
  pid_t pid() const { return pid_; }

  // SIGTERM, and waits for the child to exit (s_server and serve both stop on it).
  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  ChildProcess(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  pid_t pid_;
  int fd_;
  std::string out_;
};

}  // namespace cucm
