// CSV codec and the device <-> row mapping.
#include "db/csv.hpp"

#include <map>

#include <fmt/format.h>

namespace cucm::db {

Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  std::size_t line = 1, quote_line = 0;
  auto end_field = [&] { row.push_back(std::move(field)); field.clear(); field_started = false; };
  auto end_row = [&] {
    end_field();
    if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));  // skip blank lines
    row.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') { field.push_back('"'); ++i; }
      else if (c == '"') quoted = false;
      else { if (c == '\n') ++line; field.push_back(c); }
      continue;
    }
    if (c == '"' && !field_started) { quoted = true; field_started = true; quote_line = line; continue; }
    if (c == ',') { end_field(); continue; }
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (c == '\n') { end_row(); ++line; continue; }
    field.push_back(c);
    field_started = true;
  }
  if (quoted) return make_error(Errc::InvalidArgument, fmt::format("csv: quote opened on line {} is never closed", quote_line));
  if (field_started || !field.empty() || !row.empty()) end_row();
  return rows;
}

std::string csv_escape(std::string_view f) {
  if (f.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(f);
  std::string out = "\"";
  for (char c : f) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::vector<Device> devices_from_csv(const std::vector<std::vector<std::string>>& rows, std::vector<RowError>& errors) {
  std::vector<Device> out;
  if (rows.empty()) {
    errors.push_back({0, "csv: empty file (expected a header row: " + std::string(kCsvColumns) + ")"});
    return out;
  }
  std::map<std::string, std::size_t> col;
  std::string known = "," + std::string(kCsvColumns) + ",";
  for (std::size_t i = 0; i < rows[0].size(); ++i) {
    const std::string& h = rows[0][i];
    if (known.find("," + h + ",") == std::string::npos) {
      errors.push_back({0, fmt::format("csv: unknown column '{}' in the header (known: {})", h, kCsvColumns)});
      return out;
    }
    col[h] = i;
  }
  for (const char* required : {"name", "product", "protocol", "profile"}) {
    if (!col.count(required)) {
      errors.push_back({0, fmt::format("csv: the header has no '{}' column", required)});
      return out;
    }
  }
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (row.size() != rows[0].size()) {
      errors.push_back({r, fmt::format("has {} fields vs {} in the header", row.size(), rows[0].size())});
      continue;
    }
    auto get = [&](const char* k) -> std::string { return col.count(k) ? row[col[k]] : std::string(); };
    Device d;
    auto name = normalise_device_name(get("name"));
    if (!name) { errors.push_back({r, name.error().message}); continue; }
    d.name = *name;
    d.description = get("description");
    d.product = get("product");
    d.protocol = get("protocol");
    d.profile = get("profile");
    d.load_information = get("load_information");
    d.vpn_group = get("vpn_group");
    if (!get("directory_number").empty()) {
      d.lines.push_back(Line{1, get("directory_number"), get("display_name"), get("auth_name"), get("auth_password")});
    }
    auto op = normalise_capf_operation(get("capf_operation").empty() ? "none" : get("capf_operation"));
    if (!op) { errors.push_back({r, op.error().message}); continue; }
    d.capf.operation = *op;
    d.capf.auth_string = get("capf_auth_string");
    out.push_back(std::move(d));
  }
  return out;
}

std::string devices_to_csv(const std::vector<Device>& devices) {
  std::string out(kCsvColumns);
  out.push_back('\n');
  for (const auto& d : devices) {
    Line l = d.lines.empty() ? Line{} : d.lines.front();
    const std::string fields[] = {d.name, d.description, d.product, d.protocol, d.profile, d.load_information,
                                  d.vpn_group, l.directory_number, l.display_name, l.auth_name, l.auth_password,
                                  d.capf.operation, d.capf.auth_string};
    bool first = true;
    for (const auto& f : fields) {
      if (!first) out.push_back(',');
      out += csv_escape(f);
      first = false;
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace cucm::db
