// Every test program's main: GoogleTest's, after installing the build's pool of ready-made keys
// (key_pool.hpp). Without the pool (a build directory that lost it), keys are generated, slower.
#include <cstdio>

#include <gtest/gtest.h>

#include "signer/keys.hpp"
#include "tests/support/key_pool.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (auto pool = cucm::test::use_key_pool(CUCM_TEST_KEY_POOL); !pool) {
    std::fprintf(stderr, "test keys: %s; generating each key instead\n", pool.error().message.c_str());
  }
  int rc = RUN_ALL_TESTS();
  // The pool's keys go now, while OpenSSL is up: its own atexit cleanup runs before the static
  // destructors of what was made before main.
  cucm::signer::set_key_supply({});
  return rc;
}
