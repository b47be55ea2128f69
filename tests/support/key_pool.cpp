#include "tests/support/key_pool.hpp"

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/bytes.hpp"
#include "core/file_io.hpp"
#include "signer/keys.hpp"

namespace cucm::test {

Result<std::size_t> use_key_pool(const std::filesystem::path& pem_file) {
  CUCM_TRY(auto pem, read_file(pem_file));
  // One PEM block per key: split on the BEGIN lines and load each with the program's own loader.
  const std::string_view text = as_chars(pem);
  constexpr std::string_view begin = "-----BEGIN PRIVATE KEY-----";
  auto keys = std::make_shared<std::vector<signer::PkeyPtr>>();
  for (auto at = text.find(begin); at != std::string_view::npos;) {
    auto next = text.find(begin, at + begin.size());
    auto key = signer::load_private_key(as_bytes(text.substr(at, next == std::string_view::npos ? next : next - at)));
    if (!key) return make_error(Errc::InvalidArgument, fmt::format("{}: {}", pem_file.string(), key.error().message));
    if (signer::describe_key(**key) != "RSA 2048") {
      return make_error(Errc::InvalidArgument, fmt::format("{}: an {} key; the pool takes RSA 2048 keys only", pem_file.string(),
                                                           signer::describe_key(**key)));
    }
    keys->push_back(std::move(*key));
    at = next;
  }
  const std::size_t count = keys->size();
  if (count == 0) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("{}: no '-----BEGIN PRIVATE KEY-----' block (PKCS#8, as openssl genpkey writes)",
                                  pem_file.string()));
  }
  auto mutex = std::make_shared<std::mutex>();
  auto taken = std::make_shared<std::size_t>(0);
  signer::set_key_supply([keys, mutex, taken](const signer::KeySpec& spec) -> signer::PkeyPtr {
    if (spec.kind != signer::KeyKind::Rsa || spec.rsa_bits != 2048) return nullptr;
    std::lock_guard lock(*mutex);
    if (*taken == keys->size()) return nullptr;
    return std::move((*keys)[(*taken)++]);
  });
  return count;
}

}  // namespace cucm::test
