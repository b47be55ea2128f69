// Every test program's main: GoogleTest's, in a temporary folder of the process's own, after
// installing the build's pool of ready-made keys (key_pool.hpp). Without the pool (a build
// directory that lost it), keys are generated, slower.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

#include "signer/keys.hpp"
#include "tests/support/key_pool.hpp"

namespace {

// The tests name their folders after the process id under the temporary folder. A folder left
// there by an earlier run whose process had the same id (a machine that ran the suite before)
// was taken as the test's own: a phone then booted with an earlier cluster's trust list. So each
// program gets a new, empty folder (mkdtemp) and passes it to everything, its children included,
// as TMPDIR, which std::filesystem::temp_directory_path() reads. Kept short: a Unix socket's
// path in it must fit in 107 bytes.
// Empty, with the reason printed, when it cannot be made.
std::string make_own_temp_folder() {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);  // TMPDIR, else /tmp
  if (ec) {
    std::fprintf(stderr, "test: no temporary folder (TMPDIR='%s'): %s\n", std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "",
                 ec.message().c_str());
    return "";
  }
  std::string pattern = (base / "cucm-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::fprintf(stderr, "test: cannot make a folder in %s: %s\n", base.c_str(), std::strerror(errno));
    return "";
  }
  ::setenv("TMPDIR", pattern.c_str(), 1);
  return pattern;
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  std::string temp = make_own_temp_folder();
  if (temp.empty()) return 1;
  if (auto pool = cucm::test::use_key_pool(CUCM_TEST_KEY_POOL); !pool) {
    std::fprintf(stderr, "test keys: %s; generating each key instead\n", pool.error().message.c_str());
  }
  int rc = RUN_ALL_TESTS();
  // The pool's keys go now, while OpenSSL is up: its own atexit cleanup runs before the static
  // destructors of what was made before main.
  cucm::signer::set_key_supply({});
  if (rc == 0) {
    std::error_code ec;
    std::filesystem::remove_all(temp, ec);
  } else {
    std::fprintf(stderr, "test: the failed tests' files are kept in %s\n", temp.c_str());
  }
  return rc;
}
