// tvs.json in a phone's state folder.
#include "phone/tvs_memory.hpp"

#include <nlohmann/json.hpp>

#include "core/file_io.hpp"

namespace cucm::phone {

const TvsMemory::Answer* TvsMemory::answer(const std::string& sha256, std::time_t now) const {
  auto it = answers.find(sha256);
  return it != answers.end() && it->second.expires > now ? &it->second : nullptr;
}

TvsMemory load_tvs_memory(const std::filesystem::path& dir, std::string* note) {
  TvsMemory m;
  auto bytes = read_file(dir / "tvs.json");
  if (!bytes) return m;
  try {
    auto j = nlohmann::json::parse(bytes->begin(), bytes->end());
    for (const auto& s : j.at("servers")) {
      m.servers.push_back({s.at("host").get<std::string>(), s.at("port").get<std::uint16_t>()});
    }
    for (const auto& [sha, a] : j.at("answers").items()) {
      m.answers[sha] = {a.at("roles").get<std::vector<std::uint8_t>>(), a.at("expires").get<std::time_t>()};
    }
  } catch (const nlohmann::json::exception& e) {
    if (note) *note = std::string("tvs.json does not parse, forgotten: ") + e.what();
    return TvsMemory{};
  }
  return m;
}

Status save_tvs_memory(const std::filesystem::path& dir, const TvsMemory& m) {
  nlohmann::json j{{"servers", nlohmann::json::array()}, {"answers", nlohmann::json::object()}};
  for (const auto& s : m.servers) j["servers"].push_back({{"host", s.host}, {"port", s.port}});
  for (const auto& [sha, a] : m.answers) j["answers"][sha] = {{"roles", a.roles}, {"expires", a.expires}};
  return write_file_atomic(dir / "tvs.json", to_bytes(j.dump(1)));
}

}  // namespace cucm::phone
