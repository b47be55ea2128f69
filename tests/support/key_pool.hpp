// Ready-made RSA 2048 keys for the tests, so that a test's clusters and phones do not each spend
// 0.1-0.3 s of CPU per key: the whole suite made 1,700 of them, four fifths of its CPU.
//
// The pool is a PEM file of private keys made once per build directory (tests/CMakeLists.txt).
// Each key is handed out at most once per process, so no two identities in one test share a key;
// past the last one, generate_key generates as it always does.
#pragma once

#include <cstddef>
#include <filesystem>

#include "core/result.hpp"

namespace cucm::test {

// Installs the pool from `pem_file` as signer's key supply; returns how many keys it holds.
Result<std::size_t> use_key_pool(const std::filesystem::path& pem_file);

}  // namespace cucm::test
