// Keys and certificates shared by the signer tests, generated once per process.
#pragma once

#include <filesystem>
#include <string>

#include "core/bytes.hpp"
#include "signer/ossl.hpp"

namespace cucm::signer::test {

struct TestIdentity {
  PkeyPtr key;
  X509Ptr cert;
};

// A self-signed RSA identity of `bits` (1024, 2048, 3072, 4096), cached.
const TestIdentity& rsa_identity(int bits);
// A self-signed EC identity on `curve` ("prime256v1", "secp384r1", "secp521r1"), cached.
const TestIdentity& ec_identity(const std::string& curve);

// A fresh empty directory under the system temp dir.
std::filesystem::path fresh_dir(const std::string& name);

// Flips one bit of byte `at`.
Bytes flipped(const Bytes& b, std::size_t at);

}  // namespace cucm::signer::test
