// JSON body fields.
#include "web/json_fields.hpp"

#include <limits>

#include <fmt/format.h>

namespace cucm::web {
namespace {

Error wrong(const char* name, const char* expected) {
  return make_error(Errc::InvalidArgument, fmt::format("field '{}' must be {}", name, expected));
}

}  // namespace

Result<Fields> Fields::parse(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return Fields(nlohmann::json::object());
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return make_error(Errc::InvalidArgument, "the request body is not valid JSON");
  if (!j.is_object()) return make_error(Errc::InvalidArgument, "the request body must be a JSON object");
  return Fields(std::move(j));
}

Status Fields::only(std::initializer_list<std::string_view> known, std::string_view first) const {
  for (const auto& [key, value] : j_.items()) {
    bool ok = !first.empty() && first == key;
    for (auto k : known) ok = ok || k == key;
    if (ok) continue;
    std::string names(first);
    for (auto k : known) names += fmt::format("{}{}", names.empty() ? "" : ", ", k);
    std::string shown = key.size() > 64 ? key.substr(0, 64) + "…" : key;
    return make_error(Errc::InvalidArgument, fmt::format("unknown field '{}'; the fields are: {}", shown, names));
  }
  return Ok{};
}

const nlohmann::json* Fields::get(const char* name) const {
  auto it = j_.find(name);
  if (it == j_.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::optional<std::string>> Fields::text(const char* name) const {
  const auto* v = get(name);
  if (!v) return std::optional<std::string>{};
  if (!v->is_string()) return wrong(name, "a string");
  return std::optional<std::string>{v->get<std::string>()};
}

Result<std::optional<bool>> Fields::flag(const char* name) const {
  const auto* v = get(name);
  if (!v) return std::optional<bool>{};
  if (!v->is_boolean()) return wrong(name, "true or false");
  return std::optional<bool>{v->get<bool>()};
}

Result<std::optional<int>> Fields::integer(const char* name) const {
  const auto* v = get(name);
  if (!v) return std::optional<int>{};
  if (!v->is_number_integer()) return wrong(name, "a whole number");
  auto n = v->get<std::int64_t>();
  if (n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max()) return wrong(name, "a smaller number");
  return std::optional<int>{static_cast<int>(n)};
}

Result<std::optional<std::vector<std::string>>> Fields::texts(const char* name) const {
  const auto* v = get(name);
  if (!v) return std::optional<std::vector<std::string>>{};
  if (!v->is_array()) return wrong(name, "a list of strings");
  std::vector<std::string> out;
  for (const auto& item : *v) {
    if (!item.is_string()) return wrong(name, "a list of strings");
    out.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>{std::move(out)};
}

Result<std::optional<std::vector<db::Line>>> Fields::lines(const char* name) const {
  const auto* v = get(name);
  if (!v) return std::optional<std::vector<db::Line>>{};
  constexpr const char* kShape = "a list of {\"directory_number\", \"display_name\", \"auth_name\", \"auth_password\"}";
  if (!v->is_array()) return wrong(name, kShape);
  std::vector<db::Line> out;
  for (const auto& item : *v) {
    if (!item.is_object()) return wrong(name, kShape);
    db::Line l;
    l.index = static_cast<int>(out.size()) + 1;
    for (const auto& [key, value] : item.items()) {
      std::string* field = key == "directory_number" ? &l.directory_number
                           : key == "display_name"   ? &l.display_name
                           : key == "auth_name"      ? &l.auth_name
                           : key == "auth_password"  ? &l.auth_password
                                                     : nullptr;
      if (!field || !(value.is_string() || value.is_null())) return wrong(name, kShape);
      if (value.is_string()) *field = value.get<std::string>();
    }
    out.push_back(std::move(l));
  }
  return std::optional<std::vector<db::Line>>{std::move(out)};
}

}  // namespace cucm::web
