// A request's JSON body read field by field, each with a message naming the field when it has
// the wrong type, and unknown fields refused (a misspelt "tftp_encryted" must not be ignored).
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "db/model.hpp"

namespace cucm::web {

class Fields {
 public:
  // InvalidArgument unless the body is one JSON object. An empty body is an empty object.
  static Result<Fields> parse(std::string_view body);
  // Refuses a field not in `known` (nor `first`, when given: a field only some requests take, as a
  // new record's name), naming the ones that are, `first` first.
  Status only(std::initializer_list<std::string_view> known, std::string_view first = {}) const;
  // Absent or null: nullopt.
  Result<std::optional<std::string>> text(const char* name) const;
  Result<std::optional<bool>> flag(const char* name) const;
  Result<std::optional<int>> integer(const char* name) const;
  Result<std::optional<std::vector<std::string>>> texts(const char* name) const;
  // [{"directory_number", "display_name"?, "auth_name"?, "auth_password"?}] in button order.
  Result<std::optional<std::vector<db::Line>>> lines(const char* name) const;

 private:
  explicit Fields(nlohmann::json j) : j_(std::move(j)) {}
  const nlohmann::json* get(const char* name) const;
  nlohmann::json j_;
};

}  // namespace cucm::web
