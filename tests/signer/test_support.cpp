// Cached test identities.
#include "test_support.hpp"

#include <unistd.h>

#include <map>
#include <stdexcept>

#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"

namespace cucm::signer::test {
namespace {

TestIdentity make(const KeySpec& spec, const std::string& cn) {
  TestIdentity id;
  auto key = generate_key(spec);
  if (!key) throw std::runtime_error(key.error().message);
  id.key = std::move(*key);
  auto cert = make_self_signed(*id.key, mkcert_profile(*id.key, {{"CN", cn}, {"OU", "Test"}, {"O", "cucm-emu"}},
                                                       365, HashAlg::Sha256));
  if (!cert) throw std::runtime_error(cert.error().message);
  id.cert = std::move(*cert);
  return id;
}

}  // namespace

const TestIdentity& rsa_identity(int bits) {
  static std::map<int, TestIdentity> cache;
  auto it = cache.find(bits);
  if (it == cache.end()) {
    KeySpec spec;
    spec.rsa_bits = bits;
    it = cache.emplace(bits, make(spec, "rsa" + std::to_string(bits))).first;
  }
  return it->second;
}

const TestIdentity& ec_identity(const std::string& curve) {
  static std::map<std::string, TestIdentity> cache;
  auto it = cache.find(curve);
  if (it == cache.end()) {
    KeySpec spec;
    spec.kind = KeyKind::Ec;
    spec.curve = curve;
    it = cache.emplace(curve, make(spec, "ec-" + curve)).first;
  }
  return it->second;
}

std::filesystem::path fresh_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() /
           ("cucm-test-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

Bytes flipped(const Bytes& b, std::size_t at) {
  Bytes out = b;
  out[at] ^= 0x01;
  return out;
}

}  // namespace cucm::signer::test
