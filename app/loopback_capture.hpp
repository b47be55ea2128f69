// A packet capture of the loopback interface by dumpcap (Wireshark's capture tool), for
// `demo --pcap`: started before the demo's first packet, stopped after its last.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace cucm::app {

class LoopbackCapture {
 public:
  // Starts `dumpcap -i lo -f FILTER -w FILE` and returns once it says it captures. Unavailable
  // with what to install when dumpcap is missing, PermissionDenied with dumpcap's own words when
  // it may not capture (root, or the wireshark group, is needed).
  static Result<LoopbackCapture> start(const std::filesystem::path& file, const std::string& filter);
  LoopbackCapture(LoopbackCapture&& o) noexcept : pid_(o.pid_), stderr_fd_(o.stderr_fd_) { o.pid_ = -1; o.stderr_fd_ = -1; }
  LoopbackCapture& operator=(LoopbackCapture&&) = delete;
  ~LoopbackCapture();  // stops it if stop() was not called

  // Waits until dumpcap has written every packet so far, asks it to finish the file (SIGINT) and
  // waits for it.
  Status stop();

 private:
  void drain();
  LoopbackCapture(pid_t pid, int stderr_fd) : pid_(pid), stderr_fd_(stderr_fd) {}
  pid_t pid_;
  int stderr_fd_;
};

// Where `tool` is on PATH, or empty.
std::filesystem::path find_on_path(const std::string& tool);

// Runs a tool to its end (stdout and stderr to /dev/null); Internal naming it when it fails.
Status run_tool(const std::vector<std::string>& argv);

}  // namespace cucm::app
