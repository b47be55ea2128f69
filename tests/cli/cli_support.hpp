// Running the real cucm-emu binary in a temp directory, for the CLI tests.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "core/bytes.hpp"
#include "core/file_io.hpp"

namespace cucm {
namespace fs = std::filesystem;

struct Run {
  int rc;
  std::string out;  // what was captured (see run and run_stdout)
};

// Runs a shell command line as given and captures its stdout.
inline Run run_raw(const std::string& cmd) {
  Run r{-1, {}};
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  int status = ::pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// stdout and stderr together, for messages.
inline Run run(const std::string& cmd) { return run_raw(cmd + " 2>&1"); }
// Only stdout, for output that is parsed (JSON, tables).
inline Run run_stdout(const std::string& cmd) { return run_raw(cmd + " 2>/dev/null"); }

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cucm-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  std::string emu(const std::string& args) const {
    return std::string(CUCM_EMU) + " --data-dir " + (dir_ / "data").string() + " " + args;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, ByteView data) const { ASSERT_TRUE(write_file_atomic(dir_ / name, data)); }
  Bytes read(const std::string& name) const {
    auto b = read_file(dir_ / name);
    return b ? *b : Bytes{};
  }
  // A phone key and certificate made by openssl itself.
  void make_device(const std::string& stem) const {
    auto r = run("openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=SEP001122334455 -keyout " +
                 path(stem + ".key") + " -out " + path(stem + ".pem"));
    ASSERT_EQ(r.rc, 0) << r.out;
  }
  fs::path dir_;
};

}  // namespace cucm
