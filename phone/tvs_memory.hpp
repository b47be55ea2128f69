// What a phone remembers of TVS across reboots, in its state folder (tvs.json): the TVS servers of
// its last full config (it needs them before it has a config: to accept a new ITL) and the answers
// TVS gave, each until its TTL runs out.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace cucm::phone {

struct TvsServerAddress {
  std::string host;
  std::uint16_t port = 2445;
};

struct TvsMemory {
  struct Answer {
    std::vector<std::uint8_t> roles;
    std::time_t expires = 0;
  };
  std::vector<TvsServerAddress> servers;  // in the config's priority order
  std::map<std::string, Answer> answers;   // by SHA-256 (hex) of the certificate

  // A remembered valid answer for the certificate, while its TTL lasts.
  const Answer* answer(const std::string& sha256, std::time_t now) const;
};

// Missing file: an empty memory. A file that does not parse is forgotten, as a phone whose flash
// holds garbage would (the next answers rebuild it); the error says so only in `note`.
TvsMemory load_tvs_memory(const std::filesystem::path& dir, std::string* note = nullptr);
Status save_tvs_memory(const std::filesystem::path& dir, const TvsMemory& m);

}  // namespace cucm::phone
