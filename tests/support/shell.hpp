// Running a third-party client (curl, tftp, openssl, python3) from a test: a shell command line,
// its stdout and stderr together, and its exit code.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace cucm::test {

struct Run {
  int rc;           // the exit code; -1 when the command could not run or was killed
  std::string out;  // stdout and stderr
};

inline Run run(const std::string& cmd) {
  Run r{-1, {}};
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  int st = ::pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace cucm::test
